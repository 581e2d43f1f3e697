import { booleanPointInPolygon, centerOfMass, pointOnFeature } from "@turf/turf";
import type { GridFigures } from "../../api.ts";
import { type BBox, bboxOfPoints, grow, type LngLat } from "../../map/geo.ts";

/** What the editor knows of a parcel: its households, what it belongs to, and a point inside it. */
export type ParcelInfo = {
  id: number;
  households: number;
  building_id: number | null;
  compound_id: number | null;
  /** The building's name or number ("5号楼"), what the editor calls it. */
  building_name: string | null;
  /** A point inside the parcel: where "centre inside the drawn shape" is tested. */
  centre: LngLat;
};

/** What one paint stroke takes: single parcels, or whole buildings or compounds they touch. */
export type PaintUnit = "parcel" | "building" | "compound";

/** A boundary between two parcels; its feature id is the one the edges source uses for feature-state. */
export type Edge = { id: number; a: number; b: number };

/**
 * Paul Tol's "muted" qualitative scheme: nine colours told apart under the common colour-vision deficiencies. With
 * the outlines drawn between grids, neighbours in different colours read as separate areas.
 */
export const GRID_PALETTE = [
  "#88ccee",
  "#cc6677",
  "#ddcc77",
  "#117733",
  "#332288",
  "#aa4499",
  "#44aa99",
  "#999933",
  "#882255",
];

export function parcelInfo(
  feature: GeoJSON.Feature<
    GeoJSON.Geometry,
    {
      id: number;
      households: number;
      building_id: number | null;
      compound_id: number | null;
      building_name?: string | null;
    }
  >,
): ParcelInfo {
  // The area centroid (what PostGIS's ST_Centroid gives), or a point inside when that falls outside the parcel.
  const c = centerOfMass(feature).geometry.coordinates as LngLat;
  const inside = booleanPointInPolygon(c, feature as GeoJSON.Feature<GeoJSON.Polygon | GeoJSON.MultiPolygon>);
  return {
    id: feature.properties.id,
    households: feature.properties.households,
    building_id: feature.properties.building_id,
    compound_id: feature.properties.compound_id,
    building_name: feature.properties.building_name ?? null,
    centre: inside ? c : (pointOnFeature(feature).geometry.coordinates as LngLat),
  };
}

/** Which grids share a boundary, from the parcel edges and the current assignment. */
export function gridAdjacency(edges: Edge[], gridOf: ReadonlyMap<number, string>): Map<string, Set<string>> {
  const adj = new Map<string, Set<string>>();
  for (const e of edges) {
    const a = gridOf.get(e.a);
    const b = gridOf.get(e.b);
    if (!a || !b || a === b) continue;
    if (!adj.has(a)) adj.set(a, new Set());
    if (!adj.has(b)) adj.set(b, new Set());
    adj.get(a)?.add(b);
    adj.get(b)?.add(a);
  }
  return adj;
}

/**
 * Colours grids so that neighbours differ (greedy colouring, most-connected first). A grid keeps the colour it had
 * whenever no neighbour now shares it, so an edit recolours only where it must.
 */
export function colourGrids(
  codes: Iterable<string>,
  adjacency: ReadonlyMap<string, ReadonlySet<string>>,
  previous: ReadonlyMap<string, number> = new Map(),
  colours = GRID_PALETTE.length,
): Map<string, number> {
  const all = [...codes].sort();
  const result = new Map<string, number>();
  const clashes = (code: string, colour: number) =>
    [...(adjacency.get(code) ?? [])].some((n) => result.get(n) === colour);
  const kept = all.filter((c) => previous.has(c));
  const fresh = all.filter((c) => !previous.has(c));
  const degree = (c: string) => adjacency.get(c)?.size ?? 0;
  for (const code of kept) {
    const colour = previous.get(code) as number;
    if (!clashes(code, colour)) result.set(code, colour);
  }
  const pending = [...fresh, ...kept.filter((c) => !result.has(c))].sort(
    (x, y) => degree(y) - degree(x) || (x < y ? -1 : 1),
  );
  for (const code of pending) {
    let colour = 0;
    // More neighbours than colours is possible in theory; then the least-used clash is accepted.
    while (colour < colours && clashes(code, colour)) colour++;
    result.set(code, colour < colours ? colour : hash(code) % colours);
  }
  return result;
}

function hash(s: string): number {
  let h = 0;
  for (const ch of s) h = (h * 31 + ch.charCodeAt(0)) >>> 0;
  return h;
}

/** Grows a set of parcels to the whole buildings or compounds it touches. */
export function expandToUnit(
  ids: Iterable<number>,
  unit: PaintUnit,
  parcels: ReadonlyMap<number, ParcelInfo>,
): number[] {
  const picked = new Set(ids);
  if (unit === "parcel") return [...picked];
  const key = (p: ParcelInfo) => (unit === "building" ? p.building_id : p.compound_id);
  const wanted = new Set<number>();
  for (const id of picked) {
    const k = parcels.get(id);
    const v = k && key(k);
    if (v !== null && v !== undefined) wanted.add(v);
  }
  for (const p of parcels.values()) {
    const v = key(p);
    if (v !== null && wanted.has(v)) picked.add(p.id);
  }
  return [...picked];
}

