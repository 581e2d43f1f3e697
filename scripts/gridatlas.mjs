#!/usr/bin/env node
// The one entry point behind `npm start`, `npm test`, `npm run test:unit|cli|backup|restore|bench`.
// Plain Node with no dependencies: it runs before anything is installed, so it installs what is
// missing (apt packages, the pinned pnpm's node_modules), then starts a private PostGIS cluster
// under .data/ unless DATABASE_URL is set, migrates, loads the demo and hands over to TypeScript.
import { execFileSync, spawn, spawnSync } from "node:child_process";
import { createHash, randomBytes } from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const pkg = JSON.parse(fs.readFileSync(path.join(root, "package.json"), "utf8"));
const pnpmSpec = pkg.packageManager; // e.g. pnpm@10.34.9
const isRoot = process.getuid?.() === 0;
const dataDir = path.join(root, ".data");
const pgPort = Number(process.env.GRIDATLAS_PG_PORT ?? 54329);
const bin = (name) => path.join(root, "node_modules", ".bin", name);

const say = (msg) => console.log(`\x1b[36m[gridatlas]\x1b[0m ${msg}`);
const fail = (msg) => {
  console.error(`\x1b[31m[gridatlas]\x1b[0m ${msg}`);
  process.exit(1);
};

function run(cmd, args, opts = {}) {
  const r = spawnSync(cmd, args, { stdio: "inherit", cwd: root, ...opts });
  if (r.status !== 0) fail(`command failed (${r.status ?? r.signal}): ${cmd} ${args.join(" ")}`);
}

function has(cmd) {
  return spawnSync("sh", ["-c", `command -v ${cmd}`], { stdio: "ignore" }).status === 0;
}

function hashOf(paths) {
  const h = createHash("sha256");
  const walk = (p) => {
    if (!fs.existsSync(p)) return;
    const st = fs.statSync(p);
    if (st.isDirectory()) {
      for (const e of fs.readdirSync(p).sort()) {
        // Build outputs, including the glyphs and icons the web build generates into web/public/{glyphs,icons}.
        if (e === "node_modules" || e === "dist" || e === "glyphs") continue;
        if (e === "icons" && path.basename(p) === "public") continue;
        walk(path.join(p, e));
      }
    } else {
      h.update(path.relative(root, p));
      h.update(fs.readFileSync(p));
    }
  };
  for (const p of paths) walk(path.join(root, p));
  return h.digest("hex");
}

// ---------------------------------------------------------------- system packages

/** Newest PostgreSQL installed the Debian way (/usr/lib/postgresql/<major>/bin). */
function pgBinDir() {
  const base = "/usr/lib/postgresql";
  if (!fs.existsSync(base)) return null;
  const majors = fs
    .readdirSync(base)
    .filter((v) => fs.existsSync(path.join(base, v, "bin", "initdb")))
    .sort((a, b) => Number(b) - Number(a));
  return majors.length ? path.join(base, majors[0], "bin") : null;
}

function pgMajor() {
  const dir = pgBinDir();
  return dir ? path.basename(path.dirname(dir)) : null;
}

function hasPostgis(major) {
  return fs.existsSync(`/usr/share/postgresql/${major}/extension/postgis.control`);
}

function aptInstall(packages) {
  if (!has("apt-get")) {
    fail(
      `missing system packages: ${packages.join(", ")}.\n` +
        "This machine has no apt-get. Install PostgreSQL (15 or newer) with PostGIS 3, Chromium and the Noto CJK fonts\n" +
        "with your system's package manager, or point DATABASE_URL at a PostGIS database, then run this again.\n" +
        `On Debian/Ubuntu: sudo apt-get install -y ${packages.join(" ")}`,
    );
  }
  const sudo = isRoot ? [] : ["sudo"];
  if (!isRoot && !has("sudo")) {
    fail(`missing system packages; run as root: apt-get update && apt-get install -y ${packages.join(" ")}`);
  }
  say(`installing system packages: ${packages.join(" ")}`);
  const env = { ...process.env, DEBIAN_FRONTEND: "noninteractive" };
  run(sudo[0] ?? "apt-get", [...sudo.slice(1), ...(sudo.length ? ["apt-get"] : []), "update", "-q"], { env });
  run(
    sudo[0] ?? "apt-get",
    [...sudo.slice(1), ...(sudo.length ? ["apt-get"] : []), "install", "-y", "-q", ...packages],
    {
      env,
    },
  );
}

