import type { Kysely, Transaction } from "kysely";
import type { DB } from "./schema.ts";

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
