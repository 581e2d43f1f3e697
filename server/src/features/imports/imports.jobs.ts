import { ImportError } from "@gridatlas/geodata/osm/errors.ts";
import type { SqlClient } from "@gridatlas/geodata/osm/import.ts";
import { CompiledQuery, type Kysely } from "kysely";
import type { Actor } from "../../db/audit.ts";
import type { AuditAction, AuditEntity } from "../../db/audit-vocabulary.ts";
import type { Db } from "../../db/db.ts";
import type { DB } from "../../db/schema.ts";
import { DomainError, notFound } from "../../errors.ts";
import { type Job, JobRegistry } from "../../jobs.ts";

export type ImportKind = "osm" | "layer" | "plan" | "territory";

export type ImportJob = Job & {
  kind: ImportKind;
  progress: { step: number; steps: number; label: string };
  /** What the import did, step by step, as the CLI prints it. */
  log: string[];
  finished_at?: string;
  summary?: unknown;
  owner: number;
};

/**
 * An import writes in one transaction, so a restart that loses a running job loses its transaction too: nothing
 * half-written. One import runs at a time.
 */
const jobs = new JobRegistry<ImportJob>();

export function findImportJob(id: string): ImportJob {
  const job = jobs.get(id);
  if (!job) throw notFound("没有这个导入任务（可能已过期）", "no such import job (it may have expired)");
  return job;
}

/**
 * Refuses, before any job starts, an import that would create subdistrict `code` when it is there already (409), or
 * update it when it is not (404), on `subdistrict_code`. `how` says what to do instead, when there is another way.
 */
export async function refuseSubdistrictState(
  db: Db,
  code: string,
  want: "new" | "existing",
  how: { zh: string; en: string } = { zh: "", en: "" },
): Promise<void> {
  const taken = await db.selectFrom("subdistrict").select("code").where("code", "=", code).executeTakeFirst();
  if (taken && want === "new") {
    throw new DomainError(
      "conflict",
      "subdistrict_exists",
      `街道 ${code} 已存在${how.zh}`,
      `subdistrict ${code} already exists${how.en}`,
      "subdistrict_code",
    );
  }
  if (!taken && want === "existing") {
    throw new DomainError(
      "not_found",
      "no_subdistrict",
      `街道 ${code} 不存在，无法更新${how.zh}`,
      `subdistrict ${code} does not exist, so it cannot be updated${how.en}`,
      "subdistrict_code",
    );
  }
}

/** Starts `run` as a job; its log and progress land on the job, its value becomes the summary. */
export function startJob(
  kind: ImportKind,
  owner: number,
  run: (report: {
    log: (line: string) => void;
    progress: (p: { step: number; steps: number; label: string }) => void;
  }) => Promise<unknown>,
): ImportJob {
  if (jobs.running()) {
    throw new DomainError(
      "conflict",
      "import_running",
      "另一个导入正在进行，请稍后再试",
      "another import is running; try again later",
    );
  }
  return jobs.start(
    { kind, progress: { step: 0, steps: 1, label: "starting" }, log: [], owner },
    async (job) => {
      try {
        job.summary = await run({ log: (line) => job.log.push(line), progress: (p) => (job.progress = p) });
      } finally {
        job.finished_at = new Date().toISOString();
      }
    },
    (err) => {
      if (err instanceof ImportError) {
        return {
          code: err.code,
          zh: err.zh,
          en: err.en,
          ...(err.details === undefined ? {} : { details: err.details }),
        };
      }
      if (err instanceof DomainError) return { code: err.code, zh: err.zh, en: err.en };
      console.error(err);
      const message = err instanceof Error ? err.message : String(err);
      return {
        code: "import_failed",
        zh: `导入失败，数据库未改变：${message}`,
        en: `the import failed and changed nothing: ${message}`,
      };
    },
  );
}

/** The job as the API shows it. */
export const jobView = ({ owner: _owner, ...job }: ImportJob) => job;

/**
 * Runs `fn` on one connection of the pool, seen through the SqlClient interface geodata's importers take (raw
 * SQL with bound values, as pg.Client has it), so that they begin, commit and roll back on that connection.
 */
export async function withSqlClient<T>(db: Db, fn: (client: SqlClient) => Promise<T>): Promise<T> {
  return db.connection().execute(async (conn: Kysely<DB>) =>
    fn({
      async query(text, values = []) {
        const r = await conn.executeQuery(CompiledQuery.raw(text, values));
        return {
          rows: r.rows as never[],
          rowCount: r.numAffectedRows === undefined ? r.rows.length : Number(r.numAffectedRows),
        };
      },
    }),
  );
}

/** The audit record of an import, written by the import inside its own transaction. */
export async function auditImport(
  client: SqlClient,
  actor: Actor,
  action: AuditAction,
  entity: AuditEntity,
  entityId: string | null,
  diff: unknown,
): Promise<void> {
  await client.query(
    "insert into audit_event (actor, action, entity, entity_id, diff, ip) values ($1, $2, $3, $4, $5::jsonb, $6)",
    [actor.username, action, entity, entityId, JSON.stringify(diff), actor.ip],
  );
}
