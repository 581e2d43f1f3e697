import { createApp } from "@gridatlas/server/app.ts";
import { tableChecksums, tableVersions } from "@gridatlas/server/db/checksum.ts";
import { createDb, type Db } from "@gridatlas/server/db/db.ts";
import { createTestDatabase, type TestDatabase } from "@gridatlas/server/test-support/test-database.ts";
import { signIn, type TestSession } from "@gridatlas/server/test-support/test-session.ts";
import fc from "fast-check";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

/**
 * Random and hostile input at every mutating route of the OpenAPI document, sent by an admin (so that it is the
 * validation, not the role check, that must hold): never a 5xx, and after every rejected request the database is
 * exactly as it was (a checksum of every table).
 */

let database: TestDatabase;
let db: Db;
let app: ReturnType<typeof createApp>;
let admin: TestSession;
let adminId: number;
let sql: pg.Client;

type JsonSchema = {
  type?: string | string[];
  properties?: Record<string, JsonSchema>;
  items?: JsonSchema;
  anyOf?: JsonSchema[];
  oneOf?: JsonSchema[];
  $ref?: string;
};

type MutatingRoute = { method: string; path: string; schema: JsonSchema | undefined };

// The routes come from the OpenAPI document, read while the tests are collected so that each route is a test of its
// own with its own deadline. Serving the document touches no database: this pool never connects.
const doc = await (
  await createApp({ db: createDb({ databaseUrl: "postgres://127.0.0.1:1/none" }) }).request("/api/openapi.json")
).json();
const resolve = (s: JsonSchema | undefined): JsonSchema | undefined =>
  s?.$ref ? doc.components.schemas[s.$ref.split("/").pop()!] : s;
const mutating: MutatingRoute[] = Object.entries(
  doc.paths as Record<string, Record<string, { requestBody?: { content?: Record<string, { schema?: JsonSchema }> } }>>,
).flatMap(([path, ops]) =>
  Object.entries(ops)
    .filter(([m]) => ["post", "put", "patch", "delete"].includes(m))
    // Signing out and in is exercised by the session tests; here it would end the admin's own session.
    .filter(([m]) => !(path.startsWith("/api/session") && m === "delete"))
    .map(([m, op]) => ({
      method: m.toUpperCase(),
      path,
      schema: resolve(op.requestBody?.content?.["application/json"]?.schema),
    })),
);

beforeAll(async () => {
  database = await createTestDatabase("hostile");
  sql = new pg.Client({ connectionString: database.url });
  await sql.connect();
  db = createDb({ databaseUrl: database.url });
  app = createApp({ db });
  // An admin of its own, whose id the random paths avoid: resetting or re-scoping oneself ends one's session.
  const created = await (await signIn(app, "admin")).send("POST", "/api/accounts", {
    username: "hostile-admin",
    display_name: "测试管理员",
    password: "Hostile-pass-1",
    roles: [{ role: "admin" }],
  });
  adminId = (await created.json()).id;
  const first = await signIn(app, "hostile-admin", "Hostile-pass-1");
  await first.send("POST", "/api/session/password", {
    current_password: "Hostile-pass-1",
    new_password: "Hostile-pass-2",
  });
  admin = await signIn(app, "hostile-admin", "Hostile-pass-2");
});

afterAll(async () => {
  await sql.end();
  await db.destroy();
  await database.drop();
});

