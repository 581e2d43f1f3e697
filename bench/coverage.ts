import fs from "node:fs";
import os from "node:os";
import { createApp } from "@gridatlas/server/app.ts";
import type { Principal } from "@gridatlas/server/auth/principal.ts";
import { createDb, type Db } from "@gridatlas/server/db/db.ts";
import { updateCamera } from "@gridatlas/server/features/cameras/cameras.queries.ts";
import {
  type Area,
  areaFigures,
  type Figures,
  inCoverageTransaction,
  prepareCoverage,
  publishedGrids,
} from "@gridatlas/server/features/cameras/coverage.queries.ts";
import { refreshViews } from "@gridatlas/server/features/cameras/coverage.views.ts";
import setupTemplate from "@gridatlas/server/test-support/global-setup.ts";
import { createTestDatabase, type TestDatabase } from "@gridatlas/server/test-support/test-database.ts";
import { signIn } from "@gridatlas/server/test-support/test-session.ts";

/**
 * Camera coverage (issue 8): the engine against the exact reference, side by side in one run.
 * Run: GRIDATLAS_TEST_ADMIN_URL=postgres://…/postgres node_modules/.bin/tsx bench/coverage.ts
 *
 * Cases: the Xincheng demo (a copy of the test template), and a 10× stress set made by laying nine translated
 * copies of the demo's roads, buildings, compounds, venues, cameras, communities and published grids beside it.
 * Engine: the server's own code — views built in TypeScript and stored, then the figures of every grid and
 * community from the stored road stretches (what GET /api/coverage does), or one camera turned through
 * updateCamera (what PATCH /api/cameras/:id does, transaction and audit row included). Reference: PostGIS
 * intersecting each grid's roads (within 0.5 m) with the union of the stored views of its online cameras.
 */

const RUNS_FULL = 5;
/** Raw SQL through the server's Kysely (the bench package has pg but not its types). */
async function query<R>(db: Db, text: string, parameters: unknown[] = []): Promise<R[]> {
  const r = await db.executeQuery<R>({
    sql: text,
    parameters,
    query: { kind: "RawNode", sqlFragments: [text], parameters: [] },
    queryId: { queryId: "bench" },
  });
  return r.rows;
}

const RUNS_ONE = 30;

const planner: Principal = {
  accountId: 0,
  username: "bench",
  displayName: "bench",
  roles: ["planner"],
  communities: [],
  workerIds: [],
  workerGrids: [],
  workerCommunities: [],
  mustChangePassword: false,
  sessionId: "",
  csrfToken: "",
};
const actor = { accountId: 0, username: "bench", displayName: "bench", ip: "local" };

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const p90 = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length * 0.9)]!;
const ms = (x: number) => (x < 100 ? x.toFixed(1) : x.toFixed(0));

/** CPU seconds a process has used (user + system), from /proc; null where that cannot be read. */
function cpuOf(pid: number): number | null {
  try {
    const fields = fs.readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1]!.split(" ");
    return (Number(fields[11]) + Number(fields[12])) / 100;
  } catch {
    return null;
  }
}

/** Wall time of fn, and the CPU time of this process plus the database backends (pids) that do its work. */
async function timed<T>(fn: () => Promise<T>, pids: readonly number[]) {
  const cpu = () => pids.reduce((sum, pid) => sum + (cpuOf(pid) ?? 0), 0);
  const pg0 = cpu();
  const node0 = process.cpuUsage();
  const t0 = performance.now();
  const value = await fn();
  const wall = performance.now() - t0;
  const node = process.cpuUsage(node0);
  return { value, wall, cpu: (node.user + node.system) / 1000 + (cpu() - pg0) * 1000 };
}

type Row = { code: string; class: string; length_m: number; covered_m: number };

