import { createDb } from "../src/db/db.ts";
import { migrate } from "../src/db/migrate.ts";
import { createDemoAccounts } from "../src/features/accounts/demo-accounts.ts";
import { ensureTemplate, TEST_PASSWORD } from "./test-database.ts";

/** Vitest global setup: one migrated database with the Xincheng demo, the template of every test database. */
export default async function setup(): Promise<void> {
  await ensureTemplate(async (url) => {
    await migrate(url);
    const { loadDemo } = await import("@gridatlas/geodata/demo/load.ts");
    await loadDemo(url, { ifEmpty: false, log: () => {} });
    const db = createDb({ databaseUrl: url });
    try {
      await createDemoAccounts(db, { password: TEST_PASSWORD });
    } finally {
      await db.destroy();
    }
  });
}
