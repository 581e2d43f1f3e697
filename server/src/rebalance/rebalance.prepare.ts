/**
 * The rebalancer's first stage: the input checked (every problem named, with the units concerned, in Chinese and
 * English) and one graph per community built, ready for the search and for the benchmark's METIS.
 */
import {
  type Adjacency,
  buildAdjacency,
  type LocalProjection,
  projectionFor,
  validateGeometry,
} from "./rebalance.geometry.ts";
import { buildCommunityGraph, type CommunityGraph, type SharedBoundary } from "./rebalance.graph.ts";
import {
  type ParsedRebalanceInput,
  type ParsedUnit,
  type RebalanceInput,
  rebalanceInputSchema,
} from "./rebalance.input.ts";
import type { CommunityProblem } from "./rebalance.problem.ts";

/** Something wrong with the input, naming the offending units; nothing is computed when there is any. */
export interface InputProblem {
  kind:
    | "invalid_input"
    | "duplicate_id"
    | "invalid_geometry"
    | "isolated_unit"
    | "locked_without_grid"
    | "unknown_locked_grid"
    | "grid_across_communities"
    | "grids_ambiguous"
    | "unknown_edge_unit";
  zh: string;
  en: string;
  units: string[];
}

/** One community ready for the search, also what the benchmark hands to METIS. */
export interface PreparedCommunity {
  problem: CommunityProblem;
  /** Input grid id of each local unit (null when it has none). */
  origIds: (string | null)[];
}

export interface Prepared {
  input: ParsedRebalanceInput;
  communities: PreparedCommunity[];
}

/**
 * Validates the input and builds one graph per community. Every problem found is reported, each with the ids of
 * the units concerned, in Chinese and English.
 */
