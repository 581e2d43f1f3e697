import { describe, expect, it } from "vitest";
import { useTestApp } from "../../../test-support/test-app.ts";

const t = useTestApp("health");

describe("GET /api/health", () => {
  it("answers anyone, without a session, with the PostGIS version the database runs", async () => {
    const res = await t.app.request("/api/health");
    expect(res.status).toBe(200);
    const [{ v }] = (await t.rows<{ v: string }>("select postgis_lib_version() v")) as [{ v: string }];
    expect(await res.json()).toEqual({ ok: true, postgis: v });
    expect(v).toMatch(/^3\./);
  });
});
