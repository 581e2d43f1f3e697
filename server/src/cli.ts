import { spawnSync } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import type { Problem } from "@gridatlas/geodata/territory/import.ts";
import { loadCliConfig } from "./config.ts";
import { backup, restore } from "./db/backup.ts";
import { generateSchemaTypes, schemaFile } from "./db/codegen.ts";
import { createDb } from "./db/db.ts";
import { migrate } from "./db/migrate.ts";
import { createDemoAccounts } from "./features/accounts/demo-accounts.ts";

const [command, ...args] = process.argv.slice(2);
const config = loadCliConfig();
const repoRoot = config.root ?? path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");
/** A path given on the command line, relative to where the user ran `npm run`. */
const userPath = (p: string) => path.resolve(config.initCwd ?? ".", p);

function databaseUrl(): string {
  const url = config.databaseUrl;
  if (!url) throw new Error("DATABASE_URL is not set / 未设置 DATABASE_URL");
  return url;
}

function adminUrl(): string {
  return config.adminUrl ?? databaseUrl();
}

/** CITY_DATABASE_URL, else database `name` on the server of the admin URL, created when missing. */
async function cityDatabase(name: string): Promise<string> {
  if (config.cityDatabaseUrl) return config.cityDatabaseUrl;
  if (!/^[a-z][a-z0-9_]{0,62}$/.test(name)) throw new Error(`not a database name: ${name}`);
  const url = new URL(adminUrl());
  const { default: pg } = await import("pg");
  const admin = new pg.Client({ connectionString: url.toString() });
  await admin.connect();
  try {
    const exists = await admin.query("select 1 from pg_database where datname = $1", [name]);
    if (!exists.rowCount) await admin.query(`create database ${name}`);
  } finally {
    await admin.end();
  }
  url.pathname = `/${name}`;
  return url.toString();
}

