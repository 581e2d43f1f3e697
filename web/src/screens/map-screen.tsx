import { bbox as bboxOf } from "@turf/turf";
import { useCallback, useEffect, useMemo, useState } from "react";
import {
  type ApiError,
  type BaseMapSetting,
  fetchBaseMapSetting,
  fetchCommunities,
  fetchCompounds,
  fetchGrids,
  fetchSubdistrict,
  fetchWater,
  type Session,
  toApiError,
} from "../api.ts";
import { CommunityFilter } from "../features/communities/community-filter.tsx";
import { compoundLabelPoints } from "../features/compounds/compounds-layer.ts";
import { GridPanel } from "../features/grids/grid-panel.tsx";
import { type GridStatus, gridsLayers, gridsSource } from "../features/grids/grids-layer.ts";
import { GridsLegend } from "../features/grids/grids-legend.tsx";
import { waterLabelPoints } from "../features/water/water-layer.ts";
import { bilingualPart, htmlLang, localName, useLang } from "../i18n/lang.ts";
import type { AtlasMap } from "../map/atlas-map.ts";
import type { BBox } from "../map/geo.ts";
import { MapView } from "../map/map-view.tsx";
import { Banner } from "../ui/banner.tsx";
import type { NavEntry } from "../ui/nav.tsx";
import { useEscape } from "../ui/page.tsx";
import { Progress } from "../ui/progress.tsx";
import { TopBar } from "../ui/top-bar.tsx";
import { baseLayers, baseSources, mapLocale, withRaster } from "./use-base-map.ts";

/**
 * Everything the first screen needs, fetched in parallel when the app starts. The map draws blocks, water, roads,
 * compounds, grids and communities from vector tiles; what is fetched here is for the legend, the filter and the
 * label points written once per water body and compound.
 */
const LOADERS = {
  raster: () => fetchBaseMapSetting().catch((): BaseMapSetting => ({ raster_url: null, attribution: "", version: 0 })),
  subdistrict: fetchSubdistrict,
  communities: fetchCommunities,
  grids: fetchGrids,
  water: fetchWater,
  compounds: fetchCompounds,
};
type Loaded = { [K in keyof typeof LOADERS]?: Awaited<ReturnType<(typeof LOADERS)[K]>> };
const LOAD_STEPS = Object.keys(LOADERS).length;

/** The published plan's grids, coloured by their households against the band, between the base map's layers. */
const SOURCES = baseSources("map", { sources: { grids: gridsSource }, layers: gridsLayers({ focus: null }) });

/** Room the grid panel takes on the right, kept free when the camera moves. */
const PANEL_WIDTH_PX = 360;

/** Room the toolbar (top), the legend (top left, 216 px wide) and the attribution (bottom) take over the map. */
const MAP_INSET = { top: 56, right: 0, bottom: 40, left: 216 };

/** Who may print a map (the server's print route says the same). */
const PRINTERS: readonly string[] = ["admin", "planner", "leader"];

const DEFAULT_BAND = { min: 200, max: 300 };

