import { bandDeviation, components, gridRange } from "./rebalance.graph.ts";
import type { Band } from "./rebalance.input.ts";
import type { Partition } from "./rebalance.partition.ts";
import { anchoredSlots, type CommunityProblem } from "./rebalance.problem.ts";

/**
 * Why the band cannot be met, or what the result could not achieve, in plain words. `severity` "error" means
 * some grid must end out of band whatever the assignment; "warning" that the search left one out of band although
 * no reason was proven; "info" that something is split because it is bigger than one grid.
 */
export interface Explanation {
  community: string | null;
  kind:
    | "band_infeasible"
    | "grid_count"
    | "oversized_unit"
    | "island"
    | "packing"
    | "locked_grid"
    | "locked_units"
    | "unit_stuck"
    | "non_contiguous"
    | "not_found"
    | "oversized_compound"
    | "oversized_building"
    | "out_of_band_bound"
    | "proven_out_of_band"
    | "not_proven"
    | "over_full";
  severity: "error" | "warning" | "info";
  zh: string;
  en: string;
  units?: string[];
  grids?: string[];
}

const fmt = (n: number) => Math.round(n).toLocaleString("en-US");

export function communityNames(community: string | null): { zh: string; en: string } {
  return community === null
    ? { zh: "这些单元", en: "the units" }
    : { zh: `社区 ${community}`, en: `community ${community}` };
}

/** How k grids of `households` fall outside the band: "+20 above" or "25 below" an average grid. */
function averageMiss(households: number, k: number, band: Band): { zh: string; en: string } {
  const avg = households / k;
  if (avg > band.max) {
    return {
      zh: `${k} 个网格平均 ${fmt(avg)} 户，超出上限 ${fmt(avg - band.max)} 户`,
      en: `${k} grid${k > 1 ? "s" : ""} would average ${fmt(avg)}, ${fmt(avg - band.max)} above the maximum`,
    };
  }
  return {
    zh: `${k} 个网格平均 ${fmt(avg)} 户，低于下限 ${fmt(band.min - avg)} 户`,
    en: `${k} grid${k > 1 ? "s" : ""} would average ${fmt(avg)}, ${fmt(band.min - avg)} below the minimum`,
  };
}

/** The band as words: "200–300". */
export function bandText(band: Band): string {
  return `${fmt(band.min)}–${fmt(band.max)}`;
}

/**
 * Explains why `households` cannot be cut into grids within the band at all (no whole number of grids has its
 * average in the band), naming the nearest counts on both sides. Null when some count fits.
 */
export function totalInfeasibility(households: number, band: Band): { zh: string; en: string } | null {
  const { lo, hi } = gridRange(households, band);
  if (lo <= hi) return null;
  const fewer = Math.max(1, hi);
  const more = lo;
  const a = averageMiss(households, fewer, band);
  const b = fewer === more ? null : averageMiss(households, more, band);
  return {
    zh: `${a.zh}${b ? `；${b.zh}` : ""}`,
    en: `${a.en}${b ? `; ${b.en}` : ""}`,
  };
}

/**
 * Whether the non-zero household counts can be grouped into exactly one of the grid counts in `ks`, every group
 * within the band, ignoring where the units lie: an exact check over subsets, for up to 12 units.
 * Returns null when there are too many units to decide.
 */
export function canPack(values: readonly number[], ks: readonly number[], band: Band): boolean | null {
  const v = values.filter((x) => x > 0);
  const m = v.length;
  if (m > 12) return null;
  if (m === 0) return ks.some((k) => k === 0) || band.min === 0;
  const full = (1 << m) - 1;
  const sum = new Float64Array(1 << m);
  for (let mask = 1; mask <= full; mask++) {
    const low = mask & -mask;
    sum[mask] = sum[mask ^ low]! + v[31 - Math.clz32(low)]!;
  }
  // counts[mask]: bit j set when mask can be cut into j groups in the band.
  const counts = new Float64Array(1 << m);
  counts[0] = 1;
  for (let mask = 0; mask < full; mask++) {
    const here = counts[mask]!;
    if (!here) continue;
    const rest = full ^ mask;
    const low = rest & -rest;
    for (let sub = rest; sub; sub = (sub - 1) & rest) {
      if (!(sub & low)) continue;
      const s = sum[sub]!;
      if (s < band.min || s > band.max) continue;
      counts[mask | sub] = counts[mask | sub]! | (here * 2);
    }
  }
  const at = counts[full]!;
  // Grids with no households are fine only when the band allows 0.
  return ks.some((k) => k <= 30 && (at & (2 ** k)) !== 0) || (band.min === 0 && ks.some((k) => k >= 1 && at !== 0));
}

