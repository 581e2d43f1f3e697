import { bbox as bboxOf } from "@turf/turf";
import { type ReactNode, useCallback, useEffect, useMemo, useRef, useState } from "react";
import {
  type ApiError,
  type CameraFeature,
  type CameraPatch,
  type CoverageScenario,
  type CoverageSuggestion,
  fetchGrids,
  type Grids,
  suggestSites,
  toApiError,
} from "../../api.ts";
import { type MessageKey, useLang } from "../../i18n/lang.ts";
import type { AtlasMap } from "../../map/atlas-map.ts";
import type { BaseMap } from "../../map/base-map.ts";
import { type BBox, bboxOfPoints, grow, type LngLat } from "../../map/geo.ts";
import { BaseMapView } from "../../map/map-view.tsx";
import { PickHint, usePointPick } from "../../map/point-pick.tsx";
import { navigate } from "../../router.ts";
import { Banner } from "../../ui/banner.tsx";
import { useEscape } from "../../ui/page.tsx";
import { Progress } from "../../ui/progress.tsx";
import { Tabs } from "../../ui/tabs.tsx";
import { type BlindSpotQuery, BlindSpotsList } from "./blind-spots-list.tsx";
import { CameraCard, fullSweep } from "./camera-card.tsx";
import { useCameraChanges } from "./camera-changes.ts";
import { useCameraDrag } from "./camera-drag.ts";
import { bearingTo } from "./cameras-geometry.ts";
import {
  CAMERAS_CLICKABLE,
  CAMERAS_SOURCES,
  cameraImages,
  camerasLayers,
  withSelectedCamera,
} from "./cameras-layers.ts";
import { useCamerasMapData } from "./cameras-map-data.ts";
import { CamerasLegend, CamerasTools, type CameraType, type Shown } from "./cameras-tools.tsx";
import { useCoverage } from "./coverage-state.ts";
import { CoverageTable, pct } from "./coverage-table.tsx";
import { type SuggestedSite, SuggestPanel } from "./suggest-panel.tsx";
import "./cameras.css";

const TABS = ["coverage", "blind", "suggest"] as const;
type Tab = (typeof TABS)[number];

/** Room the toolbar (top), the side panel (right) and the attribution (bottom) take over the map. */
const INSET = { top: 112, right: 430, bottom: 40, left: 12 };

/**
 * The cameras page (issue 8): a community's cameras as oriented symbols with what they see, its grids coloured by
 * the share of road the cameras see, the blind spots, and the planning tools. Those who may edit select a camera
 * and drag it (`useCameraDrag`), turn it by its handle or change its values; each change is saved at once
 * (`useCameraChanges`) and the view and the coverage of the grids it reaches are redrawn from the server's answer
 * (`useCoverage`), with the grids' before → after. Secretaries plan cameras in their own community only; leaders
 * look.
 */
