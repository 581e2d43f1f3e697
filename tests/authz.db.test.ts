import { createApp } from "@gridatlas/server/app.ts";
import { createDb, type Db } from "@gridatlas/server/db/db.ts";
import { createTestDatabase, type TestDatabase } from "@gridatlas/server/test-support/test-database.ts";
import { signIn, type TestSession } from "@gridatlas/server/test-support/test-session.ts";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

/**
 * Every route × every role, signed out included: the status each must get, and that nothing outside a role's
 * scope leaks into a response. A route added to the API without a line here fails the first test.
 */

type Role = "anonymous" | "admin" | "planner" | "leader" | "secretary" | "worker";
const ROLES: Role[] = ["anonymous", "admin", "planner", "leader", "secretary", "worker"];
const COMMUNITY_A = "150571003001";

let database: TestDatabase;
let db: Db;
let sql: pg.Client;
let app: ReturnType<typeof createApp>;
const sessions = new Map<Role, TestSession>();
let usernames: Record<Exclude<Role, "anonymous">, string>;
let workerGrids: string[];
let gridInA: string;
let gridOutsideA: string;
let someAccountId: number;
let draftId: number;
let publishedId: number;

beforeAll(async () => {
  database = await createTestDatabase("authz");
  db = createDb({ databaseUrl: database.url });
  app = createApp({ db });
  sql = new pg.Client({ connectionString: database.url });
  await sql.connect();
  usernames = {
    admin: "admin",
    planner: "planner",
    leader: "leader",
    secretary: `secretary-${COMMUNITY_A}`,
    worker: "worker-1",
  };
  for (const [role, username] of Object.entries(usernames)) sessions.set(role as Role, await signIn(app, username));
  const w = await sql.query<{ grid_code: string }>(
    `select wa.grid_code from account a join account_role r on r.account_id = a.id
     join worker_assignment wa on wa.worker_id = r.worker_id where a.username = 'worker-1' order by 1`,
  );
  workerGrids = w.rows.map((r) => r.grid_code);
  expect(workerGrids.length).toBeGreaterThan(0);
  const a = await sql.query<{ code: string }>(
    `select code from published_grid where community_code = $1 and code <> all($2) order by code limit 1`,
    [COMMUNITY_A, workerGrids],
  );
  gridInA = a.rows[0]!.code;
  const b = await sql.query<{ code: string }>(
    `select code from published_grid where community_code <> $1 and code <> all($2) order by code limit 1`,
    [COMMUNITY_A, workerGrids],
  );
  gridOutsideA = b.rows[0]!.code;
  someAccountId = (await sql.query<{ id: number }>("select id from account where username = 'worker-2'")).rows[0]!.id;
  draftId = (
    await (await sessions.get("planner")!.send("POST", "/api/plans", { from: "published", name: "矩阵" })).json()
  ).id;
  publishedId = (await sql.query<{ id: number }>("select id from plan where status = 'published'")).rows[0]!.id;
});

afterAll(async () => {
  await sql.end();
  await db.destroy();
  await database.drop();
});

type Call = { path: string; body?: unknown };
type Expectation = { call: () => Call | Promise<Call>; status: Record<Role, number> };

/** The version of a shared row as it stands, for edits that must send it (428 without, 409 when stale). */
async function versionOf(table: "account" | "venue_category", key: "id" | "code", value: number | string) {
  return (await sql.query<{ version: number }>(`select version from ${table} where ${key} = $1`, [value])).rows[0]!
    .version;
}

const all = (n: number, over: Partial<Record<Role, number>> = {}): Record<Role, number> => ({
  anonymous: 401,
  admin: n,
  planner: n,
  leader: n,
  secretary: n,
  worker: n,
  ...over,
});
const adminOnly = (n: number) => all(403, { admin: n });
/** Plans are for planners: leaders may look, secretaries and workers may not. */
const planReaders = (n: number) => all(403, { admin: n, planner: n, leader: n });
/** An edit with a version that cannot match: editors get past the role check to the 409, the others are refused. */
const planEditors = () => all(403, { admin: 409, planner: 409 });
const stale = { version: 999_999 };
const NO_SUCH_UUID = "00000000-0000-4000-8000-000000000000";
let seq = 0;

