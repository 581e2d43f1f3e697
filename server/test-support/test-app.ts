import pg from "pg";
import { afterAll, afterEach, beforeAll } from "vitest";
import { type AppDeps, createApp } from "../src/app.ts";
import { createDb, type Db } from "../src/db/db.ts";
import { createTestDatabase, type TestDatabase } from "./test-database.ts";
import { signIn, type TestSession } from "./test-session.ts";

export type TestApp = {
  app: ReturnType<typeof createApp>;
  db: Db;
  /** The suite database's connection string. */
  url: string;
  /** A plain client on the same database, for the independent SQL a test checks the API against. */
  sql: pg.Client;
  /** The session of a demo account (signed in once per suite). */
  as(username: string): Promise<TestSession>;
  /** The rows of a query through `sql`. */
  rows<T extends pg.QueryResultRow>(text: string, values?: unknown[]): Promise<T[]>;
  /** How many of these GeoJSON geometries stray out of the community (by more than the answers' 7 decimals). */
  outside(geometries: unknown[], community: string): Promise<number>;
  /** A box around a point inside the community, `half_deg` each way: `[w, s, e, n]`. */
  boxIn(community: string, half_deg: number): Promise<[number, number, number, number]>;
};

/**
 * A suite's own copy of the demo database with the app over it: made in beforeAll, dropped in afterAll. Call it at
 * the top of a test file; its fields are there once the suite's tests run.
 */
export function useTestApp(label: string, options: Omit<AppDeps, "db"> = {}): TestApp {
  const sessions = new Map<string, Promise<TestSession>>();
  const t = {
    as(username: string) {
      let s = sessions.get(username);
      if (!s) {
        s = signIn(t.app, username);
        sessions.set(username, s);
      }
      return s;
    },
    async rows<T extends pg.QueryResultRow>(text: string, values: unknown[] = []) {
      return (await t.sql.query<T>(text, values)).rows;
    },
    async outside(geometries: unknown[], community: string) {
      const [r] = await t.rows<{ n: number }>(
        `select count(*)::int n from json_array_elements($1::json) g, community c
         where c.code = $2 and not ST_CoveredBy(ST_GeomFromGeoJSON(g::text), ST_Buffer(c.geom, 1e-6))`,
        [JSON.stringify(geometries), community],
      );
      return r!.n;
    },
    async boxIn(community: string, half_deg: number) {
      const [r] = await t.rows<{ x: number; y: number }>(
        "select ST_X(p) x, ST_Y(p) y from (select ST_PointOnSurface(geom) p from community where code = $1) q",
        [community],
      );
      return [r!.x - half_deg, r!.y - half_deg, r!.x + half_deg, r!.y + half_deg];
    },
  } as TestApp;
  const base = useTestSql(label);
  beforeAll(() => {
    t.url = base.url;
    t.sql = base.sql;
    t.db = createDb({ databaseUrl: base.url });
    t.app = createApp({ ...options, db: t.db });
  });
  // After hooks run last-registered first: the pool closes before the database is dropped.
  afterAll(async () => {
    await t.db?.destroy();
  });
  return t;
}

export type TestSql = {
  /** The suite database's connection string. */
  url: string;
  /** A plain client on it. */
  sql: pg.Client;
};

/**
 * A suite's own copy of the demo database and a plain client on it, for tests of the SQL alone: made in beforeAll,
 * dropped in afterAll. Call it at the top of a test file.
 */
export function useTestSql(label: string): TestSql {
  let database: TestDatabase;
  const t = {} as TestSql;
  beforeAll(async () => {
    database = await createTestDatabase(label);
    t.url = database.url;
    t.sql = new pg.Client({ connectionString: database.url });
    await t.sql.connect();
  });
  // A test that failed, above all one that timed out, says what its database was doing: a statement still running
  // or waiting on a lock is the usual reason, and CI keeps only the log (CI once timed out a 4-second plan import).
  afterEach(async (ctx) => {
    if (ctx.task.result?.state !== "fail" || !t.sql) return;
    const busy = await t.sql
      .query(
        `select pid, state, wait_event_type, wait_event, round(extract(epoch from now() - query_start))::int s,
           pg_blocking_pids(pid) blocked_by, left(regexp_replace(query, '\\s+', ' ', 'g'), 160) query
         from pg_stat_activity where datname = current_database() and pid <> pg_backend_pid() and state <> 'idle'`,
      )
      .catch((err: unknown) => ({ rows: [String(err)] }));
    console.error(`database activity after "${ctx.task.name}" failed:`, JSON.stringify(busy.rows, null, 1));
  });
  afterAll(async () => {
    await t.sql?.end();
    await database?.drop();
  });
  return t;
}
