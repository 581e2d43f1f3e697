import { describe, expect, it } from "vitest";
import { useTestApp } from "../../../test-support/test-app.ts";

const COMMUNITY = "150571003005";
const t = useTestApp("parcels");

type Parcels = { features: { id: number; properties: { households: number }; geometry: unknown }[] };
type Edges = { features: { properties: { a: number; b: number; on_road: boolean } }[] };

describe("GET /api/parcels and /api/parcel-edges", () => {
  it("answers a community's parcels, inside it, their households adding up to the community's", async () => {
    const planner = await t.as("planner");
    const { features } = (await (await planner.request(`/api/parcels?community=${COMMUNITY}`)).json()) as Parcels;
    const [sql] = await t.rows<{ n: number; households: number }>(
      `select count(*)::int n, coalesce(sum(e.households), 0)::int households
       from parcel p left join entrance e on e.id = p.entrance_id where p.community_code = $1`,
      [COMMUNITY],
    );
    expect(features).toHaveLength(sql!.n);
    expect(features.reduce((n, f) => n + f.properties.households, 0)).toBe(sql!.households);
    expect(sql!.households).toBeGreaterThan(0);
    expect(
      await t.outside(
        features.map((f) => f.geometry),
        COMMUNITY,
      ),
    ).toBe(0);
  });

  it("answers the shared boundaries of a community's parcels, one per pair", async () => {
    const planner = await t.as("planner");
    const { features } = (await (await planner.request(`/api/parcel-edges?community=${COMMUNITY}`)).json()) as Edges;
    const edges = await t.rows<{ a: number; b: number; on_road: boolean }>(
      "select a, b, on_road from parcel_edge where community_code = $1 order by a, b",
      [COMMUNITY],
    );
    expect(edges.length).toBeGreaterThan(0);
    expect(features.map(({ properties: { a, b, on_road } }) => ({ a, b, on_road }))).toEqual(edges);
  });

  it("gives a worker the parcels of their own grids only", async () => {
    const res = await (await t.as("worker-1")).request("/api/parcels");
    const ids = (await res.json()) as Parcels;
    const want = await t.rows<{ id: number }>(
      `select pp.parcel_id id from published_parcel pp where pp.grid_code in (select wa.grid_code from account a
         join account_role r on r.account_id = a.id join worker_assignment wa on wa.worker_id = r.worker_id
         where a.username = 'worker-1') order by 1`,
    );
    expect(want.length).toBeGreaterThan(0);
    expect(ids.features.map((f) => f.id)).toEqual(want.map((r) => r.id));
  });
});
