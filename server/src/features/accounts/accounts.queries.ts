import { sql, type Transaction } from "kysely";
import { hashPassword } from "../../auth/password.ts";
import { unknowablePassword } from "../../auth/password-link.ts";
import { type Actor, audit, staleVersion, versionRequired } from "../../db/audit.ts";
import type { Db } from "../../db/db.ts";
import type { DB } from "../../db/schema.ts";
import { DomainError } from "../../errors.ts";
import type { RoleGrant } from "./accounts.input.ts";

export function listAccounts(db: Db) {
  return db
    .selectFrom("account as a")
    .select([
      "a.id",
      "a.username",
      "a.display_name",
      "a.disabled",
      "a.must_change_password",
      "a.version",
      "a.created_at",
      // Created or reset with a set-password link nobody has used yet: not "must change" but not yet active.
      sql<boolean>`exists (select 1 from password_link l where l.account_id = a.id and l.used_at is null)`.as(
        "awaiting_link",
      ),
      sql<RoleGrant[]>`coalesce((select json_agg(json_strip_nulls(json_build_object(
        'role', r.role, 'community_code', r.community_code, 'worker_id', r.worker_id)) order by r.id)
        from account_role r where r.account_id = a.id), '[]')`.as("roles"),
    ])
    .orderBy("a.username")
    .execute();
}

/** Checks that every community and worker a grant names exists; a worker grant also fixes the community. */
async function checkGrants(trx: Transaction<DB>, roles: RoleGrant[]): Promise<void> {
  for (const [i, g] of roles.entries()) {
    if (g.role === "secretary") {
      const found = await trx
        .selectFrom("community")
        .select("code")
        .where("code", "=", g.community_code)
        .executeTakeFirst();
      if (!found) {
        throw new DomainError(
          "invalid",
          "bad_request",
          `roles.${i}.community_code：没有这个社区`,
          `roles.${i}.community_code: no such community`,
          `roles.${i}.community_code`,
        );
      }
    }
    if (g.role === "worker") {
      const found = await trx.selectFrom("worker").select("id").where("id", "=", g.worker_id).executeTakeFirst();
      if (!found) {
        throw new DomainError(
          "invalid",
          "bad_request",
          `roles.${i}.worker_id：没有这个网格员`,
          `roles.${i}.worker_id: no such worker`,
          `roles.${i}.worker_id`,
        );
      }
    }
  }
}

async function setRoles(trx: Transaction<DB>, accountId: number, roles: RoleGrant[]): Promise<void> {
  await trx.deleteFrom("account_role").where("account_id", "=", accountId).execute();
  const unique = new Map(roles.map((g) => [JSON.stringify(g), g]));
  await trx
    .insertInto("account_role")
    .values(
      [...unique.values()].map((g) => ({
        account_id: accountId,
        role: g.role,
        community_code: g.role === "secretary" ? g.community_code : null,
        worker_id: g.role === "worker" ? g.worker_id : null,
      })),
    )
    .execute();
}

export async function createAccount(
  db: Db,
  input: { username: string; display_name: string; password?: string | undefined; roles: RoleGrant[] },
  actor: Actor,
): Promise<number> {
  const hash = input.password === undefined ? await unknowablePassword() : await hashPassword(input.password);
  return db.transaction().execute(async (trx) => {
    const taken = await trx
      .selectFrom("account")
      .select("id")
      .where("username", "=", input.username)
      .executeTakeFirst();
    if (taken) {
      throw new DomainError(
        "conflict",
        "conflict",
        `用户名 ${input.username} 已被占用`,
        `username ${input.username} is taken`,
        "username",
      );
    }
    await checkGrants(trx, input.roles);
    const { id } = await trx
      .insertInto("account")
      .values({
        username: input.username,
        display_name: input.display_name,
        password_hash: hash,
        must_change_password: true,
      })
      .returning("id")
      .executeTakeFirstOrThrow();
    await setRoles(trx, id, input.roles);
    await audit(trx, {
      actor: actor.username,
      action: "account_create",
      entity: "account",
      entityId: id,
      diff: { username: input.username, display_name: input.display_name, roles: input.roles },
      ip: actor.ip,
    });
    return id;
  });
}

export async function changeAccount(
  db: Db,
  id: number,
  change: {
    display_name?: string | undefined;
    disabled?: boolean | undefined;
    roles?: RoleGrant[] | undefined;
    version?: number | undefined;
  },
  actor: Actor,
): Promise<boolean> {
  return db.transaction().execute(async (trx) => {
    const before = await trx
      .selectFrom("account")
      .select(["username", "display_name", "disabled", "version"])
      .where("id", "=", id)
      .forUpdate()
      .executeTakeFirst();
    if (!before) return false;
    if (change.version === undefined) throw versionRequired({ zh: "账号", en: "an account" });
    if (change.version !== before.version) {
      throw await staleVersion(trx, {
        entity: "account",
        id,
        version: before.version,
        given: change.version,
        zh: `账号“${before.username}”`,
        en: `account "${before.username}"`,
      });
    }
    if (
      id === actor.accountId &&
      (change.disabled === true || (change.roles && !change.roles.some((g) => g.role === "admin")))
    ) {
      throw new DomainError(
        "precondition",
        "self_lockout",
        "不能停用自己或撤销自己的管理员角色",
        "you cannot disable yourself or drop your own admin role",
      );
    }
    if (change.roles) await checkGrants(trx, change.roles);
    const rolesBefore = await trx
      .selectFrom("account_role")
      .select(["role", "community_code", "worker_id"])
      .where("account_id", "=", id)
      .execute();
    // The version moves with every edit made here, roles included (they live in account_role), and only with them.
    await trx
      .updateTable("account")
      .set({
        ...(change.display_name === undefined ? {} : { display_name: change.display_name }),
        ...(change.disabled === undefined ? {} : { disabled: change.disabled }),
        version: before.version + 1,
      })
      .where("id", "=", id)
      .execute();
    if (change.roles) await setRoles(trx, id, change.roles);
    // A disabled account or a changed scope must not live on in old sessions.
    if (change.disabled || change.roles) await trx.deleteFrom("session").where("account_id", "=", id).execute();
    await audit(trx, {
      actor: actor.username,
      action: "account_update",
      entity: "account",
      entityId: id,
      diff: {
        before: { display_name: before.display_name, disabled: before.disabled, roles: rolesBefore },
        after: { display_name: change.display_name, disabled: change.disabled, roles: change.roles },
      },
      ip: actor.ip,
    });
    return true;
  });
}

export async function usernameOf(db: Db, id: number): Promise<string | undefined> {
  return (await db.selectFrom("account").select("username").where("id", "=", id).executeTakeFirst())?.username;
}

export async function resetPassword(db: Db, id: number, password: string | undefined, actor: Actor): Promise<boolean> {
  const hash = password === undefined ? await unknowablePassword() : await hashPassword(password);
  return db.transaction().execute(async (trx) => {
    const r = await trx
      .updateTable("account")
      .set({ password_hash: hash, must_change_password: true })
      .where("id", "=", id)
      .executeTakeFirst();
    if (Number(r.numUpdatedRows) === 0) return false;
    await trx.deleteFrom("session").where("account_id", "=", id).execute();
    await audit(trx, {
      actor: actor.username,
      action: "password_reset",
      entity: "account",
      entityId: id,
      ip: actor.ip,
    });
    return true;
  });
}
