import { createHash } from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import pg from "pg";
import { migrationsDir } from "../src/db/migrate.ts";

/**
 * Test databases. Once per test run a template database is migrated and loaded with the Xincheng demo
 * (reused across runs while the migrations and the demo code are unchanged); every suite that touches data
 * gets its own fresh copy of it, so suites never see each other's writes.
 */

export const TEMPLATE_DB = "gridatlas_template";

/** The password of every demo account in test databases. */
export const TEST_PASSWORD = "gridatlas-test-2026";

export function testAdminUrl(): string {
  const url = process.env.GRIDATLAS_TEST_ADMIN_URL;
  if (!url) {
    throw new Error(
      "GRIDATLAS_TEST_ADMIN_URL is not set: database tests (*.db.test.ts) run under `npm test`, which starts PostGIS",
    );
  }
  return url;
}

export function databaseUrl(name: string): string {
  const url = new URL(testAdminUrl());
  url.pathname = `/${name}`;
  return url.toString();
}

/** What the template is built from; a change to any of these rebuilds it. */
export function templateFingerprint(): string {
  const h = createHash("sha256");
  const root = path.resolve(migrationsDir, "..");
  const walk = (dir: string) => {
    for (const e of fs.readdirSync(dir, { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name))) {
      const p = path.join(dir, e.name);
      if (e.isDirectory()) {
        if (e.name !== "node_modules" && e.name !== "out") walk(p);
      } else if (!e.name.endsWith(".test.ts")) {
        h.update(path.relative(root, p));
        h.update(fs.readFileSync(p));
      }
    }
  };
  walk(migrationsDir);
  walk(path.join(root, "geodata", "src"));
  h.update(fs.readFileSync(path.join(root, "server", "src", "features", "accounts", "demo-accounts.ts")));
  return h.digest("hex").slice(0, 12);
}

/** Runs `fn` on a client of the test cluster's admin database, closed afterwards. */
export async function withAdmin<T>(fn: (c: pg.Client) => Promise<T>): Promise<T> {
  const c = new pg.Client({ connectionString: testAdminUrl() });
  await c.connect();
  try {
    return await fn(c);
  } finally {
    await c.end();
  }
}

let memo: string | undefined;

/** The template of this code: one per fingerprint, so runs over different code never fight over one database. */
export function templateName(): string {
  memo ??= `${TEMPLATE_DB}_${templateFingerprint()}`;
  return memo;
}

/**
 * Builds the template unless it exists. Builders of the same fingerprint queue on an advisory lock; the build goes
 * into a scratch database renamed into place only when complete, so no one ever copies a half-built template.
 */
export async function ensureTemplate(build: (url: string) => Promise<void>): Promise<void> {
  const name = templateName();
  await withAdmin(async (c) => {
    const lock = Number.parseInt(name.slice(-7), 16);
    await c.query("select pg_advisory_lock(7032, $1)", [lock]);
    try {
      const exists = await c.query("select 1 from pg_database where datname = $1", [name]);
      if (exists.rowCount) return;
      const scratch = `${name}_build`;
      await c.query(`drop database if exists ${scratch} with (force)`);
      await c.query(`create database ${scratch}`);
      try {
        await build(databaseUrl(scratch));
      } catch (err) {
        await c.query(`drop database if exists ${scratch} with (force)`);
        throw err;
      }
      await c.query(`alter database ${scratch} rename to ${name}`);
    } finally {
      await c.query("select pg_advisory_unlock(7032, $1)", [lock]);
    }
    // Templates of other code left for an hour are litter; younger ones may belong to a run still going on.
    const stale = await c
      .query<{ datname: string }>(
        `select datname from pg_database d where datname like '${TEMPLATE_DB}\\_%' and datname <> $1
         and (pg_stat_file('base/' || d.oid || '/PG_VERSION')).modification < now() - interval '1 hour'`,
        [name],
      )
      .catch(() => ({ rows: [] as { datname: string }[] }));
    for (const { datname } of stale.rows) await c.query(`drop database if exists ${datname}`).catch(() => {});
  });
}

export type TestDatabase = { url: string; name: string; drop: () => Promise<void> };

/** A fresh copy of the template for one suite; drop it in afterAll. */
export async function createTestDatabase(label = "t"): Promise<TestDatabase> {
  const name = `gridatlas_test_${label
    .replace(/[^a-z0-9]/gi, "")
    .slice(0, 20)
    .toLowerCase()}_${process.pid}_${Date.now() % 1e8}`;
  // CREATE DATABASE … TEMPLATE fails while another session is connected to the template; retry briefly.
  await withAdmin(async (c) => {
    const deadline = Date.now() + 30_000;
    for (;;) {
      try {
        await c.query(`create database ${name} template ${templateName()}`);
        return;
      } catch (err) {
        if (Date.now() > deadline || !/being accessed by other users/.test((err as Error).message)) throw err;
        await new Promise((r) => setTimeout(r, 100 + Math.random() * 200));
      }
    }
  });
  return {
    name,
    url: databaseUrl(name),
    drop: () => withAdmin(async (c) => void (await c.query(`drop database if exists ${name} with (force)`))),
  };
}
