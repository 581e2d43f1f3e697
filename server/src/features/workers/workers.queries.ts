import { sql, type Transaction } from "kysely";
import { type Actor, audit, staleVersion, versionRequired } from "../../db/audit.ts";
import type { Db } from "../../db/db.ts";
import type { DB } from "../../db/schema.ts";
import { DomainError } from "../../errors.ts";

type Trx = Transaction<DB>;

export type WorkerRow = {
  id: number;
  community_code: string;
  role: string;
  name: string;
  phone: string | null;
  started_on: string;
  retired_on: string | null;
  version: number;
  grids: string[];
  load: { grids: number; households: number; entrances: number };
};

/**
 * Workers with their assignments and load: the households and entrances of the published grids assigned to them
 * (a grid shared by two workers counts fully for each, as each of them is answerable for it).
 */
export async function listWorkers(
  db: Db | Trx,
  filter: { communities?: readonly string[]; ids?: readonly number[]; includeRetired?: boolean },
): Promise<WorkerRow[]> {
  const r = await sql<Omit<WorkerRow, "load"> & { load_grids: number; households: number; entrances: number }>`
    with gf as (
      select f.code, f.households, f.entrances from grid_figure f
      where f.plan_id = any(array(select id from plan where status = 'published'))
    )
    select w.id, w.community_code, w.role, w.name, w.phone, w.started_on, w.retired_on, w.version,
      coalesce(array_agg(wa.grid_code order by wa.grid_code) filter (where wa.grid_code is not null), '{}') as grids,
      count(gf.code)::int as load_grids,
      coalesce(sum(gf.households), 0)::int as households,
      coalesce(sum(gf.entrances), 0)::int as entrances
    from worker w
    left join worker_assignment wa on wa.worker_id = w.id
    left join gf on gf.code = wa.grid_code
    where true
      ${filter.communities ? sql`and w.community_code = any(${[...filter.communities]}::text[])` : sql``}
      ${filter.ids ? sql`and w.id = any(${[...filter.ids]}::int[])` : sql``}
      ${filter.includeRetired ? sql`` : sql`and w.retired_on is null`}
    group by w.id
    order by w.community_code, array_position(array['secretary','grid_leader','grid_worker','info_worker'], w.role), w.name, w.id
  `.execute(db);
  return r.rows.map(({ load_grids, households, entrances, ...w }) => ({
    ...w,
    load: { grids: load_grids, households, entrances },
  }));
}

export type Averages = Record<
  string,
  Record<string, { workers: number; grids: number; households: number; entrances: number }>
>;

/** Per community and role, the average load of the active workers: what each worker's load is read against. */
export function averages(rows: readonly WorkerRow[]): Averages {
  const out: Averages = {};
  const sums = new Map<string, { n: number; grids: number; households: number; entrances: number }>();
  for (const w of rows) {
    if (w.retired_on !== null) continue;
    const key = `${w.community_code}|${w.role}`;
    const s = sums.get(key) ?? { n: 0, grids: 0, households: 0, entrances: 0 };
    s.n += 1;
    s.grids += w.load.grids;
    s.households += w.load.households;
    s.entrances += w.load.entrances;
    sums.set(key, s);
  }
  for (const [key, s] of sums) {
    const [community, role] = key.split("|") as [string, string];
    out[community] ??= {};
    out[community][role] = {
      workers: s.n,
      grids: Math.round((s.grids / s.n) * 10) / 10,
      households: Math.round(s.households / s.n),
      entrances: Math.round(s.entrances / s.n),
    };
  }
  return out;
}

export function findWorker(db: Db | Trx, id: number) {
  return db
    .selectFrom("worker")
    .select(["id", "community_code", "role", "name", "phone", "started_on", "retired_on"])
    .where("id", "=", id)
    .executeTakeFirst();
}

/** The published grid of a code, or undefined. */
export function findPublishedGrid(db: Db | Trx, code: string) {
  return db.selectFrom("published_grid").select(["code", "community_code"]).where("code", "=", code).executeTakeFirst();
}

export async function createWorker(
  db: Db,
  w: { community_code: string; role: string; name: string; phone: string | null; started_on: string },
  actor: Actor,
): Promise<number> {
  return db.transaction().execute(async (trx) => {
    const { id } = await trx.insertInto("worker").values(w).returning("id").executeTakeFirstOrThrow();
    await audit(trx, {
      actor: actor.username,
      action: "worker_create",
      entity: "worker",
      entityId: id,
      communityCode: w.community_code,
      diff: w,
      ip: actor.ip,
    });
    return id;
  });
}

