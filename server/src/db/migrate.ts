import { createHash } from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import pg from "pg";

export const migrationsDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../../../migrations");

const VERSIONED = /^\d{14}_[a-z0-9_]+\.sql$/;
const REPEATABLE = /^R__[a-z0-9_]+\.sql$/;

/**
 * Versioned migrations that held nothing but function, view and trigger definitions. They were removed when every
 * definition moved to the repeatable files (issue 14); databases that applied them keep their rows, and a fresh
 * database has no need of them.
 */
const RETIRED = new Set([
  "20261127000800_published_views.sql",
  "20261127001100_territory_builder.sql",
  "20261127009100_report_hazard.sql",
  "20261127010100_tile_functions.sql",
  "20261127010200_camera_trigger_restorable.sql",
  "20261127010300_tile_bump_bulk.sql",
  "20261127010400_coverage_grid_refresh_concurrent.sql",
  "20261127010400_parcels_tile_probe.sql",
  "20261127010800_build_territory_speed.sql",
  "20261127011000_locate_on_parcels_box.sql",
]);

/** The checksum of a migration file; line endings do not count, so a checkout with CRLF gives the same. */
export function fileChecksum(sql: string): string {
  return createHash("sha256").update(sql.replace(/\r\n/g, "\n")).digest("hex").slice(0, 32);
}

type File = { name: string; sql: string; checksum: string };

function readFiles(dir: string, pattern: RegExp): File[] {
  return fs
    .readdirSync(dir)
    .filter((f) => pattern.test(f))
    .sort()
    .map((name) => {
      const sql = fs.readFileSync(path.join(dir, name), "utf8");
      return { name, sql, checksum: fileChecksum(sql) };
    });
}

/**
 * Brings a database up to the migrations of `dir`, Flyway's way:
 *
 * - Versioned migrations (`<timestamp>_<name>.sql`: tables, indexes, constraints, data) are applied once each, in
 *   name order, each in its own transaction, and recorded with their checksum. A recorded checksum that no longer
 *   matches its file is an error: an applied migration is never edited, a change is a new migration. Rows recorded
 *   before checksums were kept (databases migrated before issue 14, when the definitions were moved out of the
 *   migrations) take the checksum of the file as it is now, once.
 * - Repeatable files (`R__<topic>.sql`: every function, view and trigger, each defined in one of them with
 *   `create or replace`) are applied after the versioned ones, all of them in name order in one transaction,
 *   whenever one of them changed, appeared or went, or a versioned migration was applied: a migration may have
 *   dropped what they define (a view over a column it changes), and a file may read another's objects. A name
 *   that sorts later may use what an earlier one defines. A function, view or trigger that leaves the repeatable
 *   files is dropped by a versioned migration.
 *
 * A database holding an applied migration this checkout does not have is refused: its code is newer, and applying
 * these repeatable files would put older definitions back. An advisory lock keeps two starting servers from racing.
 * Returns the names applied.
 */
export async function migrate(
  databaseUrl: string,
  log: (msg: string) => void = () => {},
  dir: string = migrationsDir,
): Promise<string[]> {
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  const applied: string[] = [];
  try {
    await client.query("select pg_advisory_lock(7031)");
    await client.query(
      `create table if not exists schema_migration (name text primary key, applied_at timestamptz not null default now());
       alter table schema_migration add column if not exists checksum text;
       create table if not exists schema_repeatable (
         name text primary key, checksum text not null, applied_at timestamptz not null default now())`,
    );
    const versioned = readFiles(dir, VERSIONED);
    const repeatable = readFiles(dir, REPEATABLE);
    const byName = new Map(versioned.map((f) => [f.name, f]));

    const done = (
      await client.query<{ name: string; checksum: string | null }>("select name, checksum from schema_migration")
    ).rows;
    for (const row of done) {
      const file = byName.get(row.name);
      if (!file) {
        if (RETIRED.has(row.name)) continue;
        throw new Error(
          `the database has applied migration ${row.name}, which this checkout does not have: ` +
            "its code is newer than this checkout / 数据库已应用本代码中没有的迁移",
        );
      }
      if (row.checksum === null) {
        await client.query("update schema_migration set checksum = $2 where name = $1", [row.name, file.checksum]);
      } else if (row.checksum !== file.checksum) {
        throw new Error(
          `migration ${row.name} was changed after it was applied to this database; ` +
            "put the change in a new migration (or, for a function, view or trigger, in its R__ file) / 已应用的迁移被修改",
        );
      }
    }

    const seen = new Set(done.map((r) => r.name));
    for (const file of versioned) {
      if (seen.has(file.name)) continue;
      await inTransaction(client, file.name, async () => {
        await client.query(file.sql);
        await client.query("insert into schema_migration (name, checksum) values ($1, $2)", [file.name, file.checksum]);
      });
      applied.push(file.name);
      log(`migrated ${file.name}`);
    }

    const recorded = (
      await client.query<{ name: string; checksum: string }>("select name, checksum from schema_repeatable")
    ).rows;
    const same =
      recorded.length === repeatable.length &&
      repeatable.every((f) => recorded.some((r) => r.name === f.name && r.checksum === f.checksum));
    if (applied.length > 0 || !same) {
      await inTransaction(client, "the repeatable files", async () => {
        await applyRepeatables(client, dir);
        await client.query("delete from schema_repeatable");
        for (const file of repeatable) {
          await client.query("insert into schema_repeatable (name, checksum) values ($1, $2)", [
            file.name,
            file.checksum,
          ]);
        }
      });
      for (const file of repeatable) {
        applied.push(file.name);
        log(`applied ${file.name}`);
      }
    }
  } finally {
    await client.query("select pg_advisory_unlock(7031)").catch(() => {});
    await client.end();
  }
  return applied;
}

/**
 * Runs every repeatable file of `dir` in name order on `client`, in the caller's transaction: the functions, views
 * and triggers as this checkout defines them (what `migrate` does after the versioned migrations).
 */
export async function applyRepeatables(client: pg.Client, dir: string = migrationsDir): Promise<void> {
  for (const file of readFiles(dir, REPEATABLE)) {
    await client.query(file.sql).catch((err: Error) => {
      throw new Error(`${file.name}: ${err.message}`);
    });
  }
}

async function inTransaction(client: pg.Client, what: string, fn: () => Promise<void>): Promise<void> {
  await client.query("begin");
  try {
    await fn();
    await client.query("commit");
  } catch (err) {
    await client.query("rollback");
    throw new Error(`migration ${what} failed: ${(err as Error).message}`);
  }
}