/**
 * The system packages each command needs, as [apt package, is it there?]. Printing (maps, change lists) renders in
 * Chromium, so the app itself needs it, not only the tests; METIS (the rebalancer's comparison) and poppler's
 * pdftotext/pdftoppm (reading printed PDFs) are for tests and benchmarks only.
 * @param {{ tests: boolean }} need
 * @returns {[string, () => boolean][]}
 */
function systemNeeds(need) {
  /** @type {[string, () => boolean][]} */
  const needs = [];
  if (!process.env.DATABASE_URL) {
    needs.push(["postgresql", () => !!pgMajor()], ["postgresql-contrib", () => !!pgMajor()]);
  }
  needs.push(["fonts-noto-cjk", () => fs.existsSync("/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc")]);
  needs.push(["chromium", () => has("chromium")]);
  // GDAL reads and writes every GIS file the server imports and exports (and OpenStreetMap extracts): the app
  // needs it at run time, not only the tests.
  needs.push(["gdal-bin", () => has("ogr2ogr")]);
  if (need.tests) needs.push(["metis", () => has("gpmetis")], ["poppler-utils", () => has("pdftotext")]);
  return needs;
}

/** @param {{ tests: boolean }} need */
function ensureSystem(need) {
  const missing = systemNeeds(need)
    .filter(([, there]) => !there())
    .map(([name]) => name);
  if (missing.length) aptInstall(missing);
  if (!process.env.DATABASE_URL) {
    const major = pgMajor();
    if (!major) fail("PostgreSQL did not install; install it and PostGIS 3, or set DATABASE_URL.");
    if (!hasPostgis(major)) aptInstall([`postgresql-${major}-postgis-3`]);
  }
}

// ---------------------------------------------------------------- node dependencies

function ensureNodeDeps() {
  const stamp = path.join(root, "node_modules", ".gridatlas-install");
  const want = hashOf(["pnpm-lock.yaml", "package.json", "pnpm-workspace.yaml"]);
  if (fs.existsSync(stamp) && fs.readFileSync(stamp, "utf8") === want) return;
  say(`installing dependencies with ${pnpmSpec}`);
  run("npx", ["-y", pnpmSpec, "install", "--frozen-lockfile"]);
  fs.writeFileSync(stamp, want);
}

// ---------------------------------------------------------------- the local cluster

/** Runs a PostgreSQL binary as the postgres system user when we are root (PostgreSQL refuses root). */
function pgCmd(name, args, opts = {}) {
  const exe = path.join(pgBinDir(), name);
  return isRoot ? ["runuser", ["-u", "postgres", "--", exe, ...args], opts] : [exe, args, opts];
}

/**
 * Where the cluster lives: .data/pg, or, when the postgres user cannot reach the checkout
 * (a clone under /root, say), a directory of its own under /var/lib/gridatlas linked from .data/pg.
 */
function clusterHome() {
  fs.mkdirSync(dataDir, { recursive: true });
  const link = path.join(dataDir, "pg");
  if (fs.existsSync(link)) return fs.realpathSync(link);
  fs.mkdirSync(link);
  if (!isRoot) return link;
  execFileSync("chown", ["postgres:postgres", link]);
  const reachable = spawnSync("runuser", ["-u", "postgres", "--", "test", "-w", link]).status === 0;
  if (reachable) return link;
  fs.rmdirSync(link);
  const home = path.join("/var/lib/gridatlas", createHash("sha1").update(root).digest("hex").slice(0, 12));
  fs.mkdirSync(home, { recursive: true });
  execFileSync("chown", ["postgres:postgres", home]);
  fs.symlinkSync(home, link);
  say(`the postgres user cannot reach ${root}; the cluster lives in ${home} (linked from .data/pg)`);
  return home;
}

function clusterRunning(pgdata) {
  const [cmd, args] = pgCmd("pg_ctl", ["-D", pgdata, "status"]);
  return spawnSync(cmd, args, { stdio: "ignore" }).status === 0;
}

