import { Kysely, PostgresDialect } from "kysely";
import pg from "pg";
import type { DB } from "./schema.ts";

// int8 (count(*), sum of integers) fits a JS number for every figure GridAtlas computes.
pg.types.setTypeParser(pg.types.builtins.INT8, (v) => Number.parseInt(v, 10));
pg.types.setTypeParser(pg.types.builtins.NUMERIC, (v) => Number.parseFloat(v));
// Dates stay 'YYYY-MM-DD' strings: a calendar day has no time zone.
pg.types.setTypeParser(pg.types.builtins.DATE, (v) => v);

export type Db = Kysely<DB>;

const readers = new WeakMap<Db, Db>();
const pools = new WeakMap<Db, pg.Pool>();

/**
 * The database of the server. With `databaseReadUrl` (a streaming replica), reads that may lag a little — tiles,
 * which check the version they read, and the workspace status boards — go there through `readerOf`; everything
 * else goes to `databaseUrl`. The pools name themselves (application_name `gridatlas`, `gridatlas-read`), so
 * pg_stat_activity shows which connections are which.
 */
export function createDb(config: {
  databaseUrl: string;
  dbPoolMax?: number;
  databaseReadUrl?: string | undefined;
}): Db {
  // JIT compilation pays off for long analytic queries; GridAtlas sends short ones whose PostGIS cost estimates
  // make the planner JIT-compile anyway, turning 60 ms into seconds.
  const pool = newPool(config.databaseUrl, config.dbPoolMax, "gridatlas");
  const db = new Kysely<DB>({ dialect: new PostgresDialect({ pool }) });
  pools.set(db, pool);
  if (config.databaseReadUrl) {
    const replica = newPool(config.databaseReadUrl, config.dbPoolMax, "gridatlas-read");
    const reader = new Kysely<DB>({ dialect: new PostgresDialect({ pool: replica }) });
    readers.set(db, reader);
    pools.set(reader, replica);
    // Closing the server's database closes the replica's pool too.
    const destroy = db.destroy.bind(db);
    db.destroy = async () => {
      await Promise.all([destroy(), reader.destroy()]);
    };
  }
  return db;
}

/**
 * An idle pooled connection that the server closes (PostgreSQL restarted, an administrator terminated it, the
 * database was dropped) makes the pool emit `error`; with no listener Node treats that as an uncaught exception and
 * the whole server would exit. The pool has already discarded the connection and opens a new one on the next query,
 * so a line in the log is all it deserves.
 */
/** A pool of the primary or the replica, named in pg_stat_activity. */
function newPool(url: string, max: number | undefined, name: string): pg.Pool {
  const pool = new pg.Pool({ connectionString: url, max: max ?? 10, options: "-c jit=off", application_name: name });
  keepAliveOnIdleErrors(pool, name);
  return pool;
}

function keepAliveOnIdleErrors(pool: pg.Pool, name: string): void {
  pool.on("error", (err) => {
    console.warn(`[${name}] an idle database connection was closed: ${err.message}`);
  });
}

/**
 * The connection pool under a database made by `createDb` (or its reader), for the rare query Kysely cannot send:
 * a prepared statement (the vector tiles, see tiles.queries.ts).
 */
export function poolOf(db: Db): pg.Pool {
  const pool = pools.get(db);
  if (!pool) throw new Error("poolOf: a database made by createDb (or readerOf) is needed");
  return pool;
}

/** Where reads that tolerate replication lag go: the replica when one is configured, else the database itself. */
export function readerOf(db: Db): Db {
  return readers.get(db) ?? db;
}
