import { addDays } from "./dates.ts";
import { fakePhone, personName } from "./names.ts";
import type { Rng } from "./random.ts";
import type { CommunityLayout } from "./territory.ts";
import type { DemoAssignment, DemoWorker } from "./types.ts";

/** The report's team sizes. */
export const GRID_WORKERS = 122;
export const INFO_WORKERS = 434;
/** The day the 2022 plan took effect; assignments to its grids start here at the earliest. */
export const PLAN_VALID_FROM = "2022-03-01";

/** Grid code: the community's 12 digits and a 3-digit sequence. */
export function gridCode(communityCode: string, seq: number): string {
  return `${communityCode}${String(seq).padStart(3, "0")}`;
}

/**
 * The teams: per community one secretary (on every grid), a grid leader per four grids, grid workers each
 * covering one to three neighbouring grids (122 of them for 227 grids), and information workers, at least one
 * per grid. Assignments are by grid code, which the plan numbers west to east, north to south.
 */
export function buildStaff(
  communities: readonly CommunityLayout[],
  rng: Rng,
): { workers: DemoWorker[]; assignments: DemoAssignment[] } {
  const workers: DemoWorker[] = [];
  const assignments: DemoAssignment[] = [];
  const totalGrids = communities.reduce((s, c) => s + c.grids, 0);
  const gridWorkers = apportion(
    communities.map((c) => c.grids),
    GRID_WORKERS,
  );
  const infoExtra = apportion(
    communities.map((c) => c.grids),
    INFO_WORKERS - totalGrids,
  );

  const hire = (c: CommunityLayout, role: DemoWorker["role"], grids: number[]) => {
    const startedOn = addDays("2015-01-01", rng.int(0, role === "secretary" ? 2400 : 3400));
    const w: DemoWorker = {
      id: workers.length + 1,
      communityCode: c.code,
      role,
      name: personName(rng),
      phone: fakePhone(rng),
      startedOn,
    };
    workers.push(w);
    for (const g of grids) {
      assignments.push({
        workerId: w.id,
        gridCode: gridCode(c.code, g),
        assignedOn: startedOn > PLAN_VALID_FROM ? startedOn : PLAN_VALID_FROM,
      });
    }
  };

  communities.forEach((c, k) => {
    const all = Array.from({ length: c.grids }, (_, i) => i + 1);
    hire(c, "secretary", all);
    for (let g = 0; g < c.grids; g += 4) hire(c, "grid_leader", all.slice(g, g + 4));
    const n = gridWorkers[k]!;
    let next = 0;
    for (let w = 0; w < n; w++) {
      const size = Math.floor(c.grids / n) + (w < c.grids % n ? 1 : 0);
      hire(c, "grid_worker", all.slice(next, next + size));
      next += size;
    }
    const extra = new Map<number, number>();
    for (let e = 0; e < infoExtra[k]!; e++) {
      let g = rng.pick(all);
      while ((extra.get(g) ?? 0) >= 2) g = rng.pick(all);
      extra.set(g, (extra.get(g) ?? 0) + 1);
    }
    for (const g of all) for (let i = 0; i <= (extra.get(g) ?? 0); i++) hire(c, "info_worker", [g]);
  });
  return { workers, assignments };
}

/** Splits `total` in proportion to `weights` by largest remainder, so the parts sum to it exactly. */
export function apportion(weights: readonly number[], total: number): number[] {
  const sum = weights.reduce((s, w) => s + w, 0);
  const exact = weights.map((w) => (w * total) / sum);
  const parts = exact.map(Math.floor);
  const order = exact.map((e, i) => [e - Math.floor(e), i] as const).sort((a, b) => b[0] - a[0] || a[1] - b[1]);
  for (let r = total - parts.reduce((s, p) => s + p, 0), k = 0; r > 0; r--, k++) parts[order[k]![1]]!++;
  return parts;
}
