import { performance } from "node:perf_hooks";
import { createApp } from "@gridatlas/server/app.ts";
import { createDb } from "@gridatlas/server/db/db.ts";
import { signIn } from "@gridatlas/server/test-support/test-session.ts";
import pg from "pg";
import { machine, ms, percentile, scratchDatabase } from "./support.ts";

/**
 * Issue 4: the server time to paint 1, 10 and 100 parcels into a grid and return the figures of the grids it
 * changed (POST /api/plans/{id}/assign through the app, validation, transaction, audit and figures included),
 * next to the bare SQL update of the same rows. Target: p95 under 50 ms for 10 parcels.
 * Run: npm run bench -- edits
 */
const ROUNDS = 40;

const database = await scratchDatabase("bench_edits");
const db = createDb({ databaseUrl: database.url, dbPoolMax: 4 });
const sql = new pg.Client({ connectionString: database.url });
await sql.connect();
try {
  const app = createApp({ db });
  const planner = await signIn(app, "planner");
  const draft = (await (await planner.send("POST", "/api/plans", { from: "published", name: "bench" })).json()) as {
    id: number;
  };

  /** A target grid and n parcels around it in its community (breadth-first over shared boundaries). */
  async function parcelsAround(n: number) {
    const target = await sql.query<{ id: number; code: string }>(
      `select g.id, g.code from grid g where g.plan_id = $1 order by g.code offset 40 limit 1`,
      [draft.id],
    );
    const { id, code } = target.rows[0]!;
    const picked: number[] = [];
    let frontier = (
      await sql.query<{ parcel_id: number }>("select parcel_id from plan_parcel where plan_id = $1 and grid_id = $2", [
        draft.id,
        id,
      ])
    ).rows.map((r) => r.parcel_id);
    const seen = new Set(frontier);
    while (picked.length < n && frontier.length) {
      const next = await sql.query<{ p: number; grid_id: number }>(
        `select x.p, pp.grid_id from (select b as p from parcel_edge where a = any($2) union select a from parcel_edge where b = any($2)) x
         join plan_parcel pp on pp.plan_id = $1 and pp.parcel_id = x.p order by x.p`,
        [draft.id, frontier],
      );
      frontier = [];
      for (const r of next.rows) {
        if (seen.has(r.p)) continue;
        seen.add(r.p);
        frontier.push(r.p);
        if (r.grid_id !== id && picked.length < n) picked.push(r.p);
      }
    }
    return { code, parcels: picked };
  }

  console.log(`Grid edits (issue 4) — ${machine()}, ${ROUNDS} rounds each, a scratch copy of the Xincheng demo`);
  console.log("| parcels | assign p50 | assign p95 | bare SQL p50 | bare SQL p95 | p95 ratio |");
  console.log("|--------:|-----------:|-----------:|-------------:|-------------:|----------:|");
  let version = 0;
  for (const n of [1, 10, 100]) {
    const { code, parcels } = await parcelsAround(n);
    const api: number[] = [];
    const bare: number[] = [];
    for (let i = 0; i < ROUNDS; i++) {
      const t0 = performance.now();
      const res = await planner.send("POST", `/api/plans/${draft.id}/assign`, { version, parcels, grid: code });
      api.push(performance.now() - t0);
      if (res.status !== 200) throw new Error(`assign answered ${res.status}: ${await res.text()}`);
      version = ((await res.json()) as { version: number }).version;
      version = (
        (await (await planner.send("POST", `/api/plans/${draft.id}/undo`, { version })).json()) as { version: number }
      ).version;

      const t1 = performance.now();
      await sql.query("begin");
      await sql.query(
        "update plan_parcel set grid_id = (select id from grid where plan_id = $1 and code = $2) where plan_id = $1 and parcel_id = any($3)",
        [draft.id, code, parcels],
      );
      await sql.query("rollback");
      bare.push(performance.now() - t1);
    }
    const [a50, a95, b50, b95] = [percentile(api, 50), percentile(api, 95), percentile(bare, 50), percentile(bare, 95)];
    console.log(`| ${n} | ${ms(a50)} | ${ms(a95)} | ${ms(b50)} | ${ms(b95)} | ${(a95 / b95).toFixed(1)}× |`);
  }
} finally {
  await sql.end();
  await db.destroy();
  await database.drop();
}
