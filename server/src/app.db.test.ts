import { beforeAll, describe, expect, it } from "vitest";
import { useTestApp } from "../test-support/test-app.ts";
import type { TestSession } from "../test-support/test-session.ts";

const t = useTestApp("app");
let admin: TestSession;

beforeAll(async () => {
  admin = await t.as("admin");
});

describe("the API as a whole", () => {
  it("reports health with the PostGIS version", async () => {
    const res = await admin.request("/api/health");
    expect(res.status).toBe(200);
    const body = await res.json();
    expect(body.ok).toBe(true);
    expect(body.postgis).toMatch(/^3\./);
  });

  it("publishes an OpenAPI document naming every route", async () => {
    const doc = await (await admin.request("/api/openapi.json")).json();
    const paths = Object.keys(doc.paths);
    for (const p of [
      "/api/health",
      "/api/communities",
      "/api/grids",
      "/api/grids/{code}",
      "/api/buildings",
      "/api/venues",
    ]) {
      expect(paths).toContain(p);
    }
  });

  it("answers unknown API paths with the JSON error shape, never HTML", async () => {
    const res = await admin.request("/api/nothing-here");
    expect(res.status).toBe(404);
    expect((await res.json()).error.code).toBe("not_found");
  });

  it("lists the 11 communities with their grids and households", async () => {
    const fc = await (await admin.request("/api/communities")).json();
    expect(fc.features).toHaveLength(11);
    const grids = fc.features.reduce((n: number, f: { properties: { grids: number } }) => n + f.properties.grids, 0);
    expect(grids).toBe(227);
  });

  it("validates bbox and says what is wrong in both languages", async () => {
    const res = await admin.request("/api/buildings?bbox=122.3,43.6,122.2,43.7");
    expect(res.status).toBe(400);
    const { error } = await res.json();
    expect(error.field).toBe("bbox");
    expect(error.zh).toContain("西<东");
    expect(error.en).toContain("west<east");
  });

  it("filters buildings, venues, hazards and cameras by box and by grid consistently", async () => {
    const grids = await (await admin.request("/api/grids")).json();
    const code = grids.features[0].properties.code as string;
    for (const layer of ["buildings", "venues", "hazards", "cameras"]) {
      const all = await (await admin.request(`/api/${layer}`)).json();
      expect(all.features.length).toBeGreaterThan(0);
      const inGrid = await (await admin.request(`/api/${layer}?grid=${code}`)).json();
      expect(inGrid.features.length).toBeLessThan(all.features.length);
      if (layer !== "buildings") {
        expect(
          inGrid.features.every((f: { properties: { grid_code: string } }) => f.properties.grid_code === code),
        ).toBe(true);
      }
      const box = await (await admin.request(`/api/${layer}?bbox=0,0,1,1`)).json();
      expect(box.features).toHaveLength(0);
    }
  });
});