/** Starts (creating if needed) the private cluster; returns its admin URL and whether we started it. */
function ensureCluster() {
  const home = clusterHome();
  const pgdata = path.join(home, "data");
  const pwFile = path.join(dataDir, "pg-password");
  if (!fs.existsSync(path.join(pgdata, "PG_VERSION"))) {
    say(`creating a PostGIS cluster in .data/pg (port ${pgPort})`);
    const password = randomBytes(18).toString("base64url");
    const tmpPw = path.join(home, "pwfile");
    fs.writeFileSync(tmpPw, password, { mode: 0o600 });
    if (isRoot) execFileSync("chown", ["postgres:postgres", tmpPw]);
    const [cmd, args] = pgCmd("initdb", [
      "-D",
      pgdata,
      "-U",
      "gridatlas",
      "--pwfile",
      tmpPw,
      "--auth-local=scram-sha-256",
      "--auth-host=scram-sha-256",
      "-E",
      "UTF8",
      "--locale=C.UTF-8",
    ]);
    run(cmd, args, { stdio: ["ignore", "ignore", "inherit"] });
    fs.rmSync(tmpPw);
    fs.writeFileSync(pwFile, password, { mode: 0o600 });
    fs.appendFileSync(
      path.join(pgdata, "postgresql.conf"),
      [
        "",
        "# GridAtlas: a private cluster on loopback only",
        "listen_addresses = '127.0.0.1'",
        `port = ${pgPort}`,
        "unix_socket_directories = ''",
        "shared_buffers = 512MB",
        "work_mem = 32MB",
        "maintenance_work_mem = 256MB",
        "max_connections = 200",
        "",
      ].join("\n"),
    );
  }
  let started = false;
  if (!clusterRunning(pgdata)) {
    say("starting PostgreSQL");
    // The port is given at every start, so GRIDATLAS_PG_PORT also moves a cluster made earlier on another port.
    const [cmd, args] = pgCmd("pg_ctl", [
      "-D",
      pgdata,
      "-l",
      path.join(home, "server.log"),
      "-o",
      `-p ${pgPort}`,
      "-w",
      "-t",
      "60",
      "start",
    ]);
    run(cmd, args, { stdio: ["ignore", "ignore", "inherit"] });
    started = true;
  }
  const password = fs.readFileSync(pwFile, "utf8").trim();
  return { adminUrl: `postgres://gridatlas:${password}@127.0.0.1:${pgPort}/postgres`, pgdata, started };
}

function stopCluster(pgdata) {
  const [cmd, args] = pgCmd("pg_ctl", ["-D", pgdata, "-m", "fast", "-w", "stop"]);
  spawnSync(cmd, args, { stdio: "ignore" });
  say("PostgreSQL stopped");
}

function withDatabase(url, name) {
  const u = new URL(url);
  u.pathname = `/${name}`;
  return u.toString();
}

/** Creates a database on the server of `adminUrl` unless it exists. */
function ensureDatabase(adminUrl, name) {
  const psql = process.env.DATABASE_URL ? "psql" : path.join(pgBinDir(), "psql");
  const q = (sql) =>
    execFileSync(psql, [adminUrl, "-tAc", sql], { encoding: "utf8", stdio: ["ignore", "pipe", "inherit"] }).trim();
  if (q(`select 1 from pg_database where datname = '${name}'`) !== "1") q(`create database "${name}"`);
}

// ---------------------------------------------------------------- app steps

function tsx(args, env) {
  run(bin("tsx"), args, { env: { ...process.env, ...env } });
}

function buildWeb() {
  const stamp = path.join(root, "web", "dist", ".build-hash");
  const want = hashOf(["web", "pnpm-lock.yaml", "server/src"]);
  if (fs.existsSync(stamp) && fs.readFileSync(stamp, "utf8") === want) return;
  say("building the web app");
  run("npx", ["-y", pnpmSpec, "--filter", "@gridatlas/web", "run", "build"]);
  // The tree as the build left it: anything it generates among the sources must not make the next check rebuild.
  // (It did once: the icons it writes into web/public made `npm start` in the print test rebuild web/dist in the
  // middle of the test run, and the pages other e2e files had open lost their scripts.)
  fs.writeFileSync(stamp, hashOf(["web", "pnpm-lock.yaml", "server/src"]));
}

/** Sets up everything a command needs and returns the database to use and how to clean up. */
function setup({ tests }) {
  ensureSystem({ tests });
  ensureNodeDeps();
  if (process.env.DATABASE_URL) {
    return { adminUrl: process.env.DATABASE_URL, appUrl: process.env.DATABASE_URL, cleanup: () => {} };
  }
  const cluster = ensureCluster();
  ensureDatabase(cluster.adminUrl, "gridatlas");
  return {
    adminUrl: cluster.adminUrl,
    appUrl: withDatabase(cluster.adminUrl, "gridatlas"),
    cleanup: () => cluster.started && stopCluster(cluster.pgdata),
  };
}

