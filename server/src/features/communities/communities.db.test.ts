import { describe, expect, it } from "vitest";
import { useTestApp } from "../../../test-support/test-app.ts";

const t = useTestApp("communities");

type Communities = {
  features: { id: string; properties: { code: string; grids: number; households: number }; geometry: unknown }[];
};

describe("GET /api/communities", () => {
  it("gives the leader all 11 communities with the published plan's grids and the entrances' households", async () => {
    const { features } = (await (await (await t.as("leader")).request("/api/communities")).json()) as Communities;
    const rows = await t.rows<{ code: string; grids: number; households: number }>(
      `select c.code,
         (select count(*) from published_grid g where g.community_code = c.code)::int grids,
         (select coalesce(sum(e.households), 0) from entrance e join building b on b.id = e.building_id
           where b.community_code = c.code)::int households
       from community c order by c.code`,
    );
    expect(rows).toHaveLength(11);
    expect(features.map(({ properties: { code, grids, households } }) => ({ code, grids, households }))).toEqual(rows);
    expect(rows.reduce((n, r) => n + r.grids, 0)).toBe(227);
  });

  it("gives a secretary their own community only", async () => {
    const code = "150571003009";
    const { features } = (await (
      await (await t.as(`secretary-${code}`)).request("/api/communities")
    ).json()) as Communities;
    expect(features.map((f) => f.properties.code)).toEqual([code]);
    expect(await t.outside([features[0]!.geometry], code)).toBe(0);
  });
});
