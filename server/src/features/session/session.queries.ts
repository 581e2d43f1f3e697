import { sql } from "kysely";
import { hashPassword, replacePassword, verifyPassword } from "../../auth/password.ts";
import { hashToken, newToken } from "../../auth/session.ts";
import { type Actor, audit } from "../../db/audit.ts";
import type { Db } from "../../db/db.ts";

/** Live sessions an account may hold; signing in past it ends the oldest. */
export const MAX_SESSIONS = 10;

// Verifying against a throwaway hash when the username is unknown keeps the answer time the same, so response
// times do not tell which usernames exist.
const dummyHash = hashPassword("not-a-real-password");

export type SignInResult = { ok: true; token: string; accountId: number } | { ok: false };

/**
 * The audit trail's name for whoever tried to sign in: the account's username when the typed one names an
 * account, else "unknown", so a password typed into the username box is never kept.
 */
async function attemptedBy(db: Db, username: string): Promise<{ actor: string; id: number | undefined }> {
  const account = await db
    .selectFrom("account")
    .select(["id", "username"])
    .where("username", "=", username)
    .executeTakeFirst();
  return account ? { actor: account.username, id: account.id } : { actor: "unknown", id: undefined };
}

/** Records a sign-in refused by throttling before any password was checked. */
export async function recordThrottled(db: Db, username: string, ip: string): Promise<void> {
  const who = await attemptedBy(db, username);
  await audit(db, { actor: who.actor, action: "sign_in_throttled", entity: "account", entityId: who.id, ip });
}

/** A new session of the account; past `MAX_SESSIONS` the oldest end. Returns the token for the cookie. */
export async function startSession(
  trx: Db,
  accountId: number,
  ctx: { ip: string; userAgent: string | undefined; idleMinutes: number },
): Promise<string> {
  const token = newToken();
  await trx
    .insertInto("session")
    .values({
      id: hashToken(token),
      account_id: accountId,
      csrf_token: newToken(),
      expires_at: sql<Date>`now() + make_interval(mins => ${ctx.idleMinutes})`,
      ip: ctx.ip,
      user_agent: ctx.userAgent?.slice(0, 300) ?? null,
    })
    .execute();
  await sql`delete from session where account_id = ${accountId} and id not in (
      select id from session where account_id = ${accountId} order by created_at desc, id limit ${MAX_SESSIONS})`.execute(
    trx,
  );
  return token;
}

/**
 * Checks a username and password. Unknown usernames, wrong passwords and disabled accounts fail alike, in the
 * same time; each failure is audited under the account's name or "unknown" (see `attemptedBy`). Throttling is the
 * caller's (auth/throttle.ts): nothing here locks an account.
 */
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
      .executeTakeFirst();
    const good = await verifyPassword(input.password, account?.password_hash ?? (await dummyHash));
    if (!account || !good || account.disabled) {
      const reason = !account ? "unknown_username" : account.disabled ? "disabled" : "wrong_password";
      await audit(trx, {
        actor: account?.username ?? "unknown",
        action: "sign_in_failed",
        entity: "account",
        entityId: account?.id,
        diff: { reason },
        ip: ctx.ip,
      });
      return { ok: false };
    }
    const token = await startSession(trx, account.id, ctx);
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

/** Ends every session of the account ("sign out everywhere"). */
export async function signOutEverywhere(db: Db, accountId: number, actor: Actor): Promise<number> {
  return db.transaction().execute(async (trx) => {
    const ended = await trx.deleteFrom("session").where("account_id", "=", accountId).executeTakeFirst();
    await audit(trx, {
      actor: actor.username,
      action: "sign_out_everywhere",
      entity: "account",
      entityId: accountId,
      diff: { sessions: Number(ended.numDeletedRows) },
      ip: actor.ip,
    });
    return Number(ended.numDeletedRows);
  });
}

/**
 * Changes the password after checking the current one. Every session of the account ends, this one included,
 * and a new one starts: a new session id and CSRF token, so whatever knew the old ones holds nothing.
 */
export async function changePassword(
  db: Db,
  input: { accountId: number; current: string; next: string },
  ctx: { ip: string; userAgent: string | undefined; idleMinutes: number },
  actor: Actor,
): Promise<{ outcome: "wrong_current" } | { outcome: "same" } | { outcome: "ok"; token: string }> {
  const account = await db
    .selectFrom("account")
    .select(["password_hash"])
    .where("id", "=", input.accountId)
    .executeTakeFirstOrThrow();
  if (!(await verifyPassword(input.current, account.password_hash))) return { outcome: "wrong_current" };
  if (input.current === input.next) return { outcome: "same" };
  const hash = await hashPassword(input.next);
  const token = await db.transaction().execute(async (trx) => {
    await replacePassword(trx, input.accountId, hash);
    await audit(trx, {
      actor: actor.username,
      action: "password_change",
      entity: "account",
      entityId: input.accountId,
      ip: actor.ip,
    });
    return startSession(trx, input.accountId, ctx);
  });
  return { outcome: "ok", token };
}

/** How often expired sessions are swept (and once when the server starts). */
export const SESSION_PURGE_EVERY_MS = 15 * 60_000;

/**
 * Deletes the sessions past their expiry (idle or absolute): they are refused anyway, and their address and user
 * agent are kept no longer than needed (docs/privacy.md). Returns how many went.
 */
export async function purgeExpiredSessions(db: Db): Promise<number> {
  const res = await db.deleteFrom("session").where("expires_at", "<", sql<Date>`now()`).executeTakeFirst();
  return Number(res.numDeletedRows);
}
