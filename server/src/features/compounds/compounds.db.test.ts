import { describe, expect, it } from "vitest";
import { useTestApp } from "../../../test-support/test-app.ts";

const COMMUNITY = "150571003003";
const t = useTestApp("compounds");

type Compounds = {
  features: { id: number; properties: { community_code: string; households: number }; geometry: unknown }[];
};

/** Each compound of the community with the households of its buildings' entrances, by SQL. */
const bySql = (community: string) =>
  t.rows<{ id: number; households: number }>(
    `select k.id, coalesce(sum(e.households), 0)::int households from compound k
     left join building b on b.compound_id = k.id left join entrance e on e.building_id = b.id
     where k.community_code = $1 group by k.id order by k.id`,
    [community],
  );

describe("GET /api/compounds", () => {
  it("answers a community's compounds with their households, inside the community", async () => {
    const res = await (await t.as("leader")).request(`/api/compounds?community=${COMMUNITY}`);
    expect(res.status).toBe(200);
    const { features } = (await res.json()) as Compounds;
    const want = await bySql(COMMUNITY);
    expect(want.length).toBeGreaterThan(0);
    expect(features.map((f) => ({ id: f.id, households: f.properties.households }))).toEqual(want);
    expect(
      await t.outside(
        features.map((f) => f.geometry),
        COMMUNITY,
      ),
    ).toBe(0);
  });

  it("gives a secretary the compounds of their community, whatever they ask for", async () => {
    const secretary = await t.as(`secretary-${COMMUNITY}`);
    const all = (await (await secretary.request("/api/compounds")).json()) as Compounds;
    expect(all.features.map((f) => f.id)).toEqual((await bySql(COMMUNITY)).map((r) => r.id));
    const other = (await (await secretary.request("/api/compounds?community=150571003001")).json()) as Compounds;
    expect(other.features).toEqual([]);
  });
});
