import { beforeAll, describe, expect, it } from "vitest";
import { useTestApp } from "../../../test-support/test-app.ts";
import type { TestSession } from "../../../test-support/test-session.ts";
import { snapToBuildings } from "./plans.tools.ts";

const t = useTestApp("plans-split");
let planner: TestSession;

beforeAll(async () => {
  planner = await t.as("planner");
});

async function newDraft(): Promise<number> {
  const res = await planner.send("POST", "/api/plans", { from: "published", name: "拆分吸附" });
  expect(res.status).toBe(201);
  return ((await res.json()) as { id: number }).id;
}

/** Buildings with parcels in more than one grid of the plan, among the given grids, counted straight from the tables. */
async function buildingsSplitBetween(planId: number, codes: string[]): Promise<number> {
  const [r] = await t.rows<{ n: number }>(
    `select count(*)::int as n from (
       select pa.building_id from plan_parcel pp join parcel pa on pa.id = pp.parcel_id join grid g on g.id = pp.grid_id
       where pp.plan_id = $1 and g.code = any($2::text[]) and pa.building_id is not null
       group by pa.building_id having count(distinct g.id) > 1) s`,
    [planId, codes],
  );
  return r!.n;
}

/**
 * A straight north–south line through the middle of a multi-entrance building of a grid, spanning the grid: the
 * kind of cut that split 3 buildings of grid 010 (issue 17). Buildings are tried in order until one is cut.
 */
async function cuttingLines(planId: number) {
  return t.rows<{ code: string; x: number; y0: number; y1: number }>(
    `select g.code, ST_X(ST_Centroid(b.geom)) as x, ST_YMin(g.geom) - 0.001 as y0, ST_YMax(g.geom) + 0.001 as y1
     from grid g
     join plan_parcel pp on pp.grid_id = g.id join parcel pa on pa.id = pp.parcel_id join building b on b.id = pa.building_id
     where g.plan_id = $1 and not g.locked
       and (select count(*) from entrance e where e.building_id = b.id) >= 3
       and ST_XMax(b.geom) - ST_XMin(b.geom) > ST_YMax(b.geom) - ST_YMin(b.geom)
     group by g.code, g.geom, b.id, b.geom order by g.code, b.id limit 20`,
    [planId],
  );
}

const line = (x: number, y0: number, y1: number) => ({
  type: "LineString",
  coordinates: [
    [x, y0],
    [x, y1],
  ],
});

type EditResult = { grids: { code: string; households: number; parcels: number }[] };

describe("split snapped to buildings", () => {
  it("keeps every building whole where the same straight line without snapping cuts buildings", async () => {
    let found: { code: string; x: number; y0: number; y1: number } | null = null;
    for (const c of await cuttingLines(await newDraft())) {
      // Each try on a fresh copy of the published plan.
      const straight = await newDraft();
      const res = await planner.send("POST", `/api/plans/${straight}/grids/${c.code}/split`, {
        version: 0,
        line: line(c.x, c.y0, c.y1),
        snap: "none",
      });
      if (res.status !== 200) continue;
      const codes = ((await res.json()) as EditResult).grids.map((g) => g.code);
      if ((await buildingsSplitBetween(straight, codes)) > 0) {
        found = c;
        break;
      }
    }
    expect(found, "a straight line through a slab should cut it").not.toBeNull();
    const { code, x, y0, y1 } = found!;

    const snapped = await newDraft();
    const [before] = await t.rows<{ n: number }>(
      `select coalesce(sum(e.households), 0)::int as n from grid g join plan_parcel pp on pp.grid_id = g.id
       join parcel pa on pa.id = pp.parcel_id left join entrance e on e.id = pa.entrance_id
       where g.plan_id = $1 and g.code = $2`,
      [snapped, code],
    );
    const res = await planner.send("POST", `/api/plans/${snapped}/grids/${code}/split`, {
      version: 0,
      line: line(x, y0, y1),
    });
    expect(res.status).toBe(200);
    const result = (await res.json()) as EditResult;
    expect(result.grids.length).toBeGreaterThanOrEqual(2);
    expect(result.grids.every((g) => g.parcels > 0)).toBe(true);
    expect(result.grids.reduce((s, g) => s + g.households, 0)).toBe(before!.n);
    expect(
      await buildingsSplitBetween(
        snapped,
        result.grids.map((g) => g.code),
      ),
    ).toBe(0);
  });

  it("refuses an unknown snap in both languages", async () => {
    const draft = await newDraft();
    const [g] = await t.rows<{ code: string }>("select code from grid where plan_id = $1 order by code limit 1", [
      draft,
    ]);
    const res = await planner.send("POST", `/api/plans/${draft}/grids/${g!.code}/split`, {
      version: 0,
      line: line(0, 0, 1),
      snap: "roads",
    });
    expect(res.status).toBe(400);
    const body = (await res.json()) as { error: { field?: string } };
    expect(body.error.field).toContain("snap");
  });
});

describe("snapToBuildings", () => {
  it("gives a building's parcels to the piece holding most of its area and leaves empty land alone", () => {
    const assigned = new Map([
      [1, 1],
      [2, 2],
      [3, 2],
      [4, 1],
      [5, 2],
    ]);
    const parcels = [
      { id: 1, building_id: 10, area_m2: 100 },
      { id: 2, building_id: 10, area_m2: 60 },
      { id: 3, building_id: 10, area_m2: 60 },
      { id: 4, building_id: null, area_m2: 500 },
      { id: 5, building_id: 11, area_m2: 80 },
    ];
    expect(snapToBuildings(assigned, parcels)).toBe(1);
    expect([...assigned]).toEqual([
      [1, 2],
      [2, 2],
      [3, 2],
      [4, 1],
      [5, 2],
    ]);
  });
});
