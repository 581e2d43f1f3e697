import { type ReactNode, useCallback, useEffect, useMemo, useState } from "react";
import {
  type ApiError,
  type Comparison,
  comparePlans,
  fetchPlan,
  type PlanDetail,
  toApiError,
  transfersCsvUrl,
} from "../../api.ts";
import { formatNumber, useLang } from "../../i18n/lang.ts";
import type { AtlasMap } from "../../map/atlas-map.ts";
import type { BaseMap } from "../../map/base-map.ts";
import { BaseMapView } from "../../map/map-view.tsx";
import { followLink } from "../../router.ts";
import { Banner } from "../../ui/banner.tsx";
import { Progress } from "../../ui/progress.tsx";
import { TableHead } from "../../ui/table-head.tsx";
import { loadAssignment, loadPlanState, loadTerritory, type PlanState, type Territory } from "./plan-data.ts";
import { PLAN_INSET } from "./plan-layers.ts";
import { useGridColours, usePlanOverlay } from "./plan-map.ts";
import { centresBBox } from "./plan-model.ts";

/**
 * What changes from plan a to plan b: on the map (b's grids, the parcels that change grid outlined, a's boundaries
 * dashed over b's) and as tables — totals, grids added, removed and changed, and every flow of parcels from one
 * grid to another — with the change list (划转清单) as CSV and as a printable page.
 */
