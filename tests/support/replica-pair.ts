import { spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import fs from "node:fs";
import net from "node:net";
import os from "node:os";
import path from "node:path";
import pg from "pg";

/**
 * A primary and its streaming replica: two small PostgreSQL clusters of their own under a temporary directory, on
 * free loopback ports. A physical replica copies a whole cluster, so the tests never replicate the shared local
 * one (it holds the city, gigabytes); this pair starts empty and gets only what a test loads into it.
 */
export type ReplicaPair = {
  primaryUrl(database: string): string;
  replicaUrl(database: string): string;
  /** Waits until the replica has replayed everything the primary has written so far; returns the wait in ms. */
  caughtUp(database: string, timeout_ms?: number): Promise<number>;
  /** Stops both clusters and removes their directory; safe to call twice and after a failed start. */
  stop(): Promise<void>;
};

const PREFIX = "gridatlas-pair-";
const isRoot = process.getuid?.() === 0;

function newestMajor(): string | undefined {
  const base = "/usr/lib/postgresql";
  if (!fs.existsSync(base)) return undefined;
  return fs
    .readdirSync(base)
    .filter((v) => fs.existsSync(path.join(base, v, "bin", "initdb")))
    .sort((a, b) => Number(b) - Number(a))[0];
}

/** Whether PostgreSQL's server programs are installed the Debian way (npm test installs them for its own cluster). */
export function hasPostgres(): boolean {
  return newestMajor() !== undefined;
}

/** A program of the newest PostgreSQL installed the Debian way. */
export function pgBin(name: string): string {
  const major = newestMajor();
  if (!major) throw new Error("no PostgreSQL under /usr/lib/postgresql: npm test installs it");
  return path.join("/usr/lib/postgresql", major, "bin", name);
}

/** Runs a PostgreSQL program, as the postgres system user when we are root (PostgreSQL refuses root). */
function pgRun(name: string, args: string[], env: Record<string, string> = {}): Promise<string> {
  const exe = pgBin(name);
  const [cmd, argv] = isRoot ? ["runuser", ["-u", "postgres", "--", exe, ...args]] : [exe, args];
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, argv, { env: { ...process.env, ...env }, stdio: ["ignore", "pipe", "pipe"] });
    let out = "";
    child.stdout.on("data", (d) => {
      out += d;
    });
    child.stderr.on("data", (d) => {
      out += d;
    });
    child.on("error", reject);
    child.on("exit", (code) => (code === 0 ? resolve(out) : reject(new Error(`${name} failed (${code}): ${out}`))));
  });
}

/** A loopback port free at the moment of asking. */
export async function freePort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", () => r()));
  const { port } = server.address() as net.AddressInfo;
  await new Promise<void>((r) => server.close(() => r()));
  return port;
}

async function stopCluster(data: string): Promise<void> {
  if (!fs.existsSync(path.join(data, "postmaster.pid"))) return;
  // Immediate: the pair is thrown away, nothing needs a clean shutdown.
  await pgRun("pg_ctl", ["-D", data, "-m", "immediate", "-w", "stop"]).catch(() => {});
}

