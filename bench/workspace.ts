import os from "node:os";
import { performance } from "node:perf_hooks";
import { createApp } from "@gridatlas/server/app.ts";
import { createDb } from "@gridatlas/server/db/db.ts";
import { communityFacts, gridFigures, latestVisitOn } from "@gridatlas/server/features/workspace/workspace.queries.ts";
import { signIn } from "@gridatlas/server/test-support/test-session.ts";
import pg from "pg";
import { machine, ms, percentile, scratchDatabase } from "./support.ts";

/**
 * Issue 6: the workspace's status for the largest demo community and the subdistrict overview, through the app
 * (session, validation, the queries, the status rules, JSON), next to the bare SQL of the same queries sent
 * straight through pg, one after the other. Target: each route under 200 ms on the 2-core machine.
 * Run: npm run bench -- workspace
 */
const ROUNDS = 40;
const WARMUP = 5;
/** The demo's last day of visits, so the windows hold the demo's data. */
const TODAY = "2026-11-20";

const database = await scratchDatabase("bench_workspace");
const db = createDb({ databaseUrl: database.url, dbPoolMax: 4 });
const sql = new pg.Client({ connectionString: database.url });
await sql.connect();

type Statement = { sql: string; parameters: unknown[] };

/**
 * The statements a function sends, captured once at pg's client (Kysely compiles to exactly these), to be replayed
 * bare.
 */
async function statementsOf(run: () => Promise<unknown>): Promise<Statement[]> {
  const captured: Statement[] = [];
  const original = pg.Client.prototype.query;
  pg.Client.prototype.query = function (this: pg.Client, ...args: unknown[]) {
    const [text, values] = args as [unknown, unknown];
    if (typeof text === "string") captured.push({ sql: text, parameters: (values as unknown[]) ?? [] });
    else if (text && typeof text === "object" && "text" in text) {
      const q = text as { text: string; values?: unknown[] };
      captured.push({ sql: q.text, parameters: q.values ?? [] });
    }
    return (original as (...a: unknown[]) => unknown).apply(this, args);
  } as typeof original;
  try {
    await run();
  } finally {
    pg.Client.prototype.query = original;
  }
  return captured;
}

async function time(fn: () => Promise<unknown>): Promise<{ p50: number; p95: number }> {
  for (let i = 0; i < WARMUP; i++) await fn();
  const t: number[] = [];
  for (let i = 0; i < ROUNDS; i++) {
    const start = performance.now();
    await fn();
    t.push(performance.now() - start);
  }
  return { p50: percentile(t, 50), p95: percentile(t, 95) };
}

try {
  const app = createApp({ db });
  const largest = (
    await sql.query<{ c: string; n: number }>(
      "select community_code as c, count(*)::int as n from published_grid group by 1 order by 2 desc, 1 limit 1",
    )
  ).rows[0]!;
  const codes = (await sql.query<{ code: string }>("select code from community order by code")).rows.map((r) => r.code);
  const secretary = await signIn(app, `secretary-${largest.c}`);
  const leader = await signIn(app, "leader");

  const cases = [
    {
      name: `community status (${largest.c}, ${largest.n} grids)`,
      route: () => secretary.request(`/api/communities/${largest.c}/status?today=${TODAY}`),
      queries: await statementsOf(async () => {
        await gridFigures(db, { communities: [largest.c] }, TODAY);
        await latestVisitOn(db, [largest.c]);
      }),
    },
    {
      name: `subdistrict status (${codes.length} communities)`,
      route: () => leader.request(`/api/subdistrict/status?today=${TODAY}`),
      queries: await statementsOf(async () => {
        await gridFigures(db, { communities: codes }, TODAY);
        await communityFacts(db, codes);
        await latestVisitOn(db, codes);
      }),
    },
  ];

  // The machine is shared: the load average says how much of the two cores this run had.
  const load = os
    .loadavg()
    .map((l) => l.toFixed(1))
    .join(" ");
  console.log(
    `Workspace status, ${ROUNDS} rounds after ${WARMUP} warm-up, as of ${TODAY} — ${machine()}, load ${load}\n`,
  );
  console.log("| case | route p50 | route p95 | bare SQL p50 | bare SQL p95 | target |");
  console.log("|---|---|---|---|---|---|");
  for (const c of cases) {
    const route = await time(async () => {
      const res = await c.route();
      if (res.status !== 200) throw new Error(`${c.name}: HTTP ${res.status}`);
      await res.json();
    });
    const bare = await time(async () => {
      if (c.queries.length === 0) throw new Error(`${c.name}: no statements captured`);
      for (const q of c.queries) await sql.query(q.sql, q.parameters);
    });
    const ok = route.p95 < 200 ? "under 200 ms" : "OVER 200 ms";
    console.log(`| ${c.name} | ${ms(route.p50)} | ${ms(route.p95)} | ${ms(bare.p50)} | ${ms(bare.p95)} | ${ok} |`);
  }
} finally {
  await sql.end();
  await db.destroy();
  await database.drop();
}
