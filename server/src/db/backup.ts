import { execFileSync, spawnSync } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import pg from "pg";

/** pg_dump/pg_restore of the server's own major version when Debian has it, else whatever is on PATH. */
async function pgTool(databaseUrl: string, name: "pg_dump" | "pg_restore"): Promise<string> {
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  const r = await client.query<{ v: string }>("show server_version_num");
  await client.end();
  const major = Math.floor(Number(r.rows[0]?.v) / 10000);
  const debian = `/usr/lib/postgresql/${major}/bin/${name}`;
  return fs.existsSync(debian) ? debian : name;
}

/** Writes a custom-format dump (pg_dump -Fc) of the whole database. */
export async function backup(databaseUrl: string, file: string): Promise<void> {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  execFileSync(await pgTool(databaseUrl, "pg_dump"), ["-Fc", "--no-owner", "-f", file, databaseUrl], {
    stdio: ["ignore", "inherit", "inherit"],
  });
}

/**
 * Restores a dump into a new database and only then swaps it in under the configured name; the database it
 * replaces is kept as <name>_before_restore_<time>, so a restore never destroys data.
 */
export async function restore(databaseUrl: string, file: string, log: (m: string) => void): Promise<string> {
  if (!fs.existsSync(file)) throw new Error(`no such backup file: ${file} / 找不到备份文件`);
  const url = new URL(databaseUrl);
  const name = decodeURIComponent(url.pathname.slice(1));
  const stamp = new Date().toISOString().replace(/\D/g, "").slice(0, 14);
  const staging = `${name}_restore_${stamp}`;
  const admin = new URL(databaseUrl);
  admin.pathname = "/postgres";
  const client = new pg.Client({ connectionString: admin.toString() });
  await client.connect();
  try {
    await client.query(`create database "${staging}"`);
    const target = new URL(databaseUrl);
    target.pathname = `/${staging}`;
    const r = spawnSync(
      await pgTool(databaseUrl, "pg_restore"),
      ["--no-owner", "--exit-on-error", "-d", target.toString(), file],
      { stdio: ["ignore", "inherit", "inherit"] },
    );
    if (r.status !== 0) {
      await client.query(`drop database if exists "${staging}" with (force)`);
      throw new Error(`pg_restore failed (${r.status}); ${name} is unchanged / 恢复失败，原数据库未改动`);
    }
    const kept = `${name}_before_restore_${stamp}`;
    await client.query(`alter database "${name}" rename to "${kept}"`).catch(async () => {
      await client.query(`select pg_terminate_backend(pid) from pg_stat_activity where datname = $1`, [name]);
      await client.query(`alter database "${name}" rename to "${kept}"`);
    });
    await client.query(`alter database "${staging}" rename to "${name}"`);
    log(`restored ${file} into ${name}; the previous database is kept as ${kept}`);
    return kept;
  } finally {
    await client.end();
  }
}
