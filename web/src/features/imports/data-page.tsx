import { bbox as bboxOf } from "@turf/turf";
import { type ReactNode, useCallback, useEffect, useMemo, useState } from "react";
import { fetchPlans, type Plan } from "../../api.ts";
import { useLang } from "../../i18n/lang.ts";
import type { AtlasMap } from "../../map/atlas-map.ts";
import type { BaseMap } from "../../map/base-map.ts";
import type { BBox } from "../../map/geo.ts";
import { BaseMapView } from "../../map/map-view.tsx";
import { navigate } from "../../router.ts";
import { Tabs } from "../../ui/tabs.tsx";
import { BaseMapForm } from "./base-map-form.tsx";
import { ExportForm } from "./export-form.tsx";
import {
  BAD_COLOR,
  EMPTY_OVERLAY,
  importsLayers,
  importsSources,
  type MapOverlay,
  OK_COLOR,
  PROBLEM_COLORS,
  PROBLEM_KINDS,
} from "./imports-layers.ts";
import { LayerImport } from "./layer-import.tsx";
import { OsmImport } from "./osm-import.tsx";
import { PlanImport } from "./plan-import.tsx";
import { PrintForm } from "./print-form.tsx";
import { TerritoryImport } from "./territory-import.tsx";
import "./imports.css";

type Tab = "layer" | "territory" | "plan" | "osm" | "export" | "print" | "basemap";
/** Imports write territory and plans, so they are for admins; exports and prints for all who read everything. */
const IMPORT_TABS: Tab[] = ["layer", "territory", "plan", "osm"];
const OUT_TABS: Tab[] = ["export", "print"];
/** The tabs that show something on the map. */
const MAP_TABS: Tab[] = ["layer", "territory", "plan"];

/** Room the attribution takes along the bottom of the map. */
const INSET = { top: 0, right: 0, bottom: 30, left: 0 };

/** Smallest box the map frames, in degrees (about 100 m), so one point does not zoom in to the last level. */
const MIN_FRAME_DEG = 0.001;

/**
 * 数据导入导出 (issue 9): admins import GIS layers, hand-drawn grid plans and OpenStreetMap extracts; admins,
 * planners and leaders export layers and print maps and change lists. The tab is kept in the URL (`?tab=`).
 */