/** Keyed by "METHOD /openapi/path". */
const matrix: Record<string, Expectation> = {
  "GET /api/health": { call: () => ({ path: "/api/health" }), status: { ...all(200), anonymous: 200 } },
  "GET /api/session": { call: () => ({ path: "/api/session" }), status: all(200) },
  "POST /api/session": {
    // A username of its own per call: six failures of one username from one address would be throttled (429).
    call: () => ({ path: "/api/session", body: { username: `nobody-${++seq}`, password: "wrong" } }),
    status: { ...all(401), anonymous: 401 },
  },
  "DELETE /api/session": { call: () => ({ path: "/api/session" }), status: all(204) },
  "DELETE /api/session/all": { call: () => ({ path: "/api/session/all" }), status: all(204) },
  // Public: a link that does not exist is the same 404 for everyone.
  "POST /api/session/set-password": {
    call: () => ({ path: "/api/session/set-password", body: { token: "no-such-link", new_password: "x" } }),
    status: { ...all(404), anonymous: 404 },
  },
  "POST /api/session/password": {
    call: () => ({
      path: "/api/session/password",
      body: { current_password: "not-it", new_password: "Another-pass-9" },
    }),
    status: all(400),
  },
  "GET /api/accounts": { call: () => ({ path: "/api/accounts" }), status: adminOnly(200) },
  "POST /api/accounts": {
    call: () => ({
      path: "/api/accounts",
      body: {
        username: `matrix-${++seq}`,
        display_name: "矩阵",
        password: "Matrix-pass-1",
        roles: [{ role: "leader" }],
      },
    }),
    status: adminOnly(201),
  },
  "PATCH /api/accounts/{id}": {
    call: async () => ({
      path: `/api/accounts/${someAccountId}`,
      body: { display_name: `改名${++seq}`, version: await versionOf("account", "id", someAccountId) },
    }),
    status: adminOnly(200),
  },
  "POST /api/accounts/{id}/password": {
    call: () => ({ path: `/api/accounts/${someAccountId}/password`, body: { password: "Reset-pass-12" } }),
    status: adminOnly(200),
  },
  "GET /api/audit": { call: () => ({ path: "/api/audit" }), status: all(403, { admin: 200, leader: 200 }) },
  "GET /api/subdistrict": { call: () => ({ path: "/api/subdistrict" }), status: all(200) },
  "GET /api/communities": { call: () => ({ path: "/api/communities" }), status: all(200) },
  "GET /api/grids": { call: () => ({ path: "/api/grids" }), status: all(200) },
  "GET /api/grids/{code}": { call: () => ({ path: `/api/grids/${gridInA}` }), status: all(200, { worker: 404 }) },
  "GET /api/buildings": { call: () => ({ path: "/api/buildings" }), status: all(200) },
  "GET /api/compounds": { call: () => ({ path: "/api/compounds" }), status: all(200) },
  "GET /api/venues": { call: () => ({ path: "/api/venues" }), status: all(200) },
  "GET /api/hazards": { call: () => ({ path: "/api/hazards" }), status: all(200) },
  // Venues and hazards (issue 7): everyone reads (scoped); admins, secretaries and workers record — past the role
  // check to the 404 (no such venue or hazard) or 422 (a point off the subdistrict); leaders and planners get 403.
  "GET /api/venues/clusters": { call: () => ({ path: "/api/venues/clusters?zoom=14" }), status: all(200) },
  "GET /api/venues/{id}": { call: () => ({ path: "/api/venues/999999999" }), status: all(404) },
  "POST /api/venues/{id}/inspections": {
    call: () => ({ path: "/api/venues/999999999/inspections", body: { inspected_on: "2026-01-05", result: "ok" } }),
    status: all(404, { leader: 403, planner: 403 }),
  },
  "GET /api/venue-categories": { call: () => ({ path: "/api/venue-categories" }), status: all(200) },
  "PATCH /api/venue-categories/{code}": {
    call: async () => ({
      path: "/api/venue-categories/youth_room",
      body: { inspection_interval_days: 90, version: await versionOf("venue_category", "code", "youth_room") },
    }),
    status: all(403, { admin: 200, planner: 200 }),
  },
  "GET /api/hazards/clusters": { call: () => ({ path: "/api/hazards/clusters?zoom=14" }), status: all(200) },
  "GET /api/hazards/{id}": { call: () => ({ path: "/api/hazards/999999999" }), status: all(404) },
  "GET /api/hazards/{id}/history": { call: () => ({ path: "/api/hazards/999999999/history" }), status: all(404) },
  "POST /api/hazards": {
    call: () => ({
      path: "/api/hazards",
      body: { geometry: { type: "Point", coordinates: [0, 0] }, category: "fire", severity: "low", title: "矩阵" },
    }),
    status: all(422, { leader: 403, planner: 403 }),
  },
  "POST /api/hazards/{id}/transitions": {
    call: () => ({ path: "/api/hazards/999999999/transitions", body: { to: "assigned" } }),
    status: all(404, { leader: 403, planner: 403 }),
  },
  "GET /api/hazard-categories": { call: () => ({ path: "/api/hazard-categories" }), status: all(200) },
  // Search answers within the caller's scope (the leak scan below reads its answers for secretaries and workers).
  "GET /api/search": { call: () => ({ path: "/api/search?q=010" }), status: all(200) },
  // The raster base map: read by every map, set by admins only (a stale version is refused, changing nothing).
  "GET /api/settings/base-map": { call: () => ({ path: "/api/settings/base-map" }), status: all(200) },
  "PUT /api/settings/base-map": {
    call: () => ({ path: "/api/settings/base-map", body: { raster_url: null, version: 999999 } }),
    status: all(403, { admin: 409 }),
  },
  // The field app (issue 15): its data only for worker accounts; photo uploads check the image before anything
  // else (JSON is no image: 415); a photo nobody may see is a 404.
  "GET /api/me/field": { call: () => ({ path: "/api/me/field" }), status: all(403, { worker: 200 }) },
  "POST /api/hazards/{id}/photos": {
    call: () => ({ path: "/api/hazards/999999999/photos", body: {} }),
    status: all(415),
  },
  "POST /api/inspections/{id}/photos": {
    call: () => ({ path: "/api/inspections/999999999/photos", body: {} }),
    status: all(415),
  },
  "GET /api/photos/{id}": { call: () => ({ path: "/api/photos/999999999" }), status: all(404) },
  "GET /api/stats/hazards": { call: () => ({ path: "/api/stats/hazards" }), status: all(200) },
  "GET /api/cameras": { call: () => ({ path: "/api/cameras" }), status: all(200, { worker: 403 }) },
  // Camera writes: editors get past the role check to the 400 (off every parcel) or 404 (no such camera).
  "POST /api/cameras": {
    call: () => ({
      path: "/api/cameras",
      body: { name: "矩阵", type: "dome", geometry: { type: "Point", coordinates: [0, 0] } },
    }),
    status: all(400, { leader: 403, worker: 403 }),
  },
  "PATCH /api/cameras/{id}": {
    call: () => ({ path: "/api/cameras/999999999", body: { bearing_deg: 10 } }),
    status: all(404, { leader: 403, worker: 403 }),
  },
  "DELETE /api/cameras/{id}": {
    call: () => ({ path: "/api/cameras/999999999" }),
    status: all(404, { leader: 403, worker: 403 }),
  },
  "GET /api/coverage": { call: () => ({ path: "/api/coverage" }), status: all(200, { worker: 403 }) },
  "GET /api/coverage/blind-spots": {
    call: () => ({ path: "/api/coverage/blind-spots" }),
    status: all(200, { worker: 403 }),
  },
  "POST /api/coverage/suggest": {
    call: () => ({ path: "/api/coverage/suggest", body: { community: COMMUNITY_A, k: 1 } }),
    status: all(200, { worker: 403 }),
  },
  "GET /api/roads": { call: () => ({ path: "/api/roads" }), status: all(200) },
  "GET /api/water": { call: () => ({ path: "/api/water" }), status: all(200) },
  "GET /api/blocks": { call: () => ({ path: "/api/blocks" }), status: all(200) },
  "GET /api/parcels": { call: () => ({ path: "/api/parcels?community=150571003001" }), status: all(200) },
  "GET /api/parcel-edges": { call: () => ({ path: "/api/parcel-edges?community=150571003001" }), status: all(200) },
  "GET /tiles/versions": { call: () => ({ path: "/tiles/versions" }), status: all(200) },
  "GET /tiles/{layer}/tile.json": {
    call: () => ({ path: "/tiles/grids/tile.json" }),
    status: all(200),
  },
  // A version no layer has yet.
  "GET /tiles/{layer}/{version}/{z}/{x}/{y}": {
    call: () => ({ path: "/tiles/grids/v999999/15/0/0.pbf" }),
    status: all(404),
  },
  "GET /tiles/{layer}/{z}/{x}/{y}": {
    call: () => ({ path: "/tiles/grids/15/0/0.pbf" }),
    status: all(302),
  },
  "GET /api/plans": { call: () => ({ path: "/api/plans" }), status: planReaders(200) },
  "POST /api/plans": {
    call: () => ({ path: "/api/plans", body: { from: "published", name: `矩阵${++seq}` } }),
    status: all(403, { admin: 201, planner: 201 }),
  },
  "GET /api/plans/{id}": { call: () => ({ path: `/api/plans/${draftId}` }), status: planReaders(200) },
  "GET /api/plans/{id}/grids": {
    call: () => ({ path: `/api/plans/${draftId}/grids?community=${COMMUNITY_A}` }),
    status: planReaders(200),
  },
  "GET /api/plans/{id}/parcels": {
    call: () => ({ path: `/api/plans/${draftId}/parcels?grid=${gridInA}` }),
    status: planReaders(200),
  },
  "GET /api/plans/{id}/history": { call: () => ({ path: `/api/plans/${draftId}/history` }), status: planReaders(200) },
  "GET /api/plans/{id}/validation": {
    call: () => ({ path: `/api/plans/${draftId}/validation` }),
    status: planReaders(200),
  },
  "POST /api/plans/{id}/assign": {
    call: () => ({ path: `/api/plans/${draftId}/assign`, body: { ...stale, parcels: [1], grid: gridInA } }),
    status: planEditors(),
  },
  "POST /api/plans/{id}/undo": {
    call: () => ({ path: `/api/plans/${draftId}/undo`, body: stale }),
    status: planEditors(),
  },
  "POST /api/plans/{id}/redo": {
    call: () => ({ path: `/api/plans/${draftId}/redo`, body: stale }),
    status: planEditors(),
  },
  "POST /api/plans/{id}/grids/{code}/lock": {
    call: () => ({ path: `/api/plans/${draftId}/grids/${gridInA}/lock`, body: { ...stale, locked: true } }),
    status: planEditors(),
  },
  "POST /api/plans/{id}/grids/{code}/split": {
    call: () => ({
      path: `/api/plans/${draftId}/grids/${gridInA}/split`,
      body: {
        ...stale,
        line: {
          type: "LineString",
          coordinates: [
            [122.2, 43.6],
            [122.3, 43.6],
          ],
        },
      },
    }),
    status: planEditors(),
  },
  "POST /api/plans/{id}/grids/{code}/delete": {
    call: () => ({ path: `/api/plans/${draftId}/grids/${gridInA}/delete`, body: stale }),
    status: planEditors(),
  },
  "POST /api/plans/{id}/merge": {
    call: () => ({ path: `/api/plans/${draftId}/merge`, body: { ...stale, grids: [gridInA, gridOutsideA] } }),
    status: planEditors(),
  },
  "POST /api/plans/{id}/renumber": {
    call: () => ({ path: `/api/plans/${draftId}/renumber`, body: { ...stale, community: COMMUNITY_A } }),
    status: planEditors(),
  },
  "POST /api/plans/{id}/publish": {
    call: () => ({ path: `/api/plans/${draftId}/publish`, body: stale }),
    status: planEditors(),
  },
  "POST /api/plans/{id}/rebalance": {
    call: () => ({ path: `/api/plans/${draftId}/rebalance`, body: { ...stale, community: COMMUNITY_A } }),
    status: planEditors(),
  },
  "GET /api/plans/{id}/rebalance/{job}": {
    call: () => ({ path: `/api/plans/${draftId}/rebalance/00000000-0000-4000-8000-000000000000` }),
    status: planReaders(404),
  },
  "POST /api/plans/{id}/rebalance/{job}/stop": {
    call: () => ({ path: `/api/plans/${draftId}/rebalance/${NO_SUCH_UUID}/stop`, body: {} }),
    status: all(403, { admin: 404, planner: 404 }),
  },
  "GET /api/plans/{a}/compare/{b}": {
    call: () => ({ path: `/api/plans/${publishedId}/compare/${draftId}` }),
    status: planReaders(200),
  },
  "GET /api/plans/{a}/compare/{b}/transfers.csv": {
    call: () => ({ path: `/api/plans/${publishedId}/compare/${draftId}/transfers.csv` }),
    status: planReaders(200),
  },
  // The community workspace (issue 6): secretaries read their own community, workers their own grids' cards.
  "GET /api/communities/{code}/status": {
    call: () => ({ path: `/api/communities/${COMMUNITY_A}/status` }),
    status: all(200, { worker: 403 }),
  },
  "GET /api/subdistrict/status": { call: () => ({ path: "/api/subdistrict/status" }), status: planReaders(200) },
  "GET /api/grids/{code}/status": {
    call: () => ({ path: `/api/grids/${gridInA}/status` }),
    status: all(200, { worker: 404 }),
  },
  "GET /api/communities/{code}/report": {
    call: () => ({ path: `/api/communities/${COMMUNITY_A}/report` }),
    status: all(403, { admin: 200, secretary: 200 }),
  },
  "GET /api/communities/{code}/report.csv": {
    call: () => ({ path: `/api/communities/${COMMUNITY_A}/report.csv` }),
    status: all(403, { admin: 200, secretary: 200 }),
  },
  "GET /api/communities/{code}/report.xlsx": {
    call: () => ({ path: `/api/communities/${COMMUNITY_A}/report.xlsx` }),
    status: all(403, { admin: 200, secretary: 200 }),
  },
  "GET /api/communities/{code}/summary": {
    call: () => ({ path: `/api/communities/${COMMUNITY_A}/summary` }),
    status: all(200, { worker: 403 }),
  },
  "GET /api/workers": { call: () => ({ path: "/api/workers" }), status: all(200, { leader: 403 }) },
  "POST /api/workers": {
    call: () => ({
      path: "/api/workers",
      body: { community_code: COMMUNITY_A, role: "info_worker", name: `矩阵${++seq}`, started_on: "2026-01-01" },
    }),
    status: all(403, { admin: 201, secretary: 201 }),
  },
  // Worker writes on a worker that does not exist: managers get past the role check to the 404.
  "PATCH /api/workers/{id}": {
    call: () => ({ path: "/api/workers/999999999", body: { name: "矩阵" } }),
    status: all(403, { admin: 404, secretary: 404 }),
  },
  "POST /api/workers/{id}/assignments": {
    call: () => ({ path: "/api/workers/999999999/assignments", body: { grid_code: gridInA } }),
    status: all(403, { admin: 404, secretary: 404 }),
  },
  "DELETE /api/workers/{id}/assignments/{code}": {
    call: () => ({ path: `/api/workers/999999999/assignments/${gridInA}` }),
    status: all(403, { admin: 404, secretary: 404 }),
  },
  "POST /api/visits": {
    call: () => ({ path: "/api/visits", body: { worker_id: 999999999, entrance_id: 1, visited_on: "2026-11-20" } }),
    status: all(404, { planner: 403, leader: 403 }),
  },
  "POST /api/visits/import": {
    call: () => ({
      path: "/api/visits/import",
      body: { csv: "worker_id,entrance_id,visited_on\n999999999,1,2026-11-20\n" },
    }),
    status: all(422, { planner: 403, leader: 403 }),
  },
  "GET /api/visits": { call: () => ({ path: "/api/visits" }), status: all(200, { planner: 403, leader: 403 }) },
  // Imports are for admins: an upload of one byte is created; a chunk, an import or a job that does not exist is a 404.
  "POST /api/imports/files": {
    call: () => ({ path: "/api/imports/files", body: { name: "matrix.geojson", size_bytes: 1 } }),
    status: adminOnly(201),
  },
  "PUT /api/imports/files/{id}": {
    call: () => ({ path: `/api/imports/files/${NO_SUCH_UUID}`, body: { offset: 0, data: "e30=" } }),
    status: adminOnly(404),
  },
  "POST /api/imports": {
    call: () => ({ path: "/api/imports", body: { kind: "osm", file: NO_SUCH_UUID, subdistrict_code: "990000009" } }),
    status: adminOnly(404),
  },
  "GET /api/imports/{id}": { call: () => ({ path: `/api/imports/${NO_SUCH_UUID}` }), status: adminOnly(404) },
  "POST /api/imports/preview": {
    call: () => ({ path: "/api/imports/preview", body: { file: NO_SUCH_UUID } }),
    status: adminOnly(404),
  },
  "POST /api/imports/territory/preview": {
    call: () => ({ path: "/api/imports/territory/preview", body: { communities_file: NO_SUCH_UUID } }),
    status: adminOnly(404),
  },
  "POST /api/imports/layers": {
    call: () => ({ path: "/api/imports/layers", body: { file: NO_SUCH_UUID, target: "venues" } }),
    status: adminOnly(404),
  },
  "POST /api/imports/plans": {
    call: () => ({ path: "/api/imports/plans", body: { file: NO_SUCH_UUID, name: "矩阵" } }),
    status: adminOnly(404),
  },
  // Prints: readers of plans get past the role check to the 404 of a plan that does not exist.
  "GET /api/exports/print/map": {
    call: () => ({ path: "/api/exports/print/map?plan=999999999" }),
    status: planReaders(404),
  },
  "GET /api/exports/print/transfers": {
    call: () => ({ path: "/api/exports/print/transfers?from=999999998&to=999999999" }),
    status: planReaders(404),
  },
  "GET /api/exports/{layer}": {
    call: () => ({ path: `/api/exports/venues?community=${COMMUNITY_A}&format=csv` }),
    status: planReaders(200),
  },
};

