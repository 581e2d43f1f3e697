import { describe, expect, it } from "vitest";
import { useTestApp } from "../../../test-support/test-app.ts";

const t = useTestApp("water");

type Water = { features: { id: number; geometry: { type: string } }[] };

describe("GET /api/water", () => {
  it("answers every water area as the table holds it", async () => {
    const res = await (await t.as("secretary-150571003001")).request("/api/water");
    expect(res.status).toBe(200);
    const { features } = (await res.json()) as Water;
    const ids = await t.rows<{ id: number }>("select id from water order by id");
    expect(ids.length).toBeGreaterThan(0);
    expect(features.map((f) => f.id)).toEqual(ids.map((r) => r.id));
  });

  it("narrows to a box: the water whose extent meets it, and none far away", async () => {
    const [first] = await t.rows<{ id: number; box: string }>(
      `select id, concat_ws(',', ST_XMin(geom), ST_YMin(geom), ST_XMax(geom), ST_YMax(geom)) box
       from water order by id limit 1`,
    );
    const near = (await (await (await t.as("leader")).request(`/api/water?bbox=${first!.box}`)).json()) as Water;
    const ids = await t.rows<{ id: number }>(
      `select id from water where geom && ST_MakeEnvelope(${first!.box}, 4326) order by id`,
    );
    expect(near.features.map((f) => f.id)).toEqual(ids.map((r) => r.id));
    expect(ids.map((r) => r.id)).toContain(first!.id);
    const far = (await (await (await t.as("leader")).request("/api/water?bbox=10,10,10.01,10.01")).json()) as Water;
    expect(far.features).toEqual([]);
  });
});
