import { TEST_PASSWORD } from "@gridatlas/server/test-support/test-database.ts";
import { describe, expect, it } from "vitest";
import { useTestSql } from "../server/test-support/test-app.ts";
import { signInOverHttp, startServerProcess } from "./support/server-process.ts";

/**
 * A large write (copying the published plan into a draft: 227 grids and every parcel's assignment) is interrupted
 * by killing the server process with SIGKILL at different moments. After a restart the draft is either complete or
 * absent: never a plan with some of its grids or assignments.
 */

const t = useTestSql("crash");

async function state() {
  const r = await t.sql.query<{ id: number; grids: number; parcels: number }>(
    `select p.id, (select count(*)::int from grid g where g.plan_id = p.id) as grids,
       (select count(*)::int from plan_parcel pp where pp.plan_id = p.id) as parcels
     from plan p where p.status = 'draft' order by p.id`,
  );
  return r.rows;
}

/** Waits until a backend of the test database is executing a statement matching the pattern. */
async function waitForStatement(pattern: string): Promise<void> {
  const deadline = Date.now() + 30_000;
  for (;;) {
    const r = await t.sql.query(
      "select 1 from pg_stat_activity where datname = current_database() and pid <> pg_backend_pid() and state = 'active' and query ilike $1",
      [pattern],
    );
    if (r.rowCount) return;
    if (Date.now() > deadline) throw new Error(`no statement like ${pattern} was seen`);
    await new Promise((r) => setTimeout(r, 2));
  }
}

describe("killing the server in the middle of a large write", () => {
  it("leaves either all of it or none of it", async () => {
    const full = await t.sql.query<{ grids: number; parcels: number }>(
      `select (select count(*)::int from grid g join plan p on p.id = g.plan_id where p.status = 'published') as grids,
         (select count(*)::int from parcel) as parcels`,
    );
    const { grids, parcels } = full.rows[0]!;
    const port = 20_000 + (process.pid % 10_000);
    // Killed while the transaction writes grids, while it writes assignments, and after it answered.
    const moments = ["insert into grid%", "insert into plan_parcel%", "answered"] as const;
    const drafts: number[] = [];
    for (const moment of moments) {
      const server = await startServerProcess(t.url, port);
      const headers = await signInOverHttp(server.url, "planner", TEST_PASSWORD);
      const request = fetch(`${server.url}/api/plans`, {
        method: "POST",
        headers,
        body: JSON.stringify({ from: "published", name: `killed at ${moment}` }),
      }).then(
        (r) => r.status,
        () => 0,
      );
      if (moment === "answered") expect(await request).toBe(201);
      else await waitForStatement(moment);
      await server.stop("SIGKILL");
      if (moment !== "answered") expect(await request).toBe(0);
      // PostgreSQL sees the client gone and rolls the transaction back; a restarted server finds it settled.
      const restarted = await startServerProcess(t.url, port);
      expect((await fetch(`${restarted.url}/api/health`)).status).toBe(200);
      await restarted.stop();
      const left = await state();
      for (const plan of left) expect(plan, `killed at ${moment}`).toEqual({ id: plan.id, grids, parcels });
      drafts.push(left.length);
    }
    expect(drafts).toEqual([0, 0, 1]);
  }, 300_000);
});
