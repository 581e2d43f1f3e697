import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { backup, restore } from "@gridatlas/server/db/backup.ts";
import { tableChecksums } from "@gridatlas/server/db/checksum.ts";
import {
  createTestDatabase,
  databaseUrl,
  type TestDatabase,
  testAdminUrl,
} from "@gridatlas/server/test-support/test-database.ts";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

let database: TestDatabase;
let kept: string | undefined;

beforeAll(async () => {
  database = await createTestDatabase("backup");
});

afterAll(async () => {
  await database.drop();
  if (kept) {
    const admin = new pg.Client({ connectionString: testAdminUrl() });
    await admin.connect();
    await admin.query(`drop database if exists "${kept}" with (force)`);
    await admin.end();
  }
});

describe("backup and restore", () => {
  it("gives back every row of every table, and keeps the database it replaced", async () => {
    // Photos live in the database (bytea), so the backup holds them with the hazards they illustrate.
    const seed = new pg.Client({ connectionString: database.url });
    await seed.connect();
    await seed.query(
      `insert into photo (hazard_id, content_type, bytes, sha256, data)
       select h.id, 'image/png', 4, repeat('0', 64), '\\x89504e47'::bytea from hazard h order by h.id limit 2`,
    );
    await seed.end();
    const before = await tableChecksums(database.url);
    expect(Number(before.entrance?.split(":")[0])).toBeGreaterThan(1000);
    expect(Number(before.photo?.split(":")[0])).toBe(2);
    const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "gridatlas-backup-")), "demo.dump");
    await backup(database.url, file);
    expect(fs.statSync(file).size).toBeGreaterThan(100_000);

    // Something happens after the backup; the restore must take the database back to the backup.
    const c = new pg.Client({ connectionString: database.url });
    await c.connect();
    await c.query("update community set band_max = 333");
    await c.end();

    kept = await restore(database.url, file, () => {});
    const after = await tableChecksums(database.url);
    expect(after).toEqual(before);
    expect(Number(after.photo?.split(":")[0])).toBe(2);
    const replaced = await tableChecksums(databaseUrl(kept));
    expect(replaced.community).not.toEqual(before.community);
  });

  it("refuses a file that is not a backup and leaves the database as it was", async () => {
    const before = await tableChecksums(database.url);
    const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "gridatlas-backup-")), "not-a-dump.dump");
    fs.writeFileSync(file, "this is not a pg_dump archive");
    await expect(restore(database.url, file, () => {})).rejects.toThrow(/unchanged/);
    expect(await tableChecksums(database.url)).toEqual(before);
  });
});
