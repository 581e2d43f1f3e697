import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestDatabase, databaseUrl, type TestDatabase, withAdmin } from "../../test-support/test-database.ts";
import { fileChecksum, migrate, migrationsDir } from "./migrate.ts";

describe("the migrator", () => {
  const name = `gridatlas_migrate_${process.pid}`;
  const url = databaseUrl(name);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "gridatlas-migrations-"));
  const write = (file: string, sql: string) => fs.writeFileSync(path.join(dir, file), sql);
  const remove = (file: string) => fs.rmSync(path.join(dir, file));
  const query = async (sql: string) => {
    const c = new pg.Client({ connectionString: url });
    await c.connect();
    try {
      return (await c.query(sql)).rows;
    } finally {
      await c.end();
    }
  };
  const run = () => migrate(url, () => {}, dir);

  beforeAll(() =>
    withAdmin((c) => c.query(`drop database if exists ${name}`).then(() => c.query(`create database ${name}`))),
  );
  afterAll(() => withAdmin((c) => c.query(`drop database if exists ${name} with (force)`)));

  it("applies versioned migrations, then every repeatable file, and nothing when nothing changed", async () => {
    write("20990101000100_thing.sql", "create table thing (n integer not null); insert into thing values (1), (2);");
    write(
      "R__a_count.sql",
      "create or replace function thing_count() returns bigint language sql as 'select count(*) from thing';",
    );
    write("R__b_view.sql", "create or replace view thing_seen as select thing_count() as n;");
    expect(await run()).toEqual(["20990101000100_thing.sql", "R__a_count.sql", "R__b_view.sql"]);
    expect(await query("select n::int as n from thing_seen")).toEqual([{ n: 2 }]);
    expect(await run()).toEqual([]);
  });

  it("applies the repeatable files again when one of them changed", async () => {
    write(
      "R__a_count.sql",
      "create or replace function thing_count() returns bigint language sql as 'select 10 * count(*) from thing';",
    );
    expect(await run()).toEqual(["R__a_count.sql", "R__b_view.sql"]);
    expect(await query("select n::int as n from thing_seen")).toEqual([{ n: 20 }]);
  });

  it("makes again what a new migration dropped, from repeatable files that did not change", async () => {
    write("20990101000200_thing_more.sql", "drop view thing_seen; alter table thing alter column n type bigint;");
    expect(await run()).toEqual(["20990101000200_thing_more.sql", "R__a_count.sql", "R__b_view.sql"]);
    expect(await query("select n::int as n from thing_seen")).toEqual([{ n: 20 }]);
  });

  it("applies all repeatable files or none: a failing one leaves every definition as it was", async () => {
    write(
      "R__a_count.sql",
      "create or replace function thing_count() returns bigint language sql as 'select 0::bigint';",
    );
    write("R__c_broken.sql", "create or replace view broken as select no_such_column from thing;");
    await expect(run()).rejects.toThrow(/R__c_broken\.sql: column "no_such_column" does not exist/);
    expect(await query("select n::int as n from thing_seen")).toEqual([{ n: 20 }]);
    remove("R__c_broken.sql");
    write(
      "R__a_count.sql",
      "create or replace function thing_count() returns bigint language sql as 'select 10 * count(*) from thing';",
    );
  });

  it("refuses a versioned migration edited after it was applied", async () => {
    const file = path.join(dir, "20990101000100_thing.sql");
    const applied = fs.readFileSync(file, "utf8");
    fs.writeFileSync(file, `${applied}\ninsert into thing values (3);`);
    await expect(run()).rejects.toThrow(/20990101000100_thing\.sql was changed after it was applied/);
    fs.writeFileSync(file, applied);
    expect(await run()).toEqual([]);
  });

  it("takes the file's checksum, once, for a migration recorded before checksums were kept", async () => {
    await query("update schema_migration set checksum = null where name = '20990101000100_thing.sql'");
    expect(await run()).toEqual([]);
    const file = fs.readFileSync(path.join(dir, "20990101000100_thing.sql"), "utf8");
    expect(await query("select checksum from schema_migration where name = '20990101000100_thing.sql'")).toEqual([
      { checksum: fileChecksum(file) },
    ]);
  });

  it("refuses a database that applied a migration this checkout does not have", async () => {
    await query("insert into schema_migration (name, checksum) values ('20990101000300_newer.sql', 'x')");
    await expect(run()).rejects.toThrow(/20990101000300_newer\.sql, which this checkout does not have/);
    await query("delete from schema_migration where name = '20990101000300_newer.sql'");
  });
});

describe("the migrations of this checkout", () => {
  const files = fs.readdirSync(migrationsDir);
  const text = (pattern: RegExp) =>
    files
      .filter((f) => pattern.test(f))
      .map((f) => fs.readFileSync(path.join(migrationsDir, f), "utf8"))
      .join("\n");
  const definition = /create\s+(?:or\s+replace\s+)?(function|view|trigger)\s+([a-z_][a-z0-9_.]*)/gi;

  it("define no function, view or trigger in a versioned migration", () => {
    expect([...text(/^\d{14}_/).matchAll(definition)].map((m) => m[0])).toEqual([]);
  });

  describe("in a migrated database", () => {
    let database: TestDatabase;
    beforeAll(async () => {
      database = await createTestDatabase("migrations");
    });
    afterAll(() => database.drop());

    it("have every function, view and trigger function defined in exactly one repeatable file", async () => {
      const defined = new Map<string, number>();
      for (const m of text(/^R__/).matchAll(definition)) {
        const [, kind, name] = m;
        if (kind!.toLowerCase() === "trigger" || name!.startsWith("pg_temp.")) continue;
        defined.set(name!, (defined.get(name!) ?? 0) + 1);
      }
      const c = new pg.Client({ connectionString: database.url });
      await c.connect();
      try {
        const inDatabase = await c.query<{ name: string }>(
          `select p.proname as name from pg_proc p
           where p.pronamespace = 'public'::regnamespace
             -- PostGIS's own functions, and the constructors a range type makes for itself.
             and not exists (select 1 from pg_depend d where d.objid = p.oid and d.deptype in ('e', 'i'))
           union
           select c.relname from pg_class c
           where c.relnamespace = 'public'::regnamespace and c.relkind = 'v'
             and not exists (select 1 from pg_depend d where d.objid = c.oid and d.deptype = 'e')
           union
           select p.proname from pg_trigger t join pg_proc p on p.oid = t.tgfoid where not t.tgisinternal`,
        );
        const names = inDatabase.rows.map((r) => r.name).sort();
        expect(names).toEqual([...defined.keys()].sort());
        expect([...defined].filter(([, n]) => n > 1)).toEqual([]);
      } finally {
        await c.end();
      }
    });
  });
});
