import { beforeAll, describe, expect, it } from "vitest";
import { useTestApp } from "../../../test-support/test-app.ts";
import { signIn, type TestSession } from "../../../test-support/test-session.ts";

const t = useTestApp("grids");
let admin: TestSession;

beforeAll(async () => {
  admin = await t.as("admin");
});

/** Households per grid of the published plan, computed straight from entrances, independently of the views. */
async function householdsBySql(): Promise<Map<string, number>> {
  const r = await t.sql.query<{ code: string; households: number }>(`
    select g.code, coalesce(sum(e.households), 0)::int as households
    from grid g join plan p on p.id = g.plan_id and p.status = 'published'
    left join plan_parcel pp on pp.grid_id = g.id
    left join parcel pa on pa.id = pp.parcel_id
    left join entrance e on e.id = pa.entrance_id
    group by g.code`);
  return new Map(r.rows.map((row) => [row.code, row.households]));
}

describe("GET /api/grids", () => {
  it("returns the 227 grids of the published plan with the households the database holds", async () => {
    const res = await admin.request("/api/grids");
    expect(res.status).toBe(200);
    const fc = await res.json();
    expect(fc.type).toBe("FeatureCollection");
    expect(fc.features).toHaveLength(227);
    const expected = await householdsBySql();
    for (const f of fc.features) {
      expect(f.properties.households).toBe(expected.get(f.properties.code));
      expect(f.geometry.type).toBe("MultiPolygon");
      const { households } = f.properties;
      const status = households < 200 ? "under" : households > 300 ? "over" : "ok";
      expect(f.properties.status).toBe(status);
    }
  });

  it("narrows to one community", async () => {
    const { rows } = await t.sql.query<{ code: string; n: number }>(
      `select g.community_code as code, count(*)::int as n from published_grid g group by 1 order by 1 limit 1`,
    );
    const community = rows[0]!;
    const fc = await (await admin.request(`/api/grids?community=${community.code}`)).json();
    expect(fc.features).toHaveLength(community.n);
    expect(
      fc.features.every(
        (f: { properties: { community_code: string } }) => f.properties.community_code === community.code,
      ),
    ).toBe(true);
  });

  it("rejects a malformed community code with a bilingual 400 naming the field", async () => {
    const res = await admin.request("/api/grids?community=12ab", { headers: { "accept-language": "en-US" } });
    expect(res.status).toBe(400);
    const body = await res.json();
    expect(body.error.field).toBe("community");
    expect(body.error.en).toMatch(/12 digits/);
    expect(body.error.zh).toMatch(/12位/);
    expect(body.error.message).toBe(body.error.en);
  });
});

describe("GET /api/grids/:code", () => {
  it("returns the grid's figures, team and counts as the database holds them", async () => {
    const { rows } = await t.sql.query<{ code: string; community_code: string }>(
      `select g.code, g.community_code from published_grid g
       where exists (select 1 from worker_assignment wa where wa.grid_code = g.code) order by g.code limit 1`,
    );
    const { code, community_code } = rows[0]!;
    const res = await admin.request(`/api/grids/${code}`);
    expect(res.status).toBe(200);
    const grid = await res.json();
    expect(grid.code).toBe(code);
    expect(grid.households).toBe((await householdsBySql()).get(code));
    const team = await t.sql.query<{ id: number }>(
      `select w.id from worker w where w.retired_on is null and (w.id in (select worker_id from worker_assignment where grid_code = $1)
         or (w.role = 'secretary' and w.community_code = $2))`,
      [code, community_code],
    );
    expect(grid.team.map((t: { id: number }) => t.id).sort()).toEqual(team.rows.map((t) => t.id).sort());
    const venues = await t.sql.query<{ n: number }>(
      `select count(*)::int as n from venue v join published_parcel pp on pp.parcel_id = v.parcel_id where pp.grid_code = $1`,
      [code],
    );
    expect(grid.venues).toBe(venues.rows[0]!.n);
    expect(grid.bbox).toHaveLength(4);
  });

  it("answers 404 for a well-formed code that does not exist, 400 for a malformed one", async () => {
    const missing = await admin.request("/api/grids/999999999999999");
    expect(missing.status).toBe(404);
    expect((await missing.json()).error.code).toBe("not_found");
    const bad = await admin.request("/api/grids/abc");
    expect(bad.status).toBe(400);
    expect((await bad.json()).error.field).toBe("code");
  });
});

describe("the team on a grid card", () => {
  it("shows staff names and phones only to those who manage them", async () => {
    const { rows } = await t.sql.query<{ code: string; community_code: string }>(
      `select g.code, g.community_code from published_grid g
       where exists (select 1 from worker_assignment wa where wa.grid_code = g.code) order by g.code limit 1`,
    );
    const { code, community_code } = rows[0]!;
    const team = async (username: string) =>
      (await (await (await signIn(t.app, username)).request(`/api/grids/${code}`)).json()).team as {
        name: string | null;
        phone: string | null;
      }[];
    const secretary = await team(`secretary-${community_code}`);
    expect(secretary.some((w) => w.phone)).toBe(true);
    expect((await team("admin")).some((w) => w.phone)).toBe(true);
    const planner = await team("planner");
    expect(planner.every((w) => w.name && w.phone === null)).toBe(true);
    const leader = await team("leader");
    expect(leader.length).toBe(secretary.length);
    expect(leader.every((w) => w.name === null && w.phone === null)).toBe(true);
  });
});