async function callAs(role: Role, method: string, call: Call): Promise<Response> {
  const init: RequestInit = {
    method,
    headers: { "content-type": "application/json" },
    ...(call.body === undefined ? {} : { body: JSON.stringify(call.body) }),
  };
  if (role === "anonymous") return app.request(call.path, init);
  // Signing out ends the session, so that call gets a session of its own.
  const s =
    method === "DELETE" && call.path.startsWith("/api/session")
      ? await signIn(app, usernames[role])
      : sessions.get(role)!;
  const res = await s.request(call.path, init);
  // Signing out everywhere ended the role's other session too: the suite's session is made anew.
  if (method === "DELETE" && call.path === "/api/session/all") sessions.set(role, await signIn(app, usernames[role]));
  return res;
}

describe("the route × role matrix", () => {
  it("has an expectation for every route of the OpenAPI document", async () => {
    const doc = await (await app.request("/api/openapi.json")).json();
    const routes = Object.entries(doc.paths as Record<string, Record<string, unknown>>).flatMap(([p, ops]) =>
      Object.keys(ops).map((m) => `${m.toUpperCase()} ${p}`),
    );
    expect(routes.filter((r) => !(r in matrix))).toEqual([]);
  });

  for (const [route, expectation] of Object.entries(matrix)) {
    it(`${route}`, async () => {
      const method = route.split(" ")[0]!;
      const got: Record<string, number> = {};
      const leaks: string[] = [];
      for (const role of ROLES) {
        const res = await callAs(role, method, await expectation.call());
        got[role] = res.status;
        if (role === "secretary" || role === "worker") leaks.push(...(await leaksIn(role, res)));
      }
      expect(got).toEqual(expectation.status);
      expect(leaks, `${route}: territory outside the caller's scope`).toEqual([]);
    });
  }
});

