import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestDatabase, type TestDatabase } from "../../../test-support/test-database.ts";
import { signIn, type TestSession } from "../../../test-support/test-session.ts";
import { createApp } from "../../app.ts";
import { createDb, type Db } from "../../db/db.ts";

let database: TestDatabase;
let db: Db;
let sql: pg.Client;
let app: ReturnType<typeof createApp>;

beforeAll(async () => {
  database = await createTestDatabase("field");
  db = createDb({ databaseUrl: database.url });
  app = createApp({ db });
  sql = new pg.Client({ connectionString: database.url });
  await sql.connect();
});

afterAll(async () => {
  await sql.end();
  await db.destroy();
  await database.drop();
});

/** An account of a worker role, its worker record and its grids. */
async function accountOf(username: string) {
  const r = await sql.query(
    `select w.id, w.role, w.community_code, array_agg(wa.grid_code order by wa.grid_code) as grids
     from account a join account_role ar on ar.account_id = a.id join worker w on w.id = ar.worker_id
     join worker_assignment wa on wa.worker_id = w.id where a.username = $1 group by w.id`,
    [username],
  );
  return r.rows[0] as { id: number; role: string; community_code: string; grids: string[] };
}

type Fc = { features: { id: number; properties: Record<string, unknown> }[] };

describe("GET /api/me/field", () => {
  let worker: TestSession;
  let me: Awaited<ReturnType<typeof accountOf>>;
  let body: Record<string, unknown> & { version: string; entrances: Fc; venues: Fc; hazards: Fc; grids: Fc };

  beforeAll(async () => {
    worker = await signIn(app, "worker-1");
    me = await accountOf("worker-1");
    const res = await worker.request("/api/me/field");
    expect(res.status).toBe(200);
    body = await res.json();
  });

  it("holds the worker, its grids and their entrances, venues and hazards", async () => {
    expect(body.me).toMatchObject({ worker_id: me.id, role: "grid_worker", grid_codes: me.grids });
    expect(body.grids.features.map((f) => f.properties.code)).toEqual(me.grids);
    const entrances = await sql.query(
      `select count(*)::int n from published_parcel pp join parcel pa on pa.id = pp.parcel_id
       where pa.entrance_id is not null and pp.grid_code = any($1)`,
      [me.grids],
    );
    expect(body.entrances.features.length).toBe(entrances.rows[0].n);
    expect(body.entrances.features.length).toBeGreaterThan(0);
    const e = body.entrances.features[0]!.properties;
    expect(Object.keys(e).sort()).toEqual([
      "building_id",
      "building_name",
      "days_since_visit",
      "grid_code",
      "households",
      "id",
      "last_visit_on",
      "number",
    ]);
    expect((body.hazard_categories as unknown[]).length).toBeGreaterThan(0);
    expect((body.venue_categories as unknown[]).length).toBeGreaterThan(0);
    const [w, s, east, n] = body.bbox as number[];
    expect(w! < east! && s! < n!).toBe(true);
  });

  it("never holds another grid's entrances, venues or hazards", async () => {
    for (const layer of [body.entrances, body.venues, body.hazards, body.grids]) {
      for (const f of layer.features) {
        expect(me.grids).toContain(f.properties.grid_code ?? f.properties.code);
      }
    }
    // A hazard and a venue in another grid of the same community are left out.
    const other = await sql.query(
      `select h.id from hazard h join published_parcel pp on pp.parcel_id = h.parcel_id
       where pp.community_code = $1 and not pp.grid_code = any($2) limit 1`,
      [me.community_code, me.grids],
    );
    if (other.rows[0]) expect(body.hazards.features.map((f) => f.id)).not.toContain(other.rows[0].id);
  });

  it("answers `changed: false` to ?since= the current version, and 304 to If-None-Match", async () => {
    const res = await worker.request(`/api/me/field?since=${body.version}`);
    expect(await res.json()).toEqual({ version: body.version, changed: false });
    expect(res.headers.get("etag")).toBe(`"${body.version}"`);
    const cached = await worker.request("/api/me/field", { headers: { "if-none-match": `"${body.version}"` } });
    expect(cached.status).toBe(304);
    expect((await worker.request("/api/me/field?since=old")).status).toBe(200);
  });

  it("has a new version once something in the worker's grids changes", async () => {
    const entrance = body.entrances.features[0]!;
    const today = (await sql.query("select (now() at time zone 'Asia/Shanghai')::date::text d")).rows[0].d;
    await sql.query("delete from visit where entrance_id = $1 and visited_on = $2 and worker_id = $3", [
      entrance.id,
      today,
      me.id,
    ]);
    const before = (await (await worker.request("/api/me/field")).json()).version;
    expect((await worker.send("POST", "/api/visits", { entrance_id: entrance.id, visited_on: today })).status).toBe(
      201,
    );
    const res = await worker.request(`/api/me/field?since=${before}`);
    const after = await res.json();
    expect(after.version).not.toBe(before);
    const seen = after.entrances.features.find((f: { id: number }) => f.id === entrance.id);
    expect(seen.properties).toMatchObject({ last_visit_on: today, days_since_visit: 0 });
    expect((await worker.request("/api/me/field", { headers: { "if-none-match": `"${before}"` } })).status).toBe(200);
  });

  it("is refused to accounts that are no worker's", async () => {
    const secretary = await signIn(app, `secretary-${me.community_code}`);
    expect((await secretary.request("/api/me/field")).status).toBe(403);
  });
});