/** The reference: covered road length per grid and class, straight from PostGIS. */
async function reference(db: Db, gridIds: number[] | null): Promise<Row[]> {
  return query<Row>(
    db,
    `with g as materialized (
       select pg.id, pg.code, pg.geom, s.metric_srid as srid,
         ST_Buffer(ST_Transform(pg.geom, s.metric_srid), 0.5, 'quad_segs=2') as zone
       from published_grid pg join community c on c.code = pg.community_code
       join subdistrict s on s.code = c.subdistrict_code
       where $1::int[] is null or pg.id = any($1)),
     gr as materialized (
       select g.id, g.code, r.class, ST_Intersection(ST_Transform(r.geom, g.srid), g.zone) as geom
       from g join road r on r.geom && ST_Expand(g.geom, 0.0001)
       where ST_Intersects(ST_Transform(r.geom, g.srid), g.zone)),
     v as materialized (
       select g.id, ST_Union(ST_Transform(cv.geom, g.srid)) as geom
       from g join camera_view cv on cv.geom && ST_Expand(g.geom, 0.0001)
       join camera k on k.id = cv.camera_id
       where k.status = 'online' and ST_Intersects(ST_Transform(cv.geom, g.srid), g.zone)
       group by g.id)
     select gr.code, gr.class, sum(ST_Length(gr.geom)) as length_m,
       sum(coalesce(ST_Length(ST_Intersection(gr.geom, v.geom)), 0)) as covered_m
     from gr left join v on v.id = gr.id group by gr.code, gr.class`,
    [gridIds],
  );
}

/** Figures of areas by key, today's scenario: what the engine returns. */
type Current = Map<string, { current: Figures }>;

/** Largest difference in covered share (percentage points) between engine and reference, by grid and class. */
function largestDifference(figures: Current, codeOf: Map<string, string>, ref: Row[]) {
  let pp = 0;
  let lengthM = 0;
  const byCode = new Map<string, { current: Figures }>();
  for (const [key, f] of figures) byCode.set(codeOf.get(key) ?? key, f);
  for (const row of ref) {
    const f = byCode.get(row.code);
    if (!f) continue;
    const cls = f.current.by_class[row.class as "local"];
    const refShare = row.length_m > 0 ? row.covered_m / row.length_m : 0;
    pp = Math.max(pp, Math.abs((cls.covered_share ?? 0) - refShare) * 100);
    lengthM = Math.max(lengthM, Math.abs(cls.length_m - row.length_m));
  }
  return { pp, lengthM };
}

/** Nine translated copies of the demo beside it, in a 5 × 2 layout: ten times the roads, buildings and cameras. */
async function makeStress(db: Db): Promise<void> {
  const copies = `(select i, (i % 5) * 0.042 as dx, (i / 5) * 0.024 as dy from generate_series(1, 9) as i) o`;
  const code = (col: string) => `(${col}::bigint + 1000 * o.i)::text`;
  const original = "150571004000";
  const statements = [
    `insert into community (code, subdistrict_code, name, name_en, band_min, band_max, geom)
    select ${code("c.code")}, c.subdistrict_code, c.name || o.i, c.name_en, c.band_min, c.band_max,
      ST_Translate(c.geom, o.dx, o.dy)
    from community c, ${copies} where c.code < '${original}'`,
    `insert into grid (plan_id, code, community_code, name, locked, geom)
    select g.plan_id, ${code("g.community_code")} || right(g.code, 3), ${code("g.community_code")}, g.name || o.i,
      g.locked, ST_Translate(g.geom, o.dx, o.dy)
    from published_grid g, ${copies}`,
    `insert into road (subdistrict_code, class, name, geom)
    select r.subdistrict_code, r.class, r.name, ST_Translate(r.geom, o.dx, o.dy) from road r, ${copies}`,
    `insert into building (community_code, kind, name, floors, geom)
    select ${code("b.community_code")}, b.kind, b.name, b.floors, ST_Translate(b.geom, o.dx, o.dy)
    from building b, ${copies}`,
    `insert into compound (community_code, name, kind, geom, gates)
    select ${code("c.community_code")}, c.name, c.kind, ST_Translate(c.geom, o.dx, o.dy), ST_Translate(c.gates, o.dx, o.dy)
    from compound c, ${copies}`,
    `insert into venue (community_code, category, name, geom)
    select ${code("v.community_code")}, v.category, v.name, ST_Translate(v.geom, o.dx, o.dy)
    from venue v, ${copies} where v.community_code is not null`,
    `insert into camera (community_code, name, type, status, bearing_deg, view_width_deg, range_m,
      mount_height_m, defaulted, site, geom)
    select ${code("k.community_code")}, k.name, k.type, k.status, k.bearing_deg, k.view_width_deg, k.range_m,
      k.mount_height_m, k.defaulted, k.site, ST_Translate(k.geom, o.dx, o.dy)
    from camera k, ${copies} where k.community_code is not null`,
  ];
  await db.transaction().execute(async (trx) => {
    for (const statement of statements) await query(trx, statement);
  });
  await query(db, "analyze");
}