export function DataPage(props: { base: BaseMap; bar: ReactNode; tab: string | null; roles: readonly string[] }) {
  const { t } = useLang();
  const mayImport = props.roles.includes("admin");
  // The raster base map is a deployment setting: admins only, like imports.
  const tabs: Tab[] = mayImport ? [...IMPORT_TABS, ...OUT_TABS, "basemap"] : OUT_TABS;
  const tab = tabs.find((x) => x === props.tab) ?? tabs[0]!;
  const [atlas, setAtlas] = useState<AtlasMap | null>(null);
  const [overlay, setOverlay] = useState<MapOverlay>(EMPTY_OVERLAY);
  const [plans, setPlans] = useState<Plan[]>([]);
  const communities = useMemo(() => props.base.communities.map((f) => f.properties), [props.base.communities]);

  useEffect(() => {
    document.title = `${t("app.title")} · ${t("nav.data")}`;
  }, [t]);

  useEffect(() => {
    // Without the list the forms offer no plan; a lost session is the app's to handle.
    fetchPlans().then(setPlans, () => {});
  }, []);

  // A tab's overlay belongs to it: switching tabs clears the map.
  // biome-ignore lint/correctness/useExhaustiveDependencies: cleared on a change of tab only.
  useEffect(() => setOverlay(EMPTY_OVERLAY), [tab]);

  const frame = useCallback(
    (geojson: GeoJSON.FeatureCollection | GeoJSON.Feature) => {
      if (!atlas) return;
      const [w, s, e, n] = bboxOf(geojson) as BBox;
      if (![w, s, e, n].every(Number.isFinite)) return;
      // A tenth of room around, so that points on the edge are not drawn half off the map.
      const padX = Math.max(MIN_FRAME_DEG, (e - w) * 1.2) / 2 - (e - w) / 2;
      const padY = Math.max(MIN_FRAME_DEG, (n - s) * 1.2) / 2 - (n - s) / 2;
      const box: BBox = [w - padX, s - padY, e + padX, n + padY];
      atlas.allowBounds(box);
      atlas.fitBounds(box);
    },
    [atlas],
  );

  useEffect(() => {
    if (overlay.preview?.features.length) frame(overlay.preview);
  }, [overlay.preview, frame]);

  const layers = useMemo(() => importsLayers(overlay.badRows), [overlay.badRows]);
  const empty = useMemo<GeoJSON.FeatureCollection>(() => ({ type: "FeatureCollection", features: [] }), []);
  const drawn = useMemo(
    () => ({
      sources: importsSources,
      layers,
      data: {
        "imports-preview": overlay.preview ?? empty,
        "imports-problems": overlay.problems ?? empty,
      },
    }),
    [layers, overlay, empty],
  );
  const onReady = useCallback((map: AtlasMap) => {
    setAtlas(map);
    map.onError((err) => console.error("map:", err));
  }, []);

  const showMap = MAP_TABS.includes(tab);
  return (
    <div className="page data-page" data-testid="data-page">
      {props.bar}
      <div className="data-body">
        <aside className={showMap ? "data-side" : "data-side data-side-wide"}>
          <h2 className="page-title">{t("data.title")}</h2>
          <Tabs
            className="data-tabs"
            activeClass="data-tab-active"
            tabs={tabs}
            current={tab}
            label={(x) => t(`data.tab.${x}`)}
            onSelect={(x) => navigate(`/data?tab=${x}`, { replace: true })}
            testId={(x) => `data-tab-${x}`}
          />
          {tab === "layer" && <LayerImport onMap={setOverlay} />}
          {tab === "territory" && <TerritoryImport onMap={setOverlay} />}
          {tab === "plan" && <PlanImport onMap={setOverlay} onFocus={frame} />}
          {tab === "osm" && <OsmImport />}
          {tab === "export" && <ExportForm plans={plans} communities={communities} />}
          {tab === "print" && <PrintForm plans={plans} communities={communities} />}
          {tab === "basemap" && <BaseMapForm />}
        </aside>
        {showMap && (
          <div className="data-map">
            <BaseMapView base={props.base} overlay={drawn} selection={null} inset={INSET} onReady={onReady} />
            <MapLegend overlay={overlay} />
          </div>
        )}
      </div>
    </div>
  );
}

/** What the colours on the map mean: the file's features, the refused rows, the plan's problems. */
function MapLegend(props: { overlay: MapOverlay }) {
  const { t } = useLang();
  const { preview, badRows, problems, legend } = props.overlay;
  if (legend?.length) {
    return (
      <div className="data-legend" data-testid="data-legend">
        {legend.map((l) => (
          <div key={l.label} data-testid={l.testId}>
            <span className="data-swatch" style={{ background: l.color }} />
            {l.label}
          </div>
        ))}
      </div>
    );
  }
  if (!preview && !problems) return <div className="data-map-hint">{t("import.map.hint")}</div>;
  return (
    <div className="data-legend" data-testid="data-legend">
      {preview && (
        <div>
          <span className="data-swatch" style={{ background: OK_COLOR }} />
          {t("import.map.features", { n: preview.features.length })}
        </div>
      )}
      {badRows.length > 0 && (
        <div>
          <span className="data-swatch" style={{ background: BAD_COLOR }} />
          {t("import.map.badRows", { n: badRows.length })}
        </div>
      )}
      {problems &&
        PROBLEM_KINDS.map((kind) => (
          <div key={kind}>
            <span className="data-swatch" style={{ background: PROBLEM_COLORS[kind] }} />
            {t(`import.problem.${kind}`)}
          </div>
        ))}
    </div>
  );
}
