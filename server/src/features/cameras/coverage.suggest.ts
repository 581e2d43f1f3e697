import { CAMERA_TYPE_DEFAULTS, type CameraType } from "@gridatlas/geodata/cameras.ts";
import type { Geometry } from "geojson";
import type { Db } from "../../db/db.ts";
import { notFound } from "../../errors.ts";
import {
  type Interval,
  insideRing,
  intersectIntervals,
  lengthOf,
  pointAlong,
  unionIntervals,
  type XY,
} from "./coverage.geometry.ts";
import {
  communityFrame,
  insideCommunity,
  type KeyPlaceKind,
  keyPlacesOf,
  prepareCoverage,
  publishedGrids,
  ROAD_CLASSES,
  type RoadClass,
  roadGaps,
  type Scenario,
  toLngLat,
} from "./coverage.queries.ts";
import { FULL_SWEEP_TYPES, loadSurroundings, type MetricRoad, parseMultirange } from "./coverage.views.ts";

/** Which of the candidate sets a search picked, and what they cover together. */
export type Choice = { chosen: number[]; greedy_value: number; value: number; swaps: number };

/** The total weight of the elements covered by the chosen sets, each element once. */
export function coveredValue(
  sets: readonly (readonly number[])[],
  weights: readonly number[],
  chosen: readonly number[],
): number {
  const covered = new Uint8Array(weights.length);
  let value = 0;
  for (const j of chosen) {
    for (const e of sets[j]!) {
      if (covered[e]) continue;
      covered[e] = 1;
      value += weights[e]!;
    }
  }
  return value;
}

/**
 * Maximal covering: up to k sets whose union weighs most. Greedy (each step takes the set adding most weight,
 * which guarantees at least 1 − 1/e of the optimum), then a local search that swaps one chosen set for one
 * unchosen while that adds weight. Stops early when nothing adds weight.
 */
export function chooseSites(
  sets: readonly (readonly number[])[],
  weights: readonly number[],
  k: number,
  maxSwaps = 200,
): Choice {
  const count = new Int32Array(weights.length);
  const chosen: number[] = [];
  const taken = new Uint8Array(sets.length);
  let value = 0;
  for (let step = 0; step < k; step++) {
    let best = -1;
    let bestGain = 1e-9;
    for (let j = 0; j < sets.length; j++) {
      if (taken[j]) continue;
      let gain = 0;
      for (const e of sets[j]!) if (count[e] === 0) gain += weights[e]!;
      if (gain > bestGain) {
        bestGain = gain;
        best = j;
      }
    }
    if (best < 0) break;
    chosen.push(best);
    taken[best] = 1;
    value += bestGain;
    for (const e of sets[best]!) count[e]!++;
  }
  const greedyValue = value;

  let swaps = 0;
  const inOut = new Uint8Array(weights.length);
  let improved = true;
  while (improved && swaps < maxSwaps) {
    improved = false;
    for (let p = 0; p < chosen.length && swaps < maxSwaps; p++) {
      const out = chosen[p]!;
      let loss = 0;
      for (const e of sets[out]!) {
        inOut[e] = 1;
        if (count[e] === 1) loss += weights[e]!;
      }
      let best = -1;
      let bestDelta = 1e-9;
      for (let j = 0; j < sets.length; j++) {
        if (taken[j]) continue;
        let gain = 0;
        for (const e of sets[j]!) if (count[e] === 0 || (count[e] === 1 && inOut[e])) gain += weights[e]!;
        if (gain - loss > bestDelta) {
          bestDelta = gain - loss;
          best = j;
        }
      }
      for (const e of sets[out]!) inOut[e] = 0;
      if (best < 0) continue;
      for (const e of sets[out]!) count[e]!--;
      for (const e of sets[best]!) count[e]!++;
      taken[out] = 0;
      taken[best] = 1;
      chosen[p] = best;
      value += bestDelta;
      swaps++;
      improved = true;
    }
  }
  return { chosen, greedy_value: greedyValue, value, swaps };
}