export function prepareRebalance(
  raw: RebalanceInput,
): { ok: true; prepared: Prepared } | { ok: false; problems: InputProblem[] } {
  const parsed = rebalanceInputSchema.safeParse(raw);
  if (!parsed.success) {
    const byUnit = new Map<string, { en: string; zh: string }[]>();
    for (const issue of parsed.error.issues) {
      const [head, index, ...rest] = issue.path;
      const where =
        head === "units" && typeof index === "number"
          ? unitLabel((raw.units as unknown[])[index], index)
          : issue.path.join(".") || "input";
      const field = head === "units" ? rest.join(".") : "";
      const [en, zh = en] = issue.message.split("|") as [string, string?];
      const list = byUnit.get(where) ?? [];
      list.push({ en: `${field ? `${field}: ` : ""}${en}`, zh: `${field ? `${field}：` : ""}${zh}` });
      byUnit.set(where, list);
    }
    return {
      ok: false,
      problems: [...byUnit].map(([where, msgs]) => ({
        kind: "invalid_input",
        zh: `${where.replace(/^unit /, "单元 ")}：输入无效（${msgs.map((m) => m.zh).join("；")}）`,
        en: `${where}: invalid input (${msgs.map((m) => m.en).join("; ")})`,
        units: where.startsWith("unit ") && !where.startsWith("unit #") ? [where.slice(5)] : [],
      })),
    };
  }
  const input = parsed.data;
  const units = input.units;
  const problems: InputProblem[] = [];
  const seen = new Map<string, number>();
  const dups = new Set<string>();
  for (const u of units) {
    if (seen.has(u.id)) dups.add(u.id);
    seen.set(u.id, (seen.get(u.id) ?? 0) + 1);
  }
  if (dups.size) {
    const ids = [...dups];
    problems.push({
      kind: "duplicate_id",
      zh: `单元编号重复：${ids.join("、")}`,
      en: `duplicate unit ids: ${ids.join(", ")}`,
      units: ids,
    });
  }
  const geometries = units.flatMap((u) => (u.geometry ? [u.geometry] : []));
  const projection = projectionFor(geometries);
  const invalid: { id: string; zh: string; en: string }[] = [];
  for (const u of units) {
    if (!u.geometry) {
      if (!input.edges)
        invalid.push({ id: u.id, zh: "缺少多边形（未给出边表时必需）", en: "no polygon (required without edges)" });
      continue;
    }
    const v = validateGeometry(u.geometry, projection);
    if (!v.valid) invalid.push({ id: u.id, zh: v.zh, en: v.en });
  }
  const indexOf = new Map(units.map((u, i) => [u.id, i]));
  const unknownEnds = [...new Set((input.edges ?? []).flatMap((e) => [e.a, e.b]).filter((id) => !indexOf.has(id)))];
  if (unknownEnds.length) {
    problems.push({
      kind: "unknown_edge_unit",
      zh: `边表中的单元不存在：${unknownEnds.join("、")}`,
      en: `edges name units that are not in the input: ${unknownEnds.join(", ")}`,
      units: unknownEnds,
    });
  }
  if (invalid.length) {
    problems.push({
      kind: "invalid_geometry",
      zh: `多边形无效：${invalid.map((i) => `${i.id}（${i.zh}）`).join("；")}`,
      en: `invalid polygons: ${invalid.map((i) => `${i.id} (${i.en})`).join("; ")}`,
      units: invalid.map((i) => i.id),
    });
  }
  const lockedNoGrid = units.filter((u) => u.locked && u.grid === null).map((u) => u.id);
  if (lockedNoGrid.length) {
    problems.push({
      kind: "locked_without_grid",
      zh: `锁定的单元没有当前网格，无法保持：${lockedNoGrid.join("、")}`,
      en: `locked units without a current grid to keep: ${lockedNoGrid.join(", ")}`,
      units: lockedNoGrid,
    });
  }
  const gridCommunity = new Map<string, Set<string>>();
  for (const u of units) {
    if (u.grid === null) continue;
    const set = gridCommunity.get(u.grid) ?? new Set();
    set.add(u.community ?? "");
    gridCommunity.set(u.grid, set);
  }
  for (const [grid, set] of gridCommunity) {
    if (set.size < 2) continue;
    const list = [...set].map((c) => c || "(none)").join(", ");
    problems.push({
      kind: "grid_across_communities",
      zh: `网格 ${grid} 的单元分属多个社区（${list}）；网格不能跨社区`,
      en: `grid ${grid} has units in several communities (${list}); a grid never crosses a community`,
      units: units.filter((u) => u.grid === grid).map((u) => u.id),
    });
  }
  const unknownLocked = input.locked_grids.filter((g) => !gridCommunity.has(g));
  if (unknownLocked.length) {
    problems.push({
      kind: "unknown_locked_grid",
      zh: `要锁定的网格不存在：${unknownLocked.join("、")}`,
      en: `locked grids that no unit is in: ${unknownLocked.join(", ")}`,
      units: [],
    });
  }
  const communityKeys = [...new Set(units.map((u) => u.community ?? ""))].sort();
  if (typeof input.grids === "number" && communityKeys.length > 1) {
    problems.push({
      kind: "grids_ambiguous",
      zh: `单元属于 ${communityKeys.length} 个社区，网格数须按社区给出（社区=数量）`,
      en: `the units belong to ${communityKeys.length} communities: give the number of grids per community (community=count)`,
      units: [],
    });
  }
  if (problems.length) return { ok: false, problems };

  const adjacency = input.edges
    ? adjacencyFromEdges(units, input.edges, indexOf, projection)
    : buildAdjacency(geometries, projection, input.tolerance_m);
  const communityOf = units.map((u) => u.community ?? "");
  const inside = adjacency.pairs.filter((p) => communityOf[p.a] === communityOf[p.b]);
  const degree = new Int32Array(units.length);
  for (const p of inside) {
    degree[p.a]!++;
    degree[p.b]!++;
  }
  const size = new Map<string, number>();
  for (const c of communityOf) size.set(c, (size.get(c) ?? 0) + 1);
  const isolated = units.filter((_u, i) => degree[i] === 0 && size.get(communityOf[i]!)! > 1).map((u) => u.id);
  if (isolated.length) {
    return {
      ok: false,
      problems: [
        {
          kind: "isolated_unit",
          zh: `单元与本社区任何单元都没有共同边界（只接触于一点也不算）：${isolated.join("、")}`,
          en: `units that share no boundary with any unit of their community (touching at a point does not count): ${isolated.join(", ")}`,
          units: isolated,
        },
      ],
    };
  }

  const lockedGrids = new Set(input.locked_grids);
  const communities: PreparedCommunity[] = communityKeys.map((key, ci) => {
    const community = key === "" ? null : key;
    const band = input.bands[key] ?? input.band;
    const indexes: number[] = [];
    communityOf.forEach((c, i) => {
      if (c === key) indexes.push(i);
    });
    const members = indexes.map((i) => ({
      index: i,
      households: units[i]!.households,
      building: units[i]!.building,
      compound: units[i]!.compound,
      block: units[i]!.block,
    }));
    const g = buildCommunityGraph(
      community,
      band,
      members,
      inside,
      adjacency.perimeter_m,
      adjacency.centroidX,
      adjacency.centroidY,
      adjacency.area_m2,
    );
    return {
      problem: communityProblem(
        g,
        indexes.map((i) => units[i]!),
        input,
        lockedGrids,
        ci,
      ),
      origIds: indexes.map((i) => units[i]!.grid),
    };
  });
  return { ok: true, prepared: { input, communities } };
}

