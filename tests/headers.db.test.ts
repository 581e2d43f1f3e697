import fs from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { createApp } from "@gridatlas/server/app.ts";
import { createDb, type Db } from "@gridatlas/server/db/db.ts";
import { CONTENT_SECURITY_POLICY } from "@gridatlas/server/http/security.ts";
import { createTestDatabase, type TestDatabase } from "@gridatlas/server/test-support/test-database.ts";
import { signIn, type TestSession } from "@gridatlas/server/test-support/test-session.ts";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openApiRoutes, samplePath } from "./support/routes.ts";

/**
 * The security headers of issue 16 on every answer: every route of the OpenAPI document (signed in and out), the
 * tiles, the web app and its assets, errors included.
 */

const webDist = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../web/dist");

let database: TestDatabase;
let db: Db;
let app: ReturnType<typeof createApp>;
let admin: TestSession;

beforeAll(async () => {
  database = await createTestDatabase("headers");
  db = createDb({ databaseUrl: database.url });
  app = createApp({ db, webDist });
  admin = await signIn(app, "admin");
});

afterAll(async () => {
  await db.destroy();
  await database.drop();
});

function expectSecurityHeaders(res: Response, what: string) {
  expect(res.headers.get("content-security-policy"), what).toBe(CONTENT_SECURITY_POLICY);
  expect(res.headers.get("x-content-type-options"), what).toBe("nosniff");
  expect(res.headers.get("referrer-policy"), what).toBe("same-origin");
  expect(res.headers.get("strict-transport-security"), `${what} over plain HTTP`).toBeNull();
}

describe("security headers", () => {
  it("the policy is self-only, frames nobody in and runs no inline script", () => {
    expect(CONTENT_SECURITY_POLICY).toContain("default-src 'self'");
    expect(CONTENT_SECURITY_POLICY).toContain("script-src 'self'");
    expect(CONTENT_SECURITY_POLICY).toContain("frame-ancestors 'none'");
    expect(CONTENT_SECURITY_POLICY).toMatch(/worker-src 'self' blob:/);
    expect(CONTENT_SECURITY_POLICY).toMatch(/img-src 'self' data: blob:/);
    expect(CONTENT_SECURITY_POLICY).not.toMatch(/script-src[^;]*unsafe/);
    const index = fs.readFileSync(path.join(webDist, "index.html"), "utf8");
    const scripts = [...index.matchAll(/<script\b([^>]*)>([\s\S]*?)<\/script>/g)];
    for (const [, attrs, body] of scripts) {
      expect(attrs, "every script of index.html is a file").toMatch(/\bsrc=/);
      expect(body?.trim()).toBe("");
    }
    expect(index).not.toMatch(/\son[a-z]+=/i);
  });

  it("are on every route of the OpenAPI document, signed in or not, and API answers are never stored", async () => {
    const routes = await openApiRoutes(app);
    expect(routes.length).toBeGreaterThan(40);
    for (const route of routes) {
      const url = samplePath(route.path);
      const what = `${route.method} ${url}`;
      const anonymous = await app.request(url, { method: route.method });
      expectSecurityHeaders(anonymous, `${what} (signed out)`);
      // Changes as admin would alter the data the other routes read; their refusals signed out are enough here.
      if (route.method !== "GET") continue;
      const res = await admin.request(url);
      expect(res.status, what).toBeLessThan(500);
      expectSecurityHeaders(res, what);
      if (url.startsWith("/api/") && res.status !== 304) {
        const cache = res.headers.get("cache-control") ?? "";
        expect(cache === "no-store" || /\bprivate\b.*\bno-cache\b/.test(cache), `${what}: ${cache}`).toBe(true);
      }
    }
  }, 300_000);

  it("API answers that carry a staff phone number are no-store, the cached whole-area answers included", async () => {
    const staff = await db.selectFrom("worker").select(["phone"]).where("phone", "is not", null).execute();
    const phones = staff.map((w) => w.phone!).filter((p) => p.length >= 7);
    expect(phones.length).toBeGreaterThan(10);
    const grids = await db.selectFrom("published_grid").select("code").orderBy("code").limit(3).execute();
    const urls = [
      ...(await openApiRoutes(app)).filter((r) => r.method === "GET").map((r) => samplePath(r.path)),
      ...grids.map((g) => `/api/grids/${g.code}`),
      "/api/workers",
    ];
    let personal = 0;
    for (const url of urls) {
      // Twice: the second answer of a cached route comes from the server's cache and must say the same.
      for (const round of [1, 2]) {
        const res = await admin.request(url);
        const body = await res.text();
        if (!phones.some((p) => body.includes(p))) continue;
        personal++;
        expect(res.headers.get("cache-control"), `${url} (${round})`).toBe("no-store");
      }
    }
    expect(personal, "some answers carry phones: the check saw them").toBeGreaterThan(2);
  }, 300_000);

  it("are on the web app, its assets, tiles and unknown paths", async () => {
    const assets = fs.readdirSync(path.join(webDist, "assets"));
    const js = assets.find((f) => f.endsWith(".js"))!;
    for (const url of ["/", "/workspace", `/assets/${js}`, "/assets/missing.js", "/tiles/versions", "/api/nope"]) {
      expectSecurityHeaders(await admin.request(url), url);
    }
  });

  it("HSTS only over HTTPS, and X-Forwarded-Proto only from a trusted proxy", async () => {
    const https = await app.request("https://gridatlas.example/api/health");
    expect(https.headers.get("strict-transport-security")).toMatch(/max-age=\d+/);
    const forwarded = { headers: { "x-forwarded-proto": "https" } };
    expect((await app.request("/api/health", forwarded)).headers.get("strict-transport-security")).toBeNull();
    const proxied = createApp({ db, site: { trustProxy: true } });
    expect((await proxied.request("/api/health", forwarded)).headers.get("strict-transport-security")).toMatch(
      /max-age/,
    );
  });
});