/** What lies outside a scoped role's reach: community and grid codes, and ids of places by their key. */
type Foreign = { communities: Set<string>; grids: Set<string>; ids: Map<string, Set<number>> };
const foreign = new Map<"secretary" | "worker", Foreign>();

/** Ids of places a role may not see, by the key that names them in an answer (`hazard_id`, …). */
async function foreignIds(inScope: string): Promise<Map<string, Set<number>>> {
  const ids = new Map<string, Set<number>>();
  const q = async (key: string, text: string) =>
    ids.set(key, new Set((await sql.query<{ id: number }>(text)).rows.map((r) => r.id)));
  const place = (table: string) =>
    `select t.id from ${table} t left join published_parcel pp on pp.parcel_id = t.parcel_id where not (${inScope})`;
  await q("hazard_id", place("hazard"));
  await q("venue_id", place("venue"));
  await q("camera_id", place("camera"));
  await q(
    "building_id",
    `select t.id from building t where not exists (select 1 from parcel pa join published_parcel pp
       on pp.parcel_id = pa.id where pa.building_id = t.id and (${inScope}))`,
  );
  await q(
    "entrance_id",
    `select e.id from entrance e where not exists (select 1 from parcel pa join published_parcel pp
       on pp.parcel_id = pa.id join building t on t.id = pa.building_id where pa.entrance_id = e.id and (${inScope}))`,
  );
  return ids;
}