/** The map of the subdistrict with its toolbar, legend and grid panel, for a signed-in account. */
export function MapScreen(props: { session: Session; nav: NavEntry[]; onSignOut: (everywhere?: true) => void }) {
  const { lang, t } = useLang();
  const [loaded, setLoaded] = useState<Loaded>({});
  const [done, setDone] = useState(0);
  const [error, setError] = useState<ApiError | null>(null);
  const [attempt, setAttempt] = useState(0);
  const [focus, setFocus] = useState<string | null>(null);
  const [selected, setSelected] = useState<string | null>(null);
  const [atlas, setAtlas] = useState<AtlasMap | null>(null);

  const fail = useCallback((err: unknown) => setError(toApiError(err)), []);

  // biome-ignore lint/correctness/useExhaustiveDependencies: `attempt` is the retry button's way to load again.
  useEffect(() => {
    let current = true;
    setDone(0);
    setError(null);
    for (const [key, load] of Object.entries(LOADERS)) {
      load().then(
        (value) => {
          if (!current) return;
          setLoaded((prev) => ({ ...prev, [key]: value }));
          setDone((n) => n + 1);
        },
        (err: unknown) => current && fail(err),
      );
    }
    return () => {
      current = false;
    };
  }, [attempt, fail]);

  useEffect(() => {
    document.documentElement.lang = htmlLang(lang);
    const place = loaded.subdistrict ? ` · ${localName(lang, loaded.subdistrict)}` : "";
    document.title = `${t("app.title")}${place}`;
  }, [lang, t, loaded.subdistrict]);

  const layers = useMemo(
    () =>
      withRaster(
        loaded.raster,
        {},
        baseLayers("map", {
          lang,
          focus,
          extra: gridsLayers({ focus, title: t("grid.title", { seq: "{seq}" }) }),
        }),
      ).layers,
    [lang, t, focus, loaded.raster],
  );
  const sources = useMemo(() => withRaster(loaded.raster, SOURCES, []).sources, [loaded.raster]);

  const waterLabels = useMemo(() => loaded.water && waterLabelPoints(loaded.water), [loaded.water]);
  const compoundLabels = useMemo(() => loaded.compounds && compoundLabelPoints(loaded.compounds), [loaded.compounds]);
  const data = useMemo(
    () => ({ "water-labels": waterLabels, "compounds-labels": compoundLabels }),
    [waterLabels, compoundLabels],
  );

  const locale = useMemo(() => mapLocale(t), [t]);
  const selection = useMemo(() => (selected ? { source: "grids", id: selected } : null), [selected]);

  const onMapReady = useCallback((atlas: AtlasMap) => {
    setAtlas(atlas);
    atlas.onClick(["grids-fill"], (picked) => setSelected(picked ? String(picked.properties.code) : null));
    atlas.enableHover(["grids-fill"]);
    atlas.onError((err) => console.error("map:", err));
  }, []);

  useEscape(() => setSelected(null));

  // An account scoped to one community (a secretary) sees only it: start the camera there.
  useEffect(() => {
    const only = loaded.communities?.features.length === 1 ? loaded.communities.features[0] : undefined;
    if (only) atlas?.fitBounds(bboxOf(only) as BBox);
  }, [atlas, loaded.communities]);

  const communities = loaded.communities?.features.map((f) => f.properties) ?? [];
  const focused = communities.find((c) => c.code === focus);

  const chooseCommunity = (code: string | null) => {
    setFocus(code);
    const feature = loaded.communities?.features.find((f) => f.properties.code === code);
    const target = feature ? (bboxOf(feature) as BBox) : loaded.subdistrict?.bbox;
    if (target) atlas?.fitBounds(target, { right: selected ? PANEL_WIDTH_PX : 0 });
  };

  const counts: Record<GridStatus, number> = { under: 0, ok: 0, over: 0 };
  for (const g of loaded.grids?.features ?? []) {
    if (!focus || g.properties.community_code === focus) counts[g.properties.status] += 1;
  }
  const band = focused ? { min: focused.band_min, max: focused.band_max } : commonBand(communities);

  const loading = done < LOAD_STEPS && !error;
  const subdistrict = loaded.subdistrict;

  return (
    <div className="app">
      {subdistrict && loaded.raster && (
        <MapView
          className="map"
          bbox={subdistrict.bbox}
          sources={sources}
          layers={layers}
          data={data}
          selection={selection}
          locale={locale}
          inset={MAP_INSET}
          attribution={bilingualPart(lang, subdistrict.attribution)}
          onReady={onMapReady}
          print={props.session.account.roles.some((r) => PRINTERS.includes(r)) ? { community: focus } : null}
        />
      )}

      <TopBar
        floating
        place={subdistrict && localName(lang, subdistrict)}
        nav={props.nav}
        account={props.session.account}
        onSignOut={props.onSignOut}
      >
        {communities.length > 1 && (
          <CommunityFilter communities={communities} value={focus} onChange={chooseCommunity} />
        )}
      </TopBar>

      {props.session.demo_password && <p className="notice">{t("session.demoPassword")}</p>}

      {loaded.grids && <GridsLegend band={band} counts={counts} />}

      {selected && (
        <GridPanel
          code={selected}
          communityName={(code) => {
            const c = communities.find((x) => x.code === code);
            return c && localName(lang, c);
          }}
          onClose={() => setSelected(null)}
        />
      )}

      {loading && (
        <Progress
          label={t("app.loading")}
          detail={t("app.loadingStep", { done, total: LOAD_STEPS })}
          done={done}
          total={LOAD_STEPS}
        />
      )}

      {error && (
        <Banner
          title={t("app.errorTitle")}
          actions={
            <>
              <button type="button" onClick={() => setAttempt((n) => n + 1)}>
                {t("app.retry")}
              </button>
              <button type="button" onClick={() => setError(null)}>
                {t("app.dismiss")}
              </button>
            </>
          }
        >
          {error.text(lang)}
        </Banner>
      )}
    </div>
  );
}

/** The band most communities use, for the legend when no single community is chosen. */
function commonBand(communities: Array<{ band_min: number; band_max: number }>): { min: number; max: number } {
  const tally = new Map<string, number>();
  for (const c of communities) {
    const key = `${c.band_min}-${c.band_max}`;
    tally.set(key, (tally.get(key) ?? 0) + 1);
  }
  const [best] = [...tally.entries()].sort((a, b) => b[1] - a[1]);
  if (!best) return DEFAULT_BAND;
  const [min, max] = best[0].split("-").map(Number) as [number, number];
  return { min, max };
}
