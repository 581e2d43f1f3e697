import type { Kysely, Transaction } from "kysely";
import { DomainError } from "../errors.ts";
import type { DB } from "./schema.ts";

/** Who makes a change: the account, its name as the audit trail and the history rows show it, and where from. */
export type Actor = Readonly<{ accountId: number; username: string; displayName: string; ip: string }>;

export type AuditEntry = {
  actor: string;
  action: string;
  entity: string;
  entityId?: string | number | null;
  communityCode?: string | null;
  diff?: unknown;
  ip?: string | null;
};

/**
 * Appends to the audit trail. Pass the transaction that makes the change, so the change and its record
 * commit or roll back together.
 */
export async function audit(trx: Transaction<DB> | Kysely<DB>, e: AuditEntry): Promise<void> {
  await trx
    .insertInto("audit_event")
    .values({
      actor: e.actor,
      action: e.action,
      entity: e.entity,
      entity_id: e.entityId == null ? null : String(e.entityId),
      community_code: e.communityCode ?? null,
      diff: JSON.stringify(e.diff ?? {}),
      ip: e.ip ?? null,
    })
    .execute();
}

/**
 * The refusal of an edit made against an old version of a row: 409, naming the version and who changed the row
 * last and when (from the audit trail), so the client reloads it and tells the person editing.
 */
export async function staleVersion(
  trx: Transaction<DB> | Kysely<DB>,
  row: { entity: string; id: number; version: number; given: number; zh: string; en: string },
): Promise<DomainError> {
  const last = await trx
    .selectFrom("audit_event")
    .select(["actor", "at"])
    .where("entity", "=", row.entity)
    .where("entity_id", "=", String(row.id))
    .orderBy("id", "desc")
    .limit(1)
    .executeTakeFirst();
  const when = last ? new Date(last.at).toISOString().slice(0, 16).replace("T", " ") : "";
  return new DomainError(
    "conflict",
    "version_conflict",
    `${row.zh}已被修改（当前版本 ${row.version}，您的版本 ${row.given}）${last ? `：${last.actor} 于 ${when}（UTC）` : ""}。请重新载入后再改。`,
    `${row.en} changed (now version ${row.version}, yours ${row.given})${last ? `: by ${last.actor} at ${when} UTC` : ""}; reload it and edit again`,
    "version",
    { current_version: row.version, last_change: last ?? null },
  );
}
