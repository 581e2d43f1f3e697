import { createHash } from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import pg from "pg";
import { migrationsDir } from "./migrate.ts";

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
    throw new Error("GRIDATLAS_TEST_ADMIN_URL is not set: run the tests with `npm test`, which starts PostGIS");
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
  return h.digest("hex").slice(0, 16);
}

async function withAdmin<T>(fn: (c: pg.Client) => Promise<T>): Promise<T> {
  const c = new pg.Client({ connectionString: testAdminUrl() });
  await c.connect();
  try {
    return await fn(c);
  } finally {
    await c.end();
  }
}

/** Builds the template unless an identical one exists. Called from vitest's global setup. */
export async function ensureTemplate(build: (url: string) => Promise<void>): Promise<void> {
  const fingerprint = templateFingerprint();
  const current = await withAdmin(async (c) => {
    const r = await c.query<{ comment: string | null }>(
      "select shobj_description(oid, 'pg_database') as comment from pg_database where datname = $1",
      [TEMPLATE_DB],
    );
    return r.rows[0]?.comment ?? null;
  });
  if (current === fingerprint) return;
  await withAdmin(async (c) => {
    await c.query(`drop database if exists ${TEMPLATE_DB} with (force)`);
    await c.query(`create database ${TEMPLATE_DB}`);
  });
  await build(databaseUrl(TEMPLATE_DB));
  await withAdmin(async (c) => {
    await c.query(`comment on database ${TEMPLATE_DB} is '${fingerprint}'`);
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
    for (let attempt = 0; ; attempt++) {
      try {
        await c.query(`create database ${name} template ${TEMPLATE_DB}`);
        return;
      } catch (err) {
        if (attempt > 50 || !/being accessed by other users/.test((err as Error).message)) throw err;
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
