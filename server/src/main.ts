import { serve } from "@hono/node-server";
import { createApp, startJobs } from "./app.ts";
import { loadConfig } from "./config.ts";
import { createDb } from "./db/db.ts";

const config = loadConfig();
const db = createDb(config);
const app = createApp({ db, auth: config.auth, site: config.site, webDist: config.webDist });
const stopJobs = startJobs({ db, retention: config.retention });

const server = serve({ fetch: app.fetch, port: config.port, hostname: config.host }, (info) => {
  console.log(`GridAtlas 网格一张图 is serving on http://localhost:${info.port}/`);
});

const shutdown = () => {
  stopJobs();
  server.close();
  db.destroy().finally(() => process.exit(0));
};
process.on("SIGINT", shutdown);
process.on("SIGTERM", shutdown);