export function ComparePage(props: {
  a: number;
  b: number;
  community: string | null;
  base: BaseMap;
  bar: ReactNode;
  communityName: (code: string) => string;
  onCommunity: (code: string) => void;
}) {
  const { lang, t } = useLang();
  const { a, b } = props;
  const [plans, setPlans] = useState<[PlanDetail, PlanDetail] | null>(null);
  const [comparison, setComparison] = useState<Comparison | null>(null);
  const [territory, setTerritory] = useState<Territory | null>(null);
  const [stateB, setStateB] = useState<PlanState | null>(null);
  const [gridOfA, setGridOfA] = useState<Map<number, string> | null>(null);
  const [error, setError] = useState<ApiError | null>(null);
  const [atlas, setAtlas] = useState<AtlasMap | null>(null);

  const fail = useCallback((err: unknown) => setError(toApiError(err)), []);

  useEffect(() => {
    Promise.all([fetchPlan(a), fetchPlan(b), comparePlans(a, b)]).then(([pa, pb, c]) => {
      setPlans([pa, pb]);
      setComparison(c);
    }, fail);
  }, [a, b, fail]);

  // The community on the map: the one asked for, else the one with the most households moved.
  const community = useMemo(() => {
    if (props.community) return props.community;
    if (!comparison) return null;
    const moved = new Map<string, number>();
    for (const f of comparison.flows) {
      const c = (f.to ?? f.from ?? "").slice(0, 12);
      if (c) moved.set(c, (moved.get(c) ?? 0) + f.households + 1);
    }
    return [...moved].sort((x, y) => y[1] - x[1])[0]?.[0] ?? null;
  }, [props.community, comparison]);

  useEffect(() => {
    if (!community) return;
    let current = true;
    Promise.all([loadTerritory(community), loadPlanState(b, community), loadAssignment(a, community)]).then(
      ([terr, sb, ga]) => {
        if (!current) return;
        setTerritory(terr);
        setStateB(sb);
        setGridOfA(ga);
      },
      fail,
    );
    return () => {
      current = false;
    };
  }, [a, b, community, fail]);

  // The camera frames the parcels that change in this community, or the whole community when none do.
  useEffect(() => {
    if (!atlas || !territory || !comparison) return;
    const here = comparison.parcels.filter((id) => territory.info.has(id));
    atlas.fitBounds((here.length && centresBBox(here, territory.info, 0.003)) || territory.bbox, { right: 460 });
  }, [atlas, territory, comparison]);

  const colourOf = useGridColours(territory, stateB);
  useEffect(() => {
    if (!atlas || !territory || !stateB || !gridOfA) return;
    const changed = new Set(comparison?.parcels ?? []);
    atlas.setFeatureStates(
      "parcels",
      [...territory.info.keys()].map((id) => {
        return [id, { color: colourOf(stateB.gridOf.get(id)), changed: changed.has(id), dim: !changed.has(id) }];
      }),
    );
    atlas.setFeatureStates(
      "parcel-edges",
      territory.edgeList.map((e) => {
        const boundary = stateB.gridOf.get(e.a) !== stateB.gridOf.get(e.b);
        // Old boundaries are drawn only where they are gone: elsewhere they lie under the new ones anyway.
        const old = gridOfA.get(e.a) !== gridOfA.get(e.b) && !boundary;
        return [e.id, { boundary, old }];
      }),
    );
  }, [atlas, territory, stateB, gridOfA, comparison, colourOf]);

  const overlay = usePlanOverlay(territory, stateB);
  const onReady = useCallback((map: AtlasMap) => {
    setAtlas(map);
    map.onError((err) => console.error("map:", err));
  }, []);

  const n = (v: number) => formatNumber(lang, v);
  const communities = useMemo(() => {
    const set = new Set<string>();
    for (const f of comparison?.flows ?? []) set.add((f.to ?? f.from ?? "").slice(0, 12));
    return [...set].filter(Boolean).sort();
  }, [comparison]);

  return (
    <div className="app editor">
      <BaseMapView base={props.base} overlay={overlay} selection={null} inset={PLAN_INSET} onReady={onReady} />
      {props.bar}
      <aside className="panel compare-panel" data-testid="compare-panel" aria-label={t("plan.compare.title")}>
        <div className="panel-body">
          <h2 className="panel-title">{t("plan.compare.title")}</h2>
          {plans && (
            <p className="muted">
              {t("plan.compare.from")} <strong>{plans[0].name}</strong> → <strong>{plans[1].name}</strong>
            </p>
          )}
          {comparison && (
            <>
              <dl className="stats stats-3">
                <div className="stat">
                  <dt>{t("plan.compare.parcels")}</dt>
                  <dd data-testid="compare-parcels">{n(comparison.totals.parcels)}</dd>
                </div>
                <div className="stat">
                  <dt>{t("plan.compare.households")}</dt>
                  <dd data-testid="compare-households">{n(comparison.totals.households)}</dd>
                </div>
                <div className="stat">
                  <dt>{t("plan.compare.buildings")}</dt>
                  <dd>{n(comparison.totals.buildings)}</dd>
                </div>
              </dl>
              <div className="row-actions compare-actions">
                <a className="button-link" href={transfersCsvUrl(a, b)} download data-testid="compare-csv">
                  ⤓ {t("plan.compare.csv")}
                </a>
                <a
                  className="button-link"
                  href={`/plans/${a}/compare/${b}/print`}
                  target="_blank"
                  rel="noopener"
                  data-testid="compare-print"
                >
                  {t("plan.compare.print")}
                </a>
                <a
                  className="button-link"
                  href={`/plans/${b}${community ? `?community=${community}` : ""}`}
                  onClick={followLink}
                >
                  {t("plan.compare.backToPlan")}
                </a>
              </div>
              {communities.length > 0 && (
                <label className="community-filter">
                  <span>{t("plan.compare.mapOf")}</span>
                  <select value={community ?? ""} onChange={(e) => props.onCommunity(e.target.value)}>
                    {communities.map((c) => (
                      <option key={c} value={c}>
                        {props.communityName(c)}
                      </option>
                    ))}
                  </select>
                </label>
              )}
              <div className="legend-inline">
                <span className="swatch-line swatch-new" /> {t("plan.compare.newLines")}
                <span className="swatch-line swatch-old" /> {t("plan.compare.oldLines")}
                <span className="swatch-line swatch-changed" /> {t("plan.compare.changedParcels")}
              </div>
              <GridChanges comparison={comparison} />
              <h3 className="panel-section">{t("plan.compare.flows")}</h3>
              {comparison.flows.length === 0 ? (
                <p className="muted">{t("plan.compare.same")}</p>
              ) : (
                <table className="table summary-table" data-testid="compare-flows">
                  <TableHead
                    columns={[
                      "plan.compare.fromGrid",
                      "plan.compare.toGrid",
                      { key: "plan.compare.parcels", className: "num" },
                      { key: "plan.compare.households", className: "num" },
                      { key: "plan.compare.buildings", className: "num" },
                    ]}
                  />
                  <tbody>
                    {[...comparison.flows]
                      .sort((x, y) => y.households - x.households)
                      .map((f) => (
                        <tr key={`${f.from}>${f.to}`}>
                          <td>{f.from ? f.from.slice(-3) : "—"}</td>
                          <td>{f.to ? f.to.slice(-3) : "—"}</td>
                          <td className="num">{n(f.parcels)}</td>
                          <td className="num">{n(f.households)}</td>
                          <td className="num">{n(f.buildings)}</td>
                        </tr>
                      ))}
                  </tbody>
                </table>
              )}
            </>
          )}
        </div>
      </aside>
      {!comparison && !error && <Progress label={t("plan.compare.loading")} detail="" done={0} total={1} />}
      {error && <Banner title={t("app.errorTitle")}>{error.text(lang)}</Banner>}
    </div>
  );
}

function GridChanges({ comparison }: { comparison: Comparison }) {
  const { lang, t } = useLang();
  const { added, removed, changed } = comparison.grids;
  const seqs = (codes: string[]) => codes.map((c) => c.slice(-3)).join("、") || "—";
  return (
    <div className="grid-changes" data-testid="compare-grids">
      <div>
        <span className="muted">{t("plan.compare.added")}</span> {seqs(added)}
      </div>
      <div>
        <span className="muted">{t("plan.compare.removed")}</span> {seqs(removed)}
      </div>
      <div>
        <span className="muted">{t("plan.compare.changed")}</span>{" "}
        {changed.length === 0
          ? "—"
          : changed.map((c) => (
              <span key={c.code}>
                <span className="nowrap">
                  {c.code.slice(-3)} ({formatNumber(lang, c.households_a)}→{formatNumber(lang, c.households_b)})
                </span>{" "}
              </span>
            ))}
      </div>
    </div>
  );
}
