import type { OverFullRule } from "./rebalance.exact.ts";
import type { Explanation } from "./rebalance.explain.ts";
import { bandDeviation, type CommunityGraph, components } from "./rebalance.graph.ts";
import type { Band, RebalanceInput } from "./rebalance.input.ts";
import { type LimitReport, solveCommunityToLimit, withOverFullRule } from "./rebalance.polish.ts";
import { type InputProblem, type Prepared, type PreparedCommunity, prepareRebalance } from "./rebalance.prepare.ts";
import type { CommunitySolution } from "./rebalance.solve.ts";
import { solveCommunity } from "./rebalance.solve.ts";

export type { Explanation } from "./rebalance.explain.ts";
// The engine's callers (CLI, worker, server, benchmark) import everything from here.
export { type InputProblem, type Prepared, type PreparedCommunity, prepareRebalance } from "./rebalance.prepare.ts";

/** A grid of the result. `units` is the number of units; which ones is in `assignment`. */
export interface ResultGrid {
  id: string;
  community: string | null;
  households: number;
  units: number;
  contiguous: boolean;
  status: "under" | "ok" | "over";
  locked: boolean;
  /** Perimeter of the grid in metres, the community's outline included. */
  boundary_m: number;
  /** Share of that perimeter on roads or water: block edges and the community's outline. */
  boundary_on_roads_share: number;
  area_m2: number;
  /** Compactness 4π·area / perimeter² (1 for a disc), as the editor shows it. */
  polsby_popper: number;
}

/**
 * What a partition achieves. `boundary_length_m` is the length of boundary between grids (each shared stretch
 * once; the community outlines, which no partition changes, are left out) and `boundary_on_roads_share` the share
 * of it that separates different blocks, i.e. follows a road or water. Moves count against the input's `grid`.
 */
export interface RebalanceMetrics {
  grids: number;
  out_of_band: number;
  non_contiguous: number;
  buildings_split: number;
  compounds_split: number;
  boundary_length_m: number;
  boundary_on_roads_share: number;
  households_moved: number;
  units_moved: number;
  seconds: number;
  /**
   * No plan under the band and over-full rules has fewer grids out of band (issue 19's proof); present only when
   * the search ran to the limit, null where it could not be computed. Summed over communities.
   */
  out_of_band_lower_bound?: number | null;
}

/** A grid out of band, or in pieces, in the returned assignment. */
export interface Violation {
  grid: string;
  community: string | null;
  kind: "under" | "over" | "non_contiguous";
  households: number;
  /** Households below the minimum or above the maximum; 0 for non_contiguous. */
  margin: number;
}

export interface CommunityResult {
  community: string | null;
  households: number;
  band: Band;
  /** Grid counts whose average fits the band; null when none does. */
  feasible_grids: { min: number; max: number } | null;
  metrics: RebalanceMetrics;
  /** How the search to the limit went (absent for the fast answer alone). */
  limit?: {
    status: LimitReport["status"];
    first_answer_seconds: number;
    rounds: number;
    candidates: number;
    bound_status: LimitReport["bound"]["status"];
    bound_seconds: number;
    /** The fast answer's grids out of band and buildings split into pieces, for comparison. */
    fast_out_of_band: number;
    fast_building_pieces: number;
  };
}

/** The CLI's JSON output, and what the worker returns to the server. */
export interface RebalanceResult {
  mode: "full" | "repair";
  seed: number;
  /** Unit id → grid id. */
  assignment: Record<string, string>;
  grids: ResultGrid[];
  metrics: RebalanceMetrics;
  communities: CommunityResult[];
  explanations: Explanation[];
  violations: Violation[];
}

export type RebalanceOutcome = { ok: true; result: RebalanceResult } | { ok: false; problems: InputProblem[] };

export interface RebalanceProgress {
  stage: "adjacency" | "solve" | "done";
  community: string | null;
  /** Communities finished, of `total`. */
  done: number;
  total: number;
}

/**
 * Rebalances the grids of every community in the input (each on its own: a grid never crosses a community).
 * Deterministic for a given input and seed. Runs synchronously; the server calls it in a worker thread
 * ({@link ../rebalance.run.ts}).
 */
export function rebalance(raw: RebalanceInput, onProgress?: (p: RebalanceProgress) => void): RebalanceOutcome {
  const t0 = performance.now();
  onProgress?.({ stage: "adjacency", community: null, done: 0, total: 0 });
  const prep = prepareRebalance(raw);
  if (!prep.ok) return prep;
  const { communities } = prep.prepared;
  const total = communities.length;
  const solved = communities.map((c, i) => {
    onProgress?.({ stage: "solve", community: c.problem.g.community, done: i, total });
    const c0 = performance.now();
    const solution = withOverFullRule(c.problem, solveCommunity(c.problem), prep.prepared.input.over_full);
    return { c, solution, seconds: (performance.now() - c0) / 1000 };
  });
  onProgress?.({ stage: "done", community: null, done: total, total });
  return { ok: true, result: assemble(prep.prepared, solved, t0) };
}