export type WorkerChange = {
  role?: string | undefined;
  name?: string | undefined;
  phone?: string | null | undefined;
  started_on?: string | undefined;
  retired_on?: string | null | undefined;
  /** The version the edit was made against: 428 without it, 409 when the worker changed since. */
  version?: number | undefined;
};

/**
 * Changes a worker; retiring ends their assignments in the same transaction (the audit entry keeps the grids they
 * held, so the team of any day can be reconstructed from the trail).
 */
export async function updateWorker(db: Db, id: number, change: WorkerChange, today: string, actor: Actor) {
  return db.transaction().execute(async (trx) => {
    const before = await trx
      .selectFrom("worker")
      .select(["id", "community_code", "role", "name", "phone", "started_on", "retired_on", "version"])
      .where("id", "=", id)
      .forUpdate()
      .executeTakeFirst();
    if (!before) throw new DomainError("not_found", "not_found", `没有编号为 ${id} 的人员`, `no worker ${id}`);
    const { version: given, ...fields } = change;
    if (given === undefined) throw versionRequired({ zh: "人员", en: "a worker" });
    if (given !== before.version) {
      throw await staleVersion(trx, {
        entity: "worker",
        id,
        version: before.version,
        given,
        zh: `人员“${before.name}”`,
        en: `worker "${before.name}"`,
      });
    }
    const startedOn = fields.started_on ?? before.started_on;
    const retiredOn = fields.retired_on === undefined ? before.retired_on : fields.retired_on;
    if (retiredOn !== null && retiredOn < startedOn) {
      throw new DomainError(
        "precondition",
        "retired_before_started",
        `离岗日期 ${retiredOn} 早于入职日期 ${startedOn}`,
        `retired on ${retiredOn}, before starting on ${startedOn}`,
        "retired_on",
      );
    }
    if (fields.retired_on && fields.retired_on > today) {
      throw new DomainError(
        "precondition",
        "retired_in_future",
        `离岗日期不能晚于今天（${today}）`,
        `a retirement cannot be dated after today (${today})`,
        "retired_on",
      );
    }
    const values = Object.fromEntries(Object.entries(fields).filter(([, v]) => v !== undefined));
    await trx.updateTable("worker").set(values).where("id", "=", id).execute();
    const retiring = before.retired_on === null && retiredOn !== null;
    let ended: string[] = [];
    if (retiring) {
      const rows = await trx
        .deleteFrom("worker_assignment")
        .where("worker_id", "=", id)
        .returning("grid_code")
        .execute();
      ended = rows.map((r) => r.grid_code).sort();
    }
    const diff: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(values)) {
      const old = (before as Record<string, unknown>)[k];
      if (old !== v) diff[k] = { from: old, to: v };
    }
    if (ended.length) diff.assignments_ended = ended;
    await audit(trx, {
      actor: actor.username,
      action: retiring ? "worker_retire" : "worker_update",
      entity: "worker",
      entityId: id,
      communityCode: before.community_code,
      diff,
      ip: actor.ip,
    });
    return { community_code: before.community_code };
  });
}

/** Assigns a worker to a grid; false when the assignment already existed (nothing changes then). */
export async function assign(db: Db, workerId: number, gridCode: string, communityCode: string, actor: Actor) {
  return db.transaction().execute(async (trx) => {
    const inserted = await trx
      .insertInto("worker_assignment")
      .values({ worker_id: workerId, grid_code: gridCode })
      .onConflict((oc) => oc.doNothing())
      .returning("grid_code")
      .executeTakeFirst();
    if (!inserted) return false;
    await audit(trx, {
      actor: actor.username,
      action: "worker_assign",
      entity: "worker",
      entityId: workerId,
      communityCode,
      diff: { grid_code: gridCode },
      ip: actor.ip,
    });
    return true;
  });
}

/** Ends an assignment; false when there was none. */
export async function unassign(db: Db, workerId: number, gridCode: string, communityCode: string, actor: Actor) {
  return db.transaction().execute(async (trx) => {
    const removed = await trx
      .deleteFrom("worker_assignment")
      .where("worker_id", "=", workerId)
      .where("grid_code", "=", gridCode)
      .returning(["grid_code", "assigned_on"])
      .executeTakeFirst();
    if (!removed) return false;
    await audit(trx, {
      actor: actor.username,
      action: "worker_unassign",
      entity: "worker",
      entityId: workerId,
      communityCode,
      diff: { grid_code: gridCode, assigned_on: removed.assigned_on },
      ip: actor.ip,
    });
    return true;
  });
}