/** Pairs left by a test process that died without cleaning up (SIGKILL, a crashed worker) are stopped and removed. */
async function sweepOrphans(): Promise<void> {
  for (const name of fs.readdirSync(os.tmpdir())) {
    if (!name.startsWith(PREFIX)) continue;
    const dir = path.join(os.tmpdir(), name);
    const ownerFile = path.join(dir, "owner");
    // A directory without its owner yet is being made right now.
    if (!fs.existsSync(ownerFile)) continue;
    try {
      process.kill(Number(fs.readFileSync(ownerFile, "utf8")), 0);
      continue;
    } catch {
      // the owner is gone
    }
    await stopCluster(path.join(dir, "replica"));
    await stopCluster(path.join(dir, "primary"));
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

/**
 * initdb of a primary, pg_basebackup -R of it into a replica while it is still empty (a few megabytes), both
 * started: whatever is loaded into the primary afterwards reaches the replica by streaming replication.
 */
export async function startReplicaPair(): Promise<ReplicaPair> {
  await sweepOrphans().catch(() => {});
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), PREFIX));
  fs.writeFileSync(path.join(dir, "owner"), String(process.pid));
  if (isRoot) fs.chownSync(dir, uidOf("postgres"), gidOf("postgres"));
  const primary = path.join(dir, "primary");
  const replica = path.join(dir, "replica");
  const password = randomBytes(12).toString("base64url");
  const ports = { primary: await freePort(), replica: await freePort() };
  // Both are asked for before either cluster listens, so the second may be the first one again.
  while (ports.replica === ports.primary) ports.replica = await freePort();
  let stopped = false;
  const stop = async () => {
    if (stopped) return;
    stopped = true;
    await stopCluster(replica);
    await stopCluster(primary);
    fs.rmSync(dir, { recursive: true, force: true });
  };
  try {
    const pwfile = path.join(dir, "pwfile");
    fs.writeFileSync(pwfile, password, { mode: 0o600 });
    if (isRoot) fs.chownSync(pwfile, uidOf("postgres"), gidOf("postgres"));
    await pgRun("initdb", [
      ...["-D", primary, "-U", "gridatlas", "--pwfile", pwfile, "-E", "UTF8", "--locale=C.UTF-8", "--no-sync"],
      ...["--auth-local=scram-sha-256", "--auth-host=scram-sha-256"],
    ]);
    fs.rmSync(pwfile);
    // initdb's pg_hba.conf already lets 127.0.0.1 connect for replication. fsync is off: the pair is disposable.
    fs.appendFileSync(
      path.join(primary, "postgresql.conf"),
      [
        "",
        "listen_addresses = '127.0.0.1'",
        `port = ${ports.primary}`,
        "unix_socket_directories = ''",
        "shared_buffers = 64MB",
        "max_connections = 60",
        "fsync = off",
        "jit = off",
        "",
      ].join("\n"),
    );
    await pgRun("pg_ctl", ["-D", primary, "-l", path.join(dir, "primary.log"), "-w", "-t", "60", "start"]);
    await pgRun(
      "pg_basebackup",
      ["-d", `host=127.0.0.1 port=${ports.primary} user=gridatlas`, "-D", replica, "-R", "-X", "stream", "-c", "fast"],
      { PGPASSWORD: password },
    );
    fs.appendFileSync(path.join(replica, "postgresql.conf"), `\nport = ${ports.replica}\nhot_standby = on\n`);
    await pgRun("pg_ctl", ["-D", replica, "-l", path.join(dir, "replica.log"), "-w", "-t", "60", "start"]);
  } catch (err) {
    await stop();
    throw err;
  }
  const url = (port: number, database: string) =>
    `postgres://gridatlas:${encodeURIComponent(password)}@127.0.0.1:${port}/${database}`;
  const pair: ReplicaPair = {
    primaryUrl: (database) => url(ports.primary, database),
    replicaUrl: (database) => url(ports.replica, database),
    async caughtUp(database, timeout_ms = 60_000) {
      const started = performance.now();
      const p = new pg.Client({ connectionString: pair.primaryUrl(database) });
      const r = new pg.Client({ connectionString: pair.replicaUrl(database) });
      await Promise.all([p.connect(), r.connect()]);
      try {
        const lsn = (await p.query<{ lsn: string }>("select pg_current_wal_lsn()::text lsn")).rows[0]!.lsn;
        for (;;) {
          const done = await r.query("select 1 where pg_last_wal_replay_lsn() >= $1::pg_lsn", [lsn]);
          if (done.rowCount) return performance.now() - started;
          if (performance.now() - started > timeout_ms) throw new Error(`the replica did not reach ${lsn}`);
          await new Promise((w) => setTimeout(w, 5));
        }
      } finally {
        await Promise.all([p.end(), r.end()]);
      }
    },
    stop,
  };
  return pair;
}

function uidOf(user: string): number {
  return Number(idOf(user, "u"));
}

function gidOf(user: string): number {
  return Number(idOf(user, "g"));
}

function idOf(user: string, which: "u" | "g"): string {
  const line = fs
    .readFileSync("/etc/passwd", "utf8")
    .split("\n")
    .find((l) => l.startsWith(`${user}:`));
  if (!line) throw new Error(`no system user ${user}`);
  return line.split(":")[which === "u" ? 2 : 3]!;
}