beforeAll(async () => {
  const codes = async (text: string, values: unknown[]) =>
    new Set((await sql.query<{ code: string }>(text, values)).rows.map((r) => r.code));
  const workerCommunities = [...new Set(workerGrids.map((g) => g.slice(0, 12)))];
  foreign.set("secretary", {
    communities: await codes("select code from community where code <> $1", [COMMUNITY_A]),
    grids: await codes("select code from grid where community_code <> $1", [COMMUNITY_A]),
    ids: await foreignIds(`t.community_code = '${COMMUNITY_A}'`),
  });
  foreign.set("worker", {
    communities: await codes("select code from community where code <> all($1)", [workerCommunities]),
    grids: await codes("select code from grid where code <> all($1)", [workerGrids]),
    ids: await foreignIds(`pp.grid_code in (${workerGrids.map((g) => `'${g}'`).join(",")})`),
  });
});

/**
 * Every community code, grid code and place id in an answer (JSON walked generically, or any text) that lies
 * outside the role's scope. Codes are found inside any string, messages included, so a refusal that names the
 * neighbour's grid counts too.
 */
async function leaksIn(role: "secretary" | "worker", res: Response): Promise<string[]> {
  const f = foreign.get(role)!;
  const text = await res.text();
  const found: string[] = [];
  const scanText = (s: string, at: string) => {
    for (const [code] of s.matchAll(/(?<!\d)\d{15}(?!\d)/g)) if (f.grids.has(code)) found.push(`${at}: grid ${code}`);
    for (const [code] of s.matchAll(/(?<!\d)\d{12}(?!\d)/g)) {
      if (f.communities.has(code)) found.push(`${at}: community ${code}`);
    }
  };
  const walk = (v: unknown, at: string) => {
    if (typeof v === "string") scanText(v, at);
    else if (Array.isArray(v)) {
      for (const [i, x] of v.entries()) walk(x, `${at}.${i}`);
    } else if (v && typeof v === "object") {
      for (const [k, x] of Object.entries(v)) {
        const ids = f.ids.get(k);
        if (ids && typeof x === "number" && ids.has(x)) found.push(`${at}.${k}: ${x}`);
        walk(x, `${at}.${k}`);
      }
    }
  };
  try {
    walk(JSON.parse(text), "$");
  } catch {
    scanText(text, "text");
  }
  return found.slice(0, 10);
}

