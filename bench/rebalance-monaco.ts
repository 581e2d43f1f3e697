import fs from "node:fs";
import path from "node:path";
import { importOsm } from "@gridatlas/geodata/osm/import.ts";
import { createDb } from "@gridatlas/server/db/db.ts";
import { migrate } from "@gridatlas/server/db/migrate.ts";
import { exportUnits } from "@gridatlas/server/features/exports/exports.units.ts";
import { proposeWithRebalancer } from "@gridatlas/server/features/imports/imports.propose.ts";
import pg from "pg";

/**
 * The rebalancer benchmark with its Monaco case (c): makes the Monaco units file and runs bench/rebalance.ts
 * with MONACO_UNITS pointing at it. Run: node_modules/.bin/tsx bench/rebalance-monaco.ts
 *
 * The units are the parcels the OpenStreetMap importer builds from geodata/sources/monaco (subdistrict
 * 990000001, a made-up code), with the grids of its proposed plan as the current assignment. They are read from
 * MONACO_DATABASE_URL when that database holds Monaco; otherwise Monaco is imported into a database of its own,
 * gridatlas_bench_monaco, on the local cluster (.data/), once, and reused by later runs.
 */
const MONACO_CODE = "990000001";
const root = path.resolve(import.meta.dirname, "..");
const out = path.join(root, "bench", "out", "monaco-units.geojson");

async function holdsMonaco(url: string): Promise<boolean> {
  const c = new pg.Client({ connectionString: url });
  try {
    await c.connect();
    const r = await c.query("select 1 from subdistrict where code = $1", [MONACO_CODE]);
    return (r.rowCount ?? 0) > 0;
  } catch {
    return false;
  } finally {
    await c.end().catch(() => {});
  }
}

async function monacoDatabase(): Promise<string> {
  const given = process.env.MONACO_DATABASE_URL;
  if (given) {
    if (await holdsMonaco(given)) return given;
    throw new Error(`MONACO_DATABASE_URL holds no subdistrict ${MONACO_CODE}: import it with cli import-osm first`);
  }
  const pw = path.join(root, ".data", "pg-password");
  if (!fs.existsSync(pw))
    throw new Error("no local cluster in .data/: run `npm start` once, or set MONACO_DATABASE_URL");
  const admin = new URL(`postgres://gridatlas:${fs.readFileSync(pw, "utf8").trim()}@127.0.0.1:54329/postgres`);
  const url = new URL(admin);
  url.pathname = "/gridatlas_bench_monaco";
  if (await holdsMonaco(url.toString())) return url.toString();
  const c = new pg.Client({ connectionString: admin.toString() });
  await c.connect();
  try {
    await c.query("drop database if exists gridatlas_bench_monaco");
    await c.query("create database gridatlas_bench_monaco");
  } finally {
    await c.end();
  }
  await migrate(url.toString());
  const t0 = performance.now();
  const summary = await importOsm(
    url.toString(),
    { file: path.join(root, "geodata/sources/monaco/monaco-2026-07-10.osm.pbf"), subdistrictCode: MONACO_CODE },
    { proposePlan: proposeWithRebalancer(false) },
  );
  console.log(`imported Monaco in ${((performance.now() - t0) / 1000).toFixed(1)} s: ${JSON.stringify(summary)}`);
  return url.toString();
}

const url = await monacoDatabase();
const db = createDb({ databaseUrl: url });
try {
  const units = await exportUnits(db, MONACO_CODE);
  fs.mkdirSync(path.dirname(out), { recursive: true });
  fs.writeFileSync(out, JSON.stringify(units));
  console.log(`${units.features.length} Monaco units (plan ${units.plan_id}) written to ${path.relative(root, out)}\n`);
} finally {
  await db.destroy();
}
process.env.MONACO_UNITS = out;
await import("./rebalance.ts");
