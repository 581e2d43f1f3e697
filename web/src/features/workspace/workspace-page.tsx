import { bbox as bboxOf } from "@turf/turf";
import { type ReactNode, useCallback, useEffect, useMemo, useState } from "react";
import {
  type ApiError,
  type CommunityStatus,
  fetchBuildings,
  fetchCommunityStatus,
  fetchGridCard,
  fetchGridCoverage,
  fetchGrids,
  fetchSubdistrictStatus,
  type GridCard,
  type GridStatusRow,
  type Grids,
  type SubdistrictStatus,
  toApiError,
} from "../../api.ts";
import { localName, type MessageKey, useLang } from "../../i18n/lang.ts";
import type { AtlasMap } from "../../map/atlas-map.ts";
import type { BaseMap } from "../../map/base-map.ts";
import type { BBox } from "../../map/geo.ts";
import { labelPoints } from "../../map/label-points.ts";
import { BaseMapView } from "../../map/map-view.tsx";
import { navigate, queryParam, usePath } from "../../router.ts";
import { GridCardView } from "./grid-card.tsx";
import { type Extra, METRICS, type MetricId, metric } from "./metrics.ts";
import { ReportView } from "./report-view.tsx";
import { StatusTable, SubdistrictTable } from "./status-table.tsx";
import { WORKSPACE_CLICKABLE, WORKSPACE_SOURCES, withSelection, workspaceLayers } from "./workspace-layers.ts";
import "./workspace.css";
import { CommunityOptions } from "../../ui/community-options.tsx";
import { ErrorText } from "../../ui/form.tsx";

/** What the team and visits tabs (other features, composed by the app) get from the workspace. */
export type TabContext = {
  community: string;
  today: string | null;
  grids: GridStatusRow[];
  grid: string | null;
  /** Call after a change, so the status, the map and the card reload. */
  onChanged: () => void;
  onShowGrid: (code: string) => void;
};

type Tab = "status" | "team" | "visits" | "report";
/** Room the attribution takes along the bottom of the map. */
const INSET = { top: 0, right: 0, bottom: 30, left: 0 };
const OVERVIEW_METRICS: MetricId[] = ["status", "coverage", "hazards", "inspections"];

/**
 * The community workspace: a map of the community's grids coloured by a chosen metric with its legend, the table of
 * the grids' status, a grid's card, and the tabs of the team, the visits and the monthly report. Planners and
 * leaders start one level up, with the subdistrict's communities side by side. The state lives in the URL
 * (`?community=&grid=&metric=&tab=&today=`), so a view can be shared and reloaded.
 */
