import pg from "pg";
import { afterAll, beforeAll } from "vitest";
import { type LaunchedBrowser, launchBrowser } from "./browser.ts";
import { startTestServer, type TestServer } from "./server.ts";

export type E2e = {
  server: TestServer;
  browser: LaunchedBrowser;
  /** A plain client on the server's database, for what a test checks behind the page. */
  db: pg.Client;
};

/**
 * A suite's own server over a copy of the demo, a browser with one page and a database client: made in beforeAll,
 * closed in afterAll. Call it at the top of a test file; its fields are there once the suite's hooks run.
 */
export function useE2e(label: string, viewport?: { width: number; height: number }): E2e {
  const e = {} as E2e;
  beforeAll(async () => {
    e.server = await startTestServer({ label });
    e.db = new pg.Client({ connectionString: e.server.databaseUrl });
    await e.db.connect();
    e.browser = await launchBrowser(viewport);
  });
  afterAll(async () => {
    await e.browser?.close();
    await e.db?.end();
    await e.server?.close();
  });
  return e;
}
