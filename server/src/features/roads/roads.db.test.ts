import { describe, expect, it } from "vitest";
import { useTestApp } from "../../../test-support/test-app.ts";

const t = useTestApp("roads");

type Roads = {
  features: { id: number; properties: { class: string; name: string | null }; geometry: { type: string } }[];
};

describe("GET /api/roads", () => {
  it("answers every road centre line with its class, as the table holds them", async () => {
    const res = await (await t.as("worker-1")).request("/api/roads");
    expect(res.status).toBe(200);
    const { features } = (await res.json()) as Roads;
    const rows = await t.rows<{ id: number; class: string }>("select id, class from road order by id");
    expect(rows.length).toBeGreaterThan(0);
    expect(features.map((f) => [f.id, f.properties.class])).toEqual(rows.map((r) => [r.id, r.class]));
    expect(new Set(features.map((f) => f.geometry.type))).toEqual(new Set(["LineString"]));
  });

  it("narrows to a box: the roads whose extent meets it", async () => {
    const box = await t.boxIn("150571003002", 0.003);
    const res = await (await t.as("leader")).request(`/api/roads?bbox=${box.join(",")}`);
    const { features } = (await res.json()) as Roads;
    const ids = await t.rows<{ id: number }>(
      "select id from road where geom && ST_MakeEnvelope($1, $2, $3, $4, 4326) order by id",
      box,
    );
    expect(ids.length).toBeGreaterThan(0);
    expect(features.map((f) => f.id)).toEqual(ids.map((r) => r.id));
  });

  it("refuses a box that is not one, saying why", async () => {
    const res = await (await t.as("leader")).request("/api/roads?bbox=1,2,3");
    expect(res.status).toBe(400);
    expect(((await res.json()) as { error: { field: string } }).error.field).toBe("bbox");
  });
});