describe("information workers", () => {
  it("have an account each, scoped to the grids they serve", async () => {
    const r = await sql.query(
      `select count(*)::int n, count(distinct a.id)::int accounts from worker w
       join account_role ar on ar.worker_id = w.id and ar.role = 'worker'
       join account a on a.id = ar.account_id and a.username like 'info-%'
       where w.role = 'info_worker' and w.retired_on is null`,
    );
    const all = await sql.query("select count(*)::int n from worker where role = 'info_worker' and retired_on is null");
    expect(r.rows[0].accounts).toBe(all.rows[0].n);
    expect(all.rows[0].n).toBe(434);
  });

  it("receive only their own grids, and their visits count under their own role", async () => {
    const info = await signIn(app, "info-1");
    const me = await accountOf("info-1");
    expect(me.role).toBe("info_worker");
    const body = await (await info.request("/api/me/field")).json();
    expect(body.me).toMatchObject({ worker_id: me.id, role: "info_worker" });
    expect(body.grids.features.map((f: { properties: { code: string } }) => f.properties.code)).toEqual(me.grids);
    for (const f of body.entrances.features) expect(me.grids).toContain(f.properties.grid_code);

    const today = (await sql.query("select (now() at time zone 'Asia/Shanghai')::date::text d")).rows[0].d;
    const entrance = body.entrances.features.find(
      (f: { properties: { last_visit_on: string | null } }) =>
        f.properties.last_visit_on === null || f.properties.last_visit_on < today,
    );
    const res = await info.send("POST", "/api/visits", { entrance_id: entrance.id, visited_on: today });
    expect(res.status).toBe(201);
    expect(await res.json()).toMatchObject({ worker_id: me.id });
    const visits = await (await info.request(`/api/visits?from=${today}`)).json();
    expect(visits.find((v: { entrance_id: number }) => v.entrance_id === entrance.id)).toMatchObject({
      worker_role: "info_worker",
    });

    // Another grid's entrance is not theirs to visit.
    const foreign = await sql.query(
      `select pa.entrance_id from published_parcel pp join parcel pa on pa.id = pp.parcel_id
       where pa.entrance_id is not null and not pp.grid_code = any($1) limit 1`,
      [me.grids],
    );
    const refused = await info.send("POST", "/api/visits", {
      entrance_id: foreign.rows[0].entrance_id,
      visited_on: today,
    });
    expect(refused.status).toBe(404);
  });
});
