import { gridRange } from "./rebalance.graph.ts";
import type { Band } from "./rebalance.input.ts";

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
    | "oversized_building";
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