export const format = { households: fmt, averageMiss };

/**
 * The units with households that u reaches directly or through units without households (which any grid may take
 * along to connect), memoised: what {@link bandReachable} grows groups with.
 */
export function reachThroughEmpty(
  households: ArrayLike<number>,
  neighbours: (u: number, visit: (v: number) => void) => void,
  usable: (u: number) => boolean,
): (u: number) => readonly number[] {
  const memo = new Map<number, number[]>();
  return (u) => {
    let out = memo.get(u);
    if (out) return out;
    const found: number[] = [];
    const seen = new Set([u]);
    const queue = [u];
    for (let i = 0; i < queue.length; i++) {
      neighbours(queue[i]!, (v) => {
        if (seen.has(v) || !usable(v)) return;
        seen.add(v);
        if (households[v]! > 0) found.push(v);
        else queue.push(v);
      });
    }
    out = found;
    memo.set(u, out);
    return out;
  };
}

/**
 * Whether some connected group of units containing `start` holds a number of households within the band, units
 * with no households serving only to connect. Every unit with households lies in some grid, so when no such group
 * exists the band is infeasible, whatever else happens. Enumerates connected groups of units with households
 * (each once, by the usual extension-set method) up to the band's maximum; `reachable` is null when `budget`
 * steps did not decide. `largest` is the most households a group reached without exceeding the maximum.
 */
export function bandReachable(
  n: number,
  households: ArrayLike<number>,
  reach: (u: number) => readonly number[],
  start: number,
  band: Band,
  budget = 20_000,
): { reachable: boolean | null; largest: number } {
  // Almost always a breadth-first walk that takes whatever still fits already reaches the band.
  {
    const taken = new Set([start]);
    const queue = [start];
    let sum = households[start]!;
    for (let i = 0; i < queue.length && sum < band.min; i++) {
      for (const v of reach(queue[i]!)) {
        if (taken.has(v) || sum + households[v]! > band.max) continue;
        taken.add(v);
        queue.push(v);
        sum += households[v]!;
        if (sum >= band.min) break;
      }
    }
    if (sum >= band.min && sum <= band.max) return { reachable: true, largest: sum };
  }
  let steps = 0;
  const inSet = new Uint8Array(n);
  const banned = new Uint8Array(n);
  let largest = 0;
  const grow = (sum: number, extension: readonly number[]): boolean | null => {
    if (sum > largest) largest = sum;
    if (sum >= band.min && sum <= band.max) return true;
    const bannedHere: number[] = [];
    let result: boolean | null = false;
    const stack = extension.slice();
    while (stack.length) {
      if (++steps > budget) {
        result = null;
        break;
      }
      const w = stack.pop()!;
      const s = sum + households[w]!;
      if (s <= band.max) {
        inSet[w] = 1;
        const next = stack.slice();
        for (const x of reach(w)) if (!inSet[x] && !banned[x] && !next.includes(x)) next.push(x);
        const r = grow(s, next);
        inSet[w] = 0;
        if (r === true) {
          result = true;
          break;
        }
        if (r === null) result = null;
      }
      // Groups with w are done (or exceed the band): the siblings leave it out.
      banned[w] = 1;
      bannedHere.push(w);
    }
    for (const x of bannedHere) banned[x] = 0;
    return result;
  };
  inSet[start] = 1;
  const reachable = grow(households[start]!, reach(start));
  return { reachable, largest };
}

