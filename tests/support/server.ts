import { once } from "node:events";
import type { AddressInfo } from "node:net";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { createApp } from "@gridatlas/server/app.ts";
import { createDb } from "@gridatlas/server/db/db.ts";
import { createTestDatabase } from "@gridatlas/server/test-support/test-database.ts";
import { serve } from "@hono/node-server";

const webDist = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../../web/dist");

export type TestServer = { url: string; databaseUrl: string; close(): Promise<void> };

/** The real server (API + built web app) on a free loopback port, over a fresh copy of the demo database. */
export async function startTestServer(opts: { label?: string } = {}): Promise<TestServer> {
  const database = await createTestDatabase(opts.label ?? "server");
  const db = createDb({ databaseUrl: database.url, dbPoolMax: 8 });
  const app = createApp({ db, webDist });
  const server = serve({ fetch: app.fetch, port: 0, hostname: "127.0.0.1" });
  await once(server, "listening");
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    databaseUrl: database.url,
    async close() {
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await db.destroy();
      await database.drop();
    },
  };
}