type CaseResult = {
  name: string;
  cameras: number;
  grids: number;
  roadsKm: number;
  full: { wall: number; cpu: number; views: number; figures: number };
  gridRoadsColdMs: number;
  refFull: { wall: number; cpu: number };
  fullDiff: { pp: number; lengthM: number };
  one: { wall: number[]; cpu: number[]; grids: number[] };
  refOne: { wall: number[]; cpu: number[] };
  oneDiff: number;
  http?: number[];
};

async function runCase(name: string, database: TestDatabase, stress: boolean): Promise<CaseResult> {
  // The reference runs on one connection of its own, JIT off as for the engine.
  const ref0 = createDb({ databaseUrl: `${database.url}?options=-c%20jit%3Doff`, dbPoolMax: 1 });
  if (stress) await makeStress(ref0);
  const db: Db = createDb({ databaseUrl: database.url, dbPoolMax: 2 });
  const inTrx = <T>(fn: (trx: Db) => Promise<T>) => inCoverageTransaction(db, fn);
  // Open the engine's connections, so that their backends are known and their CPU time can be read.
  await Promise.all([inTrx(async () => {}), inTrx(async () => {})]);
  const engineBackends = (
    await query<{ pid: number }>(
      ref0,
      "select pid from pg_stat_activity where datname = current_database() and pid <> pg_backend_pid()",
    )
  ).map((r) => r.pid);
  const [counts] = await query<{ cameras: number; grids: number; km: number }>(
    ref0,
    `select (select count(*)::int from camera) as cameras, (select count(*)::int from published_grid) as grids,
       (select sum(ST_Length(ST_Transform(geom, 4550))) / 1000 from road) as km`,
  );

  // Grid road stretches and key places, cold: computed once per published plan (and data change), then kept.
  await query(ref0, "delete from coverage_grid");
  await query(ref0, "delete from coverage_place");
  const cold = await timed(
    () =>
      inTrx(async (trx) => {
        const grids = await publishedGrids(trx, null);
        await prepareCoverage(
          trx,
          grids.map((g) => g.id),
        );
      }),
    engineBackends,
  );

  // Full recompute: every view built and stored again, then the figures of every grid and community.
  const fulls: { wall: number; cpu: number; views: number; figures: number }[] = [];
  let lastFigures: Current = new Map();
  const codeOf = new Map<string, string>();
  for (let run = 0; run <= RUNS_FULL; run++) {
    await query(ref0, "delete from camera_view");
    await query(ref0, "insert into camera_view_pending (camera_id) select id from camera on conflict do nothing");
    let viewsMs = 0;
    let figuresMs = 0;
    const t = await timed(
      () =>
        inTrx(async (trx) => {
          const t0 = performance.now();
          await refreshViews(trx);
          const t1 = performance.now();
          const grids = await publishedGrids(trx, null);
          await prepareCoverage(
            trx,
            grids.map((g) => g.id),
          );
          const byCommunity = new Map<string, number[]>();
          for (const g of grids) {
            byCommunity.set(g.community_code, [...(byCommunity.get(g.community_code) ?? []), g.id]);
            codeOf.set(`g${g.id}`, g.code);
          }
          const areas: Area[] = [
            ...grids.map((g) => ({ key: `g${g.id}`, grids: [g.id] })),
            ...[...byCommunity].map(([c, ids]) => ({ key: `c${c}`, grids: ids })),
          ];
          lastFigures = await areaFigures(trx, areas);
          viewsMs = t1 - t0;
          figuresMs = performance.now() - t1;
        }),
      engineBackends,
    );
    // The first run pays for PROJ and plan caches of the connection; it is not counted.
    if (run > 0) fulls.push({ wall: t.wall, cpu: t.cpu, views: viewsMs, figures: figuresMs });
  }
  const pick = (k: "wall" | "cpu" | "views" | "figures") => median(fulls.map((f) => f[k]));

  const refBackend = (await query<{ pid: number }>(ref0, "select pg_backend_pid() as pid")).map((r) => r.pid);
  const ref = await timed(() => reference(ref0, null), refBackend);
  const fullDiff = largestDifference(lastFigures, codeOf, ref.value);

  // One camera turned at a time: the affected grids' new coverage, as PATCH returns it.
  const picks = await query<{ id: number; bearing_deg: number; version: number }>(
    ref0,
    `select id, bearing_deg, version from camera where status = 'online' and type in ('fixed', 'half_dome')
     order by md5(id::text) limit ${RUNS_ONE + 1}`,
  );
  const one = { wall: [] as number[], cpu: [] as number[], grids: [] as number[] };
  const refOne = { wall: [] as number[], cpu: [] as number[] };
  let oneDiff = 0;
  const gridIdByCode = new Map(
    (await query<{ id: number; code: string }>(ref0, "select id, code from published_grid")).map((r) => [r.code, r.id]),
  );
  for (const [n, cam] of picks.entries()) {
    const t = await timed(
      () =>
        updateCamera(db, planner, actor, cam.id, { bearing_deg: (cam.bearing_deg + 90) % 360, version: cam.version }),
      engineBackends,
    );
    const ids = t.value.grids.map((g) => gridIdByCode.get(g.code)!);
    const r = await timed(() => reference(ref0, ids), refBackend);
    if (n === 0) continue;
    one.wall.push(t.wall);
    one.cpu.push(t.cpu);
    one.grids.push(ids.length);
    refOne.wall.push(r.wall);
    refOne.cpu.push(r.cpu);
    const figures: Current = new Map(t.value.grids.map((g) => [g.code, { current: g.current }] as const));
    oneDiff = Math.max(oneDiff, largestDifference(figures, new Map(), r.value).pp);
  }

  let http: number[] | undefined;
  if (!stress) {
    const app = createApp({ db });
    const session = await signIn(app, "planner");
    http = [];
    for (const [n, cam] of picks.entries()) {
      const t0 = performance.now();
      // Turned once above, so one version on.
      const res = await session.send("PATCH", `/api/cameras/${cam.id}`, {
        bearing_deg: cam.bearing_deg,
        version: cam.version + 1,
      });
      if (res.status !== 200) throw new Error(`PATCH ${cam.id}: ${res.status} ${await res.text()}`);
      await res.json();
      if (n > 0) http.push(performance.now() - t0);
    }
  }

  await db.destroy();
  await ref0.destroy();
  return {
    name,
    cameras: counts!.cameras,
    grids: counts!.grids,
    roadsKm: counts!.km,
    full: { wall: pick("wall"), cpu: pick("cpu"), views: pick("views"), figures: pick("figures") },
    gridRoadsColdMs: cold.wall,
    refFull: { wall: ref.wall, cpu: ref.cpu },
    fullDiff,
    one,
    refOne,
    oneDiff,
    ...(http ? { http } : {}),
  };
}