/** Explanations that need no search: counts that cannot fit, units bigger than a grid, islands, locked grids. */
export function explainBeforeSearch(
  problem: CommunityProblem,
  freeComps: number[][],
  total: number,
  out: Explanation[],
): void {
  const { g, unitIds, orig, lockedSlots, currentIds } = problem;
  const band = g.band;
  const names = communityNames(g.community);
  const push = (e: Omit<Explanation, "community">) => out.push({ community: g.community, ...e });
  const whole = totalInfeasibility(total, band);
  if (whole) {
    push({
      kind: "band_infeasible",
      severity: "error",
      zh: `${names.zh} 共 ${format.households(total)} 户：${whole.zh}，${bandText(band)} 户的标准无法满足`,
      en: `${names.en} has ${format.households(total)} households: ${whole.en}, so the ${bandText(band)} band cannot be met`,
    });
  }
  const range = gridRange(total, band);
  if (problem.grids !== undefined && !whole && (problem.grids < range.lo || problem.grids > range.hi)) {
    const miss = format.averageMiss(total, problem.grids, band);
    push({
      kind: "grid_count",
      severity: "error",
      zh: `${names.zh} 共 ${format.households(total)} 户：要求的 ${miss.zh}；${range.lo} 至 ${range.hi} 个网格才能满足 ${bandText(band)} 户`,
      en: `${names.en} has ${format.households(total)} households: the requested ${miss.en}; ${range.lo} to ${range.hi} grids fit the ${bandText(band)} band`,
    });
  }
  for (let u = 0; u < g.n; u++) {
    if (g.hh[u]! > band.max) {
      push({
        kind: "oversized_unit",
        severity: "error",
        zh: `单元 ${unitIds[u]} 有 ${format.households(g.hh[u]!)} 户，比上限多 ${format.households(g.hh[u]! - band.max)} 户；单元不可拆分，其所在网格必然超标`,
        en: `unit ${unitIds[u]} has ${format.households(g.hh[u]!)} households, ${format.households(g.hh[u]! - band.max)} above the maximum; a unit is never split, so its grid is over the band`,
        units: [unitIds[u]!],
      });
    }
  }
  for (const s of lockedSlots) {
    let hh = 0;
    let any = false;
    for (let u = 0; u < g.n; u++) {
      if (orig[u] === s) {
        hh += g.hh[u]!;
        any = true;
      }
    }
    const d = bandDeviation(hh, band);
    if (any && d > 0) {
      const side =
        hh > band.max ? { zh: "超出上限", en: "above the maximum" } : { zh: "低于下限", en: "below the minimum" };
      push({
        kind: "locked_grid",
        severity: "error",
        zh: `锁定网格 ${currentIds[s]} 有 ${format.households(hh)} 户，${side.zh} ${format.households(d)} 户，按锁定保持不变`,
        en: `locked grid ${currentIds[s]} has ${format.households(hh)} households, ${format.households(d)} ${side.en}; it is locked and kept as it is`,
        grids: [currentIds[s]!],
      });
    }
  }
  const cutOff = lockedSlots.size > 0 ? "（被道路、水系或锁定网格隔开）" : "（被道路或水系隔开）";
  const cutOffEn = lockedSlots.size > 0 ? "cut off by roads, water or locked grids" : "cut off by roads or water";
  for (const comp of freeComps.length > 1 ? freeComps : []) {
    const hh = comp.reduce((a, u) => a + g.hh[u]!, 0);
    const why = totalInfeasibility(hh, band);
    if (!why) continue;
    const label = areaLabel(problem, comp);
    push({
      kind: "island",
      severity: "error",
      zh: `${names.zh}：${label.zh}的 ${format.households(hh)} 户自成一片，没有相邻区域可以分担${cutOff}：${why.zh}`,
      en: `${names.en}: ${label.en}'s ${format.households(hh)} households sit on their own with no neighbour to share them (${cutOffEn}): ${why.en}`,
      units: comp.map((u) => unitIds[u]!),
    });
  }
  for (const comp of freeComps) {
    // Every grid whose locked units lie in the area keeps a grid of its own there, so the area must hold the
    // band's minimum that many times over.
    const anchored = [...anchoredSlots(problem, comp)].sort((a, b) => a - b);
    const hh = comp.reduce((a, u) => a + g.hh[u]!, 0);
    const need = anchored.length * band.min;
    if (anchored.length < 2 || hh >= need) continue;
    const label = freeComps.length > 1 ? areaLabel(problem, comp) : names;
    const gridList = anchored.map((s) => currentIds[s]!);
    const where = freeComps.length > 1 ? { zh: cutOff, en: ` (${cutOffEn})` } : { zh: "", en: "" };
    push({
      kind: "locked_units",
      severity: "error",
      zh: `${label.zh}共 ${format.households(hh)} 户${where.zh}，其中有 ${anchored.length} 个网格（${gridList.join("、")}）的锁定单元，各自留在原网格：${anchored.length} 个网格至少需要 ${format.households(need)} 户，还差 ${format.households(need - hh)} 户`,
      en: `${label.en} has ${format.households(hh)} households${where.en} holding locked units of ${anchored.length} grids (${gridList.join(", ")}), each kept in its grid: ${anchored.length} grids need at least ${format.households(need)} households, ${format.households(need - hh)} more than there are`,
      units: comp.filter((u) => problem.lockedUnit[u]).map((u) => unitIds[u]!),
    });
  }
  for (const comp of freeComps) {
    const values = comp.map((u) => g.hh[u]!);
    const hh = values.reduce((a, b) => a + b, 0);
    if (totalInfeasibility(hh, band)) continue;
    const r = gridRange(hh, band);
    const ks: number[] = [];
    for (let k = r.lo; k <= Math.min(r.hi, r.lo + 30); k++) ks.push(k);
    if (canPack(values, ks, band) !== false) continue;
    const shown = values.filter((v) => v > 0).sort((a, b) => b - a);
    const label = freeComps.length > 1 ? areaLabel(problem, comp) : names;
    push({
      kind: "packing",
      severity: "error",
      zh: `${label.zh}：各单元的户数（${shown.join("、")}）无论怎样组合都凑不成 ${bandText(band)} 户的网格`,
      en: `${label.en}: the units' households (${shown.join(", ")}) cannot be grouped into grids of ${bandText(band)} households, however they are drawn`,
      units: comp.filter((u) => g.hh[u]! > 0).map((u) => unitIds[u]!),
    });
  }
  const isFree = (u: number) => !(orig[u]! >= 0 && lockedSlots.has(orig[u]!));
  const reach = reachThroughEmpty(
    g.hh,
    (u, visit) => {
      for (let e = g.xadj[u]!; e < g.xadj[u + 1]!; e++) visit(g.adj[e]!);
    },
    isFree,
  );
  let stuckShown = 0;
  let stuckMore = 0;
  for (let u = 0; u < g.n; u++) {
    if (g.hh[u] === 0 || g.hh[u]! > band.max || !isFree(u)) continue;
    const { reachable, largest } = bandReachable(g.n, g.hh, reach, u, band);
    if (reachable !== false) continue;
    if (stuckShown >= 10) {
      stuckMore++;
      continue;
    }
    stuckShown++;
    push({
      kind: "unit_stuck",
      severity: "error",
      zh: `单元 ${unitIds[u]} 有 ${format.households(g.hh[u]!)} 户，但与它相连的单元无论怎样组合都凑不成 ${bandText(band)} 户：不超过上限的组合最多只有 ${format.households(largest)} 户，再加任何相邻单元就超过 ${format.households(band.max)} 户`,
      en: `unit ${unitIds[u]} has ${format.households(g.hh[u]!)} households, but no group of connected units around it adds up to ${bandText(band)}: groups within the maximum reach at most ${format.households(largest)}, and any further neighbour takes them over ${format.households(band.max)}`,
      units: [unitIds[u]!],
    });
  }
  if (stuckMore > 0) {
    push({
      kind: "unit_stuck",
      severity: "error",
      zh: `另有 ${stuckMore} 个单元情况相同`,
      en: `${stuckMore} more units are in the same situation`,
    });
  }
  const compoundHH = new Float64Array(g.compoundCount);
  const buildingHH = new Float64Array(g.buildingCount);
  for (let u = 0; u < g.n; u++) {
    if (g.compound[u]! >= 0) compoundHH[g.compound[u]!]! += g.hh[u]!;
    if (g.building[u]! >= 0) buildingHH[g.building[u]!]! += g.hh[u]!;
  }
  for (let c = 0; c < g.compoundCount; c++) {
    if (compoundHH[c]! <= band.max) continue;
    const least = Math.ceil(compoundHH[c]! / band.max);
    const name = problem.compoundNames[c];
    push({
      kind: "oversized_compound",
      severity: "info",
      zh: `小区 ${name} 有 ${format.households(compoundHH[c]!)} 户，超过一个网格的上限，至少分入 ${least} 个网格，沿楼栋分界`,
      en: `compound ${name} has ${format.households(compoundHH[c]!)} households, more than one grid holds: it is split into at least ${least} grids, along building lines`,
    });
  }
  for (let b = 0; b < g.buildingCount; b++) {
    if (buildingHH[b]! <= band.max) continue;
    const least = Math.ceil(buildingHH[b]! / band.max);
    push({
      kind: "oversized_building",
      severity: "info",
      zh: `楼栋 ${problem.buildingIds[b]} 有 ${format.households(buildingHH[b]!)} 户，超过一个网格的上限，至少分入 ${least} 个网格，沿单元分界`,
      en: `building ${problem.buildingIds[b]} has ${format.households(buildingHH[b]!)} households, more than one grid holds: it is split into at least ${least} grids, along entrance lines`,
    });
  }
}

