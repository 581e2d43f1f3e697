import { type ReactNode, useCallback, useEffect, useMemo, useRef, useState } from "react";
import {
  type ApiError,
  fetchGridCoverage,
  fetchGrids,
  fetchHazardCategories,
  fetchHazardClusters,
  fetchHazardStats,
  fetchHazards,
  fetchVenueCategories,
  fetchVenueClusters,
  fetchVenues,
  type HazardCategory,
  type HazardClusters,
  type HazardStats,
  toApiError,
  type VenueCategory,
  type VenueClusters,
} from "../../api.ts";
import { useLang } from "../../i18n/lang.ts";
import type { AtlasMap, FeatureRef } from "../../map/atlas-map.ts";
import type { BaseMap } from "../../map/base-map.ts";
import { shareBin } from "../../map/coverage-scale.ts";
import { type BBox, grow, type LngLat } from "../../map/geo.ts";
import { BaseMapView } from "../../map/map-view.tsx";
import { PickHint, usePointPick } from "../../map/point-pick.tsx";
import { navigate } from "../../router.ts";
import { Banner } from "../../ui/banner.tsx";
import { useEscape } from "../../ui/page.tsx";
import { ClusterList, type ListItem } from "./cluster-list.tsx";
import { FilterBar } from "./filter-bar.tsx";
import { type Filters, formatFilters, hazardQuery, parseFilters, statsQuery, venueQuery } from "./filters.ts";
import { HazardCard } from "./hazard-card.tsx";
import { HazardForm } from "./hazard-form.tsx";
import { leaderMapImages, leaderMapLayers, leaderMapSources, PICK_LAYERS } from "./leader-map-layers.ts";
import { Legend } from "./legend.tsx";
import { StatsPanel } from "./stats-panel.tsx";
import { TimeSlider } from "./time-slider.tsx";
import { VenueCard } from "./venue-card.tsx";
import "./leader-map.css";

type Selected =
  | { kind: "venue"; id: number }
  | { kind: "hazard"; id: number }
  | { kind: "list"; items: ListItem[] }
  | { kind: "new-hazard"; at: LngLat }
  | null;

/** Room the filter bar (top), the legend and statistics (left) and the slider (bottom) take over the map. */
const INSET = { top: 120, right: 0, bottom: 90, left: 12 };
/** Room the statistics panel takes on the left of a desktop screen, with its margin. */
const STATS_WIDTH = 364;
/** The zoom of the clusters asked for "zoom to results": few, each with the bounds of what it holds. */
const RESULTS_ZOOM = 12;
/** Below this zoom a click on a cluster zooms in; from it on, it lists what the cluster holds. */
const LIST_ZOOM = 17.5;
/** Least room (about 30 m) around a box of the view or a cluster: a cluster of one point has no extent. */
const MIN_PAD_DEG = 0.0003;

/**
 * The leader's map (issue 7): venues and hazards over the base map, with filters kept in the URL, a replay of the
 * hazards over months, a card for what is clicked, statistics that follow the filters, and — for those who may —
 * reporting a hazard, moving it along its lifecycle and recording inspections. The points come clustered by the
 * server for the screen, so the map draws at most a few hundred whatever the size of the data.
 */
/** Who may print a map (the server's print route says the same). */
const PRINTERS = ["admin", "planner", "leader"];