describe("assets and links", () => {
  it("the app shell is never stored by a browser, at / and as any page's fallback", async () => {
    for (const page of ["/", "/index.html", "/data?tab=basemap", "/leader-map"]) {
      const res = await app.request(page);
      expect([page, res.status, res.headers.get("content-type")?.split(";")[0]]).toEqual([page, 200, "text/html"]);
      expect([page, res.headers.get("cache-control")]).toEqual([page, "no-store"]);
    }
  });

  it("a missing asset is a 404 that is never cached; a present one is immutable", async () => {
    const missing = await app.request("/assets/missing-abc123.js");
    expect(missing.status).toBe(404);
    expect(missing.headers.get("cache-control")).toBe("no-store");
    expect(missing.headers.get("content-type") ?? "").not.toMatch(/html/);
    const js = fs.readdirSync(path.join(webDist, "assets")).find((f) => f.endsWith(".js"))!;
    const found = await app.request(`/assets/${js}`);
    expect(found.status).toBe(200);
    expect(found.headers.get("cache-control")).toBe("public, max-age=31536000, immutable");
  });

  it("tile.json builds no URL from the Host header: relative, or from GRIDATLAS_PUBLIC_URL", async () => {
    const forged = { headers: { host: "evil.example", "x-forwarded-proto": "https" } };
    const relative = await (await admin.request("http://evil.example/tiles/buildings/tile.json", forged)).json();
    expect(relative.tiles[0]).toMatch(/^\/tiles\/buildings\/v\d+\/\{z\}\/\{x\}\/\{y\}\.pbf$/);
    const configured = createApp({ db, site: { publicUrl: "https://grid.example.cn" } });
    const session = await signIn(configured, "leader");
    const absolute = await (await session.request("http://evil.example/tiles/buildings/tile.json", forged)).json();
    expect(absolute.tiles[0]).toMatch(/^https:\/\/grid\.example\.cn\/tiles\/buildings\/v\d+\//);
  });
});