/** The parcels whose centre lies inside a drawn ring: the shape snapped to parcel boundaries. */
export function parcelsInside(ring: LngLat[], parcels: Iterable<ParcelInfo>): number[] {
  const shape: GeoJSON.Polygon = { type: "Polygon", coordinates: [ring] };
  const [w, s, e, n] = bboxOfPoints(ring);
  const inside: number[] = [];
  for (const p of parcels) {
    const [x, y] = p.centre;
    if (x < w || x > e || y < s || y > n) continue;
    if (booleanPointInPolygon(p.centre, shape)) inside.push(p.id);
  }
  return inside;
}

/**
 * Buildings and compounds whose parcels lie in more than one grid, each with the grids it touches: the "split"
 * figures the panel lists and zooms to.
 */
export function splitUnits(
  parcels: Iterable<ParcelInfo>,
  gridOf: ReadonlyMap<number, string>,
  unit: "building" | "compound",
): Map<number, { grids: Set<string>; parcels: number[] }> {
  const byUnit = new Map<number, { grids: Set<string>; parcels: number[] }>();
  for (const p of parcels) {
    const k = unit === "building" ? p.building_id : p.compound_id;
    const g = gridOf.get(p.id);
    if (k === null || !g) continue;
    const entry = byUnit.get(k) ?? { grids: new Set<string>(), parcels: [] };
    entry.grids.add(g);
    entry.parcels.push(p.id);
    byUnit.set(k, entry);
  }
  for (const [k, v] of byUnit) if (v.grids.size < 2) byUnit.delete(k);
  return byUnit;
}

/** One point per grid to write its label at: the parcel centre nearest the mean of the grid's parcel centres. */
export function gridLabelPoints(
  parcels: ReadonlyMap<number, ParcelInfo>,
  gridOf: ReadonlyMap<number, string>,
): Map<string, LngLat> {
  const sums = new Map<string, { x: number; y: number; n: number; members: ParcelInfo[] }>();
  for (const [id, code] of gridOf) {
    const p = parcels.get(id);
    if (!p) continue;
    const s = sums.get(code) ?? { x: 0, y: 0, n: 0, members: [] };
    s.x += p.centre[0];
    s.y += p.centre[1];
    s.n += 1;
    s.members.push(p);
    sums.set(code, s);
  }
  const points = new Map<string, LngLat>();
  for (const [code, s] of sums) {
    const mx = s.x / s.n;
    const my = s.y / s.n;
    let best = s.members[0] as ParcelInfo;
    let bestD = Number.POSITIVE_INFINITY;
    for (const p of s.members) {
      const d = (p.centre[0] - mx) ** 2 + (p.centre[1] - my) ** 2;
      if (d < bestD) {
        bestD = d;
        best = p;
      }
    }
    points.set(code, best.centre);
  }
  return points;
}

/** The bounding box of some parcels' centres, widened a little so the parcels themselves fit. */
export function centresBBox(
  ids: Iterable<number>,
  parcels: ReadonlyMap<number, ParcelInfo>,
  pad = 0.0012,
): BBox | null {
  const ring: LngLat[] = [];
  for (const id of ids) {
    const p = parcels.get(id);
    if (p) ring.push(p.centre);
  }
  if (!ring.length) return null;
  return grow(bboxOfPoints(ring), 0, pad);
}

/** A grid needs attention when its households are out of the band, it is in pieces, or it splits a unit. */
export type ProblemFigures = {
  code: string;
  status: "under" | "ok" | "over";
  contiguous: boolean;
  buildings_split: number;
  compounds_split: number;
};

export const hasProblem = (g: ProblemFigures) =>
  g.status !== "ok" || !g.contiguous || g.buildings_split > 0 || g.compounds_split > 0;

/** The next grid with a problem after `current`, in code order, wrapping around; null when none has one. */
export function nextProblem(grids: Iterable<ProblemFigures>, current: string | null): string | null {
  const problems = [...grids]
    .filter(hasProblem)
    .map((g) => g.code)
    .sort();
  if (!problems.length) return null;
  return problems.find((c) => current === null || c > current) ?? (problems[0] as string);
}

/**
 * The proven lower bound on the community's grids out of band, from its latest rebalance that searched to the limit
 * (issue 19). The bound holds for every partition of the community's parcels under that band and over-full rule,
 * whatever was edited since, so it is set against the grids out of band now; a rebalance under another band than
 * the community's does not count.
 */
export function provenBound(
  history: readonly { action: string; state: string; summary: unknown }[],
  grid: Pick<GridFigures, "community_code" | "band_min" | "band_max">,
) {
  for (const h of history) {
    if (h.action !== "rebalance" || h.state === "undone") continue;
    const s = h.summary as {
      community?: string;
      band?: { min: number; max: number };
      over_full?: string;
      metrics?: { out_of_band_lower_bound?: number | null };
    } | null;
    const bound = s?.metrics?.out_of_band_lower_bound;
    if (s?.community !== grid.community_code || typeof bound !== "number") continue;
    if (s.band?.min !== grid.band_min || s.band?.max !== grid.band_max) continue;
    return { bound, min: grid.band_min, max: grid.band_max, keepBuildings: s.over_full === "keep" };
  }
  return null;
}