const commands: Record<string, () => Promise<void>> = {
  async migrate() {
    const applied = await migrate(databaseUrl(), (m) => console.log(m));
    if (applied.length === 0) console.log("database schema is up to date");
  },
  async "load-demo"() {
    const { values } = parseArgs({ args, options: { "if-empty": { type: "boolean", default: false } } });
    const { loadDemo } = await import("@gridatlas/geodata/demo/load.ts");
    await loadDemo(databaseUrl(), { ifEmpty: values["if-empty"] ?? false, log: (m: string) => console.log(m) });
    const db = createDb({ databaseUrl: databaseUrl() });
    try {
      const created = await createDemoAccounts(db, { password: config.demoPassword });
      if (created?.generated) {
        console.log(
          `\n  演示账号 demo accounts: admin, planner, leader, secretary-<社区编码>, worker-1…worker-${created.workers}, info-1…info-${created.infoWorkers}\n` +
            `  初始密码 initial password (shown once, change it at first sign-in): ${created.password}\n` +
            "  仅用于演示 for the demo only: a shared password is never for real accounts\n",
        );
      } else if (created) {
        console.log(`created ${created.count} demo accounts with the password from GRIDATLAS_DEMO_PASSWORD`);
      }
    } finally {
      await db.destroy();
    }
  },
  /**
   * `import-osm --file area.osm.pbf --subdistrict-code CODE [--communities f.geojson] [--name …]`: onboards a real
   * area from OpenStreetMap (geodata/src/osm) with a first plan from the rebalancer; the last line is the summary.
   */
  async "import-osm"() {
    const { values } = parseArgs({
      args,
      options: {
        file: { type: "string" },
        "subdistrict-code": { type: "string" },
        communities: { type: "string" },
        name: { type: "string" },
        "name-en": { type: "string" },
        "metric-srid": { type: "string" },
        "dwelling-m2": { type: "string" },
        "spacing-m": { type: "string" },
        min: { type: "string" },
        max: { type: "string" },
        seed: { type: "string" },
        publish: { type: "boolean", default: false },
      },
    });
    if (!values.file || !values["subdistrict-code"]) {
      throw new Error(
        "usage: cli import-osm --file area.osm.pbf --subdistrict-code 123456789 [--communities communities.geojson] " +
          "[--name 名称] [--name-en name] [--metric-srid 4550] [--dwelling-m2 90] [--spacing-m 5] [--min 200] [--max 300] " +
          "[--seed 1] [--publish]",
      );
    }
    const num = (v: string | undefined) => (v === undefined ? undefined : Number(v));
    const { importOsm } = await import("@gridatlas/geodata/osm/import.ts");
    const { proposeWithRebalancer } = await import("./features/imports/imports.propose.ts");
    const dwellingM2 = num(values["dwelling-m2"]);
    const min = num(values.min);
    const max = num(values.max);
    const summary = await importOsm(
      databaseUrl(),
      {
        file: userPath(values.file),
        subdistrictCode: values["subdistrict-code"],
        communities: values.communities && userPath(values.communities),
        name: values.name,
        nameEn: values["name-en"],
        metricSrid: num(values["metric-srid"]),
        spacingM: num(values["spacing-m"]),
        households: dwellingM2 === undefined ? undefined : { dwellingM2 },
        band: min === undefined && max === undefined ? undefined : { min: min ?? 200, max: max ?? 300 },
        seed: num(values.seed),
        publish: values.publish,
      },
      { proposePlan: proposeWithRebalancer(false), log: (m) => console.log(m) },
    );
    console.log(JSON.stringify(summary));
  },
  /**
   * `import-territory --communities F --buildings F --roads F [--compounds F] [--water F] [--households F.csv|.xlsx] …`:
   * a territory from an office's own GIS layers (geodata/src/territory), with a first plan from the rebalancer;
   * `--update --subdistrict-code C --buildings F` updates it later from a corrected buildings layer, plans carried
   * over. The last line is the summary. A refusal lists every problem by layer, row and field (and --report writes the
   * problems that have a place as GeoJSON, for a map).
   */
  async "import-territory"() {
    const { values } = parseArgs({
      args,
      options: {
        communities: { type: "string" },
        buildings: { type: "string" },
        roads: { type: "string" },
        compounds: { type: "string" },
        water: { type: "string" },
        landuse: { type: "string" },
        households: { type: "string" },
        "subdistrict-code": { type: "string" },
        name: { type: "string" },
        band: { type: "string" },
        crs: { type: "string" },
        encoding: { type: "string" },
        fields: { type: "string" },
        "metric-srid": { type: "string" },
        "dwelling-m2": { type: "string" },
        "gap-m2": { type: "string" },
        seed: { type: "string" },
        report: { type: "string" },
        publish: { type: "boolean", default: false },
        update: { type: "boolean", default: false },
      },
    });
    if (!values.buildings || (!values.update && (!values.communities || !values.roads))) {
      throw new Error(
        "usage: cli import-territory --communities F --buildings F --roads F [--compounds F | --landuse F] [--water F] [--households F.csv|.xlsx] " +
          "[--subdistrict-code 123456789] [--name 名称] [--band 200-300] [--crs EPSG:4550] [--encoding GBK] " +
          "[--fields 层数=FLOORS,户数=HS] [--metric-srid 4550] [--dwelling-m2 90] [--gap-m2 1000] [--seed 1] [--report problems.geojson] [--publish]\n" +
          "   or: cli import-territory --update --subdistrict-code 123456789 --buildings F [--households F.csv|.xlsx] …",
      );
    }
    const num = (v: string | undefined) => (v === undefined ? undefined : Number(v));
    const band = values.band ? /^(\d+)-(\d+)$/.exec(values.band) : null;
    if (values.band && !band) throw new Error(`--band is min-max, e.g. 200-300, not ${values.band}`);
    const { importTerritory } = await import("@gridatlas/geodata/territory/import.ts");
    const { fieldMapping } = await import("@gridatlas/geodata/territory/fields.ts");
    const { readHouseholdsSheet } = await import("./features/imports/imports.sheet.ts");
    const { proposeWithRebalancer } = await import("./features/imports/imports.propose.ts");
    const { ImportError } = await import("@gridatlas/geodata/osm/errors.ts");
    try {
      const summary = await importTerritory(
        databaseUrl(),
        {
          communities: values.communities && userPath(values.communities),
          buildings: userPath(values.buildings),
          roads: values.roads && userPath(values.roads),
          compounds: values.compounds && userPath(values.compounds),
          water: values.water && userPath(values.water),
          landuse: values.landuse && userPath(values.landuse),
          households: values.households ? await readHouseholdsSheet(userPath(values.households)) : undefined,
          subdistrictCode: values["subdistrict-code"],
          name: values.name,
          band: band ? { min: Number(band[1]), max: Number(band[2]) } : undefined,
          crs: values.crs,
          encoding: values.encoding,
          fields: values.fields ? fieldMapping(values.fields) : undefined,
          metricSrid: num(values["metric-srid"]),
          dwellingM2: num(values["dwelling-m2"]),
          repair: values["gap-m2"] ? { gapM2: Number(values["gap-m2"]) } : undefined,
          seed: num(values.seed),
          publish: values.publish,
          update: values.update,
        },
        { proposePlan: proposeWithRebalancer(false), log: (m) => console.log(m) },
      );
      console.log(JSON.stringify(summary));
    } catch (e) {
      const problems =
        e instanceof ImportError ? (e.details as { problems?: Problem[] } | undefined)?.problems : undefined;
      if (problems) {
        for (const p of problems) {
          console.error(
            `${p.layer}${p.row !== null ? ` #${p.row}` : ""}${p.field ? ` ${p.field}` : ""}: ${p.zh} / ${p.en}`,
          );
        }
        if (values.report) {
          const features = problems
            .filter((p) => p.geometry)
            .map(({ geometry, ...properties }) => ({ type: "Feature", properties, geometry }));
          fs.writeFileSync(userPath(values.report), JSON.stringify({ type: "FeatureCollection", features }));
          console.error(`${features.length} problems with a place written to ${values.report}`);
        }
      }
      throw e;
    }
  },
  /**
   * `export-units --subdistrict-code CODE [--plan ID] --out units.geojson`: the parcels as the units file of
   * `partition` and of the rebalancer benchmark (bench/rebalance.ts reads MONACO_UNITS).
   */
  async "export-units"() {
    const { values } = parseArgs({
      args,
      options: { "subdistrict-code": { type: "string" }, plan: { type: "string" }, out: { type: "string" } },
    });
    if (!values["subdistrict-code"] || !values.out) {
      throw new Error("usage: cli export-units --subdistrict-code 123456789 [--plan ID] --out units.geojson");
    }
    const { exportUnits } = await import("./features/exports/exports.units.ts");
    const db = createDb({ databaseUrl: databaseUrl() });
    try {
      const units = await exportUnits(db, values["subdistrict-code"], values.plan ? Number(values.plan) : undefined);
      if (units.features.length === 0) throw new Error(`no parcels in subdistrict ${values["subdistrict-code"]}`);
      const out = userPath(values.out);
      fs.writeFileSync(out, JSON.stringify(units));
      console.log(`wrote ${units.features.length} units (plan ${units.plan_id ?? "none"}) to ${out}`);
    } finally {
      await db.destroy();
    }
  },
  /** Partitions units into grids without a database (the rebalancer's engine). */
  async partition() {
    const { partitionCli } = await import("./rebalance/rebalance.cli.ts");
    process.exitCode = await partitionCli(args);
  },
  /** `backup [file]`: a pg_dump custom-format file, by default backups/gridatlas-<time>.dump. */
  async backup() {
    const stamp = new Date().toISOString().replace(/\D/g, "").slice(0, 14);
    const file = path.resolve(args[0] ?? path.join(repoRoot, "backups", `gridatlas-${stamp}.dump`));
    await backup(databaseUrl(), file);
    console.log(`backup written to ${file}`);
  },
  /** `restore <file>`: restores into a new database and swaps it in; the old one is kept. */
  async restore() {
    const file = args[0];
    if (!file) throw new Error("usage: npm run restore -- <file.dump>");
    await restore(databaseUrl(), path.resolve(file), (m) => console.log(m));
  },
  /**
   * `generate-city [--subdistricts 100] [--seed 1] [--out dir]`: writes a city of demo-like subdistricts
   * (geodata/src/city) as one gzipped dataset per subdistrict and a manifest, by default into geodata/out/city/.
   */
  async "generate-city"() {
    const { values } = parseArgs({
      args,
      options: { subdistricts: { type: "string" }, seed: { type: "string" }, out: { type: "string" } },
    });
    const { writeCity, DEFAULT_CITY_DIR } = await import("@gridatlas/geodata/city/generate.ts");
    const dir = values.out ? userPath(values.out) : DEFAULT_CITY_DIR;
    const manifest = writeCity(dir, {
      subdistricts: Number(values.subdistricts ?? 100),
      seed: Number(values.seed ?? 1),
      log: (m) => console.log(m),
    });
    const households = manifest.subdistricts.reduce((s, x) => s + x.households, 0);
    const buildings = manifest.subdistricts.reduce((s, x) => s + x.buildings, 0);
    console.log(
      `wrote ${manifest.subdistricts.length} subdistricts (${buildings} buildings, ${households} households) to ${dir}`,
    );
  },
  /**
   * `load-city [--dir geodata/out/city] [--database gridatlas_city] [--parallel 2]`: creates (if needed) and
   * migrates a database of its own on the server of GRIDATLAS_TEST_ADMIN_URL (or uses CITY_DATABASE_URL), loads the
   * city into it with progress, resuming where an earlier load stopped, and adds accounts with the password of
   * GRIDATLAS_DEMO_PASSWORD (else 'gridatlas-test-2026', the tests' password).
   */
  async "load-city"() {
    const { values } = parseArgs({
      args,
      options: { dir: { type: "string" }, database: { type: "string" }, parallel: { type: "string" } },
    });
    const { loadCity, createCityAccounts } = await import("@gridatlas/geodata/city/load.ts");
    const { DEFAULT_CITY_DIR } = await import("@gridatlas/geodata/city/generate.ts");
    const { hashPassword } = await import("./auth/password.ts");
    const url = await cityDatabase(values.database ?? "gridatlas_city");
    await migrate(url, (m) => console.log(m));
    const dir = values.dir ? userPath(values.dir) : DEFAULT_CITY_DIR;
    const { loaded, s } = await loadCity(url, {
      dir,
      parallel: Number(values.parallel ?? 2),
      log: (m) => console.log(m),
    });
    console.log(`loaded ${loaded} subdistricts in ${s.toFixed(0)} s`);
    const accounts = await createCityAccounts(url, await hashPassword(config.demoPassword ?? "gridatlas-test-2026"));
    if (accounts) console.log(`created ${accounts} accounts`);
    const db = createDb({ databaseUrl: url });
    try {
      const { refreshTileLayers } = await import("./features/tiles/tiles.queries.ts");
      const t = performance.now();
      await refreshTileLayers(db);
      console.log(`refreshed the low-zoom tile layers in ${((performance.now() - t) / 1000).toFixed(1)} s`);
    } finally {
      await db.destroy();
    }
    console.log(`city database: ${url.replace(/:[^:@/]*@/, ":***@")}`);
  },
  /**
   * `replica-start [--port 54330]`: a streaming replica of the local cluster (docs/scaling.md) in .data/replica,
   * made by pg_basebackup on first use, started on its port; prints the DATABASE_READ_URL pattern to use.
   * `replica-stop` stops it. The replica holds every database of the cluster, as physical replication does.
   */
  async "replica-start"() {
    const { values } = parseArgs({ args, options: { port: { type: "string" } } });
    const port = Number(values.port ?? 54330);
    const primary = new URL(adminUrl());
    const dir = path.join(repoRoot, ".data", "replica");
    const data = path.join(dir, "data");
    const bin = "/usr/lib/postgresql/15/bin";
    const asPostgres = (cmd: string, argv: string[]) =>
      process.getuid?.() === 0 ? ["runuser", ["-u", "postgres", "--", cmd, ...argv]] : [cmd, argv];
    const run = (cmd: string, argv: string[], env: Record<string, string> = {}) => {
      const [c, a] = asPostgres(cmd, argv) as [string, string[]];
      const r = spawnSync(c, a, { stdio: "inherit", env: { ...config.childEnv, ...env } });
      if (r.status !== 0) throw new Error(`${cmd} failed (${r.status})`);
    };
    if (!fs.existsSync(path.join(data, "PG_VERSION"))) {
      fs.mkdirSync(dir, { recursive: true });
      if (process.getuid?.() === 0) spawnSync("chown", ["postgres:postgres", dir]);
      console.log(`pg_basebackup of ${primary.host} into ${data} (every database of the cluster)…`);
      const conninfo = `host=${primary.hostname} port=${primary.port} user=${decodeURIComponent(primary.username)}`;
      run(`${bin}/pg_basebackup`, ["-d", conninfo, "-D", data, "-R", "-X", "stream", "-c", "fast", "-P"], {
        PGPASSWORD: decodeURIComponent(primary.password),
      });
      // The copied configuration still names the primary's port; the replica takes its own, and less memory.
      fs.appendFileSync(
        path.join(data, "postgresql.conf"),
        `\n# GridAtlas read replica\nport = ${port}\nshared_buffers = 128MB\nhot_standby = on\nhot_standby_feedback = on\n`,
      );
    }
    run(`${bin}/pg_ctl`, ["-D", data, "-l", path.join(dir, "server.log"), "-w", "-t", "120", "start"]);
    const replica = new URL(primary.toString());
    replica.port = String(port);
    console.log(
      `replica running on port ${port}: DATABASE_READ_URL=${replica.toString().replace(/:[^:@/]*@/, ":***@")}`,
    );
  },
  async "replica-stop"() {
    const data = path.join(repoRoot, ".data", "replica", "data");
    const argv = ["-D", data, "-m", "fast", "-w", "stop"];
    const cmd = "/usr/lib/postgresql/15/bin/pg_ctl";
    const r =
      process.getuid?.() === 0
        ? spawnSync("runuser", ["-u", "postgres", "--", cmd, ...argv], { stdio: "inherit" })
        : spawnSync(cmd, argv, { stdio: "inherit" });
    if (r.status !== 0) throw new Error(`pg_ctl stop failed (${r.status})`);
  },
  /** Regenerates server/src/db/schema.ts from the migrations. */
  async codegen() {
    fs.writeFileSync(schemaFile, await generateSchemaTypes(adminUrl()));
    console.log(`wrote ${schemaFile}`);
  },
  /** Fails when the committed schema types no longer match the migrations. */
  async "check-schema"() {
    const fresh = await generateSchemaTypes(adminUrl());
    if (fresh !== fs.readFileSync(schemaFile, "utf8")) {
      throw new Error("server/src/db/schema.ts is stale: run `npm run cli codegen` and commit it");
    }
    console.log("schema types match the migrations");
  },
};

const run = command ? commands[command] : undefined;
if (!run) {
  console.error(`usage: cli <${Object.keys(commands).join("|")}> [options]`);
  process.exit(2);
}
run().catch((err: Error) => {
  console.error(err.message);
  process.exit(1);
});
