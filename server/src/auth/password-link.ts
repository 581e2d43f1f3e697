import { randomBytes } from "node:crypto";
import { sql } from "kysely";
import { type Actor, audit } from "../db/audit.ts";
import type { Db } from "../db/db.ts";
import { DomainError } from "../errors.ts";
import { hashPassword, passwordProblem, replacePassword } from "./password.ts";
import { hashToken, newToken } from "./session.ts";

/** How long a set-password link works. */
export const LINK_HOURS = 72;

/** A password nobody knows, for an account that is to set its own through a link. */
export const unknowablePassword = () => hashPassword(randomBytes(32).toString("base64url"));

/**
 * A one-time set-password link for an account an admin created or reset: a random token (only its hash stored),
 * valid once and for 72 hours, earlier links of the account void. The token is returned to be shown once.
 */
export async function issuePasswordLink(
  db: Db,
  accountId: number,
  actor: Actor,
): Promise<{ token: string; expires_at: string }> {
  const token = newToken();
  return db.transaction().execute(async (trx) => {
    await trx.deleteFrom("password_link").where("account_id", "=", accountId).execute();
    const row = await trx
      .insertInto("password_link")
      .values({
        token_hash: hashToken(token),
        account_id: accountId,
        created_by: actor.username,
        expires_at: sql<Date>`now() + make_interval(hours => ${LINK_HOURS})`,
      })
      .returning("expires_at")
      .executeTakeFirstOrThrow();
    await audit(trx, {
      actor: actor.username,
      action: "password_link_issued",
      entity: "account",
      entityId: accountId,
      ip: actor.ip,
    });
    return { token, expires_at: new Date(row.expires_at).toISOString() };
  });
}

const invalidLink = () =>
  new DomainError(
    "not_found",
    "invalid_link",
    "链接无效、已使用或已过期，请联系管理员重新发送",
    "the link is invalid, used or expired; ask an admin for a new one",
    "token",
  );

/**
 * Sets the password of a link's account, once: the link is spent, the forced change is done and every session of
 * the account ends. The password must pass the policy; a refused one leaves the link usable.
 */
export async function redeemPasswordLink(
  db: Db,
  input: { token: string; password: string; demoPassword: string | undefined },
  ip: string,
): Promise<void> {
  await db.transaction().execute(async (trx) => {
    const link = await trx
      .selectFrom("password_link as l")
      .innerJoin("account as a", "a.id", "l.account_id")
      .select(["l.token_hash", "a.id", "a.username", "a.disabled"])
      .where("l.token_hash", "=", hashToken(input.token))
      .where("l.used_at", "is", null)
      .where("l.expires_at", ">", sql<Date>`now()`)
      .forUpdate()
      .executeTakeFirst();
    if (!link || link.disabled) throw invalidLink();
    const problem = passwordProblem(input.password, { username: link.username, demoPassword: input.demoPassword });
    if (problem) {
      throw new DomainError("invalid", "bad_request", problem.zh, problem.en, "new_password");
    }
    await replacePassword(trx, link.id, await hashPassword(input.password));
    await trx
      .updateTable("password_link")
      .set({ used_at: sql<Date>`now()` })
      .where("token_hash", "=", link.token_hash)
      .execute();
    await audit(trx, {
      actor: link.username,
      action: "password_set_by_link",
      entity: "account",
      entityId: link.id,
      ip,
    });
  });
}