export function WorkspacePage(props: {
  bar: ReactNode;
  base: BaseMap;
  /** The community a secretary is scoped to; null for those who read the whole subdistrict. */
  ownCommunity: string | null;
  canManage: boolean;
  team?: (ctx: TabContext) => ReactNode;
  visits?: (ctx: TabContext) => ReactNode;
}) {
  const { lang, t } = useLang();
  const path = usePath();
  const community = props.ownCommunity ?? queryParam(path, "community");
  const gridCode = queryParam(path, "grid");
  const today = queryParam(path, "today");
  const tab = ((queryParam(path, "tab") as Tab | null) ?? "status") as Tab;
  const metricId = (queryParam(path, "metric") as MetricId | null) ?? (tab === "team" ? "team" : "status");
  const [status, setStatus] = useState<CommunityStatus | null>(null);
  const [overview, setOverview] = useState<SubdistrictStatus | null>(null);
  const [grids, setGrids] = useState<Grids | null>(null);
  const [card, setCard] = useState<GridCard | null>(null);
  const [cameras, setCameras] = useState<Map<string, number | null> | null>(null);
  const [buildings, setBuildings] = useState<GeoJSON.FeatureCollection | undefined>();
  const [atlas, setAtlas] = useState<AtlasMap | null>(null);
  const [error, setError] = useState<ApiError | null>(null);
  const [version, setVersion] = useState(0);
  const communities = useMemo(() => props.base.communities.map((f) => f.properties), [props.base.communities]);

  const fail = useCallback((err: unknown) => setError(toApiError(err)), []);

  /** Changes some URL parameters and keeps the others. */
  const go = useCallback(
    (changes: Record<string, string | null>, replace = false) => {
      const params = new URLSearchParams(path.split("?")[1] ?? "");
      for (const [k, v] of Object.entries(changes)) {
        if (v === null || v === "") params.delete(k);
        else params.set(k, v);
      }
      const q = params.toString();
      navigate(`/workspace${q ? `?${q}` : ""}`, { replace });
    },
    [path],
  );

  useEffect(() => {
    fetchGrids().then(setGrids, fail);
  }, [fail]);

  // biome-ignore lint/correctness/useExhaustiveDependencies: `version` reloads after a change made in a tab.
  useEffect(() => {
    let current = true;
    setError(null);
    if (community) {
      fetchCommunityStatus(community, today).then((s) => current && setStatus(s), fail);
      fetchGridCoverage(community).then(
        (rows) => current && setCameras(rows ? new Map(rows.map((r) => [r.code, r.road_covered_share])) : null),
      );
    } else {
      setStatus(null);
      fetchSubdistrictStatus(today).then((s) => current && setOverview(s), fail);
    }
    return () => {
      current = false;
    };
  }, [community, today, version, fail]);

  // biome-ignore lint/correctness/useExhaustiveDependencies: `version` reloads after a change made in a tab.
  useEffect(() => {
    let current = true;
    if (!gridCode) {
      setCard(null);
      return;
    }
    fetchGridCard(gridCode, today).then((c) => current && setCard(c), fail);
    return () => {
      current = false;
    };
  }, [gridCode, today, version, fail]);

  const info = communities.find((c) => c.code === community);
  const band = info ? { min: info.band_min, max: info.band_max } : { min: 200, max: 300 };
  const allowed = community ? METRICS : OVERVIEW_METRICS;
  const m = metric(allowed.includes(metricId) ? metricId : "status", t, band);
  const extra: Extra = useMemo(() => ({ cameras }), [cameras]);

  // The grids of the community with the metric's class, or the communities with theirs one level up.
  const features = useMemo(() => {
    if (community && status && grids) {
      const rows = new Map(status.grids.map((r) => [r.code, r]));
      return {
        type: "FeatureCollection" as const,
        features: grids.features
          .filter((f) => rows.has(f.properties.code))
          .map((f) => {
            const r = rows.get(f.properties.code)!;
            return {
              ...f,
              properties: {
                code: r.code,
                bin: m.classify(r, extra),
                gap: r.workers.grid_leader === 0 || r.workers.grid_worker === 0,
                label: r.code.slice(-3),
              },
            };
          }),
      };
    }
    if (!community && overview) {
      const rows = new Map(overview.communities.map((r) => [r.code, r]));
      const byCommunity = grids?.features ?? [];
      return {
        type: "FeatureCollection" as const,
        features: byCommunity.map((f) => {
          const r = rows.get(f.properties.community_code);
          return {
            ...f,
            properties: {
              code: f.properties.code,
              community: f.properties.community_code,
              bin: r ? m.classify(r as unknown as GridStatusRow, extra) : "none",
              gap: false,
              label: "",
            },
          };
        }),
      };
    }
    return undefined;
  }, [community, status, overview, grids, m, extra]);

  const labels = useMemo(
    () => (features && community ? labelPoints(features, (p) => p) : undefined),
    [features, community],
  );
  const points = useMemo(
    () =>
      card
        ? {
            entrances: collection(card.entrances),
            venues: collection(card.venues),
            hazards: collection(card.hazards),
          }
        : { entrances: EMPTY, venues: EMPTY, hazards: EMPTY },
    [card],
  );

  // The workspace colours the grids itself: the base map's grid layers stay out.
  const base = useMemo(
    () => ({ ...props.base, layers: props.base.layers.filter((l) => !l.id.startsWith("grids-")) }),
    [props.base],
  );
  const layers = useMemo(
    () => withSelection(workspaceLayers(m.bins, { showGaps: tab === "team" || m.id === "team" }), gridCode),
    [m, tab, gridCode],
  );
  const overlay = useMemo(
    () => ({
      sources: WORKSPACE_SOURCES,
      layers,
      data: {
        "workspace-grids": features,
        "workspace-labels": labels,
        "workspace-buildings": buildings ?? EMPTY,
        "workspace-entrances": points.entrances,
        "workspace-venues": points.venues,
        "workspace-hazards": points.hazards,
      },
    }),
    [layers, features, labels, buildings, points],
  );

  const onReady = useCallback((map: AtlasMap) => {
    setAtlas(map);
    map.enableHover(WORKSPACE_CLICKABLE);
    map.onError((err) => console.error("map:", err));
  }, []);

  // Clicks follow the mode: a grid opens its card; one level up, a community opens the community.
  useEffect(() => {
    if (!atlas) return;
    return atlas.onClick(WORKSPACE_CLICKABLE, (picked) => {
      if (!picked) return;
      const p = picked.properties as { code?: string; community?: string };
      if (!community && p.community) go({ community: p.community, grid: null });
      else if (p.code) go({ grid: p.code });
    });
  }, [atlas, community, go]);

  // The camera follows the choice: the grid, else the community, else the subdistrict.
  useEffect(() => {
    if (!atlas || !grids) return;
    const grid = gridCode ? grids.features.find((f) => f.properties.code === gridCode) : undefined;
    const area =
      grid ??
      (community
        ? {
            type: "FeatureCollection",
            features: grids.features.filter((f) => f.properties.community_code === community),
          }
        : undefined);
    if (area && (!("features" in area) || area.features.length))
      atlas.fitBounds(bboxOf(area as GeoJSON.GeoJSON) as BBox);
    else atlas.fitBounds(props.base.bbox);
  }, [atlas, grids, gridCode, community, props.base.bbox]);

  // Buildings of the chosen grid, so its entrances are seen on their buildings.
  useEffect(() => {
    const grid = gridCode && grids ? grids.features.find((f) => f.properties.code === gridCode) : undefined;
    if (!grid) {
      setBuildings(undefined);
      return;
    }
    fetchBuildings(bboxOf(grid) as BBox).then(setBuildings, fail);
  }, [gridCode, grids, fail]);

  // The legend counts what the map shows: grids of a community, or communities one level up.
  const counts = new Map<string, number>();
  const counted = new Set<string>();
  for (const f of features?.features ?? []) {
    const key = "community" in f.properties ? String(f.properties.community) : f.properties.code;
    if (counted.has(key)) continue;
    counted.add(key);
    counts.set(f.properties.bin, (counts.get(f.properties.bin) ?? 0) + 1);
  }
  const ctx: TabContext | null =
    community && status
      ? {
          community,
          today,
          grids: status.grids,
          grid: gridCode,
          onChanged: () => setVersion((v) => v + 1),
          onShowGrid: (code) => go({ grid: code }),
        }
      : null;
  const latest = (status ?? overview)?.latest_visit_on ?? null;
  const shownToday = (status ?? overview)?.today ?? today;
  const tabs: Array<[Tab, MessageKey]> = [
    ["status", "workspace.tab.status"],
    ...(props.canManage && props.team ? ([["team", "workspace.tab.team"]] as Array<[Tab, MessageKey]>) : []),
    ...(props.canManage && props.visits ? ([["visits", "workspace.tab.visits"]] as Array<[Tab, MessageKey]>) : []),
    ...(props.canManage ? ([["report", "workspace.tab.report"]] as Array<[Tab, MessageKey]>) : []),
  ];

  return (
    <div className="ws-page" data-testid="workspace">
      {props.bar}
      <div className="ws-body">
        <div className="ws-map">
          <BaseMapView base={base} overlay={overlay} selection={null} inset={INSET} onReady={onReady} />
          <section className="ws-legend" data-testid="workspace-legend" aria-label={t(m.title)}>
            <label>
              <span>{t("workspace.metric.label")}</span>
              <select value={m.id} onChange={(e) => go({ metric: e.target.value })} data-testid="metric-picker">
                {allowed.map((id) => (
                  <option key={id} value={id}>
                    {t(metric(id, t, band).title)}
                  </option>
                ))}
              </select>
            </label>
            <ul>
              {m.bins.map((b) => (
                <li key={b.key}>
                  <span className="ws-swatch" style={{ background: b.color }} aria-hidden="true" />
                  <span>{b.label}</span>
                  <span className="legend-count">{counts.get(b.key) ?? 0}</span>
                </li>
              ))}
            </ul>
            {(tab === "team" || m.id === "team") && community && (
              <p className="ws-legend-note">{t("workspace.legend.gaps")}</p>
            )}
            {m.id === "cameras" && !cameras && (
              <p className="ws-legend-note">{t("workspace.metric.camerasUnavailable")}</p>
            )}
            {card && <p className="ws-legend-note">{t("workspace.legend.points")}</p>}
          </section>
        </div>
        <div className="ws-side">
          <header className="ws-head">
            <div>
              <h2 data-testid="workspace-title">{info ? localName(lang, info) : t("workspace.subdistrict")}</h2>
              {community && !props.ownCommunity && (
                <button
                  type="button"
                  className="ws-link"
                  onClick={() => go({ community: null, grid: null, tab: null })}
                  data-testid="back-to-subdistrict"
                >
                  ← {t("workspace.subdistrict")}
                </button>
              )}
            </div>
            <div className="ws-asof">
              <label>
                {t("workspace.asOf")}{" "}
                <input
                  type="date"
                  value={shownToday ?? ""}
                  onChange={(e) => go({ today: e.target.value || null }, true)}
                  data-testid="as-of"
                />
              </label>
              {latest && shownToday && latest < addDays(shownToday, -6) && (
                <button
                  type="button"
                  className="ws-link"
                  onClick={() => go({ today: latest }, true)}
                  data-testid="as-of-latest"
                >
                  {t("workspace.asOfLatest", { date: latest })}
                </button>
              )}
            </div>
          </header>
          {!community && communities.length > 1 && (
            <label className="ws-picker">
              {t("workspace.pick")}{" "}
              <select value="" onChange={(e) => go({ community: e.target.value })} data-testid="community-picker">
                <option value="">—</option>
                <CommunityOptions communities={communities} />
              </select>
            </label>
          )}
          <ErrorText error={error} />
          {community && (
            <nav className="ws-tabs" aria-label={t("workspace.tabs")}>
              {tabs.map(([id, label]) => (
                <button
                  key={id}
                  type="button"
                  className={id === tab ? "ws-tab ws-tab-active" : "ws-tab"}
                  onClick={() => go({ tab: id === "status" ? null : id })}
                  data-testid={`tab-${id}`}
                >
                  {t(label)}
                </button>
              ))}
            </nav>
          )}
          {card && gridCode && (tab === "status" || tab === "visits") && (
            <GridCardView
              card={card}
              onClose={() => go({ grid: null })}
              onRecordVisit={
                props.canManage && props.visits && tab !== "visits" ? () => go({ tab: "visits" }) : undefined
              }
            />
          )}
          {!community && overview && (
            <SubdistrictTable rows={overview.communities} onSelect={(code) => go({ community: code })} />
          )}
          {community && !status && !error && <p className="muted">{t("app.loading")}</p>}
          {ctx && tab === "status" && !gridCode && (
            <StatusTable rows={ctx.grids} selected={gridCode} onSelect={(code) => go({ grid: code })} />
          )}
          {ctx && tab === "team" && props.team?.(ctx)}
          {ctx && tab === "visits" && props.visits?.(ctx)}
          {ctx && tab === "report" && info && <ReportView community={info} today={shownToday} />}
        </div>
      </div>
    </div>
  );
}

const EMPTY: GeoJSON.FeatureCollection = { type: "FeatureCollection", features: [] };

function collection<T extends { geometry: unknown }>(rows: T[]): GeoJSON.FeatureCollection {
  return {
    type: "FeatureCollection",
    features: rows.map(({ geometry, ...properties }) => ({
      type: "Feature",
      geometry: geometry as GeoJSON.Geometry,
      properties,
    })),
  };
}

function addDays(day: string, n: number): string {
  const d = new Date(`${day}T00:00:00Z`);
  d.setUTCDate(d.getUTCDate() + n);
  return d.toISOString().slice(0, 10);
}
