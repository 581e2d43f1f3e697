import { describe, expect, it } from "vitest";
import { drawPlan, type PlanEdge, type PlanUnit } from "./plan.ts";
import { Rng } from "./random.ts";

/** A w × h lattice of 40 m parcels of one community, some empty, some whole compounds of four parcels. */
function lattice(community: string, w: number, h: number, firstId: number, rng: Rng) {
  const units: PlanUnit[] = [];
  const edges: PlanEdge[] = [];
  const id = (x: number, y: number) => firstId + y * w + x;
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      units.push({
        id: id(x, y),
        communityCode: community,
        households: rng.chance(0.2) ? 0 : rng.int(6, 60),
        buildingId: rng.chance(0.5) ? id(x - (x % 2), y) : null,
        compoundId: id(x - (x % 4), y - (y % 2)),
        blockId: Math.floor(x / 5) * 100 + Math.floor(y / 5),
        x: x * 40,
        y: y * 40,
      });
      if (x > 0) edges.push({ a: id(x - 1, y), b: id(x, y), sharedM: 40 });
      if (y > 0) edges.push({ a: id(x, y - 1), b: id(x, y), sharedM: 40 });
    }
  }
  return { units, edges };
}

function connected(ids: number[], edges: readonly PlanEdge[]): boolean {
  const inGrid = new Set(ids);
  const seen = new Set([ids[0]!]);
  const queue = [ids[0]!];
  while (queue.length) {
    const u = queue.pop()!;
    for (const e of edges) {
      const v = e.a === u ? e.b : e.b === u ? e.a : null;
      if (v !== null && inGrid.has(v) && !seen.has(v)) {
        seen.add(v);
        queue.push(v);
      }
    }
  }
  return seen.size === ids.length;
}

describe("drawPlan", () => {
  const rng = new Rng(1);
  const a = lattice("150571003001", 24, 14, 1, rng);
  const b = lattice("150571003002", 12, 20, 10_000, rng);
  const units = [...a.units, ...b.units];
  const edges = [...a.edges, ...b.edges];
  const grids = new Map([
    ["150571003001", 40],
    ["150571003002", 20],
  ]);
  const plan = drawPlan(units, edges, grids, new Rng(2));

  it("assigns every parcel to one of exactly k grids of its community", () => {
    expect(plan.size).toBe(units.length);
    for (const [community, k] of grids) {
      const seqs = new Set(units.filter((u) => u.communityCode === community).map((u) => plan.get(u.id)));
      expect([...seqs].sort((x, y) => x! - y!)).toEqual(Array.from({ length: k }, (_, i) => i + 1));
    }
  });

  it("draws contiguous grids", () => {
    for (const [community, k] of grids) {
      for (let seq = 1; seq <= k; seq++) {
        const ids = units.filter((u) => u.communityCode === community && plan.get(u.id) === seq).map((u) => u.id);
        expect(connected(ids, edges), `${community} grid ${seq}`).toBe(true);
      }
    }
  });

  it("numbers grids west to east within rows of 400 m taken north to south", () => {
    const centres = Array.from({ length: 40 }, (_, k) => {
      const us = a.units.filter((u) => plan.get(u.id) === k + 1);
      return { x: us.reduce((s, u) => s + u.x, 0) / us.length, y: us.reduce((s, u) => s + u.y, 0) / us.length };
    });
    const top = Math.max(...centres.map((c) => c.y));
    const row = (c: { y: number }) => Math.floor((top - c.y) / 400);
    for (let k = 1; k < centres.length; k++) {
      const [p, q] = [centres[k - 1]!, centres[k]!];
      const before = row(p) < row(q) || (row(p) === row(q) && (p.x < q.x || (p.x === q.x && p.y > q.y)));
      expect(before, `grid ${k} before grid ${k + 1}`).toBe(true);
    }
  });

  it("gives the same plan for the same seed", () => {
    expect(drawPlan(units, edges, grids, new Rng(2))).toEqual(plan);
  });
});
