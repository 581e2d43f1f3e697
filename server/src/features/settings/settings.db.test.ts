import { describe, expect, it } from "vitest";
import { useTestApp } from "../../../test-support/test-app.ts";
import { forgetBaseMap, readBaseMap } from "../../db/base-map.ts";
import { CONTENT_SECURITY_POLICY } from "../../http/security.ts";

const t = useTestApp("settings");

const TIANDITU = "https://t0.tianditu.gov.cn/img_w/wmts?TILEMATRIX={z}&TILEROW={y}&TILECOL={x}&tk=office-key";

describe("the raster base map setting", () => {
  it("is off by default, and the page's CSP then allows our own origin only", async () => {
    const res = await (await t.as("planner")).request("/api/settings/base-map");
    expect(await res.json()).toEqual({ raster_url: null, attribution: "", version: 1 });
    expect((await t.app.request("/")).headers.get("content-security-policy")).toBe(CONTENT_SECURITY_POLICY);
  });

  it("is set by an admin, audited without the key, and allows that tile origin only until it is cleared", async () => {
    const admin = await t.as("admin");
    const set = await admin.send("PUT", "/api/settings/base-map", {
      raster_url: TIANDITU,
      attribution: "天地图",
      version: 1,
    });
    expect(set.status).toBe(200);
    expect(await set.json()).toEqual({ raster_url: TIANDITU, attribution: "天地图", version: 2 });
    const csp = (await t.app.request("/")).headers.get("content-security-policy") ?? "";
    expect(csp).toMatch(/img-src 'self' data: blob: https:\/\/t0\.tianditu\.gov\.cn(;|$)/);
    expect(csp).toMatch(/connect-src 'self' https:\/\/t0\.tianditu\.gov\.cn(;|$)/);
    const [event] = await t.rows<{ diff: unknown }>(
      "select diff from audit_event where action = 'base_map_update' order by id desc limit 1",
    );
    expect(JSON.stringify(event!.diff)).not.toContain("office-key");

    const off = await admin.send("PUT", "/api/settings/base-map", { raster_url: null, version: 2 });
    expect(off.status).toBe(200);
    expect((await t.app.request("/")).headers.get("content-security-policy")).toBe(CONTENT_SECURITY_POLICY);
  });

  it("never keeps a read that began before a change: the next page's CSP follows the change at once", async () => {
    // A page asked for while an admin saves: its read of the setting is in flight when the change clears the cache.
    forgetBaseMap();
    const inFlight = readBaseMap(t.db);
    forgetBaseMap();
    expect((await inFlight).raster_url).toBeNull();
    // What that read saw must not be reused: the setting as it now is (changed behind the cache's back) is read.
    await t.sql.query("update base_map_setting set raster_url = $1", [TIANDITU]);
    try {
      expect((await readBaseMap(t.db)).raster_url).toBe(TIANDITU);
    } finally {
      await t.sql.query("update base_map_setting set raster_url = null");
      forgetBaseMap();
    }
  });

  it("refuses other roles and URLs that are no tile template, in both languages, changing nothing", async () => {
    const planner = await t.as("planner");
    expect((await planner.send("PUT", "/api/settings/base-map", { raster_url: TIANDITU, version: 3 })).status).toBe(
      403,
    );
    const admin = await t.as("admin");
    for (const raster_url of ["javascript:alert(1)", "https://tiles.example.cn/{z}/{x}.png", "tiles/{z}/{x}/{y}.png"]) {
      const res = await admin.send("PUT", "/api/settings/base-map", { raster_url, version: 3 });
      expect(res.status, raster_url).toBe(400);
      const body = (await res.json()) as { error: { zh: string; en: string; field?: string } };
      expect(body.error.field).toContain("raster_url");
      expect(body.error.zh).toMatch(/瓦片地址/);
    }
    const [row] = await t.rows<{ raster_url: string | null }>("select raster_url from base_map_setting");
    expect(row!.raster_url).toBeNull();
  });
});