export function LeaderMap(props: { base: BaseMap; bar: ReactNode; search: string; roles: readonly string[] }) {
  const { lang, t } = useLang();
  const filters = useMemo(() => parseFilters(props.search), [props.search]);
  const [atlas, setAtlas] = useState<AtlasMap | null>(null);
  const [view, setView] = useState<{ bbox: BBox; zoom: number } | null>(null);
  const [venues, setVenues] = useState<VenueClusters | undefined>();
  const [hazards, setHazards] = useState<HazardClusters | undefined>();
  const [selected, setSelected] = useState<Selected>(null);
  const { picking, start: startPick, stop: stopPick } = usePointPick(atlas);
  // On a phone the statistics would cover the map: they start folded there.
  const [statsOpen, setStatsOpen] = useState(() => !window.matchMedia("(max-width: 640px)").matches);
  const [stats, setStats] = useState<HazardStats | null>(null);
  const [allMonths, setAllMonths] = useState<string[]>([]);
  const [venueCategories, setVenueCategories] = useState<VenueCategory[]>([]);
  const [hazardCategories, setHazardCategories] = useState<HazardCategory[]>([]);
  const [error, setError] = useState<ApiError | null>(null);
  /** Bumped after a change (a report, a move, an inspection) so the layers and figures are fetched again. */
  const [version, setVersion] = useState(0);
  const mayRecord = props.roles.some((r) => r === "admin" || r === "secretary" || r === "worker");
  const mayConfigure = props.roles.some((r) => r === "admin" || r === "planner");
  const mayCoverage = props.roles.some((r) => r === "admin" || r === "planner" || r === "leader" || r === "secretary");
  const [coverage, setCoverage] = useState<GeoJSON.FeatureCollection | null>(null);

  const fail = useCallback((err: unknown) => setError(toApiError(err)), []);

  const communities = useMemo(() => props.base.communities.map((f) => f.properties), [props.base.communities]);

  const setFilters = useCallback((next: Filters) => {
    navigate(`/leader-map${formatFilters(next)}`, { replace: true });
  }, []);

  useEffect(() => {
    fetchVenueCategories().then(setVenueCategories, fail);
    fetchHazardCategories().then(setHazardCategories, fail);
    // The replay runs over every month with a report, whatever the filters.
    fetchHazardStats({}).then((s) => setAllMonths(s.months.map((m) => m.month)), fail);
  }, [fail]);

  const vq = JSON.stringify(venueQuery(filters));
  const hq = JSON.stringify(hazardQuery(filters));
  const sq = JSON.stringify(statsQuery(filters));

  // biome-ignore lint/correctness/useExhaustiveDependencies: `version` asks again after a change.
  useEffect(() => {
    if (!view) return;
    let current = true;
    const zoom = Math.round(view.zoom * 2) / 2;
    const bbox = grow(view.bbox, 0.15, MIN_PAD_DEG)
      .map((v) => v.toFixed(6))
      .join(",");
    if (filters.showVenues) {
      fetchVenueClusters({ ...JSON.parse(vq), bbox }, zoom).then((fc) => current && setVenues(fc), fail);
    }
    if (filters.showHazards) {
      fetchHazardClusters({ ...JSON.parse(hq), bbox }, zoom).then((fc) => current && setHazards(fc), fail);
    }
    return () => {
      current = false;
    };
  }, [view, vq, hq, filters.showVenues, filters.showHazards, version, fail]);

  // biome-ignore lint/correctness/useExhaustiveDependencies: `version` asks again after a change.
  useEffect(() => {
    let current = true;
    fetchHazardStats(JSON.parse(sq)).then((s) => current && setStats(s), fail);
    return () => {
      current = false;
    };
  }, [sq, version, fail]);

  // Camera coverage under the points: the published grids (of the filtered community, or all) coloured by the
  // share of their roads the online cameras see, as the cameras page computes it.
  const showCoverage = filters.coverage && mayCoverage;
  // biome-ignore lint/correctness/useExhaustiveDependencies: `version` asks again after a change.
  useEffect(() => {
    if (!showCoverage) return;
    let current = true;
    Promise.all([fetchGrids(), fetchGridCoverage(filters.community)]).then(([grids, rows]) => {
      if (!current) return;
      const share = new Map((rows ?? []).map((r) => [r.code, r.road_covered_share]));
      setCoverage({
        type: "FeatureCollection",
        features: grids.features
          .filter((g) => share.has(g.properties.code))
          .map((g) => ({
            ...g,
            properties: { code: g.properties.code, bin: shareBin(share.get(g.properties.code)!) },
          })),
      });
    }, fail);
    return () => {
      current = false;
    };
  }, [showCoverage, filters.community, version, fail]);

  const layers = useMemo(
    () =>
      leaderMapLayers({
        venues: filters.showVenues,
        hazards: filters.showHazards,
        heat: filters.heat,
        coverage: showCoverage,
      }),
    [filters.showVenues, filters.showHazards, filters.heat, showCoverage],
  );
  const empty = useMemo(() => ({ type: "FeatureCollection" as const, features: [] }), []);
  const overlay = useMemo(
    () => ({
      sources: leaderMapSources,
      layers,
      data: {
        venues: filters.showVenues ? venues : empty,
        hazards: filters.showHazards ? hazards : empty,
        "coverage-grids": showCoverage && coverage ? coverage : empty,
      },
    }),
    [layers, venues, hazards, filters.showVenues, filters.showHazards, empty, showCoverage, coverage],
  );

  const pickingRef = useRef(picking);
  pickingRef.current = picking;
  const filtersRef = useRef(filters);
  filtersRef.current = filters;

  const onReady = useCallback(
    (map: AtlasMap) => {
      setAtlas(map);
      map.onError((err) => console.error("map:", err));
      void map.addSvgImages(leaderMapImages());
      map.enableHover(PICK_LAYERS);
      map.onViewChange(setView);
      // The first view, once the map has framed the subdistrict.
      void map.idle().then(() => setView(map.view()));
      map.onClickAt(PICK_LAYERS, ({ lngLat, feature }) => {
        if (pickingRef.current) {
          stopPick();
          setSelected({ kind: "new-hazard", at: lngLat });
          return;
        }
        if (!feature) return;
        const p = feature.properties;
        const count = Number(p.count);
        const isHazard = feature.layer.startsWith("hazards");
        if (count === 1 && p.id != null) {
          setSelected({ kind: isHazard ? "hazard" : "venue", id: Number(p.id) });
          return;
        }
        // Nested values come back from the map as JSON text.
        const bounds = (typeof p.bounds === "string" ? JSON.parse(p.bounds) : p.bounds) as BBox;
        if (map.view().zoom < LIST_ZOOM) {
          map.fitBounds(grow(bounds, 0.3, MIN_PAD_DEG));
          return;
        }
        const f = filtersRef.current;
        const bbox = grow(bounds, 0.01, MIN_PAD_DEG)
          .map((v) => v.toFixed(7))
          .join(",");
        const load = isHazard
          ? fetchHazards({ ...hazardQuery(f), bbox }).then((fc) =>
              fc.features.map((x) => ({ kind: "hazard" as const, id: x.properties.id, label: x.properties.title })),
            )
          : fetchVenues({ ...venueQuery(f), bbox }).then((fc) =>
              fc.features.map((x) => ({ kind: "venue" as const, id: x.properties.id, label: x.properties.name })),
            );
        load.then((items) => setSelected({ kind: "list", items }), fail);
      });
    },
    [fail, stopPick],
  );

  useEscape(() => {
    setSelected(null);
    stopPick();
  });

  const selection: FeatureRef | null = useMemo(
    () =>
      selected?.kind === "venue"
        ? { source: "venues", id: selected.id }
        : selected?.kind === "hazard"
          ? { source: "hazards", id: selected.id }
          : null,
    [selected],
  );

  const changed = useCallback(() => setVersion((n) => n + 1), []);
  // Frames everything the filters let through, clear of the statistics panel on the left: a match under the panel
  // could not be clicked.
  const zoomToResults = async () => {
    const f = filtersRef.current;
    const bbox = props.base.bbox.map((v) => v.toFixed(6)).join(",");
    const [venueFc, hazardFc] = await Promise.all([
      f.showVenues ? fetchVenueClusters({ ...venueQuery(f), bbox }, RESULTS_ZOOM) : null,
      f.showHazards ? fetchHazardClusters({ ...hazardQuery(f), bbox }, RESULTS_ZOOM) : null,
    ]).catch((err: unknown) => {
      fail(err);
      return [null, null];
    });
    const boxes = [...(venueFc?.features ?? []), ...(hazardFc?.features ?? [])].map((feature): BBox => {
      const b = feature.properties?.bounds;
      if (b) return (typeof b === "string" ? JSON.parse(b) : b) as BBox;
      const [lng, lat] = (feature.geometry as GeoJSON.Point).coordinates as [number, number];
      return [lng, lat, lng, lat];
    });
    if (!atlas || boxes.length === 0) return;
    const all: BBox = [
      Math.min(...boxes.map((b) => b[0])),
      Math.min(...boxes.map((b) => b[1])),
      Math.max(...boxes.map((b) => b[2])),
      Math.max(...boxes.map((b) => b[3])),
    ];
    const wide = window.matchMedia("(min-width: 641px)").matches;
    atlas.fitBounds(grow(all, 0.1, MIN_PAD_DEG), { left: statsOpen && wide ? STATS_WIDTH : 0 });
  };
  const startPicking = () => {
    setSelected(null);
    startPick();
  };

  return (
    <div className="app leader-map">
      <BaseMapView
        base={props.base}
        overlay={overlay}
        selection={selection}
        inset={INSET}
        onReady={onReady}
        print={props.roles.some((r) => PRINTERS.includes(r)) ? {} : null}
      />
      {props.bar}
      <FilterBar
        filters={filters}
        onChange={setFilters}
        communities={communities}
        venueCategories={venueCategories}
        hazardCategories={hazardCategories}
        mayCoverage={mayCoverage}
        action={
          <>
            <button type="button" onClick={zoomToResults} data-testid="zoom-to-results">
              {t("leaderMap.zoomToResults")}
            </button>
            {mayRecord && (
              <button
                type="button"
                className="lm-primary"
                onClick={startPicking}
                disabled={picking}
                data-testid="hazard-create"
              >
                {t("hazard.new")}
              </button>
            )}
          </>
        }
      />
      {picking && <PickHint className="lm-hint" testId="pick-hint" text={t("hazard.pickPoint")} onCancel={stopPick} />}
      <StatsPanel
        open={statsOpen}
        onToggle={() => setStatsOpen((o) => !o)}
        stats={stats}
        communities={communities}
        hazardCategories={hazardCategories}
        venueCategories={venueCategories}
        mayConfigure={mayConfigure}
        onIntervalChanged={changed}
        onFail={fail}
        onOpenHazard={(id) => setSelected({ kind: "hazard", id })}
      />
      <Legend venueCategories={venueCategories} coverage={showCoverage} />
      <TimeSlider
        months={allMonths}
        asOf={filters.asOf}
        onChange={(asOf) => setFilters({ ...filtersRef.current, asOf })}
        stats={stats}
      />
      {selected?.kind === "venue" && (
        <VenueCard
          key={`v${selected.id}`}
          id={selected.id}
          hazardCategories={hazardCategories}
          onClose={() => setSelected(null)}
          onOpenHazard={(id) => setSelected({ kind: "hazard", id })}
          onChanged={changed}
          onFail={fail}
        />
      )}
      {selected?.kind === "hazard" && (
        <HazardCard
          key={`h${selected.id}`}
          id={selected.id}
          onClose={() => setSelected(null)}
          onOpenVenue={(id) => setSelected({ kind: "venue", id })}
          onChanged={changed}
          onFail={fail}
        />
      )}
      {selected?.kind === "list" && (
        <ClusterList items={selected.items} onOpen={(item) => setSelected(item)} onClose={() => setSelected(null)} />
      )}
      {selected?.kind === "new-hazard" && (
        <HazardForm
          at={selected.at}
          categories={hazardCategories}
          onClose={() => setSelected(null)}
          onCreated={(id) => {
            changed();
            setSelected({ kind: "hazard", id });
          }}
        />
      )}
      {error && (
        <Banner
          title={t("app.errorTitle")}
          actions={
            <button type="button" onClick={() => setError(null)}>
              {t("app.dismiss")}
            </button>
          }
        >
          {error.text(lang)}
        </Banner>
      )}
    </div>
  );
}