/** Chosen sets in the order a greedy pass would take them, each with the weight it adds to those before it. */
export function rankChosen(
  sets: readonly (readonly number[])[],
  weights: readonly number[],
  chosen: readonly number[],
): { set: number; gain: number; elements: number[] }[] {
  const covered = new Uint8Array(weights.length);
  const left = [...chosen];
  const out: { set: number; gain: number; elements: number[] }[] = [];
  while (left.length) {
    let bestAt = 0;
    let bestGain = -1;
    left.forEach((j, at) => {
      let gain = 0;
      for (const e of sets[j]!) if (!covered[e]) gain += weights[e]!;
      if (gain > bestGain) {
        bestGain = gain;
        bestAt = at;
      }
    });
    const j = left.splice(bestAt, 1)[0]!;
    const elements = sets[j]!.filter((e) => !covered[e]);
    for (const e of elements) covered[e] = 1;
    out.push({ set: j, gain: bestGain, elements });
  }
  return out;
}

export type SuggestWeights = { arterial: number; secondary: number; local: number; key_place: number };

export type SuggestInput = {
  community: string;
  k: number;
  type: CameraType;
  range_m?: number | undefined;
  view_width_deg?: number | undefined;
  /** Count planned cameras as built, so that suggestions add to the plan rather than repeat it. */
  include_planned: boolean;
  /** Blind stretches at least this long get candidate sites along them. */
  min_length_m: number;
  weights: SuggestWeights;
  key_categories: readonly string[];
};

export type SiteKind = "intersection" | "gate" | "school_gate" | "road";

/** One way to place a camera: a site and a bearing, with what it would see. */
export type Candidate = {
  site: SiteKind;
  x: number;
  y: number;
  bearing_deg: number;
  ring: XY[];
  /** Elements of the instance it covers. */
  elements: number[];
};

/** An element of the covering instance: a piece of uncovered road, or an uncovered key place. */
export type Element =
  | { kind: "road"; road_id: number; class: RoadClass; from_m: number; to_m: number }
  | { kind: "place"; key: string; place_kind: KeyPlaceKind };

/** The covering problem of one community: candidates, the elements they cover, and the weight of each. */
export type Instance = {
  srid: number;
  scenario: Scenario;
  view: { type: CameraType; view_width_deg: number; range_m: number };
  candidates: Candidate[];
  sets: number[][];
  elements: Element[];
  weights: number[];
  road_length_m: number;
  road_uncovered_m: number;
  key_places: number;
  key_places_seen: number;
};

/** Candidate sites along a blind stretch: one every this many metres at most. */
const STRETCH_SPACING_M = 30;
/** Candidate sites closer than this to one already listed are the same site. */
const SAME_SITE_M = 2;

/** Bearings of the roads passing within a metre of a point, both ways along each. */
function roadBearings(roads: readonly MetricRoad[], x: number, y: number): number[] {
  const out: number[] = [];
  for (const r of roads) {
    const c = r.line.coords;
    for (let i = 0; i + 1 < c.length; i++) {
      const [ax, ay] = c[i]!;
      const [bx, by] = c[i + 1]!;
      const ex = bx - ax;
      const ey = by - ay;
      const len2 = ex * ex + ey * ey;
      if (len2 === 0) continue;
      const t = Math.max(0, Math.min(1, ((x - ax) * ex + (y - ay) * ey) / len2));
      if (Math.hypot(ax + t * ex - x, ay + t * ey - y) > 1) continue;
      const b = ((Math.atan2(ex, ey) * 180) / Math.PI + 360) % 360;
      out.push(Math.round(b * 10) / 10, Math.round(((b + 180) % 360) * 10) / 10);
    }
  }
  return out;
}

/**
 * Builds the maximal covering instance of a community: the stretches of its roads and the key places that no
 * counting camera sees are the elements (a metre of road weighs its class's weight, a key place `key_place`);
 * candidate sites are its intersections and gates and points along blind stretches at least `min_length_m`
 * long, each with one view for a dome or PTZ camera, or with the eight compass bearings and the bearings along
 * its roads for a directional one. Expects fresh views in the same transaction.
 */