const hostileStrings = fc.constantFrom(
  "",
  " ",
  "'; drop table grid; --",
  "1 or 1=1",
  "\u0000",
  "a\u0000b",
  "𠮷野家🏘️",
  "\u202Eevil",
  "<script>alert(1)</script>",
  "../../etc/passwd",
  "x".repeat(10_000),
  "NaN",
  "Infinity",
  "-1",
  "1e309",
  "150571003001",
  "150571003001001",
);
const hostileNumbers = fc.constantFrom(
  0,
  -1,
  -0,
  1.5,
  2 ** 31,
  2 ** 53 + 1,
  -(2 ** 63),
  1e308,
  -1e308,
  Number.MIN_VALUE,
);
const hostileGeometry = fc.constantFrom(
  { type: "Point", coordinates: [null, null] },
  { type: "Point", coordinates: ["NaN", 43.6] },
  { type: "Point", coordinates: [1e308, 43.6] },
  {
    type: "Polygon",
    coordinates: [
      [
        [122.25, 43.6],
        [122.26, 43.61],
        [122.26, 43.6],
        [122.25, 43.61],
        [122.25, 43.6],
      ],
    ],
  },
  {
    type: "Polygon",
    coordinates: [
      [
        [0, 0],
        [1, 1],
      ],
    ],
  },
  { type: "LineString", coordinates: Array.from({ length: 20_000 }, (_, i) => [122 + i / 1e5, 43.6]) },
  { type: "GeometryCollection", geometries: [] },
);
const anyHostile: fc.Arbitrary<unknown> = fc.oneof(
  hostileStrings,
  hostileNumbers,
  hostileGeometry,
  fc.boolean(),
  fc.constant(null),
  fc.anything({ maxDepth: 3 }),
  fc.array(hostileStrings, { maxLength: 5 }),
);

/** A body shaped like the schema (so validation gets past "not an object") but with hostile values inside. */
function bodyFor(schema: JsonSchema | undefined): fc.Arbitrary<unknown> {
  if (!schema?.properties) return anyHostile;
  const props = Object.fromEntries(
    Object.keys(schema.properties).map((k) => [k, fc.option(anyHostile, { nil: undefined, freq: 4 })]),
  );
  return fc.oneof(fc.record(props), anyHostile);
}

const pathValue = fc.oneof(
  fc.constantFrom("1", "0", "-1", "99999999999999999999", "abc", "%27%3B--", "1.5", "NaN", "150571003001001"),
  fc.integer({ min: 1, max: 500 }).map(String),
);

describe("hostile input", () => {
  it("finds the mutating routes", () => {
    expect(mutating.length).toBeGreaterThanOrEqual(4);
  });

  // One test per route, each with its own deadline, so a slow route (or a busy machine) shows which one it was.
  let started: Awaited<ReturnType<typeof tableChecksums>>;
  let accepted = 0;
  beforeAll(async () => {
    started = await tableChecksums(database.url, ["session", "audit_event", "account", "account_role"]);
  });

  it.each(mutating.map((route) => [`${route.method} ${route.path}`, route] as const))(
    "%s never gets a 5xx and leaves the database unchanged whenever it is refused",
    async (_, route) => {
      // A refused sign-in legitimately counts the failure on the account and logs it.
      const except = ["session", "audit_event", ...(route.path === "/api/session" ? ["account"] : [])];
      await fc.assert(
        fc.asyncProperty(
          bodyFor(route.schema),
          pathValue.filter((v) => v !== String(adminId)),
          fc.boolean(),
          async (body, param, rawGarbage) => {
            const path = route.path.replace(/\{[^}]+\}/g, param);
            const before = await tableVersions(sql, except);
            const res = await admin.request(path, {
              method: route.method,
              headers: { "content-type": "application/json" },
              body: rawGarbage ? '{"unterminated": [1, 2' : JSON.stringify(body),
            });
            expect(res.status, `${route.method} ${path} ${JSON.stringify(body)?.slice(0, 200)}`).toBeLessThan(500);
            const json = await res.json().catch(() => null);
            if (res.status < 400) accepted++;
            if (res.status >= 400) {
              expect(json?.error?.zh, `${route.method} ${path}`).toBeTruthy();
              expect(json?.error?.en, `${route.method} ${path}`).toBeTruthy();
              expect(await tableVersions(sql, except), `${route.method} ${path}`).toEqual(before);
            }
          },
        ),
        { numRuns: 30, seed: 20261127 },
      );
    },
    180_000,
  );

  it("leaves every row as it was when nothing was accepted", async () => {
    // Nothing but the accounts the random bodies created (and sessions and the audit trail) differs at the end,
    // checked row by row this time.
    if (accepted === 0) {
      expect(await tableChecksums(database.url, ["session", "audit_event", "account", "account_role"])).toEqual(
        started,
      );
    }
  });
});
