import { createApp } from "@gridatlas/server/app.ts";
import { createDb } from "@gridatlas/server/db/db.ts";
import { signIn } from "@gridatlas/server/test-support/test-session.ts";
import pg from "pg";
import { cityDatabaseUrl, loadAverage } from "./city.support.ts";
import { machine, percentile, scratchDatabase } from "./support.ts";

/**
 * Issue 10: the city against one subdistrict, through the existing routes in-process (app.request), side by side:
 * a community's grid status (GET /api/communities/{code}/status), a grid edit with its recount (POST
 * /api/plans/{id}/assign of 10 parcels on a draft, undone after each round), and a camera-coverage update (PATCH
 * /api/cameras/{id}, a turn of the bearing, with the coverage of the grids it reaches). Target: city within 2× of
 * the subdistrict. The first coverage call on the city builds every camera view still missing; it is timed apart.
 * Run: npm run bench -- city   (CITY_ROUNDS to change the rounds)
 */
const ROUNDS = Number(process.env.CITY_ROUNDS ?? 20);

type Case = { label: string; url: string; drop?: () => Promise<void> };

async function measure(c: Case) {
  const db = createDb({ databaseUrl: c.url, dbPoolMax: 4 });
  const sql = new pg.Client({ connectionString: c.url });
  await sql.connect();
  try {
    const app = createApp({ db });
    const planner = await signIn(app, "planner");
    // A community in the middle of what is loaded, and the published plan of its subdistrict.
    const community = (
      await sql.query<{ code: string; plan: number; subdistrict: string }>(
        `select c.code, p.id plan, c.subdistrict_code subdistrict from community c
         join plan p on p.subdistrict_code = c.subdistrict_code and p.status = 'published'
         order by c.code offset (select count(*) / 2 from community) limit 1`,
      )
    ).rows[0]!;
    const counts = (
      await sql.query<{ grids: number; cameras: number; parcels: number }>(
        `select (select count(*)::int from published_grid) grids, (select count(*)::int from camera) cameras,
           (select count(*)::int from parcel) parcels`,
      )
    ).rows[0]!;
    const time = async (fn: () => Promise<Response>) => {
      const t0 = performance.now();
      const res = await fn();
      const ms = performance.now() - t0;
      if (res.status >= 300) throw new Error(`${c.label}: ${res.status} ${await res.text()}`);
      await res.arrayBuffer();
      return ms;
    };
    const rounds = async (fn: (i: number) => Promise<number>) => {
      for (let i = 0; i < 3; i++) await fn(i);
      const out: number[] = [];
      for (let i = 0; i < ROUNDS; i++) out.push(await fn(i));
      return out;
    };

    const status = await rounds(() => time(() => planner.request(`/api/communities/${community.code}/status`)));

    const draft = (await (
      await planner.send("POST", "/api/plans", { from: community.plan, name: "city bench" })
    ).json()) as { id: number; version: number };
    const target = (
      await sql.query<{ id: number; code: string }>(
        "select id, code from grid where plan_id = $1 and community_code = $2 order by code offset 3 limit 1",
        [draft.id, community.code],
      )
    ).rows[0]!;
    const parcels = (
      await sql.query<{ p: number }>(
        `select distinct x.p from (
           select e.b p from parcel_edge e join plan_parcel a on a.plan_id = $1 and a.parcel_id = e.a and a.grid_id = $2
           union select e.a from parcel_edge e join plan_parcel b on b.plan_id = $1 and b.parcel_id = e.b and b.grid_id = $2
         ) x join plan_parcel pp on pp.plan_id = $1 and pp.parcel_id = x.p and pp.grid_id <> $2
         order by x.p limit 10`,
        [draft.id, target.id],
      )
    ).rows.map((r) => r.p);
    let version = draft.version ?? 0;
    const edit = await rounds(async () => {
      const t0 = performance.now();
      const res = await planner.send("POST", `/api/plans/${draft.id}/assign`, {
        version,
        parcels,
        grid: target.code,
      });
      const ms = performance.now() - t0;
      if (res.status !== 200) throw new Error(`${c.label}: assign ${res.status} ${await res.text()}`);
      version = ((await res.json()) as { version: number }).version;
      const undo = await planner.send("POST", `/api/plans/${draft.id}/undo`, { version });
      version = ((await undo.json()) as { version: number }).version;
      return ms;
    });

    const camera = (
      await sql.query<{ id: number; bearing: number; version: number }>(
        "select id, bearing_deg bearing, version from camera where community_code = $1 and type = 'fixed' order by id limit 1",
        [community.code],
      )
    ).rows[0]!;
    const firstCoverage = await time(() => planner.request(`/api/coverage?community=${community.code}`));
    // Every call turns it to a bearing other than its last, so each is made against the version the previous left.
    let turns = 0;
    const coverage = await rounds((i) =>
      time(() =>
        planner.send("PATCH", `/api/cameras/${camera.id}`, {
          bearing_deg: (camera.bearing + 10 * (i + 1)) % 360,
          version: camera.version + turns++,
        }),
      ),
    );
    return { ...c, community: community.code, counts, status, edit, coverage, firstCoverage, parcels: parcels.length };
  } finally {
    await sql.end();
    await db.destroy();
    await c.drop?.();
  }
}

const load0 = loadAverage();
const demo = await scratchDatabase("bench_city_demo");
const subdistrict = await measure({ label: "subdistrict (demo)", url: demo.url, drop: demo.drop });
const city = await measure({ label: "city", url: cityDatabaseUrl() });

const p = (xs: number[], q: number) => percentile(xs, q);
console.log(
  `City vs subdistrict (issue 10) — ${machine()}, ${ROUNDS} rounds after 3 warm-ups, in-process app.request; ` +
    `load average ${load0} at the start, ${loadAverage()} at the end`,
);
console.log(
  `subdistrict: ${subdistrict.counts.grids} grids, ${subdistrict.counts.parcels} parcels, ${subdistrict.counts.cameras} cameras; ` +
    `city: ${city.counts.grids} grids, ${city.counts.parcels} parcels, ${city.counts.cameras} cameras`,
);
console.log("| operation | subdistrict p50 ms | p95 ms | city p50 ms | p95 ms | city / subdistrict (p50) |");
console.log("|---|---:|---:|---:|---:|---:|");
for (const [label, key] of [
  ["grid status of a community", "status"],
  [`grid edit: ${subdistrict.parcels} parcels with the recount`, "edit"],
  ["camera turn with its coverage", "coverage"],
] as const) {
  const a = subdistrict[key];
  const b = city[key];
  console.log(
    `| ${label} | ${p(a, 50).toFixed(1)} | ${p(a, 95).toFixed(1)} | ${p(b, 50).toFixed(1)} | ${p(b, 95).toFixed(1)} | ${(p(b, 50) / p(a, 50)).toFixed(2)}× |`,
  );
}
console.log(
  `first coverage read (builds missing camera views): subdistrict ${subdistrict.firstCoverage.toFixed(0)} ms, city ${city.firstCoverage.toFixed(0)} ms`,
);