function prepareDatabase(url) {
  tsx(["server/src/cli.ts", "migrate"], { DATABASE_URL: url });
  tsx(["server/src/cli.ts", "load-demo", "--if-empty"], { DATABASE_URL: url });
}

function start() {
  const t0 = Date.now();
  const { appUrl, cleanup } = setup({ tests: false });
  prepareDatabase(appUrl);
  buildWeb();
  const port = process.env.PORT ?? "8080";
  const server = spawn(bin("tsx"), ["server/src/main.ts"], {
    cwd: root,
    stdio: "inherit",
    env: { ...process.env, DATABASE_URL: appUrl, PORT: port, WEB_DIST: path.join(root, "web", "dist") },
  });
  say(`ready in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
  say(
    "演示账号的共用密码只用于演示：正式使用时每个账号都要设置自己的密码。\n" +
      "  The demo accounts' shared password is for the demo only: for real use, every account sets its own password.",
  );
  let stopping = false;
  const stop = () => {
    if (stopping) return;
    stopping = true;
    server.kill("SIGTERM");
  };
  process.on("SIGINT", stop);
  process.on("SIGTERM", stop);
  server.on("exit", (code) => {
    cleanup();
    process.exit(stopping ? 0 : (code ?? 1));
  });
}

/** Runs every check even when an earlier one fails, so one run shows everything that is wrong. */
function test(extraArgs) {
  const { adminUrl, cleanup } = setup({ tests: true });
  const failed = [];
  try {
    const env = { ...process.env, GRIDATLAS_TEST_ADMIN_URL: adminUrl };
    const step = (label, cmd, args) => {
      say(label);
      const r = spawnSync(cmd, args, { stdio: "inherit", cwd: root, env });
      if (r.status !== 0) failed.push(label);
    };
    step("lint", bin("biome"), ["check", "."]);
    step("typecheck", bin("tsc"), ["--noEmit", "-p", "."]);
    step("schema types", bin("tsx"), ["server/src/cli.ts", "check-schema"]);
    buildWeb();
    step("tests", bin("vitest"), ["run", ...extraArgs]);
  } finally {
    cleanup();
  }
  if (failed.length) fail(`failed: ${failed.join(", ")}`);
  say("all checks passed");
  process.exit(0);
}

/** The unit tests alone: pure, so no system packages, no cluster and no build, only the Node dependencies. */
function testUnit(extraArgs) {
  ensureNodeDeps();
  const env = { ...process.env };
  delete env.GRIDATLAS_TEST_ADMIN_URL;
  const r = spawnSync(bin("vitest"), ["run", "--project", "unit", ...extraArgs], { stdio: "inherit", cwd: root, env });
  process.exit(r.status ?? 1);
}

function passThrough(script, args, { tests = false } = {}) {
  const { appUrl, adminUrl, cleanup } = setup({ tests });
  prepareDatabase(appUrl);
  const r = spawnSync(bin("tsx"), [script, ...args], {
    stdio: "inherit",
    cwd: process.env.INIT_CWD ?? root,
    env: { ...process.env, DATABASE_URL: appUrl, GRIDATLAS_TEST_ADMIN_URL: adminUrl, GRIDATLAS_ROOT: root },
  });
  cleanup();
  process.exit(r.status ?? 1);
}

const [command = "start", ...rest] = process.argv.slice(2);
switch (command) {
  case "start":
    start();
    break;
  case "test":
    test(rest);
    break;
  case "test-unit":
    testUnit(rest);
    break;
  case "cli": {
    // Commands that need no database (partition) skip the cluster entirely.
    if (rest[0] === "partition") {
      ensureNodeDeps();
      const r = spawnSync(bin("tsx"), [path.join(root, "server/src/cli.ts"), ...rest], {
        stdio: "inherit",
        cwd: process.env.INIT_CWD ?? root,
      });
      process.exit(r.status ?? 1);
    }
    passThrough(path.join(root, "server/src/cli.ts"), rest);
    break;
  }
  case "backup":
  case "restore":
    passThrough(path.join(root, "server/src/cli.ts"), [command, ...rest]);
    break;
  case "bench":
    passThrough(path.join(root, "bench/run.ts"), rest, { tests: true });
    break;
  case "needs":
    // The system packages a command installs when they are missing (whether or not they are there now).
    console.log(
      systemNeeds({ tests: rest[0] === "test" || rest[0] === "bench" })
        .map(([name]) => name)
        .join(" "),
    );
    break;
  default:
    fail(`unknown command ${command}; use start, test, test-unit, cli, backup, restore, bench or needs`);
}
