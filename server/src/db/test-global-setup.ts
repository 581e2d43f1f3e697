import { migrate } from "./migrate.ts";
import { ensureTemplate } from "./test-database.ts";

/** Vitest global setup: one migrated database with the Xincheng demo, the template of every test database. */
export default async function setup(): Promise<void> {
  await ensureTemplate(async (url) => {
    await migrate(url);
    const { loadDemo } = await import("@gridatlas/geodata/demo/load.ts");
    await loadDemo(url, { ifEmpty: false, log: () => {} });
  });
}
