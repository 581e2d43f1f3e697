import { sql } from "kysely";
import { hashPassword, verifyPassword } from "../../auth/password.ts";
import { hashToken, newToken } from "../../auth/session.ts";
import { type Actor, audit } from "../../db/audit.ts";
import type { Db } from "../../db/db.ts";

/** Consecutive wrong passwords before an account locks, and for how long. */
export const LOCK_AFTER_FAILURES = 5;
export const LOCK_MINUTES = 15;

// Verifying against a throwaway hash when the username is unknown keeps the answer time the same, so response
// times do not tell which usernames exist.
const dummyHash = hashPassword("not-a-real-password");

export type SignInResult =
  | { ok: true; token: string; accountId: number }
  | { ok: false; reason: "invalid" }
  | { ok: false; reason: "locked"; retryAfterSeconds: number };

export async function signIn(
  db: Db,
  input: { username: string; password: string },
  ctx: { ip: string; userAgent: string | undefined; idleMinutes: number },
): Promise<SignInResult> {
  return db.transaction().execute(async (trx) => {
    const account = await trx
      .selectFrom("account")
      .selectAll()
      .where("username", "=", input.username)
      .forUpdate()
      .executeTakeFirst();
    const fail = async (action: string, diff: object = {}) =>
      audit(trx, { actor: input.username, action, entity: "account", entityId: account?.id, diff, ip: ctx.ip });

    if (!account) {
      await verifyPassword(input.password, await dummyHash);
      await fail("sign_in_failed", { reason: "unknown_username" });
      return { ok: false, reason: "invalid" };
    }
    const now = Date.now();
    if (account.locked_until && new Date(account.locked_until).getTime() > now) {
      await fail("sign_in_refused", { reason: "locked" });
      return {
        ok: false,
        reason: "locked",
        retryAfterSeconds: Math.ceil((new Date(account.locked_until).getTime() - now) / 1000),
      };
    }
    const good = await verifyPassword(input.password, account.password_hash);
    if (!good || account.disabled) {
      const failures = account.failed_sign_ins + 1;
      const lock = failures >= LOCK_AFTER_FAILURES;
      await trx
        .updateTable("account")
        .set({
          failed_sign_ins: lock ? 0 : failures,
          locked_until: lock ? sql<Date>`now() + make_interval(mins => ${LOCK_MINUTES})` : account.locked_until,
        })
        .where("id", "=", account.id)
        .execute();
      await fail("sign_in_failed", { reason: account.disabled ? "disabled" : "wrong_password", failures });
      if (lock) {
        await fail("account_locked", { minutes: LOCK_MINUTES });
        return { ok: false, reason: "locked", retryAfterSeconds: LOCK_MINUTES * 60 };
      }
      return { ok: false, reason: "invalid" };
    }
    const token = newToken();
    await trx
      .updateTable("account")
      .set({ failed_sign_ins: 0, locked_until: null })
      .where("id", "=", account.id)
      .execute();
    await trx
      .insertInto("session")
      .values({
        id: hashToken(token),
        account_id: account.id,
        csrf_token: newToken(),
        expires_at: sql<Date>`now() + make_interval(mins => ${ctx.idleMinutes})`,
        ip: ctx.ip,
        user_agent: ctx.userAgent?.slice(0, 300) ?? null,
      })
      .execute();
    await audit(trx, {
      actor: account.username,
      action: "sign_in",
      entity: "account",
      entityId: account.id,
      ip: ctx.ip,
    });
    return { ok: true, token, accountId: account.id };
  });
}

export async function signOut(db: Db, sessionId: string, actor: Actor): Promise<void> {
  await db.transaction().execute(async (trx) => {
    await trx.deleteFrom("session").where("id", "=", sessionId).execute();
    await audit(trx, { actor: actor.username, action: "sign_out", entity: "session", ip: actor.ip });
  });
}

/** Changes the password after checking the current one; ends the account's other sessions. */
export async function changePassword(
  db: Db,
  input: { accountId: number; sessionId: string; current: string; next: string },
  actor: Actor,
): Promise<"ok" | "wrong_current" | "same"> {
  const account = await db
    .selectFrom("account")
    .select(["password_hash"])
    .where("id", "=", input.accountId)
    .executeTakeFirstOrThrow();
  if (!(await verifyPassword(input.current, account.password_hash))) return "wrong_current";
  if (input.current === input.next) return "same";
  const hash = await hashPassword(input.next);
  await db.transaction().execute(async (trx) => {
    await trx
      .updateTable("account")
      .set({ password_hash: hash, must_change_password: false, password_changed_at: sql<Date>`now()` })
      .where("id", "=", input.accountId)
      .execute();
    await trx
      .deleteFrom("session")
      .where("account_id", "=", input.accountId)
      .where("id", "<>", input.sessionId)
      .execute();
    await audit(trx, {
      actor: actor.username,
      action: "password_change",
      entity: "account",
      entityId: input.accountId,
      ip: actor.ip,
    });
  });
  return "ok";
}