/** How far {@link rebalanceToLimit} goes. */
export interface LimitSettings {
  /** Time per community, the fast answer included (default 10 s). */
  budget_ms?: number;
  /** The input's rule when not given. */
  over_full?: OverFullRule;
  /** Polled between steps: true keeps the best so far and stops. */
  shouldStop?: () => boolean;
}

/**
 * The rebalancer at the achievable limit (issue 19): per community the fast answer of {@link rebalance}, then the
 * exact cover and local search within the budget, with the proven lower bound on grids out of band. Progress
 * reports the share of the budget spent as `done` of `total` = 1000 per community.
 */
export async function rebalanceToLimit(
  raw: RebalanceInput,
  settings: LimitSettings = {},
  onProgress?: (p: RebalanceProgress) => void,
): Promise<RebalanceOutcome> {
  const t0 = performance.now();
  onProgress?.({ stage: "adjacency", community: null, done: 0, total: 0 });
  const prep = prepareRebalance(raw);
  if (!prep.ok) return prep;
  const { communities } = prep.prepared;
  const total = communities.length * 1000;
  const solved: Solved[] = [];
  for (const [i, c] of communities.entries()) {
    const c0 = performance.now();
    const report = (fraction: number) =>
      onProgress?.({
        stage: "solve",
        community: c.problem.g.community,
        done: i * 1000 + Math.round(fraction * 1000),
        total,
      });
    report(0);
    const solution = await solveCommunityToLimit(c.problem, {
      budget_ms: settings.budget_ms ?? 10_000,
      over_full: settings.over_full ?? prep.prepared.input.over_full,
      ...(settings.shouldStop ? { shouldStop: settings.shouldStop } : {}),
      onProgress: report,
    });
    solved.push({ c, solution, seconds: (performance.now() - c0) / 1000 });
  }
  onProgress?.({ stage: "done", community: null, done: total, total });
  return { ok: true, result: assemble(prep.prepared, solved, t0) };
}

interface Solved {
  c: PreparedCommunity;
  solution: CommunitySolution & { report?: LimitReport };
  seconds: number;
}

function assemble(prepared: Prepared, solved: readonly Solved[], t0: number): RebalanceResult {
  const { input } = prepared;
  const assignment: Record<string, string> = {};
  const grids: ResultGrid[] = [];
  const results: CommunityResult[] = [];
  const explanations: Explanation[] = [];
  const violations: Violation[] = [];
  for (const { c, solution, seconds } of solved) {
    const { problem, origIds } = c;
    const ids = problem.currentIds;
    const lockedIds = new Set([...problem.lockedSlots].map((s) => ids[s]!));
    const gridOf = Array.from(solution.part, (s) => solution.slotIds[s]!);
    const measured = measureCommunity(problem.g, gridOf, origIds, lockedIds);
    measured.metrics.seconds = seconds;
    const report = solution.report;
    if (report) measured.metrics.out_of_band_lower_bound = report.bound.out_of_band_lower_bound;
    problem.unitIds.forEach((id, u) => {
      assignment[id] = gridOf[u]!;
    });
    grids.push(...measured.grids);
    violations.push(...measured.violations);
    explanations.push(...solution.explanations);
    results.push({
      community: problem.g.community,
      households: problem.g.hh.reduce((a, b) => a + b, 0),
      band: problem.g.band,
      feasible_grids: solution.feasibleGrids,
      metrics: measured.metrics,
      ...(report
        ? {
            limit: {
              status: report.status,
              first_answer_seconds: round(report.first_answer_seconds, 3),
              rounds: report.rounds,
              candidates: report.candidates,
              bound_status: report.bound.status,
              bound_seconds: round(report.bound.seconds, 3),
              fast_out_of_band: report.fast_cost[1],
              fast_building_pieces: report.fast_cost[2],
            },
          }
        : {}),
    });
  }
  const metrics = sumMetrics(results.map((r) => r.metrics));
  metrics.seconds = (performance.now() - t0) / 1000;
  return {
    mode: input.mode,
    seed: input.seed,
    assignment,
    grids,
    metrics,
    communities: results,
    explanations,
    violations,
  };
}

