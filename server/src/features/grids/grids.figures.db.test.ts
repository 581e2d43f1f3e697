import type pg from "pg";
import { describe, expect, it } from "vitest";
import { useTestSql } from "../../../test-support/test-app.ts";

/**
 * The figures of a grid have one SQL definition (migrations/R__grids.sql): the view grid_figure, which
 * plan_grid_figures() reads for the counts and the band status and extends with the adjacency graph's figures.
 */

const t = useTestSql("gridfigures");

const rows = async <T extends pg.QueryResultRow>(text: string, values: unknown[] = []) =>
  (await t.sql.query<T>(text, values)).rows;

describe("the band rule", () => {
  it("keeps both ends of the band in it", async () => {
    const [r] = await rows<Record<string, string>>(
      `select band_status(199, 200, 300) a, band_status(200, 200, 300) b, band_status(300, 200, 300) c,
         band_status(301, 200, 300) d, band_status(0, 0, 0) e`,
    );
    expect(r).toEqual({ a: "under", b: "ok", c: "ok", d: "over", e: "ok" });
  });
});

describe("grid figures", () => {
  /** The counts and status of every grid of a plan, straight from entrances and the community's band. */
  const independent = (plan: number) =>
    rows(
      `select g.id as grid_id, g.code, g.community_code,
         coalesce(sum(e.households), 0)::int as households, count(e.id)::int as entrances,
         count(distinct pa.building_id)::int as buildings, count(pp.parcel_id)::int as parcels,
         case when coalesce(sum(e.households), 0) < c.band_min then 'under'
           when coalesce(sum(e.households), 0) > c.band_max then 'over' else 'ok' end as status
       from grid g
       join community c on c.code = g.community_code
       left join plan_parcel pp on pp.grid_id = g.id
       left join parcel pa on pa.id = pp.parcel_id
       left join entrance e on e.id = pa.entrance_id
       where g.plan_id = $1
       group by g.id, c.band_min, c.band_max
       order by g.code`,
      [plan],
    );
  const counts = "grid_id, code, community_code, households, entrances, buildings, parcels, status";

  it("are the same in grid_figure, plan_grid_figures() and the rows they come from", async () => {
    const plan = (await rows<{ id: number }>("select id from plan where status = 'published'"))[0]!.id;
    // A tighter band in one community, so that every status occurs.
    await t.sql.query("update community set band_min = 250, band_max = 260 where code = '150571003001'");
    const expected = await independent(plan);
    expect(new Set(expected.map((r) => r.status))).toEqual(new Set(["under", "ok", "over"]));
    const view = await rows(`select ${counts} from grid_figure where plan_id = $1 order by code`, [plan]);
    const fn = await rows(`select ${counts} from plan_grid_figures($1) order by code`, [plan]);
    expect(view).toEqual(expected);
    expect(fn).toEqual(expected);
    const area = await rows<{ view: number; fn: number }>(
      `select f.area_m2 as view, p.area_m2 as fn from grid_figure f join plan_grid_figures($1) p on p.grid_id = f.grid_id`,
      [plan],
    );
    expect(area).toHaveLength(expected.length);
    for (const a of area) expect(a.fn).toBe(a.view);
  });

  it("of some grids are those of the same grids in the whole plan", async () => {
    const plan = (await rows<{ id: number }>("select id from plan where status = 'published'"))[0]!.id;
    const some = await rows<{ id: number }>("select id from grid where plan_id = $1 order by code limit 3", [plan]);
    const ids = some.map((g) => g.id);
    const part = await rows("select * from plan_grid_figures($1, $2) order by code", [plan, ids]);
    const whole = await rows("select * from plan_grid_figures($1) where grid_id = any($2) order by code", [plan, ids]);
    expect(part).toHaveLength(3);
    expect(part).toEqual(whole);
  });
});