function report(results: CaseResult[]): void {
  const load = os.loadavg()[0]!.toFixed(1);
  console.log(`\n${os.cpus().length} × ${os.cpus()[0]?.model ?? "?"}, Node ${process.version}, load average ${load}\n`);
  console.log("| case | engine ms (CPU ms) | target | PostGIS reference ms (CPU ms) | max Δ covered share |");
  console.log("|---|---|---|---|---|");
  for (const r of results) {
    const size = `${r.cameras} cameras, ${r.grids} grids, ${r.roadsKm.toFixed(0)} km of road`;
    const stress = r.name.startsWith("10×");
    console.log(
      `| ${r.name}: full recompute (${size}) | ${ms(r.full.wall)} (${ms(r.full.cpu)}) — views ${ms(r.full.views)}, figures ${ms(r.full.figures)} | ${stress ? "< 3000" : "< 300"} | ${ms(r.refFull.wall)} (${ms(r.refFull.cpu)}) | ${r.fullDiff.pp.toFixed(4)} pp (length ${r.fullDiff.lengthM.toFixed(2)} m) |`,
    );
    console.log(
      `| ${r.name}: one camera turned, ${median(r.one.grids)} grids affected (median of ${r.one.wall.length}) | ${ms(median(r.one.wall))} (${ms(median(r.one.cpu))}), p90 ${ms(p90(r.one.wall))} | < 15 | ${ms(median(r.refOne.wall))} (${ms(median(r.refOne.cpu))}) | ${r.oneDiff.toFixed(4)} pp |`,
    );
    if (r.http) {
      console.log(
        `| ${r.name}: the same through PATCH /api/cameras/:id (HTTP, session, JSON) | ${ms(median(r.http))}, p90 ${ms(p90(r.http))} | – | – | – |`,
      );
    }
    console.log(
      `| ${r.name}: grid road stretches and key places, cold (once per plan or data change) | ${ms(r.gridRoadsColdMs)} | – | – | – |`,
    );
  }
}

await setupTemplate();
const results: CaseResult[] = [];
for (const [name, stress] of [
  ["demo", false],
  ["10× stress", true],
] as const) {
  const database = await createTestDatabase(stress ? "covbench10" : "covbench1");
  try {
    results.push(await runCase(name, database, stress));
  } finally {
    await database.drop();
  }
}
report(results);
