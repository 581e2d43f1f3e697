import { randomBytes } from "node:crypto";
import { hashPassword } from "../../auth/password.ts";
import { audit } from "../../db/audit.ts";
import type { Db } from "../../db/db.ts";

type DemoAccount = {
  username: string;
  display_name: string;
  role: "admin" | "planner" | "leader" | "secretary" | "worker";
  community_code?: string;
  worker_id?: number;
};

/**
 * One demo account per role and scope, named after it: admin, planner, leader, secretary-<community code>,
 * worker-<n> for each grid worker, info-<n> for each information worker (网情员; a worker account like a grid
 * worker's, reaching the grids the information worker serves). With a given password (GRIDATLAS_DEMO_PASSWORD) no change is forced; otherwise
 * a random password is returned to be printed once, and every account must change it at first sign-in.
 * Does nothing when any account exists.
 */
export async function createDemoAccounts(
  db: Db,
  opts: { password?: string | undefined },
): Promise<{ password: string; generated: boolean; count: number; workers: number; infoWorkers: number } | null> {
  const existing = await db.selectFrom("account").select("id").limit(1).executeTakeFirst();
  if (existing) return null;
  const generated = opts.password === undefined;
  const password = opts.password ?? randomBytes(9).toString("base64url");
  const communities = await db.selectFrom("community").select(["code", "name"]).orderBy("code").execute();
  const staff = await db
    .selectFrom("worker")
    .select(["id", "name", "role"])
    .where("role", "in", ["grid_worker", "info_worker"])
    .where("retired_on", "is", null)
    .orderBy("id")
    .execute();
  const workers = staff.filter((w) => w.role === "grid_worker");
  const infoWorkers = staff.filter((w) => w.role === "info_worker");
  const accounts: DemoAccount[] = [
    { username: "admin", display_name: "系统管理员", role: "admin" },
    { username: "planner", display_name: "街道政法办规划员", role: "planner" },
    { username: "leader", display_name: "街道领导", role: "leader" },
    ...communities.map((c) => ({
      username: `secretary-${c.code}`,
      display_name: `${c.name}书记`,
      role: "secretary" as const,
      community_code: c.code,
    })),
    ...workers.map((w, i) => ({
      username: `worker-${i + 1}`,
      display_name: w.name,
      role: "worker" as const,
      worker_id: w.id,
    })),
    ...infoWorkers.map((w, i) => ({
      username: `info-${i + 1}`,
      display_name: w.name,
      role: "worker" as const,
      worker_id: w.id,
    })),
  ];
  // Every demo account starts with the one password, so one salted hash serves them all: scrypt costs about 50 ms,
  // and 570 of them would add half a minute to every first start. A changed password gets its own salt.
  const hash = await hashPassword(password);
  await db.transaction().execute(async (trx) => {
    for (const a of accounts) {
      const { id } = await trx
        .insertInto("account")
        .values({
          username: a.username,
          display_name: a.display_name,
          password_hash: hash,
          must_change_password: generated,
        })
        .returning("id")
        .executeTakeFirstOrThrow();
      await trx
        .insertInto("account_role")
        .values({
          account_id: id,
          role: a.role,
          community_code: a.community_code ?? null,
          worker_id: a.worker_id ?? null,
        })
        .execute();
    }
    await audit(trx, {
      actor: "system",
      action: "demo_accounts_create",
      entity: "account",
      diff: { count: accounts.length },
    });
  });
  return { password, generated, count: accounts.length, workers: workers.length, infoWorkers: infoWorkers.length };
}
