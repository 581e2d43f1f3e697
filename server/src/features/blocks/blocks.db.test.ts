import { describe, expect, it } from "vitest";
import { useTestApp } from "../../../test-support/test-app.ts";

const COMMUNITY = "150571003001";
const t = useTestApp("blocks");

type Blocks = { features: { id: number; properties: { community_code: string; kind: string }; geometry: unknown }[] };

describe("GET /api/blocks", () => {
  it("answers every block of a community, each inside it", async () => {
    const res = await (await t.as("leader")).request(`/api/blocks?community=${COMMUNITY}`);
    expect(res.status).toBe(200);
    const { features } = (await res.json()) as Blocks;
    const ids = await t.rows<{ id: number }>("select id from block where community_code = $1 order by id", [COMMUNITY]);
    expect(ids.length).toBeGreaterThan(0);
    expect(features.map((f) => f.id)).toEqual(ids.map((r) => r.id));
    expect(features.every((f) => f.properties.community_code === COMMUNITY)).toBe(true);
    expect(
      await t.outside(
        features.map((f) => f.geometry),
        COMMUNITY,
      ),
    ).toBe(0);
  });

  it("narrows to a box: the blocks whose extent meets it, of every community for an admin", async () => {
    const box = await t.boxIn(COMMUNITY, 0.004);
    const res = await (await t.as("admin")).request(`/api/blocks?bbox=${box.join(",")}`);
    expect(res.status).toBe(200);
    const { features } = (await res.json()) as Blocks;
    const ids = await t.rows<{ id: number }>(
      "select id from block where geom && ST_MakeEnvelope($1, $2, $3, $4, 4326) order by id",
      box,
    );
    expect(ids.length).toBeGreaterThan(0);
    expect(features.map((f) => f.id)).toEqual(ids.map((r) => r.id));
  });

  it("answers a worker only the blocks of the communities of their grids", async () => {
    const box = await t.boxIn(COMMUNITY, 0.004);
    const res = await (await t.as("worker-1")).request(`/api/blocks?bbox=${box.join(",")}`);
    expect(res.status).toBe(200);
    const { features } = (await res.json()) as Blocks;
    const ids = await t.rows<{ id: number }>(
      `select b.id from block b
       where b.geom && ST_MakeEnvelope($1, $2, $3, $4, 4326)
         and b.community_code in (
           select g.community_code from account a
           join account_role ar on ar.account_id = a.id
           join worker_assignment wa on wa.worker_id = ar.worker_id
           join published_grid g on g.code = wa.grid_code
           where a.username = 'worker-1')
       order by b.id`,
      box,
    );
    expect(features.map((f) => f.id)).toEqual(ids.map((r) => r.id));
  });

  it("is for signed-in users only", async () => {
    expect((await t.app.request("/api/blocks")).status).toBe(401);
  });
});