/**
 * Adjacency from the caller's edges; perimeters from `outer_m` plus the shared lengths (or the polygon), areas and
 * centroids from `area_m2` or the polygon when there is one (a unit without either counts as 0 m² at the origin).
 */
function adjacencyFromEdges(
  units: readonly ParsedUnit[],
  edges: NonNullable<ParsedRebalanceInput["edges"]>,
  indexOf: ReadonlyMap<string, number>,
  projection: LocalProjection,
): Adjacency & { pairs: SharedBoundary[] } {
  const n = units.length;
  const byPair = new Map<number, SharedBoundary>();
  for (const e of edges) {
    const i = indexOf.get(e.a)!;
    const j = indexOf.get(e.b)!;
    if (i === j) continue;
    const a = Math.min(i, j);
    const b = Math.max(i, j);
    const k = a * n + b;
    const known = byPair.get(k);
    if (known) known.length_m += e.length_m;
    else byPair.set(k, { a, b, length_m: e.length_m, on_road: e.on_road });
  }
  const pairs = [...byPair.values()].sort((p, q) => p.a - q.a || p.b - q.b);
  const own = buildAdjacency(
    units.map((u) => u.geometry ?? { type: "Polygon", coordinates: [] }),
    projection,
    0,
    false,
  );
  const shared = new Float64Array(n);
  for (const p of pairs) {
    shared[p.a]! += p.length_m;
    shared[p.b]! += p.length_m;
  }
  const perimeter_m = Float64Array.from(units, (u, i) =>
    u.outer_m !== undefined ? u.outer_m + shared[i]! : own.perimeter_m[i]!,
  );
  const area_m2 = Float64Array.from(units, (u, i) => u.area_m2 ?? own.area_m2[i]!);
  return { pairs, perimeter_m, centroidX: own.centroidX, centroidY: own.centroidY, area_m2 };
}

function unitLabel(unit: unknown, index: number): string {
  const id = (unit as { id?: unknown } | undefined)?.id;
  return typeof id === "string" || typeof id === "number" ? `unit ${id}` : `unit #${index + 1}`;
}

function communityProblem(
  g: CommunityGraph,
  units: readonly ParsedUnit[],
  input: ParsedRebalanceInput,
  lockedGrids: ReadonlySet<string>,
  communityIndex: number,
): CommunityProblem {
  const currentIds = [...new Set(units.map((u) => u.grid).filter((x): x is string => x !== null))].sort();
  const slotOf = new Map(currentIds.map((id, i) => [id, i]));
  const orig = Int32Array.from(units.map((u) => (u.grid === null ? -1 : slotOf.get(u.grid)!)));
  const lockedSlots = new Set<number>();
  currentIds.forEach((id, i) => {
    if (lockedGrids.has(id)) lockedSlots.add(i);
  });
  const denseIds = (key: (u: ParsedUnit) => string | null) => {
    const out: string[] = [];
    const seen = new Set<string>();
    for (const u of units) {
      const k = key(u);
      if (k !== null && !seen.has(k)) {
        seen.add(k);
        out.push(k);
      }
    }
    return out;
  };
  const key = g.community ?? "";
  const compoundIds = denseIds((u) => u.compound);
  const grids = typeof input.grids === "number" ? input.grids : input.grids?.[key];
  return {
    g,
    unitIds: units.map((u) => u.id),
    buildingIds: denseIds((u) => u.building),
    compoundIds,
    compoundNames: compoundIds.map((id) => input.compound_names[id] ?? id),
    mode: input.mode,
    currentIds,
    orig,
    lockedUnit: Uint8Array.from(units.map((u) => (u.locked ? 1 : 0))),
    lockedSlots,
    grids,
    // Each community gets its own stream, so one community's result does not depend on the others.
    seed: (input.seed * 1_000_003 + communityIndex * 7919) | 0,
  };
}
