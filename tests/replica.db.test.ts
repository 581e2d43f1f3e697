import { spawn } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { decodeMvt, tileOf } from "@gridatlas/server/test-support/mvt.ts";
import { createTestDatabase, TEST_PASSWORD } from "@gridatlas/server/test-support/test-database.ts";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { freePort, hasPostgres, pgBin, type ReplicaPair, startReplicaPair } from "./support/replica-pair.ts";
import { type ServerProcess, signInOverHttp, startServerProcess } from "./support/server-process.ts";

/**
 * Past one machine (issue 10, docs/scaling.md): the server with DATABASE_URL on a primary and DATABASE_READ_URL on
 * its streaming replica — a pair of small clusters of this test's own, loaded with the demo. Tiles and the status
 * boards are read on the replica, writes go to the primary, an edit reaches the tile route at once and the replica
 * within a bounded lag, and while the replica lags (replay paused) no tile older than the version its URL names is
 * served: the server falls back to the primary.
 */

const COMMUNITY = "150571003001";
/** The pair needs PostgreSQL's programs on this machine; `npm test` with DATABASE_URL elsewhere may not have them. */
const local = hasPostgres();
let pair: ReplicaPair;
let server: ServerProcess;
let primary: pg.Client;
let replica: pg.Client;
let headers: Record<string, string>;
/** A point inside the community, and the zoom-15 tile that holds it. */
let spot: { lng: number; lat: number; x: number; y: number };

/** pg_dump of a fresh copy of the demo template, restored into the pair's primary as database `gridatlas`. */
async function loadDemo(): Promise<void> {
  const source = await createTestDatabase("replicasource");
  const file = path.join(fs.mkdtempSync("/tmp/gridatlas-demo-"), "demo.dump");
  const run = (cmd: string, args: string[]) =>
    new Promise<void>((resolve, reject) => {
      const child = spawn(pgBin(cmd), args, { stdio: ["ignore", "ignore", "pipe"] });
      let err = "";
      child.stderr.on("data", (d) => {
        err += d;
      });
      child.on("exit", (code) => (code === 0 ? resolve() : reject(new Error(`${cmd} failed (${code}): ${err}`))));
    });
  try {
    await run("pg_dump", ["-Fc", "--no-owner", "-f", file, source.url]);
    const admin = new pg.Client({ connectionString: pair.primaryUrl("postgres") });
    await admin.connect();
    await admin.query("create database gridatlas");
    await admin.end();
    await run("pg_restore", ["--no-owner", "--exit-on-error", "-d", pair.primaryUrl("gridatlas"), file]);
  } finally {
    fs.rmSync(path.dirname(file), { recursive: true, force: true });
    await source.drop();
  }
}

const timings: Record<string, number> = {};

beforeAll(async () => {
  if (!local) return;
  let t = performance.now();
  pair = await startReplicaPair();
  timings.pair_ms = performance.now() - t;
  t = performance.now();
  await loadDemo();
  timings.demo_restore_ms = performance.now() - t;
  timings.demo_replay_wait_ms = await pair.caughtUp("gridatlas");
  primary = new pg.Client({ connectionString: pair.primaryUrl("gridatlas") });
  replica = new pg.Client({ connectionString: pair.replicaUrl("gridatlas") });
  await Promise.all([primary.connect(), replica.connect()]);
  server = await startServerProcess(pair.primaryUrl("gridatlas"), await freePort(), {
    DATABASE_READ_URL: pair.replicaUrl("gridatlas"),
  });
  headers = await signInOverHttp(server.url, "admin", TEST_PASSWORD);
  const c = (
    await primary.query<{ lng: number; lat: number }>(
      "select ST_X(p) lng, ST_Y(p) lat from (select ST_PointOnSurface(geom) p from community where code = $1) q",
      [COMMUNITY],
    )
  ).rows[0]!;
  spot = { ...c, ...tileOf(c.lng, c.lat, 15) };
}, 240_000);

