import http from "node:http";
import { TEST_PASSWORD } from "@gridatlas/server/test-support/test-database.ts";
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type OpenApiRoute, openApiRoutes, samplePath } from "./support/routes.ts";
import { startTestServer, type TestServer } from "./support/server.ts";

/**
 * Issue 16, "malformed headers never 5xx": every header the server (or a middleware in front of a route) reads,
 * fuzzed on every route of the OpenAPI document, over a real HTTP connection so that Host and Cookie arrive as a
 * browser or an attacker would send them.
 */

let server: TestServer;
let cookie: string;
let csrf: string;
let routes: OpenApiRoute[];

type Answer = { status: number; body: string };

/** A request through node:http, which (unlike fetch) sends Host, Cookie and Origin exactly as given. */
function send(method: string, path: string, headers: Record<string, string>, body?: string): Promise<Answer> {
  const { hostname, port } = new URL(server.url);
  // Node's client sends a DELETE body without a length unless told, which the server's parser rightly refuses.
  if (body !== undefined) headers["content-length"] = String(Buffer.byteLength(body));
  return new Promise((resolve) => {
    const req = http.request({ hostname, port, method, path, headers, setHost: !("host" in headers) }, (res) => {
      let text = "";
      res.setEncoding("utf8");
      res.on("data", (d) => {
        text += d;
      });
      res.on("end", () => resolve({ status: res.statusCode ?? 0, body: text }));
    });
    // A connection the server drops is as bad as a 5xx, and must name the request that did it.
    req.on("error", (err) => resolve({ status: 599, body: err.message }));
    if (body !== undefined) req.write(body);
    req.end();
  });
}

beforeAll(async () => {
  server = await startTestServer({ label: "headerfuzz" });
  const res = await fetch(`${server.url}/api/session`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ username: "admin", password: TEST_PASSWORD }),
  });
  cookie = (res.headers.get("set-cookie") ?? "").split(";")[0]!;
  csrf = (await res.json()).csrf_token;
  routes = await openApiRoutes({ request: (p, init) => fetch(`${server.url}${p}`, init) });
}, 120_000);

afterAll(async () => {
  await server?.close();
});

/** Header values Node will put on the wire: visible Latin-1 and tabs, no line breaks. */
const headerText = fc.string({
  unit: fc
    .oneof(fc.integer({ min: 0x20, max: 0x7e }), fc.integer({ min: 0xa0, max: 0xff }))
    .map((n) => String.fromCharCode(n)),
  maxLength: 60,
});
const nasty = fc.constantFrom(
  "null",
  "foo",
  "http://[::1",
  "http://host:port.evil.example",
  "http://",
  "://",
  "https://evil.example",
  "*",
  "W/",
  '"',
  'W/"x", *, "',
  "a=b; ga_session=",
  "ga_session=%zz",
  "application/json; charset=klingon",
  "multipart/form-data; boundary=",
  "text/csv; charset=gbk",
  "1.2.3.4, ::1, garbage, 999.1.1.1",
  "x".repeat(4000),
  "é中",
);
const value = fc.oneof(nasty, headerText);

const fuzzHeaders = fc.record(
  {
    origin: value,
    host: value,
    cookie: fc.oneof(
      value,
      value.map((v) => `${v}; COOKIE`),
    ),
    "if-none-match": value,
    "x-forwarded-for": value,
    "x-forwarded-proto": value,
    "x-forwarded-host": value,
    "content-type": value,
    "idempotency-key": value,
    "accept-language": value,
  },
  { requiredKeys: [] },
);

describe("malformed headers", () => {
  it("Origin values browsers and attackers send never break sign-in", async () => {
    for (const origin of ["null", "foo", "http://[::1", "http://host:port.evil.example", "", "http://"]) {
      const res = await send(
        "POST",
        "/api/session",
        { "content-type": "application/json", origin },
        JSON.stringify({ username: "nobody", password: "wrong" }),
      );
      expect(res.status, origin).toBeLessThan(500);
      expect(res.status, origin).not.toBe(200);
    }
  });

  it("fuzzed Origin, Host, Cookie, If-None-Match, X-Forwarded-*, Content-Type, Idempotency-Key: never a 5xx", async () => {
    expect(routes.length).toBeGreaterThan(40);
    for (const route of routes) {
      // Signing out (here or everywhere) would end the session the other requests carry.
      if (route.path.startsWith("/api/session") && route.method === "DELETE") continue;
      // Id 0 is nobody: a change that gets past its headers still finds nothing to alter.
      const path = route.method === "GET" ? samplePath(route.path) : samplePath(route.path, { id: "0" });
      await fc.assert(
        fc.asyncProperty(fuzzHeaders, async (fuzzed) => {
          const headers: Record<string, string> = { "x-csrf-token": csrf };
          for (const [k, v] of Object.entries(fuzzed)) {
            if (v !== undefined) headers[k] = k === "cookie" ? v.replace("COOKIE", cookie) : v;
          }
          if (!("cookie" in headers)) headers.cookie = cookie;
          const body = route.method === "GET" ? undefined : "{}";
          const res = await send(route.method, path, headers, body);
          const what = `${route.method} ${path} ${res.body.slice(0, 200)} ${JSON.stringify(headers).slice(0, 400)}`;
          expect(res.status, what).toBeLessThan(500);
        }),
        { numRuns: 4, seed: 20261207 },
      );
    }
  }, 900_000);
});
