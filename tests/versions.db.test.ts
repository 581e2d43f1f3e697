import { signIn, type TestSession } from "@gridatlas/server/test-support/test-session.ts";
import type pg from "pg";
import { beforeAll, describe, expect, it } from "vitest";
import { useTestApp } from "../server/test-support/test-app.ts";
import { type OpenApiRoute, openApiRoutes } from "./support/routes.ts";

/**
 * Every edit of a shared row carries the version it was made against (issue 16): 428 without it, 409 when the row
 * changed since. Read from the OpenAPI document, so a PATCH, PUT or DELETE added later must either take a version
 * or be listed below with the reason it edits no shared row.
 */

const NOT_SHARED: Record<string, string> = {
  "PUT /api/imports/files/{id}": "a chunk of the caller's own upload; its offset is its precondition (409 says where)",
  "DELETE /api/session": "the caller's own session",
  "DELETE /api/session/all": "the caller's own sessions",
  "DELETE /api/workers/{id}/assignments/{code}":
    "ends one assignment and no more, whatever else changed: nothing to overwrite",
};

const t = useTestApp("versions");
let admin: TestSession;
let routes: OpenApiRoute[];

beforeAll(async () => {
  admin = await signIn(t.app, "admin");
  routes = (await openApiRoutes(t.app)).filter((r) => ["PATCH", "PUT", "DELETE"].includes(r.method));
});

const key = (r: OpenApiRoute) => `${r.method} /api${r.path.replace(/^\/api/, "")}`;
const takesVersion = (r: OpenApiRoute) =>
  Boolean(r.body?.properties?.version) || r.parameters.some((p) => p.name === "version" && p.in === "query");

async function one<T extends pg.QueryResultRow>(text: string): Promise<T> {
  return (await t.sql.query<T>(text)).rows[0]!;
}

/** A real row for every versioned route, and a change to it: the route must refuse it without the version. */
const TARGETS: Record<string, () => Promise<{ path: string; body?: object; version: number; versioned: string }>> = {
  "PATCH /api/accounts/{id}": async () => {
    const a = await one<{ id: number; version: number }>("select id, version from account where username = 'worker-5'");
    return { path: `/api/accounts/${a.id}`, body: { display_name: "版本测试" }, version: a.version, versioned: "body" };
  },
  "PATCH /api/venue-categories/{code}": async () => {
    const c = await one<{ version: number }>("select version from venue_category where code = 'school'");
    return {
      path: "/api/venue-categories/school",
      body: { inspection_interval_days: 45 },
      version: c.version,
      versioned: "body",
    };
  },
  "PATCH /api/workers/{id}": async () => {
    const w = await one<{ id: number; version: number }>("select id, version from worker order by id limit 1");
    return { path: `/api/workers/${w.id}`, body: { name: "版本测试员" }, version: w.version, versioned: "body" };
  },
  "PATCH /api/cameras/{id}": async () => {
    const c = await one<{ id: number; version: number }>("select id, version from camera order by id limit 1");
    return { path: `/api/cameras/${c.id}`, body: { range_m: 41 }, version: c.version, versioned: "body" };
  },
  "PUT /api/settings/base-map": async () => {
    const b = await one<{ version: number }>("select version from base_map_setting");
    return {
      path: "/api/settings/base-map",
      body: { raster_url: "https://tiles.example.cn/{z}/{x}/{y}.png", attribution: "内网瓦片" },
      version: b.version,
      versioned: "body",
    };
  },
  "DELETE /api/cameras/{id}": async () => {
    const c = await one<{ id: number; version: number }>(
      "select id, version from camera where status = 'planned' order by id limit 1",
    );
    return { path: `/api/cameras/${c.id}`, version: c.version, versioned: "query" };
  },
};

describe("edits of shared rows", () => {
  it("every PATCH, PUT and DELETE takes a version, or edits no shared row", () => {
    expect(routes.length).toBeGreaterThan(5);
    const unversioned = routes.filter((r) => !takesVersion(r) && !(key(r) in NOT_SHARED)).map(key);
    expect(unversioned).toEqual([]);
    // Every versioned route is exercised below.
    expect(routes.filter(takesVersion).map(key).sort()).toEqual(Object.keys(TARGETS).sort());
  });

  for (const [route, target] of Object.entries(TARGETS)) {
    it(`${route}: 428 without the version, 409 with a stale one, unchanged by both; then the change`, async () => {
      const method = route.split(" ")[0]!;
      const t = await target();
      const send = (version?: number) =>
        t.versioned === "body"
          ? admin.send(method, t.path, version === undefined ? t.body : { ...t.body, version })
          : admin.send(method, version === undefined ? t.path : `${t.path}?version=${version}`, t.body);
      const audit = async () => (await one<{ n: number }>("select count(*)::int n from audit_event")).n;
      const before = await audit();

      const blind = await send();
      expect(blind.status, route).toBe(428);
      expect((await blind.json()).error).toMatchObject({ code: "version_required", field: "version" });
      const stale = await send(t.version + 100);
      expect(stale.status, route).toBe(409);
      expect((await stale.json()).error.code).toBe("version_conflict");
      expect(await audit(), "nothing changed").toBe(before);

      const res = await send(t.version);
      expect(res.status, `${route}: ${await res.clone().text()}`).toBe(200);
      expect(await audit()).toBe(before + 1);
      if (method !== "DELETE") expect((await send(t.version)).status, "the same version again").toBe(409);
    });
  }
});