/** Adds up community metrics; the road share is weighted by boundary length. */
export function sumMetrics(parts: readonly RebalanceMetrics[]): RebalanceMetrics {
  const m: RebalanceMetrics = {
    grids: 0,
    out_of_band: 0,
    non_contiguous: 0,
    buildings_split: 0,
    compounds_split: 0,
    boundary_length_m: 0,
    boundary_on_roads_share: 0,
    households_moved: 0,
    units_moved: 0,
    seconds: 0,
  };
  let onRoads = 0;
  for (const p of parts) {
    m.grids += p.grids;
    m.out_of_band += p.out_of_band;
    m.non_contiguous += p.non_contiguous;
    m.buildings_split += p.buildings_split;
    m.compounds_split += p.compounds_split;
    m.boundary_length_m += p.boundary_length_m;
    onRoads += p.boundary_on_roads_share * p.boundary_length_m;
    m.households_moved += p.households_moved;
    m.units_moved += p.units_moved;
    m.seconds += p.seconds;
    if (p.out_of_band_lower_bound !== undefined)
      m.out_of_band_lower_bound =
        p.out_of_band_lower_bound === null || m.out_of_band_lower_bound === null
          ? null
          : (m.out_of_band_lower_bound ?? 0) + p.out_of_band_lower_bound;
  }
  m.boundary_on_roads_share = m.boundary_length_m > 0 ? onRoads / m.boundary_length_m : 1;
  return m;
}

/**
 * Measures an assignment of one community's units (grid id per local unit) — the engine's, or another
 * partitioner's in the benchmark — against the input grids.
 */
export function measureCommunity(
  g: CommunityGraph,
  gridOf: readonly string[],
  origIds: readonly (string | null)[],
  lockedIds: ReadonlySet<string> = new Set(),
): { metrics: RebalanceMetrics; grids: ResultGrid[]; violations: Violation[] } {
  const slot = new Map<string, number>();
  const part = Int32Array.from(gridOf, (id) => {
    let s = slot.get(id);
    if (s === undefined) {
      s = slot.size;
      slot.set(id, s);
    }
    return s;
  });
  const k = slot.size;
  const hh = new Float64Array(k);
  const size = new Int32Array(k);
  const perimeter = new Float64Array(k);
  const area = new Float64Array(k);
  const onRoads = new Float64Array(k);
  let cut = 0;
  let cutRoads = 0;
  let moved = 0;
  let movedUnits = 0;
  for (let u = 0; u < g.n; u++) {
    const s = part[u]!;
    hh[s]! += g.hh[u]!;
    size[s]!++;
    perimeter[s]! += g.outer_m[u]!;
    onRoads[s]! += g.outer_m[u]!;
    area[s]! += g.area_m2[u]!;
    if (origIds[u] !== null && origIds[u] !== gridOf[u]) {
      moved += g.hh[u]!;
      movedUnits++;
    }
    for (let e = g.xadj[u]!; e < g.xadj[u + 1]!; e++) {
      const v = g.adj[e]!;
      if (part[v] === s) continue;
      perimeter[s]! += g.len_m[e]!;
      if (g.road[e]) onRoads[s]! += g.len_m[e]!;
      if (v > u) {
        cut += g.len_m[e]!;
        if (g.road[e]) cutRoads += g.len_m[e]!;
      }
    }
  }
  const splitCount = (key: Int32Array, count: number) => {
    const grids = Array.from({ length: count }, () => new Set<number>());
    for (let u = 0; u < g.n; u++) if (key[u]! >= 0) grids[key[u]!]!.add(part[u]!);
    return grids.filter((s) => s.size > 1).length;
  };
  const ids = [...slot.keys()];
  const grids: ResultGrid[] = [];
  const violations: Violation[] = [];
  let outOfBand = 0;
  let nonContiguous = 0;
  ids.forEach((id, s) => {
    const contiguous = components(g, (u) => part[u] === s).length === 1;
    const d = bandDeviation(hh[s]!, g.band);
    const status = hh[s]! < g.band.min ? "under" : hh[s]! > g.band.max ? "over" : "ok";
    if (d > 0) {
      outOfBand++;
      violations.push({
        grid: id,
        community: g.community,
        kind: status as "under" | "over",
        households: hh[s]!,
        margin: d,
      });
    }
    if (!contiguous) {
      nonContiguous++;
      violations.push({ grid: id, community: g.community, kind: "non_contiguous", households: hh[s]!, margin: 0 });
    }
    grids.push({
      id,
      community: g.community,
      households: hh[s]!,
      units: size[s]!,
      contiguous,
      status,
      locked: lockedIds.has(id),
      boundary_m: round(perimeter[s]!),
      boundary_on_roads_share: perimeter[s]! > 0 ? round(onRoads[s]! / perimeter[s]!, 4) : 1,
      area_m2: round(area[s]!),
      polsby_popper: perimeter[s]! > 0 ? round((4 * Math.PI * area[s]!) / perimeter[s]! ** 2, 4) : 0,
    });
  });
  grids.sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  return {
    metrics: {
      grids: k,
      out_of_band: outOfBand,
      non_contiguous: nonContiguous,
      buildings_split: splitCount(g.building, g.buildingCount),
      compounds_split: splitCount(g.compound, g.compoundCount),
      boundary_length_m: round(cut),
      boundary_on_roads_share: cut > 0 ? round(cutRoads / cut, 4) : 1,
      households_moved: moved,
      units_moved: movedUnits,
      seconds: 0,
    },
    grids,
    violations,
  };
}

function round(x: number, digits = 1): number {
  const f = 10 ** digits;
  return Math.round(x * f) / f;
}
