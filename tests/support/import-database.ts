import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { ImportError } from "@gridatlas/geodata/osm/errors.ts";
import { tableChecksums } from "@gridatlas/server/db/checksum.ts";
import { createTestDatabase, type TestDatabase } from "@gridatlas/server/test-support/test-database.ts";
import pg from "pg";
import { expect } from "vitest";

/** What a suite of import tests works in: its own migrated database, a client on it and a scratch folder. */
export interface ImportDatabase {
  database: TestDatabase;
  sql: pg.Client;
  tmp: string;
}

/** Opens a suite's `ImportDatabase`, named after the suite (`name`). */
export async function openImportDatabase(name: string): Promise<ImportDatabase> {
  const database = await createTestDatabase(name);
  const sql = new pg.Client({ connectionString: database.url });
  await sql.connect();
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), `gridatlas-${name}-`));
  return { database, sql, tmp };
}

/** Closes what `openImportDatabase` opened, as far as it got: the client, the database, the scratch folder. */
export async function closeImportDatabase(opened: Partial<ImportDatabase>): Promise<void> {
  await opened.sql?.end();
  await opened.database?.drop();
  if (opened.tmp) fs.rmSync(opened.tmp, { recursive: true, force: true });
}

/**
 * Communities of a subdistrict whose parcels do not tile them: `offBy`, those whose parcels' areas differ from
 * theirs by more than 0.1 %; `overlaps`, pairs of parcels overlapping by more than 0.01 m².
 */
export async function tilingProblems(sql: pg.Client, code: string) {
  const sums = await sql.query<{ code: string; community_m2: number; parcels_m2: number }>(
    `select c.code, ST_Area(ST_Transform(c.geom, s.metric_srid)) community_m2, sum(p.area_m2) parcels_m2
     from community c join subdistrict s on s.code = c.subdistrict_code
     join parcel p on p.community_code = c.code
     where c.subdistrict_code = $1 group by c.code, c.geom, s.metric_srid`,
    [code],
  );
  const overlaps = await sql.query<{ a: number; b: number; m2: number }>(
    `select a.id a, b.id b, ST_Area(ST_Transform(ST_Intersection(a.geom, b.geom), s.metric_srid)) m2
     from parcel a join community c on c.code = a.community_code and c.subdistrict_code = $1
     join subdistrict s on s.code = c.subdistrict_code
     join parcel b on b.id > a.id and b.geom && a.geom and ST_Intersects(a.geom, b.geom)
     where ST_Area(ST_Transform(ST_Intersection(a.geom, b.geom), s.metric_srid)) > 0.01`,
    [code],
  );
  return {
    communities: sums.rows.length,
    offBy: sums.rows.filter((s) => Math.abs(s.parcels_m2 / s.community_m2 - 1) > 0.001),
    overlaps: overlaps.rows,
  };
}

/**
 * Runs an import that must be refused with an ImportError of `code`, in both languages, and checks that no table
 * of the database at `databaseUrl` changed; returns the error.
 */
export async function expectRefused(databaseUrl: string, run: () => Promise<unknown>, code: string) {
  const before = await tableChecksums(databaseUrl);
  const err = await run().then(
    () => null,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(ImportError);
  expect((err as ImportError).code).toBe(code);
  expect((err as ImportError).zh).toMatch(/[\u4e00-\u9fff]/);
  expect((err as ImportError).en).toMatch(/[a-z]/);
  expect(await tableChecksums(databaseUrl)).toEqual(before);
  return err as ImportError;
}
