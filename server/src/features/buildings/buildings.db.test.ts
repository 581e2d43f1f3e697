import { describe, expect, it } from "vitest";
import { useTestApp } from "../../../test-support/test-app.ts";

const t = useTestApp("buildings");

type Buildings = { features: { id: number; properties: { households: number; entrances: number } }[] };

/** The buildings with a parcel in any of the published grids, with households and entrances, by SQL. */
const inGrids = (grids: string[]) =>
  t.rows<{ id: number; households: number; entrances: number }>(
    `select b.id, (select coalesce(sum(households), 0) from entrance e where e.building_id = b.id)::int households,
       (select count(*) from entrance e where e.building_id = b.id)::int entrances
     from building b where b.id in (select pa.building_id from parcel pa
       join published_parcel pp on pp.parcel_id = pa.id where pp.grid_code = any($1::text[]))
     order by b.id`,
    [grids],
  );

const figures = (b: Buildings) =>
  b.features.map((f) => ({ id: f.id, households: f.properties.households, entrances: f.properties.entrances }));

describe("GET /api/buildings", () => {
  it("answers the buildings of a grid with their households and entrances", async () => {
    const [grid] = await t.rows<{ code: string }>("select code from published_grid order by code limit 1");
    const res = await (await t.as("planner")).request(`/api/buildings?grid=${grid!.code}`);
    expect(res.status).toBe(200);
    const want = await inGrids([grid!.code]);
    expect(want.length).toBeGreaterThan(0);
    expect(figures((await res.json()) as Buildings)).toEqual(want);
  });

  it("gives a worker the buildings of their own grids only", async () => {
    const grids = (
      await t.rows<{ grid_code: string }>(
        `select wa.grid_code from account a join account_role r on r.account_id = a.id
         join worker_assignment wa on wa.worker_id = r.worker_id where a.username = 'worker-1'`,
      )
    ).map((r) => r.grid_code);
    expect(grids.length).toBeGreaterThan(0);
    const res = await (await t.as("worker-1")).request("/api/buildings");
    expect(figures((await res.json()) as Buildings)).toEqual(await inGrids(grids));
  });
});