afterAll(async () => {
  await server?.stop();
  await primary?.end().catch(() => {});
  await replica?.end().catch(() => {});
  await pair?.stop();
  if (!local) return;
  console.log(
    `replica pair: ${JSON.stringify(Object.fromEntries(Object.entries(timings).map(([k, v]) => [k, Math.round(v)])))}`,
  );
});

const get = (p: string, init: RequestInit = {}) => fetch(`${server.url}${p}`, { headers, redirect: "manual", ...init });

async function versionOf(layer: string): Promise<number> {
  const res = await get("/tiles/versions");
  return ((await res.json()) as { versions: Record<string, number> }).versions[layer]!;
}

/** The buildings tile at `spot` at the given version: status code and the decoded buildings layer. */
async function buildingsTile(version: number) {
  const res = await get(`/tiles/buildings/v${version}/15/${spot.x}/${spot.y}.pbf`);
  const body = new Uint8Array(await res.arrayBuffer());
  const features = res.status === 200 ? (decodeMvt(body).find((l) => l.name === "buildings")?.features ?? []) : [];
  return { status: res.status, location: res.headers.get("location"), features };
}

/** Adds households to the first entrance of a building on the primary, as an import would; returns its new total. */
async function addHouseholds(building: number, n: number): Promise<number> {
  await primary.query(
    "update entrance set households = households + $2 where id = (select min(id) from entrance where building_id = $1)",
    [building, n],
  );
  const r = await primary.query<{ n: number }>("select sum(households)::int n from entrance where building_id = $1", [
    building,
  ]);
  return r.rows[0]!.n;
}

async function openHazards(): Promise<number> {
  const res = await get(`/api/communities/${COMMUNITY}/status`);
  expect(res.status).toBe(200);
  const body = (await res.json()) as { grids: { hazards_open: { total: number } }[] };
  return body.grids.reduce((n, g) => n + g.hazards_open.total, 0);
}

/** Statements the server's pool of `who` last ran on each of its connections (pg_stat_activity keeps the last). */
async function lastStatements(client: pg.Client, applicationName: string): Promise<string[]> {
  const r = await client.query<{ query: string }>(
    "select query from pg_stat_activity where datname = current_database() and application_name = $1",
    [applicationName],
  );
  return r.rows.map((x) => x.query);
}

