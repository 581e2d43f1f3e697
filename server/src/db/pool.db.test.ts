import { sql } from "kysely";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { createTestDatabase, type TestDatabase } from "../../test-support/test-database.ts";
import { createDb, type Db } from "./db.ts";

let database: TestDatabase;
let db: Db;

beforeAll(async () => {
  database = await createTestDatabase("pool");
  db = createDb({ databaseUrl: database.url, dbPoolMax: 2 });
});

afterAll(async () => {
  await db?.destroy();
  await database?.drop();
});

describe("the server's database pool", () => {
  it("survives PostgreSQL closing its idle connections, and answers the next query on a new one", async () => {
    const warn = vi.spyOn(console, "warn").mockImplementation(() => {});
    const before = await sql<{ pid: number }>`select pg_backend_pid() as pid`.execute(db);
    const pid = before.rows[0]!.pid;
    // What a restart of PostgreSQL or an administrator does to the idle connection the pool keeps.
    const admin = new pg.Client({ connectionString: database.url });
    await admin.connect();
    await admin.query("select pg_terminate_backend($1)", [pid]);
    await admin.end();
    await vi.waitFor(() => expect(warn).toHaveBeenCalled(), { timeout: 5000 });
    expect(String(warn.mock.calls[0]![0])).toContain("idle database connection was closed");
    const after = await sql<{ pid: number }>`select pg_backend_pid() as pid`.execute(db);
    expect(after.rows[0]!.pid).not.toBe(pid);
    warn.mockRestore();
  });
});