export async function coveringInstance(db: Db, input: SuggestInput): Promise<Instance> {
  const grids = (await publishedGrids(db, [input.community])).map((g) => g.id);
  const frame = await communityFrame(db, input.community);
  if (!frame || !grids.length) {
    throw notFound(`没有编码为 ${input.community} 的社区网格`, `no grids of community ${input.community}`);
  }
  await prepareCoverage(db, grids);
  const scenario: Scenario = input.include_planned ? "planned" : "current";
  const d = CAMERA_TYPE_DEFAULTS[input.type];
  const view = {
    type: input.type,
    view_width_deg: FULL_SWEEP_TYPES.has(input.type) ? 360 : (input.view_width_deg ?? d.view_width_deg),
    range_m: input.range_m ?? d.range_m,
  };
  const gapRows = await roadGaps(db, grids, scenario);
  const places = await keyPlacesOf(db, grids, frame.srid, scenario, input.key_categories);
  const [x0, y0, x1, y1] = frame.box;
  const around = await loadSurroundings(db, frame.srid, [
    [(x0 + x1) / 2, (y0 + y1) / 2, Math.max(x1 - x0, y1 - y0) / 2 + view.range_m],
  ]);
  const roadById = new Map(around.roads.map((r) => [r.id, r]));

  const elements: Element[] = [];
  const weights: number[] = [];
  const gaps = new Map<number, { class: RoadClass; gaps: Interval[] }>();
  let roadLength = 0;
  let uncovered = 0;
  for (const g of gapRows) {
    const along = parseMultirange(g.along);
    const gs = parseMultirange(g.gaps);
    roadLength += lengthOf(along);
    uncovered += lengthOf(gs);
    if (gs.length) gaps.set(g.road_id, { class: g.class, gaps: gs });
  }
  const placeElement = new Map<string, number>();
  for (const p of places) {
    if (p.seen) continue;
    placeElement.set(p.key, elements.length);
    elements.push({ kind: "place", key: p.key, place_kind: p.kind });
    weights.push(input.weights.key_place);
  }

  const sites: { site: SiteKind; x: number; y: number }[] = [];
  const addSite = (site: SiteKind, x: number, y: number) => {
    if (sites.some((s) => Math.hypot(s.x - x, s.y - y) < SAME_SITE_M)) return;
    sites.push({ site, x, y });
  };
  for (const p of places) if (p.kind !== "venue") addSite(p.kind, p.x, p.y);
  for (const [roadId, g] of gaps) {
    const road = roadById.get(roadId);
    if (!road) continue;
    for (const [a, b] of g.gaps) {
      if (b - a < input.min_length_m) continue;
      const n = Math.max(1, Math.ceil((b - a) / STRETCH_SPACING_M));
      for (let i = 0; i < n; i++) {
        const [x, y] = pointAlong(road.line, a + ((i + 0.5) * (b - a)) / n);
        addSite("road", x, y);
      }
    }
  }

  const inside = await insideCommunity(
    db,
    input.community,
    frame.srid,
    sites.map((s) => [s.x, s.y]),
  );
  for (const [i, [x, y]] of inside.entries()) Object.assign(sites[i]!, { x, y });

  // Each candidate's covered road pieces; the pieces' ends cut the gaps into the elements.
  const raw: { site: (typeof sites)[number]; bearing: number; ring: XY[]; pieces: Map<number, Interval[]> }[] = [];
  for (const s of sites) {
    const bearings = FULL_SWEEP_TYPES.has(input.type)
      ? [0]
      : [...new Set([0, 45, 90, 135, 180, 225, 270, 315, ...roadBearings(around.roads, s.x, s.y)])];
    for (const bearing of bearings) {
      const v = around.view({ id: 0, x: s.x, y: s.y, bearing_deg: bearing, ...view });
      const pieces = new Map<number, Interval[]>();
      for (const r of v.roads) {
        const g = gaps.get(r.road_id);
        if (!g) continue;
        const inGap = intersectIntervals(unionIntervals(r.seen), g.gaps);
        if (inGap.length) pieces.set(r.road_id, inGap);
      }
      raw.push({ site: s, bearing, ring: v.ring, pieces });
    }
  }
  const cutsByRoad = new Map<number, number[]>();
  for (const [roadId, g] of gaps) cutsByRoad.set(roadId, g.gaps.flat());
  for (const c of raw) for (const [roadId, ps] of c.pieces) cutsByRoad.get(roadId)!.push(...ps.flat());
  const atomStart = new Map<number, { cuts: number[]; first: number }>();
  for (const [roadId, cuts] of cutsByRoad) {
    const sorted = [...new Set(cuts)].sort((a, b) => a - b);
    const g = gaps.get(roadId)!;
    const first = elements.length;
    for (let i = 0; i + 1 < sorted.length; i++) {
      const from = sorted[i]!;
      const to = sorted[i + 1]!;
      const mid = (from + to) / 2;
      const inGap = g.gaps.some(([a, b]) => mid > a && mid < b);
      elements.push({ kind: "road", road_id: roadId, class: g.class, from_m: from, to_m: to });
      weights.push(inGap ? (to - from) * input.weights[g.class] : 0);
    }
    atomStart.set(roadId, { cuts: sorted, first });
  }

  const candidates: Candidate[] = [];
  const sets: number[][] = [];
  for (const c of raw) {
    const set: number[] = [];
    for (const [roadId, ps] of c.pieces) {
      const a = atomStart.get(roadId)!;
      for (const [from, to] of ps) {
        for (let i = lowerBound(a.cuts, from); i < a.cuts.length - 1 && a.cuts[i]! < to; i++) {
          if (weights[a.first + i]! > 0) set.push(a.first + i);
        }
      }
    }
    for (const p of places) {
      const e = placeElement.get(p.key);
      if (e !== undefined && insideRing(c.ring, p.x, p.y)) set.push(e);
    }
    if (!set.length) continue;
    candidates.push({
      site: c.site.site,
      x: c.site.x,
      y: c.site.y,
      bearing_deg: c.bearing,
      ring: c.ring,
      elements: set,
    });
    sets.push(set);
  }
  return {
    srid: frame.srid,
    scenario,
    view,
    candidates,
    sets,
    elements,
    weights,
    road_length_m: roadLength,
    road_uncovered_m: uncovered,
    key_places: places.length,
    key_places_seen: places.filter((p) => p.seen).length,
  };
}