export function CamerasPage(props: {
  base: BaseMap;
  bar: ReactNode;
  /** The community asked for in the URL; a secretary's own one always wins. */
  community: string | null;
  ownCommunity: string | null;
  roles: readonly string[];
}) {
  const { lang, t } = useLang();
  const communities = props.base.communities;
  const community =
    props.ownCommunity ??
    communities.find((c) => c.properties.code === props.community)?.properties.code ??
    communities[0]?.properties.code ??
    null;
  const editsAll = props.roles.some((r) => r === "admin" || r === "planner");
  const canPlan = editsAll || (props.roles.includes("secretary") && props.ownCommunity !== null);
  const mayEdit = useCallback(
    (c: CameraFeature | undefined) => !!c && (editsAll || (canPlan && c.properties.status === "planned")),
    [editsAll, canPlan],
  );

  const [atlas, setAtlas] = useState<AtlasMap | null>(null);
  const [grids, setGrids] = useState<Grids | null>(null);
  const [scenario, setScenario] = useState<CoverageScenario>("current");
  const [show, setShow] = useState<Shown>({ views: true, blindSpots: true, cameras: true });
  const [tab, setTab] = useState<Tab>("coverage");
  const [spotQuery, setSpotQuery] = useState<BlindSpotQuery>({ min_length_m: 50, sort: "class" });
  const [suggestion, setSuggestion] = useState<CoverageSuggestion | null>(null);
  const [suggesting, setSuggesting] = useState(false);
  const [added, setAdded] = useState<Set<number>>(new Set());
  const [selectedId, setSelectedId] = useState<number | null>(null);
  const [selectedGrid, setSelectedGrid] = useState<string | null>(null);
  const [selectedSpot, setSelectedSpot] = useState<string | null>(null);
  const { picking, start: startPick, stop: stopPick } = usePointPick(atlas);
  const [placeType, setPlaceType] = useState<CameraType>("fixed");
  const [error, setError] = useState<ApiError | null>(null);

  const fail = useCallback((err: unknown) => setError(toApiError(err)), []);
  const coverage = useCoverage(community, scenario, spotQuery, fail);
  const changes = useCameraChanges(community, coverage, fail);
  const drag = useCameraDrag();
  const { cameras, setDeltas } = changes;

  useEffect(() => {
    fetchGrids().then(setGrids, fail);
  }, [fail]);

  // A new community starts afresh: nothing selected, nothing suggested.
  // biome-ignore lint/correctness/useExhaustiveDependencies: runs when the community changes, on purpose.
  useEffect(() => {
    setSelectedId(null);
    setSelectedGrid(null);
    setSelectedSpot(null);
    setSuggestion(null);
    setAdded(new Set());
  }, [community]);

  // Frame the community once the map is there and whenever it changes.
  useEffect(() => {
    const f = communities.find((c) => c.properties.code === community);
    if (atlas && f) atlas.fitBounds(bboxOf(f) as BBox);
  }, [atlas, community, communities]);

  const selected = cameras?.features.find((f) => f.properties.id === selectedId) as CameraFeature | undefined;
  const turnable = selected && mayEdit(selected) && !fullSweep(selected.properties.type) ? selected : undefined;
  const { data, spotData } = useCamerasMapData({
    community,
    grids,
    coverage: coverage.coverage,
    cameras,
    live: drag.live,
    drag: drag.drag,
    preview: drag.preview,
    turnable,
    spots: coverage.spots,
    suggestion,
  });
  const layers = useMemo(() => withSelectedCamera(camerasLayers(show), selectedId), [show, selectedId]);
  const overlay = useMemo(() => ({ sources: CAMERAS_SOURCES, layers, data }), [layers, data]);
  const selection = useMemo(
    () => (selectedGrid ? { source: "cameras-grids", id: selectedGrid } : null),
    [selectedGrid],
  );

  const patch = useCallback(
    (id: number, change: CameraPatch) => changes.patch(id, change, drag.end),
    [changes.patch, drag.end],
  );
  const place = useCallback(
    (camera: Parameters<typeof changes.place>[0], after?: () => void) => {
      if (changes.savingRef.current) return;
      // A planned camera counts only with the planned ones: its effect is read against the planned figures.
      setScenario("planned");
      coverage.ensure("planned").then(
        () =>
          changes.place(camera, (id) => {
            setSelectedId(id);
            after?.();
          }),
        fail,
      );
    },
    [changes.place, changes.savingRef, coverage.ensure, fail],
  );

  // ---------------------------------------------------------------- the map's events, through refs to the latest state

  const state = useRef({ selected, picking, placeType, mayEdit, patch, place, cameras, lang });
  state.current = { selected, picking, placeType, mayEdit, patch, place, cameras, lang };
  const { savingRef } = changes;
  const { dragRef, setDrag } = drag;

  const onReady = useCallback(
    (map: AtlasMap) => {
      setAtlas(map);
      map.onError((err) => console.error("map:", err));
      void map.addSvgImages(cameraImages());
      map.enableHover(["cameras-grids-fill"]);
      map.onDrag(["cameras-handle-point", "cameras-symbol"], {
        start: (picked) => {
          const s = state.current;
          const cam = s.selected;
          if (!cam || savingRef.current || !s.mayEdit(cam)) return false;
          if (picked.layer === "cameras-handle-point") {
            setDrag({ id: cam.properties.id, mode: "rotate", bearing: cam.properties.bearing_deg });
            return true;
          }
          if (Number(picked.properties.id) !== cam.properties.id) return false;
          setDrag({ id: cam.properties.id, mode: "move", at: cam.geometry.coordinates as LngLat });
          return true;
        },
        move: (at) => {
          const d = dragRef.current;
          const cam = state.current.selected;
          if (!d || !cam) return;
          if (d.mode === "move") setDrag({ ...d, at });
          else setDrag({ ...d, bearing: bearingTo(cam.geometry.coordinates as LngLat, at) });
        },
        end: (at) => {
          const d = dragRef.current;
          const cam = state.current.selected;
          if (!d || !cam) return;
          const from = cam.geometry.coordinates as LngLat;
          if (d.mode === "move" && (at[0] !== from[0] || at[1] !== from[1])) {
            state.current.patch(cam.properties.id, { geometry: { type: "Point", coordinates: at } });
          } else if (d.mode === "rotate" && bearingTo(from, at) !== cam.properties.bearing_deg) {
            state.current.patch(cam.properties.id, { bearing_deg: bearingTo(from, at) });
          } else setDrag(null);
        },
      });
      map.onClickAt(CAMERAS_CLICKABLE, ({ lngLat, feature }) => {
        const s = state.current;
        if (s.picking) {
          stopPick();
          const n = (s.cameras?.features.filter((f) => f.properties.status === "planned").length ?? 0) + 1;
          s.place({
            name: s.lang === "zh" ? `计划点位 ${n}` : `Planned camera ${n}`,
            type: s.placeType,
            geometry: { type: "Point", coordinates: lngLat },
            site: "other",
          });
          return;
        }
        if (!feature) return;
        if (feature.layer === "cameras-symbol") {
          setSelectedId(Number(feature.properties.id));
          // A planned camera counts only with the planned ones: show its effect where it has one.
          if (feature.properties.status === "planned") setScenario("planned");
          setDeltas(null);
        } else if (feature.layer === "cameras-suggestions-dot") {
          setTab("suggest");
        } else if (feature.layer === "cameras-blind-spots-line") {
          setTab("blind");
          setSelectedSpot(String(feature.properties.key));
        } else if (feature.layer === "cameras-grids-fill") {
          setSelectedGrid(String(feature.properties.code));
        }
      });
    },
    [savingRef, dragRef, setDrag, setDeltas, stopPick],
  );

  useEscape(() => {
    setSelectedId(null);
    stopPick();
  });

  const zoomToGrid = (code: string) => {
    setSelectedGrid(code);
    const f = grids?.features.find((g) => g.properties.code === code);
    if (f && atlas) atlas.fitBounds(bboxOf(f) as BBox);
  };
  const zoomToSpot = (key: string) => {
    setSelectedSpot(key);
    const f = spotData?.features.find((s) => s.properties.key === key);
    if (f && atlas) atlas.fitBounds(grow(bboxOf(f) as BBox, 0, 0.0004));
  };
  useEffect(() => {
    atlas?.setFeatureStates("cameras-blind-spots", [[selectedSpot ?? "", selectedSpot ? { selected: true } : null]]);
    return () => {
      if (selectedSpot) atlas?.setFeatureStates("cameras-blind-spots", [[selectedSpot, null]]);
    };
  }, [atlas, selectedSpot]);

  const suggest = (k: number) => {
    if (!community) return;
    setSuggesting(true);
    suggestSites(community, k, scenario === "planned")
      .then((s) => {
        setSuggestion(s);
        setAdded(new Set());
        const all = s.sites.map((x) => (x.geometry as GeoJSON.Point).coordinates as LngLat);
        if (atlas && all.length) atlas.fitBounds(grow(bboxOfPoints(all), 0, 0.002));
      }, fail)
      .finally(() => setSuggesting(false));
  };
  const addSite = (site: SuggestedSite) =>
    place(
      {
        name: lang === "zh" ? `建议点位 ${site.rank}` : `Suggested site ${site.rank}`,
        type: site.type as CameraType,
        geometry: { type: "Point", coordinates: (site.geometry as GeoJSON.Point).coordinates as LngLat },
        bearing_deg: site.bearing_deg,
        ...(fullSweep(site.type) ? {} : { view_width_deg: site.view_width_deg }),
        range_m: site.range_m,
        site: site.site === "school_gate" ? "school" : site.site,
      },
      () => setAdded((a) => new Set([...a, site.rank])),
    );

  const totals = coverage.coverage?.communities.find((c) => c.code === community);
  const changedGrids = useMemo(() => new Set(changes.deltas?.map((d) => d.code) ?? []), [changes.deltas]);

  return (
    <div className="app cameras-page">
      <BaseMapView base={props.base} overlay={overlay} selection={selection} inset={INSET} onReady={onReady} />
      {props.bar}
      <CamerasTools
        communities={communities}
        community={community}
        fixed={props.ownCommunity !== null || communities.length <= 1}
        onCommunity={(code) => navigate(`/cameras?community=${code}`, { replace: true })}
        scenario={scenario}
        onScenario={setScenario}
        show={show}
        onShow={setShow}
        canPlan={canPlan}
        placeType={placeType}
        onPlaceType={setPlaceType}
        placing={picking || changes.saving}
        onPlace={() => {
          startPick();
          setScenario("planned");
        }}
      />
      {picking && (
        <PickHint className="cam-hint-bar" testId="camera-pick-hint" text={t("camera.pickPoint")} onCancel={stopPick} />
      )}

      <aside className="cam-panel" data-testid="cameras-panel">
        {totals && (
          <div className="cam-totals" data-testid="community-coverage">
            <div>
              <b>{pct(totals.road_covered_share)}</b>
              <span>{t("coverage.col.road")}</span>
            </div>
            <div>
              <b>{pct(totals.key_places_covered_share)}</b>
              <span>{t("coverage.col.keyPlaces")}</span>
            </div>
            <div>
              <b>
                {totals.cameras.online}/{totals.cameras.offline}
                {totals.cameras.planned ? `+${totals.cameras.planned}` : ""}
              </b>
              <span>{t("camera.onlineOffline")}</span>
            </div>
          </div>
        )}
        <Tabs
          className="cam-tabs"
          activeClass="cam-tab-on"
          tabs={TABS}
          current={tab}
          label={(k) => t(`coverage.tab.${k}` as MessageKey)}
          onSelect={setTab}
          testId={(k) => `cameras-tab-${k}`}
        />
        <div className="cam-panel-body">
          {coverage.loading > 0 && (
            <div className="cam-loading" role="status" data-testid="coverage-loading">
              {t("coverage.loading")}
              <progress />
            </div>
          )}
          {tab === "coverage" && coverage.coverage && (
            <CoverageTable
              rows={coverage.coverage.grids}
              selected={selectedGrid}
              changed={changedGrids}
              onSelect={zoomToGrid}
            />
          )}
          {tab === "blind" && (
            <BlindSpotsList
              spots={coverage.spots}
              loading={coverage.spotsLoading}
              query={spotQuery}
              selected={selectedSpot}
              onQuery={setSpotQuery}
              onSelect={zoomToSpot}
            />
          )}
          {tab === "suggest" && community && (
            <SuggestPanel
              suggestion={suggestion}
              loading={suggesting}
              canPlan={canPlan}
              added={added}
              onSuggest={suggest}
              onShow={(site) =>
                atlas?.fitBounds(
                  grow(bboxOfPoints([(site.geometry as GeoJSON.Point).coordinates as LngLat]), 0, 0.0015),
                )
              }
              onAdd={addSite}
            />
          )}
        </div>
      </aside>

      {selected && (
        <CameraCard
          key={selected.properties.id}
          camera={selected}
          editable={mayEdit(selected)}
          statusEditable={editsAll}
          saving={changes.saving}
          refused={changes.refused}
          deltas={changes.deltas}
          onPatch={(change) => patch(selected.properties.id, change)}
          onPreview={(values) => drag.setPreview({ id: selected.properties.id, ...values })}
          onRemove={() => changes.remove(selected.properties.id, () => setSelectedId(null))}
          onClose={() => setSelectedId(null)}
        />
      )}

      <CamerasLegend />

      {!coverage.coverage && coverage.loading > 0 && (
        <Progress label={t("coverage.loading")} detail={t("coverage.loadingDetail")} done={0} total={1} />
      )}
      {error && (
        <Banner
          title={t("camera.errorTitle")}
          actions={
            <button type="button" onClick={() => setError(null)} data-testid="cameras-error-dismiss">
              {t("app.dismiss")}
            </button>
          }
        >
          <span data-testid="cameras-error">{error.text(lang)}</span>
        </Banner>
      )}
    </div>
  );
}