/** Names an area by the compound holding most of its households, else by its first unit. */
function areaLabel(problem: CommunityProblem, comp: readonly number[]): { zh: string; en: string } {
  const { g, unitIds } = problem;
  const by = new Map<number, number>();
  for (const u of comp) if (g.compound[u]! >= 0) by.set(g.compound[u]!, (by.get(g.compound[u]!) ?? 0) + g.hh[u]!);
  const top = [...by].sort((a, b) => b[1] - a[1])[0];
  if (top) {
    const name = problem.compoundNames[top[0]] ?? String(top[0]);
    return { zh: `小区 ${name} 一带`, en: `compound ${name}` };
  }
  return { zh: `单元 ${unitIds[comp[0]!]} 一带`, en: `the area of unit ${unitIds[comp[0]!]}` };
}

/** After the search: grids still out of band with no reason found before, locked units that could not be joined. */
export function explainAfterSearch(
  problem: CommunityProblem,
  p: Partition,
  ids: readonly string[],
  out: Explanation[],
): void {
  const { g } = problem;
  const names = communityNames(g.community);
  const proven = out.some((e) => e.severity === "error");
  const bad: string[] = [];
  const bits: { zh: string; en: string }[] = [];
  for (let s = 0; s < p.slots; s++) {
    if (p.slotSize[s] === 0) continue;
    const hh = p.slotHH[s]!;
    const d = bandDeviation(hh, g.band);
    if (d === 0) continue;
    bad.push(ids[s]!);
    const sign = hh > g.band.max ? "+" : "−";
    bits.push({
      zh: `网格 ${ids[s]} ${format.households(hh)} 户（${sign}${d}）`,
      en: `grid ${ids[s]} at ${format.households(hh)} (${sign}${d})`,
    });
  }
  if (bad.length > 0 && !proven) {
    out.push({
      community: g.community,
      kind: "not_found",
      severity: "warning",
      zh: `${names.zh}：未找到所有网格都在 ${bandText(g.band)} 户之内的划分（搜索是启发式的，未能证明不存在）；最好的结果中 ${bits.map((b) => b.zh).join("，")}`,
      en: `${names.en}: no assignment with every grid in the ${bandText(g.band)} band was found (the search is heuristic and did not prove there is none); the best found has ${bits.map((b) => b.en).join(", ")}`,
      grids: bad,
    });
  }
  for (let s = 0; s < p.slots; s++) {
    if (p.slotSize[s] === 0) continue;
    const pieces = components(g, (u) => p.part[u] === s);
    if (pieces.length < 2) continue;
    const locked = pieces.filter((c) => c.some((u) => problem.lockedUnit[u])).length;
    out.push({
      community: g.community,
      kind: locked > 1 ? "locked_units" : "non_contiguous",
      severity: "error",
      zh: `网格 ${ids[s]} 分成 ${pieces.length} 片${locked > 1 ? "：其锁定单元彼此不相连，无法合为一片" : ""}`,
      en: `grid ${ids[s]} is in ${pieces.length} pieces${locked > 1 ? ": its locked units do not touch each other and cannot be joined" : ""}`,
      grids: [ids[s]!],
    });
  }
}
