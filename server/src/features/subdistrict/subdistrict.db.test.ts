import { describe, expect, it } from "vitest";
import { useTestApp } from "../../../test-support/test-app.ts";

const t = useTestApp("subdistrict");

describe("GET /api/subdistrict", () => {
  it("names the subdistrict the demo loads, with its metric CRS and extent", async () => {
    const res = await (await t.as("worker-1")).request("/api/subdistrict");
    expect(res.status).toBe(200);
    const body = (await res.json()) as { code: string; name: string; metric_srid: number; bbox: number[] };
    expect(body).toMatchObject({ code: "150571003", name: "新城街道", metric_srid: 4550 });
    const [extent] = await t.rows<{ w: number; s: number; e: number; n: number }>(
      "select ST_XMin(geom) w, ST_YMin(geom) s, ST_XMax(geom) e, ST_YMax(geom) n from subdistrict where code = $1",
      [body.code],
    );
    const want = [extent!.w, extent!.s, extent!.e, extent!.n];
    for (const [i, v] of body.bbox.entries()) expect(v).toBeCloseTo(want[i]!, 5);
  });

  it("is for signed-in users only", async () => {
    expect((await t.app.request("/api/subdistrict")).status).toBe(401);
  });
});
