import { addDays, weekday } from "./dates.ts";
import type { Rng } from "./random.ts";
import type { DemoAssignment, DemoWorker } from "./types.ts";

export interface GenVisit {
  workerId: number;
  entranceId: number;
  visitedOn: string;
  note: string | null;
}

export const VISIT_DAYS = 90;
const NOTES = ["入户走访", "政策宣传", "矛盾纠纷排查", "反诈宣传", "收集居民诉求", "安全隐患排查", "法律知识宣传"];

/**
 * Ninety days of door-to-door visits ending on `today`: grid workers on most working days, information workers
 * now and then, each to entrances of the grids they are assigned. Each grid has its own diligence, and about
 * one grid in twelve is neglected, so coverage varies the way it does on the ground.
 */
export function buildVisits(
  workers: readonly DemoWorker[],
  assignments: readonly DemoAssignment[],
  gridEntrances: ReadonlyMap<string, readonly number[]>,
  today: string,
  rng: Rng,
): GenVisit[] {
  const diligence = new Map<string, number>();
  for (const code of [...gridEntrances.keys()].sort()) {
    diligence.set(code, rng.chance(0.08) ? rng.range(0.03, 0.12) : rng.range(0.35, 1));
  }
  const gridsOf = new Map<number, string[]>();
  for (const a of assignments) gridsOf.set(a.workerId, [...(gridsOf.get(a.workerId) ?? []), a.gridCode]);
  const out: GenVisit[] = [];
  // A worker visits a place at most once a day (a unique index holds it); a repeat pick is dropped.
  const seen = new Set<string>();
  for (let back = VISIT_DAYS - 1; back >= 0; back--) {
    const day = addDays(today, -back);
    const dow = weekday(day);
    for (const w of workers) {
      if (w.role !== "grid_worker" && w.role !== "info_worker") continue;
      if (dow === 0 || (dow === 6 && !rng.chance(0.2))) continue;
      for (const code of gridsOf.get(w.id) ?? []) {
        const entrances = gridEntrances.get(code) ?? [];
        if (!entrances.length) continue;
        const d = diligence.get(code) ?? 0;
        const visits = w.role === "grid_worker" ? rng.poisson(2.2 * d) : rng.chance(0.12 * d) ? rng.int(1, 3) : 0;
        for (let v = 0; v < visits; v++) {
          const entranceId = rng.pick(entrances);
          const note = rng.chance(0.6) ? rng.pick(NOTES) : null;
          const key = `${w.id}:${entranceId}:${day}`;
          if (seen.has(key)) continue;
          seen.add(key);
          out.push({ workerId: w.id, entranceId, visitedOn: day, note });
        }
      }
    }
  }
  return out;
}