describe.skipIf(!local)("a server over a primary and its streaming replica", () => {
  it("reads tiles and status boards on the replica and writes on the primary", async () => {
    expect((await replica.query("select pg_is_in_recovery() r")).rows[0].r).toBe(true);
    const v = await versionOf("grids");
    const res = await get(`/tiles/grids/v${v}/15/${spot.x}/${spot.y}.pbf`);
    expect(res.status).toBe(200);
    const grids = decodeMvt(new Uint8Array(await res.arrayBuffer())).find((l) => l.name === "grids");
    expect(grids?.features.length).toBeGreaterThan(0);
    expect((await lastStatements(replica, "gridatlas-read")).some((q) => q.includes("grids_tile"))).toBe(true);
    const open = await replica.query<{ n: number }>(
      `select count(*)::int n from hazard h join published_parcel pp on pp.parcel_id = h.parcel_id
       where pp.grid_code like $1 || '%' and h.status in ('reported', 'assigned', 'in_progress')`,
      [COMMUNITY],
    );
    expect(open.rows[0]!.n).toBeGreaterThan(0);
    expect(await openHazards()).toBe(open.rows[0]!.n);
    expect((await lastStatements(replica, "gridatlas-read")).some((q) => /\bvisit\b/.test(q))).toBe(true);
    // The primary's pool has read sessions and versions, never a tile or a status board.
    const onPrimary = await lastStatements(primary, "gridatlas");
    expect(onPrimary.length).toBeGreaterThan(0);
    expect(onPrimary.some((q) => q.includes("_tile("))).toBe(false);
    // The replica's server is read-only: a write that succeeds went to the primary.
    const before = await openHazards();
    const created = await get("/api/hazards", {
      method: "POST",
      body: JSON.stringify({
        geometry: { type: "Point", coordinates: [spot.lng, spot.lat] },
        category: "fire",
        severity: "high",
        title: "副本测试",
      }),
    });
    expect(created.status).toBe(201);
    const id = ((await created.json()) as { id: number }).id;
    expect((await primary.query("select 1 from hazard where id = $1", [id])).rowCount).toBe(1);
    await pair.caughtUp("gridatlas", 5_000);
    expect(await openHazards()).toBe(before + 1);
  });

  it("shows an edit through the tile route at once and on the replica within a bounded lag", async () => {
    const v = await versionOf("buildings");
    const building = (await buildingsTile(v)).features[0]!;
    const id = Number(building.id);
    const t0 = performance.now();
    const households = await addHouseholds(id, 7);
    const answered = performance.now();
    let routeLag: number | undefined;
    let replicaLag: number | undefined;
    while ((routeLag === undefined || replicaLag === undefined) && performance.now() - answered < 5_000) {
      if (routeLag === undefined) {
        const latest = await get(`/tiles/buildings/15/${spot.x}/${spot.y}.pbf`);
        const version = Number(/\/v(\d+)\//.exec(latest.headers.get("location") ?? "")?.[1]);
        const f = (await buildingsTile(version)).features.find((x) => Number(x.id) === id);
        if (f?.properties.households === households) routeLag = performance.now() - answered;
      }
      if (replicaLag === undefined) {
        const r = await replica.query("select sum(households)::int n from entrance where building_id = $1", [id]);
        if (r.rows[0]?.n === households) replicaLag = performance.now() - answered;
      }
      await new Promise((w) => setTimeout(w, 5));
    }
    timings.edit_request_ms = answered - t0;
    timings.route_lag_ms = routeLag ?? Number.NaN;
    timings.replica_lag_ms = replicaLag ?? Number.NaN;
    expect(routeLag, "the edit through the tile route").toBeLessThan(5_000);
    expect(replicaLag, "the edit on the replica").toBeLessThan(5_000);
  });

  it("never serves a tile older than its version while the replica lags: the primary draws it", async () => {
    const v = await versionOf("buildings");
    const statusBefore = await openHazards();
    const id = Number((await buildingsTile(v)).features[0]!.id);
    await replica.query("select pg_wal_replay_pause()");
    try {
      const created = await get("/api/hazards", {
        method: "POST",
        body: JSON.stringify({
          geometry: { type: "Point", coordinates: [spot.lng, spot.lat] },
          category: "fire",
          severity: "low",
          title: "副本暂停",
        }),
      });
      expect(created.status).toBe(201);
      const households = await addHouseholds(id, 3);
      // The replica has not replayed them: its version is the old one, and the status board (read there) lags.
      expect(
        Number((await replica.query("select version from tile_layer where layer = 'buildings'")).rows[0].version),
      ).toBe(v);
      expect(await openHazards()).toBe(statusBefore);
      const now = await versionOf("buildings");
      expect(now).toBeGreaterThan(v);
      // The old URL redirects to the new version, and the new version's tile holds the change.
      const old = await buildingsTile(v);
      expect(old.status).toBe(302);
      expect(old.location).toBe(`/tiles/buildings/v${now}/15/${spot.x}/${spot.y}.pbf`);
      const fresh = await buildingsTile(now);
      expect(fresh.status).toBe(200);
      expect(fresh.features.find((f) => Number(f.id) === id)?.properties.households).toBe(households);
      expect((await lastStatements(primary, "gridatlas")).some((q) => q.includes("buildings_tile"))).toBe(true);
    } finally {
      await replica.query("select pg_wal_replay_resume()");
    }
    timings.resume_catch_up_ms = await pair.caughtUp("gridatlas", 5_000);
    expect(await openHazards()).toBe(statusBefore + 1);
  });
});
