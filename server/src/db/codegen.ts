import { execFileSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import pg from "pg";
import { migrate } from "./migrate.ts";

export const schemaFile = path.join(path.dirname(fileURLToPath(import.meta.url)), "schema.ts");
const codegenBin = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../../node_modules/.bin/kysely-codegen");

/**
 * How db.ts's type parsers hand values over, so the generated types say what a query returns: `date` as the
 * 'YYYY-MM-DD' string, `int8` and `numeric` as numbers.
 */
const runtimeTypes = ["--date-parser", "string", "--numeric-parser", "number", "--type-mapping", '{"int8":"number"}'];

/** Generates the Kysely `DB` types from a freshly migrated scratch database on the server of `adminUrl`. */
export async function generateSchemaTypes(adminUrl: string): Promise<string> {
  const name = `gridatlas_codegen_${process.pid}`;
  const admin = new pg.Client({ connectionString: adminUrl });
  await admin.connect();
  try {
    await admin.query(`drop database if exists ${name}`);
    await admin.query(`create database ${name}`);
    const url = new URL(adminUrl);
    url.pathname = `/${name}`;
    await migrate(url.toString());
    const out = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "codegen-")), "schema.ts");
    execFileSync(
      codegenBin,
      [
        "--dialect",
        "postgres",
        "--url",
        url.toString(),
        "--out-file",
        out,
        "--exclude-pattern",
        "public.spatial_ref_sys",
        ...runtimeTypes,
      ],
      { stdio: "ignore" },
    );
    return fs.readFileSync(out, "utf8");
  } finally {
    await admin.query(`drop database if exists ${name} with (force)`);
    await admin.end();
  }
}
