import { bbox as bboxOf } from "@turf/turf";
import { type ReactNode, useCallback, useEffect, useMemo, useRef, useState } from "react";
import {
  type AffectedGrid,
  type ApiError,
  type BlindSpots,
  type CameraFeature,
  type CameraPatch,
  type Cameras,
  type Coverage,
  type CoverageScenario,
  type CoverageSuggestion,
  changeCamera,
  fetchBlindSpots,
  fetchCameras,
  fetchCoverage,
  fetchGrids,
  type Grids,
  placeCamera,
  removeCamera,
  suggestSites,
  toApiError,
} from "../../api.ts";
import { localName, type MessageKey, useLang } from "../../i18n.ts";
import type { AtlasMap } from "../../map/atlas-map.ts";
import type { BaseMap } from "../../map/base-map.ts";
import { type BBox, bboxOfPoints, grow, type LngLat } from "../../map/geo.ts";
import { MapView } from "../../map/map-view.tsx";
import { navigate } from "../../router.ts";
import { Banner } from "../../ui/banner.tsx";
import { Progress } from "../../ui/progress.tsx";
import { type BlindSpotQuery, BlindSpotsList, spotKey } from "./blind-spots-list.tsx";
import { CAMERA_TYPES, CameraCard, cameraIconUrl, fullSweep, type GridDelta } from "./camera-card.tsx";
import { bearingTo, destination, sector } from "./cameras-geometry.ts";
import {
  CAMERAS_CLICKABLE,
  CAMERAS_SOURCES,
  cameraImages,
  camerasLayers,
  shapeOf,
  withSelectedCamera,
} from "./cameras-layers.ts";
import { CoverageTable, pct } from "./coverage-table.tsx";
import { type SuggestedSite, SuggestPanel } from "./suggest-panel.tsx";
import "./cameras.css";
import { shareBin } from "../../map/coverage-scale.ts";
import { useBottomVar } from "../../ui/bottom-var.ts";
import { CoverageLegend } from "../../ui/coverage-legend.tsx";

type Tab = "coverage" | "blind" | "suggest";
type Drag = { id: number; mode: "move" | "rotate"; at?: LngLat; bearing?: number };
type Preview = { id: number; bearing_deg?: number; view_width_deg?: number; range_m?: number };

/** Room the toolbar (top), the side panel (right) and the attribution (bottom) take over the map. */
const INSET = { top: 112, right: 430, bottom: 40, left: 12 };
const EMPTY: GeoJSON.FeatureCollection = { type: "FeatureCollection", features: [] };

