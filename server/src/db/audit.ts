import { type Kysely, sql, type Transaction } from "kysely";
import { DomainError } from "../errors.ts";
import type { AuditAction, AuditEntity } from "./audit-vocabulary.ts";
import type { DB } from "./schema.ts";

/** Who makes a change: the account, its name as the audit trail and the history rows show it, and where from. */
export type Actor = Readonly<{ accountId: number; username: string; displayName: string; ip: string }>;

export type AuditEntry = {
  actor: string;
  action: AuditAction;
  entity: AuditEntity;
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

/** One change to a row since the version an edit was made against: who, when, and what it did. */
export type VersionChange = { actor: string; at: Date; zh: string; en: string };

/**
 * The one refusal of an edit made against an old version of a row (plans, cameras, workers): a conflict with code
 * `version_conflict` on the field `version`, whose details are the version in force and the changes made since the
 * version sent, read from the audit trail, so the client reloads the row and tells the person editing who changed
 * what. Entries that record the version they made (plans) are listed from the one after `given`; for rows whose
 * entries record none (cameras, workers), the latest entry stands for the change. `say` words the message, given
 * the latest change.
 */
export async function versionConflict(
  db: Transaction<DB> | Kysely<DB>,
  row: { entity: string; id: number | string; current: number; given: number },
  say: (last: VersionChange | undefined) => { zh: string; en: string },
): Promise<DomainError> {
  const entries = db
    .selectFrom("audit_event")
    .select(["actor", "at", "action", "diff"])
    .where("entity", "=", row.entity)
    .where("entity_id", "=", String(row.id));
  let found = await entries.where(sql<boolean>`(diff->>'version')::int > ${row.given}`).orderBy("id").execute();
  if (!found.length) {
    const latest = await entries.orderBy("id", "desc").limit(1).execute();
    found = latest.filter((e) => (e.diff as { version?: unknown } | null)?.version === undefined);
  }
  const changes = found.map((e): VersionChange => {
    const d = (e.diff ?? {}) as { description_zh?: string; description_en?: string };
    return { actor: e.actor, at: e.at, zh: d.description_zh ?? e.action, en: d.description_en ?? e.action };
  });
  const { zh, en } = say(changes.at(-1));
  return new DomainError("conflict", "version_conflict", zh, en, "version", {
    current_version: row.current,
    changes,
  });
}

/**
 * The refusal of an edit of a shared row (cameras, workers) sent without the version it was made against: it
 * would silently overwrite whatever someone else changed meanwhile (428 Precondition Required).
 */
export function versionRequired(what: { zh: string; en: string }): DomainError {
  return new DomainError(
    "version_required",
    "version_required",
    `修改${what.zh}须带上所依据的版本（version），请重新载入后再改`,
    `an edit of ${what.en} must carry the version it was made against (version); reload and edit again`,
    "version",
  );
}

/** "2026-12-07 16:35": a moment as read on the clocks of the subdistrict (the zone on its row). */
function localMinute(at: Date | string, timeZone: string): string {
  const f = new Intl.DateTimeFormat("en-GB", {
    timeZone,
    hourCycle: "h23",
    year: "numeric",
    month: "2-digit",
    day: "2-digit",
    hour: "2-digit",
    minute: "2-digit",
  });
  const p = Object.fromEntries(f.formatToParts(new Date(at)).map((x) => [x.type, x.value]));
  return `${p.year}-${p.month}-${p.day} ${p.hour}:${p.minute}`;
}

/** A version conflict on a row edited from a form (cameras, workers), worded with its name and the latest change. */
export async function staleVersion(
  db: Transaction<DB> | Kysely<DB>,
  row: { entity: string; id: number | string; version: number; given: number; zh: string; en: string },
): Promise<DomainError> {
  const zone = await db.selectFrom("subdistrict").select("time_zone").limit(1).executeTakeFirst();
  const timeZone = zone?.time_zone ?? "Asia/Shanghai";
  const china = timeZone === "Asia/Shanghai";
  return versionConflict(db, { entity: row.entity, id: row.id, current: row.version, given: row.given }, (last) => {
    const when = last ? localMinute(last.at, timeZone) : "";
    return {
      zh: `${row.zh}已被修改（当前版本 ${row.version}，您的版本 ${row.given}）${last ? `：${last.actor} 于 ${when}（${china ? "北京时间" : timeZone}）` : ""}。请重新载入后再改。`,
      en: `${row.en} changed (now version ${row.version}, yours ${row.given})${last ? `: by ${last.actor} at ${when} ${china ? "Beijing time" : timeZone}` : ""}; reload it and edit again`,
    };
  });
}