function lowerBound(xs: readonly number[], v: number): number {
  let lo = 0;
  let hi = xs.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (xs[mid]! < v) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

const share = (part: number, whole: number) => (whole > 0 ? part / whole : null);
const round = (m: number) => Math.round(m * 10) / 10;

/**
 * Suggests up to k new camera sites for a community that add the most weighted uncovered road and key places
 * (see coveringInstance and chooseSites), each with its view, the weight it adds to the sites ranked before it,
 * and the community's coverage before and after.
 */
export async function suggestSites(db: Db, input: SuggestInput) {
  const inst = await coveringInstance(db, input);
  const choice = chooseSites(inst.sets, inst.weights, input.k);
  const ranked = rankChosen(inst.sets, inst.weights, choice.chosen);
  const geoms = await toLngLat(db, inst.srid, [
    ...ranked.map(
      (r): Geometry => ({ type: "Polygon", coordinates: [inst.candidates[r.set]!.ring.map(([x, y]) => [x, y])] }),
    ),
    ...ranked.map(
      (r): Geometry => ({ type: "Point", coordinates: [inst.candidates[r.set]!.x, inst.candidates[r.set]!.y] }),
    ),
  ]);
  let addedRoad = 0;
  let addedPlaces = 0;
  const sites = ranked.map((r, i) => {
    const c = inst.candidates[r.set]!;
    const road: Record<RoadClass, number> = { arterial: 0, secondary: 0, local: 0 };
    let places = 0;
    for (const e of r.elements) {
      const el = inst.elements[e]!;
      if (el.kind === "road") road[el.class] += el.to_m - el.from_m;
      else places++;
    }
    for (const cls of ROAD_CLASSES) {
      addedRoad += road[cls];
      road[cls] = round(road[cls]);
    }
    addedPlaces += places;
    return {
      rank: i + 1,
      site: c.site,
      geometry: geoms[ranked.length + i]!,
      type: inst.view.type,
      bearing_deg: c.bearing_deg,
      view_width_deg: inst.view.view_width_deg,
      range_m: inst.view.range_m,
      view: geoms[i]!,
      gain: round(r.gain),
      road_added_m: road,
      key_places_added: places,
    };
  });
  const covered = inst.road_length_m - inst.road_uncovered_m;
  return {
    community: input.community,
    scenario: inst.scenario,
    sites,
    gain: round(choice.value),
    before: {
      road_covered_share: share(covered, inst.road_length_m),
      key_places_covered_share: share(inst.key_places_seen, inst.key_places),
    },
    after: {
      road_covered_share: share(covered + addedRoad, inst.road_length_m),
      key_places_covered_share: share(inst.key_places_seen + addedPlaces, inst.key_places),
    },
    search: {
      candidates: inst.candidates.length,
      greedy_gain: round(choice.greedy_value),
      gain: round(choice.value),
      swaps: choice.swaps,
    },
  };
}