/**
 * The cameras page (issue 8): a community's cameras as oriented symbols with what they see, its grids coloured by
 * the share of road the cameras see, the blind spots, and the planning tools. Those who may edit select a camera
 * and drag it, turn it by its handle or change its values; each change is saved at once and the view and the
 * coverage of the grids it reaches are redrawn from the server's answer, with the grids' before → after.
 * Secretaries plan cameras in their own community only; leaders look.
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
  const [cameras, setCameras] = useState<Cameras | null>(null);
  const [coverage, setCoverage] = useState<Coverage | null>(null);
  const [loading, setLoading] = useState(0);
  const [scenario, setScenario] = useState<CoverageScenario>("current");
  const [show, setShow] = useState({ views: true, blindSpots: true, cameras: true });
  const [tab, setTab] = useState<Tab>("coverage");
  const [spots, setSpots] = useState<BlindSpots | null>(null);
  const [spotQuery, setSpotQuery] = useState<BlindSpotQuery>({ min_length_m: 50, sort: "class" });
  const [spotsLoading, setSpotsLoading] = useState(false);
  const [suggestion, setSuggestion] = useState<CoverageSuggestion | null>(null);
  const [suggesting, setSuggesting] = useState(false);
  const [added, setAdded] = useState<Set<number>>(new Set());
  const [selectedId, setSelectedId] = useState<number | null>(null);
  const [selectedGrid, setSelectedGrid] = useState<string | null>(null);
  const [selectedSpot, setSelectedSpot] = useState<string | null>(null);
  const [drag, setDrag] = useState<Drag | null>(null);
  const [preview, setPreview] = useState<Preview | null>(null);
  const [saving, setSaving] = useState(false);
  const [deltas, setDeltas] = useState<GridDelta[] | null>(null);
  const [picking, setPicking] = useState(false);
  const [placeType, setPlaceType] = useState<(typeof CAMERA_TYPES)[number]>("fixed");
  const [error, setError] = useState<ApiError | null>(null);
  /** Bumped when the server refuses a change, so the card shows the camera's values again. */
  const [refused, setRefused] = useState(0);
  /** Bumped after a change, so the community's totals and the blind spots are asked for again. */
  const [version, setVersion] = useState(0);
  // The camera card and hints below the tool bar follow it as it wraps (--cam-tools-bottom).
  const toolsBar = useRef<HTMLDivElement>(null);
  useBottomVar(toolsBar, "--cam-tools-bottom");

  const fail = useCallback((err: unknown) => setError(toApiError(err)), []);

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
    setDeltas(null);
    setCameras(null);
    setCoverage(null);
    setSpots(null);
  }, [community]);

  useEffect(() => {
    if (!community) return;
    let current = true;
    fetchCameras(community).then((fc) => current && setCameras(fc as Cameras), fail);
    return () => {
      current = false;
    };
  }, [community, fail]);

  // biome-ignore lint/correctness/useExhaustiveDependencies: `version` asks again after a change.
  useEffect(() => {
    if (!community) return;
    let current = true;
    setLoading((n) => n + 1);
    fetchCoverage(community, scenario)
      .then((c) => current && setCoverage(c), fail)
      .finally(() => setLoading((n) => n - 1));
    return () => {
      current = false;
    };
  }, [community, scenario, version, fail]);

  // biome-ignore lint/correctness/useExhaustiveDependencies: `version` asks again after a change.
  useEffect(() => {
    if (!community) return;
    let current = true;
    setSpotsLoading(true);
    fetchBlindSpots(community, { scenario, ...spotQuery })
      .then((fc) => current && setSpots(fc), fail)
      .finally(() => current && setSpotsLoading(false));
    return () => {
      current = false;
    };
  }, [community, scenario, spotQuery, version, fail]);

  // Frame the community once the map is there and whenever it changes.
  useEffect(() => {
    const f = communities.find((c) => c.properties.code === community);
    if (atlas && f) atlas.fitBounds(bboxOf(f) as BBox);
  }, [atlas, community, communities]);

  const selected = cameras?.features.find((f) => f.properties.id === selectedId) as CameraFeature | undefined;

  // ---------------------------------------------------------------- what the map draws

  const rows = useMemo(() => new Map((coverage?.grids ?? []).map((g) => [g.code, g])), [coverage]);
  const gridFeatures = useMemo(
    () =>
      grids && {
        type: "FeatureCollection" as const,
        features: grids.features
          .filter((f) => f.properties.community_code === community)
          .map((f) => ({
            ...f,
            properties: {
              code: f.properties.code,
              bin: rows.has(f.properties.code) ? shareBin(rows.get(f.properties.code)!.road_covered_share) : "none",
            },
          })),
      },
    [grids, rows, community],
  );

  /** A camera as it stands while dragged or previewed; the server's answer replaces it. */
  const live = useCallback(
    (f: CameraFeature): CameraFeature => {
      const id = f.properties.id;
      let out = f;
      if (drag?.id === id) {
        out = {
          ...out,
          geometry: drag.at ? { type: "Point", coordinates: drag.at } : out.geometry,
          properties: { ...out.properties, bearing_deg: drag.bearing ?? out.properties.bearing_deg },
        };
      }
      if (preview?.id === id) out = { ...out, properties: { ...out.properties, ...preview } };
      return out;
    },
    [drag, preview],
  );

  const cameraData = useMemo(
    () =>
      cameras && {
        type: "FeatureCollection" as const,
        features: cameras.features.map((raw) => {
          const f = live(raw as CameraFeature);
          const p = f.properties;
          return {
            type: "Feature" as const,
            id: p.id,
            geometry: f.geometry,
            properties: {
              id: p.id,
              status: p.status,
              bearing_deg: p.bearing_deg,
              icon: `camera-${shapeOf(p.type)}-${p.status}`,
            },
          };
        }),
      },
    [cameras, live],
  );

  const viewData = useMemo(
    () =>
      cameras && {
        type: "FeatureCollection" as const,
        features: cameras.features.flatMap((raw) => {
          const f = raw as CameraFeature;
          const p = f.properties;
          const moving = drag?.id === p.id || preview?.id === p.id;
          if (moving) {
            const l = live(f).properties;
            const at = live(f).geometry.coordinates as LngLat;
            const geometry = sector(at, l.bearing_deg, fullSweep(l.type) ? 360 : l.view_width_deg, l.range_m);
            return [{ type: "Feature" as const, geometry, properties: { id: p.id, status: p.status, preview: true } }];
          }
          const view = p.view as GeoJSON.Geometry | null | undefined;
          if (!view || p.status === "offline") return [];
          return [
            { type: "Feature" as const, geometry: view, properties: { id: p.id, status: p.status, preview: false } },
          ];
        }),
      },
    [cameras, drag, preview, live],
  );

  const handleData = useMemo(() => {
    if (!selected || !mayEdit(selected) || fullSweep(selected.properties.type)) return EMPTY;
    const f = live(selected);
    const at = f.geometry.coordinates as LngLat;
    const tip = destination(at, f.properties.bearing_deg, Math.max(20, f.properties.range_m * 0.8));
    return {
      type: "FeatureCollection" as const,
      features: [
        { type: "Feature" as const, geometry: { type: "LineString" as const, coordinates: [at, tip] }, properties: {} },
        {
          type: "Feature" as const,
          geometry: { type: "Point" as const, coordinates: tip },
          properties: { handle: true },
        },
      ],
    };
  }, [selected, mayEdit, live]);

  const spotData = useMemo(
    () =>
      spots && {
        ...spots,
        features: spots.features.map((f) => ({ ...f, properties: { ...f.properties, key: spotKey(f.properties) } })),
      },
    [spots],
  );

  const suggestionData = useMemo(
    () =>
      suggestion
        ? {
            type: "FeatureCollection" as const,
            features: suggestion.sites.flatMap((s) => [
              { type: "Feature" as const, geometry: s.view as GeoJSON.Geometry, properties: { rank: s.rank } },
              { type: "Feature" as const, geometry: s.geometry as GeoJSON.Geometry, properties: { rank: s.rank } },
            ]),
          }
        : EMPTY,
    [suggestion],
  );

  const layers = useMemo(
    () => [...props.base.layers, ...withSelectedCamera(camerasLayers(show), selectedId)],
    [props.base.layers, show, selectedId],
  );
  const sources = useMemo(() => ({ ...props.base.sources, ...CAMERAS_SOURCES }), [props.base.sources]);
  const data = useMemo(
    () => ({
      ...props.base.data,
      "cameras-grids": gridFeatures ?? undefined,
      "cameras-views": viewData ?? undefined,
      "cameras-blind-spots": spotData ?? undefined,
      "cameras-suggestions": suggestionData,
      "cameras-handle": handleData,
      cameras: cameraData ?? undefined,
    }),
    [props.base.data, gridFeatures, viewData, spotData, suggestionData, handleData, cameraData],
  );
  const selection = useMemo(
    () => (selectedGrid ? { source: "cameras-grids", id: selectedGrid } : null),
    [selectedGrid],
  );

  // ---------------------------------------------------------------- changes

  /** Takes a change's answer in: the camera (or its removal), the affected grids' new figures and their deltas. */
  const absorb = useCallback(
    (camera: CameraFeature | null, removed: number | null, affected: AffectedGrid[]) => {
      setCameras((fc) => {
        if (!fc) return fc;
        const features = fc.features.filter((f) => f.properties.id !== removed);
        if (!camera) return { ...fc, features };
        const i = features.findIndex((f) => f.properties.id === camera.properties.id);
        const next = [...features];
        if (i >= 0) next[i] = camera as (typeof features)[number];
        else next.push(camera as (typeof features)[number]);
        return { ...fc, features: next };
      });
      const cov = coverageRef.current;
      if (cov) {
        const byCode = new Map(affected.map((g) => [g.code, g[cov.scenario]]));
        setDeltas(
          affected
            .filter((g) => g.community_code === community)
            .map((g) => {
              const before = cov.grids.find((r) => r.code === g.code);
              const after = g[cov.scenario];
              return {
                code: g.code,
                road: [before?.road_covered_share ?? null, after.road_covered_share],
                key: [before?.key_places_covered_share ?? null, after.key_places_covered_share],
              };
            }),
        );
        const next = {
          ...cov,
          grids: cov.grids.map((r) => {
            const figures = byCode.get(r.code);
            return figures ? { ...r, ...figures } : r;
          }),
        };
        coverageRef.current = next;
        setCoverage(next);
      }
      setVersion((n) => n + 1);
    },
    [community],
  );

  const savingRef = useRef(false);
  const coverageRef = useRef(coverage);
  coverageRef.current = coverage;
  const dragRef = useRef<Drag | null>(null);
  const setDragNow = useCallback((d: Drag | null) => {
    dragRef.current = d;
    setDrag(d);
  }, []);
  // The version of each camera as last read, sent with every change: someone else's change in between is refused
  // (409) rather than overwritten, and the page then reads the community's cameras and coverage again.
  const camerasRef = useRef(cameras);
  camerasRef.current = cameras;
  const patch = useCallback(
    (id: number, change: CameraPatch) => {
      if (savingRef.current) return;
      savingRef.current = true;
      setSaving(true);
      const read = camerasRef.current?.features.find((f) => f.properties.id === id)?.properties.version;
      changeCamera(id, read === undefined ? change : { ...change, version: read })
        .then(
          (res) => absorb(res.camera as unknown as CameraFeature, null, res.grids),
          (err: unknown) => {
            setRefused((n) => n + 1);
            fail(err);
            if (toApiError(err).status === 409 && community) {
              fetchCameras(community).then((fc) => setCameras(fc as Cameras), fail);
              setVersion((v) => v + 1);
            }
          },
        )
        .finally(() => {
          savingRef.current = false;
          setSaving(false);
          setDragNow(null);
          setPreview(null);
        });
    },
    [absorb, fail, setDragNow, community],
  );

  const place = useCallback(
    (camera: Parameters<typeof placeCamera>[0], after?: () => void) => {
      if (savingRef.current) return;
      savingRef.current = true;
      setSaving(true);
      setScenario("planned");
      placeCamera(camera)
        .then((res) => {
          const f = res.camera as unknown as CameraFeature;
          absorb(f, null, res.grids);
          setSelectedId(f.properties.id);
          after?.();
        }, fail)
        .finally(() => {
          savingRef.current = false;
          setSaving(false);
        });
    },
    [absorb, fail],
  );

  const remove = (id: number) => {
    if (savingRef.current) return;
    savingRef.current = true;
    setSaving(true);
    removeCamera(id)
      .then((res) => {
        absorb(null, res.id, res.grids);
        setSelectedId(null);
      }, fail)
      .finally(() => {
        savingRef.current = false;
        setSaving(false);
      });
  };

  // ---------------------------------------------------------------- the map's events, through refs to the latest state

  const state = useRef({ selected, picking, placeType, mayEdit, patch, place, cameras, lang });
  state.current = { selected, picking, placeType, mayEdit, patch, place, cameras, lang };

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
            setDragNow({ id: cam.properties.id, mode: "rotate", bearing: cam.properties.bearing_deg });
            return true;
          }
          if (Number(picked.properties.id) !== cam.properties.id) return false;
          setDragNow({ id: cam.properties.id, mode: "move", at: cam.geometry.coordinates as LngLat });
          return true;
        },
        move: (at) => {
          const d = dragRef.current;
          const cam = state.current.selected;
          if (!d || !cam) return;
          if (d.mode === "move") setDragNow({ ...d, at });
          else setDragNow({ ...d, bearing: bearingTo(cam.geometry.coordinates as LngLat, at) });
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
          } else setDragNow(null);
        },
      });
      map.onClickAt(CAMERAS_CLICKABLE, ({ lngLat, feature }) => {
        const s = state.current;
        if (s.picking) {
          setPicking(false);
          map.setCursor("");
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
    [setDragNow],
  );

  useEffect(() => {
    const close = (e: KeyboardEvent) => {
      if (e.key !== "Escape") return;
      setSelectedId(null);
      setPicking(false);
      atlas?.setCursor("");
    };
    window.addEventListener("keydown", close);
    return () => window.removeEventListener("keydown", close);
  }, [atlas]);

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

  const withCommunity = (code: string) => navigate(`/cameras?community=${code}`, { replace: true });
  const totals = coverage?.communities.find((c) => c.code === community);
  const changedGrids = useMemo(() => new Set(deltas?.map((d) => d.code) ?? []), [deltas]);

  return (
    <div className="app cameras-page">
      <MapView
        className="map"
        bbox={props.base.bbox}
        sources={sources}
        layers={layers}
        data={data}
        selection={selection}
        locale={props.base.locale}
        inset={INSET}
        attribution={props.base.attribution}
        onReady={onReady}
      />
      {props.bar}
      <div ref={toolsBar} className="cam-tools" data-testid="cameras-tools">
        {props.ownCommunity === null && communities.length > 1 ? (
          <label>
            {t("community.filter")}
            <select
              value={community ?? ""}
              onChange={(e) => withCommunity(e.target.value)}
              data-testid="cameras-community"
            >
              {communities.map((c) => (
                <option key={c.properties.code} value={c.properties.code}>
                  {localName(lang, c.properties)}
                </option>
              ))}
            </select>
          </label>
        ) : (
          <strong data-testid="cameras-community-name">
            {localName(
              lang,
              communities.find((c) => c.properties.code === community)?.properties ?? { name: "", name_en: null },
            )}
          </strong>
        )}
        <label>
          {t("cameras.scenario")}
          <select
            value={scenario}
            onChange={(e) => setScenario(e.target.value as CoverageScenario)}
            data-testid="cameras-scenario"
          >
            <option value="current">{t("cameras.scenario.current")}</option>
            <option value="planned">{t("cameras.scenario.planned")}</option>
          </select>
        </label>
        {(["cameras", "views", "blindSpots"] as const).map((k) => (
          <label key={k} className="cam-toggle">
            <input
              type="checkbox"
              checked={show[k]}
              onChange={(e) => setShow((s) => ({ ...s, [k]: e.target.checked }))}
              data-testid={`toggle-${k}`}
            />
            {t(`cameras.show.${k}` as MessageKey)}
          </label>
        ))}
        {canPlan && (
          <span className="cam-place">
            <select
              value={placeType}
              onChange={(e) => setPlaceType(e.target.value as typeof placeType)}
              aria-label={t("cameras.type")}
            >
              {CAMERA_TYPES.map((type) => (
                <option key={type} value={type}>
                  {t(`cameras.type.${type}` as MessageKey)}
                </option>
              ))}
            </select>
            <button
              type="button"
              className="cam-primary"
              disabled={picking || saving}
              data-testid="camera-place"
              onClick={() => {
                setPicking(true);
                setScenario("planned");
                atlas?.setCursor("crosshair");
              }}
            >
              {t("cameras.place")}
            </button>
          </span>
        )}
      </div>
      {picking && (
        <div className="cam-hint-bar" role="status" data-testid="camera-pick-hint">
          {t("cameras.pickPoint")}
          <button
            type="button"
            onClick={() => {
              setPicking(false);
              atlas?.setCursor("");
            }}
          >
            {t("leaderMap.cancel")}
          </button>
        </div>
      )}

      <aside className="cam-panel" data-testid="cameras-panel">
        {totals && (
          <div className="cam-totals" data-testid="community-coverage">
            <div>
              <b>{pct(totals.road_covered_share)}</b>
              <span>{t("cameras.col.road")}</span>
            </div>
            <div>
              <b>{pct(totals.key_places_covered_share)}</b>
              <span>{t("cameras.col.keyPlaces")}</span>
            </div>
            <div>
              <b>
                {totals.cameras.online}/{totals.cameras.offline}
                {totals.cameras.planned ? `+${totals.cameras.planned}` : ""}
              </b>
              <span>{t("cameras.onlineOffline")}</span>
            </div>
          </div>
        )}
        <div className="cam-tabs" role="tablist">
          {(["coverage", "blind", "suggest"] as const).map((k) => (
            <button
              key={k}
              type="button"
              role="tab"
              aria-selected={tab === k}
              className={tab === k ? "cam-tab-on" : ""}
              onClick={() => setTab(k)}
              data-testid={`cameras-tab-${k}`}
            >
              {t(`cameras.tab.${k}` as MessageKey)}
            </button>
          ))}
        </div>
        <div className="cam-panel-body">
          {loading > 0 && (
            <div className="cam-loading" role="status" data-testid="coverage-loading">
              {t("cameras.loading")}
              <progress />
            </div>
          )}
          {tab === "coverage" && coverage && (
            <CoverageTable rows={coverage.grids} selected={selectedGrid} changed={changedGrids} onSelect={zoomToGrid} />
          )}
          {tab === "blind" && (
            <BlindSpotsList
              spots={spots}
              loading={spotsLoading}
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
              onSuggest={(k) => {
                setSuggesting(true);
                suggestSites(community, k, scenario === "planned")
                  .then((s) => {
                    setSuggestion(s);
                    setAdded(new Set());
                    const all = s.sites.map((x) => (x.geometry as GeoJSON.Point).coordinates as LngLat);
                    if (atlas && all.length) atlas.fitBounds(grow(bboxOfPoints(all), 0, 0.002));
                  }, fail)
                  .finally(() => setSuggesting(false));
              }}
              onShow={(site) =>
                atlas?.fitBounds(
                  grow(bboxOfPoints([(site.geometry as GeoJSON.Point).coordinates as LngLat]), 0, 0.0015),
                )
              }
              onAdd={(site: SuggestedSite) =>
                place(
                  {
                    name: lang === "zh" ? `建议点位 ${site.rank}` : `Suggested site ${site.rank}`,
                    type: site.type as (typeof CAMERA_TYPES)[number],
                    geometry: { type: "Point", coordinates: (site.geometry as GeoJSON.Point).coordinates as LngLat },
                    bearing_deg: site.bearing_deg,
                    ...(fullSweep(site.type) ? {} : { view_width_deg: site.view_width_deg }),
                    range_m: site.range_m,
                    site: site.site === "school_gate" ? "school" : site.site,
                  },
                  () => setAdded((a) => new Set([...a, site.rank])),
                )
              }
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
          saving={saving}
          refused={refused}
          deltas={deltas}
          onPatch={(change) => patch(selected.properties.id, change)}
          onPreview={(values) => setPreview({ id: selected.properties.id, ...values })}
          onRemove={() => remove(selected.properties.id)}
          onClose={() => setSelectedId(null)}
        />
      )}

      <div className="cam-legend" data-testid="cameras-legend">
        <h3>{t("cameras.legendGrids")}</h3>
        <CoverageLegend noRoads={t("cameras.noRoads")} />
        <h3>{t("cameras.legendCameras")}</h3>
        <ul>
          {(["online", "offline", "planned"] as const).map((s) => (
            <li key={s}>
              <img src={cameraIconUrl("fixed", s)} alt="" width={16} height={16} />
              {t(`cameras.status.${s}` as MessageKey)}
            </li>
          ))}
          <li>
            <img src={cameraIconUrl("dome", "online")} alt="" width={16} height={16} />
            {t("cameras.type.dome")}
          </li>
          <li>
            <i className="cam-blind-swatch" />
            {t("cameras.show.blindSpots")}
          </li>
        </ul>
      </div>

      {!coverage && loading > 0 && (
        <Progress label={t("cameras.loading")} detail={t("cameras.loadingDetail")} done={0} total={1} />
      )}
      {error && (
        <Banner
          title={t("cameras.errorTitle")}
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