type FC = { features: { properties: Record<string, unknown> }[] };
const features = async (role: Role, path: string): Promise<FC["features"]> => {
  const res = await callAs(role, "GET", { path });
  expect(res.status).toBe(200);
  return ((await res.json()) as FC).features;
};

describe("nothing outside the scope leaks", () => {
  it("a secretary's camera reaching over the community's edge answers only about her own grids", async () => {
    // A point of community A within a few metres of a parcel of another community.
    const [edge] = (
      await sql.query<{ lng: number; lat: number; bearing: number }>(
        `select ST_X(p) lng, ST_Y(p) lat,
           degrees(ST_Azimuth(p, ST_ClosestPoint(o.geom, p)))::float8 bearing
         from parcel a
         join parcel o on o.community_code <> a.community_code and ST_DWithin(o.geom, a.geom, 0.00005)
         cross join lateral (select ST_PointOnSurface(ST_Intersection(a.geom, ST_Buffer(o.geom, 0.0002))) p) q
         where a.community_code = $1 and not ST_IsEmpty(p) and ST_Intersects(a.geom, p)
         order by a.id limit 1`,
        [COMMUNITY_A],
      )
    ).rows;
    expect(edge).toBeDefined();
    const secretary = sessions.get("secretary")!;
    const created = await secretary.send("POST", "/api/cameras", {
      name: "越界视角",
      type: "fixed",
      geometry: { type: "Point", coordinates: [edge!.lng, edge!.lat] },
      bearing_deg: edge!.bearing % 360,
      range_m: 300,
      view_width_deg: 120,
    });
    expect(created.status, await created.clone().text()).toBe(201);
    const camera = await created.clone().json();
    expect(await leaksIn("secretary", created)).toEqual([]);
    const widened = await secretary.send("PATCH", `/api/cameras/${camera.camera.id}`, {
      view_width_deg: 170,
      range_m: 500,
      version: camera.camera.properties.version,
    });
    expect(widened.status).toBe(200);
    const { version } = (await widened.clone().json()).camera.properties;
    expect(await leaksIn("secretary", widened)).toEqual([]);
    // The admin's answer to the same change shows that the view does reach the neighbour.
    const adminView = await sessions.get("admin")!.send("PATCH", `/api/cameras/${camera.camera.id}`, {
      range_m: 499,
      version,
    });
    const adminAnswer = await adminView.json();
    const grids = (adminAnswer.grids as { community_code: string }[]).map((g) => g.community_code);
    expect(grids.some((c) => c !== COMMUNITY_A)).toBe(true);
    const removed = await secretary.request(
      `/api/cameras/${camera.camera.id}?version=${adminAnswer.camera.properties.version}`,
      { method: "DELETE" },
    );
    expect(removed.status).toBe(200);
    expect(await leaksIn("secretary", removed)).toEqual([]);
  });

  it("a refused hazard report does not name the grid the point lies in", async () => {
    const [other] = (
      await sql.query<{ lng: number; lat: number }>(
        `select ST_X(ST_PointOnSurface(pa.geom)) lng, ST_Y(ST_PointOnSurface(pa.geom)) lat from parcel pa
         join published_parcel pp on pp.parcel_id = pa.id where pa.community_code <> $1 order by pa.id limit 1`,
        [COMMUNITY_A],
      )
    ).rows;
    for (const role of ["secretary", "worker"] as const) {
      const res = await sessions.get(role)!.send("POST", "/api/hazards", {
        geometry: { type: "Point", coordinates: [other!.lng, other!.lat] },
        category: "fire",
        severity: "low",
        title: "越界",
      });
      expect(res.status).toBe(403);
      const body = await res.clone().json();
      expect(body.error.code).toBe("outside_scope");
      expect(body.error.en).toBe("the point lies outside your grids");
      expect(await leaksIn(role, res)).toEqual([]);
    }
  });

  it("a secretary sees only the grids and places of their community", async () => {
    for (const layer of [
      "grids",
      "buildings",
      "compounds",
      "venues",
      "hazards",
      "cameras",
      "communities",
      "parcels",
      "parcel-edges",
    ]) {
      const fs = await features("secretary", `/api/${layer}`);
      expect(fs.length, layer).toBeGreaterThan(0);
      const key = layer === "communities" ? "code" : "community_code";
      if (layer === "parcel-edges") continue;
      expect(new Set(fs.map((f) => f.properties[key])), layer).toEqual(new Set([COMMUNITY_A]));
    }
    const other = gridOutsideA.slice(0, 12);
    for (const layer of ["grids", "buildings", "venues", "hazards", "cameras"]) {
      expect(await features("secretary", `/api/${layer}?community=${other}`), layer).toHaveLength(0);
    }
    expect((await callAs("secretary", "GET", { path: `/api/grids/${gridOutsideA}` })).status).toBe(404);
    expect((await callAs("secretary", "GET", { path: `/api/grids/${gridInA}` })).status).toBe(200);
  });

  it("a worker sees only their own grids and the places in them, and no cameras", async () => {
    const grids = await features("worker", "/api/grids");
    expect(grids.map((f) => f.properties.code).sort()).toEqual(workerGrids);
    for (const layer of ["venues", "hazards"]) {
      for (const f of await features("worker", `/api/${layer}`)) expect(workerGrids).toContain(f.properties.grid_code);
    }
    const buildings = await features("worker", "/api/buildings");
    const expected = await sql.query<{ id: number }>(
      `select distinct pa.building_id as id from parcel pa join published_parcel pp on pp.parcel_id = pa.id
       where pp.grid_code = any($1) and pa.building_id is not null order by 1`,
      [workerGrids],
    );
    expect(buildings.map((f) => f.properties.id).sort((x, y) => Number(x) - Number(y))).toEqual(
      expected.rows.map((r) => r.id),
    );
    const team = await (await callAs("worker", "GET", { path: `/api/grids/${workerGrids[0]}` })).json();
    expect(team.code).toBe(workerGrids[0]);
    expect((await callAs("worker", "GET", { path: `/api/grids/${gridInA}` })).status).toBe(404);
  });

  it("a leader reads everything and changes nothing", async () => {
    expect(await features("leader", "/api/grids")).toHaveLength(227);
    const res = await callAs("leader", "POST", {
      path: "/api/accounts",
      body: { username: "by-leader", display_name: "x", password: "Leader-pass-1", roles: [{ role: "leader" }] },
    });
    expect(res.status).toBe(403);
  });
});
