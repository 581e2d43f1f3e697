import { sql } from "kysely";
import { isAdmin, type Principal } from "../../auth/principal.ts";
import { visitShownAt } from "../../auth/privacy.ts";
import { type Actor, audit } from "../../db/audit.ts";
import type { Db } from "../../db/db.ts";
import { DomainError, type ErrorKind } from "../../errors.ts";

/** A visit as asked for, before it is checked. */
export type Candidate = {
  worker_id?: number | undefined;
  entrance_id?: number | undefined;
  building_id?: number | undefined;
  visited_on: string;
  note?: string | null | undefined;
};
export type Accepted = {
  worker_id: number;
  entrance_id: number | null;
  building_id: number | null;
  visited_on: string;
  note: string | null;
};
/** Why a visit is refused: the field at fault, both languages, and the kind of failure a single request gets. */
export type Refusal = { field: string; code: string; zh: string; en: string; kind: ErrorKind };

type WorkerFacts = {
  id: number;
  community_code: string;
  name: string;
  started_on: string;
  retired_on: string | null;
  grids: string[];
};
type PlaceFacts = { id: number; community_code: string; grids: string[] };

/**
 * Checks visits against the rules, all at once (one query per kind of fact, so an import of thousands of rows
 * costs a handful of queries):
 *
 * - the worker is one the account may record for: any for an admin, those of their community for a secretary,
 *   itself for a worker account (which may leave `worker_id` out);
 * - the entrance or building exists and lies in what the account may reach; for a worker account that is its own
 *   grids, so a place elsewhere answers like a missing one;
 * - the place is in the worker's community (and, for a worker account, in one of the worker's grids);
 * - the day is not in the future and the worker was in post on it;
 * - the same worker has not already recorded the same place on the same day (so an import run twice fails).
 */
export async function checkVisits(
  db: Db,
  p: Principal,
  candidates: readonly Candidate[],
  today: string,
): Promise<Array<{ ok: true; visit: Accepted } | { ok: false; refusals: Refusal[] }>> {
  const self = p.workerIds.length === 1 ? p.workerIds[0] : undefined;
  const workerIds = [
    ...new Set(candidates.map((c) => c.worker_id ?? self).filter((x): x is number => x !== undefined)),
  ];
  const entranceIds = [...new Set(candidates.map((c) => c.entrance_id).filter((x): x is number => x !== undefined))];
  const buildingIds = [...new Set(candidates.map((c) => c.building_id).filter((x): x is number => x !== undefined))];
  const [workers, entrances, buildings] = await Promise.all([
    sql<WorkerFacts>`
      select w.id, w.community_code, w.name, w.started_on, w.retired_on,
        coalesce(array_agg(wa.grid_code) filter (where wa.grid_code is not null), '{}') as grids
      from worker w left join worker_assignment wa on wa.worker_id = w.id
      where w.id = any(${workerIds}::int[]) group by w.id`.execute(db),
    sql<PlaceFacts>`
      select e.id, b.community_code,
        coalesce(array_agg(distinct pp.grid_code) filter (where pp.grid_code is not null), '{}') as grids
      from entrance e join building b on b.id = e.building_id
      left join parcel pa on pa.entrance_id = e.id
      left join published_parcel pp on pp.parcel_id = pa.id
      where e.id = any(${entranceIds}::int[]) group by e.id, b.community_code`.execute(db),
    sql<PlaceFacts>`
      select b.id, b.community_code,
        coalesce(array_agg(distinct pp.grid_code) filter (where pp.grid_code is not null), '{}') as grids
      from building b
      left join parcel pa on pa.building_id = b.id
      left join published_parcel pp on pp.parcel_id = pa.id
      where b.id = any(${buildingIds}::int[]) group by b.id`.execute(db),
  ]);
  const workerById = new Map(workers.rows.map((w) => [w.id, w]));
  const entranceById = new Map(entrances.rows.map((e) => [e.id, e]));
  const buildingById = new Map(buildings.rows.map((b) => [b.id, b]));
  const manages = (community: string) => isAdmin(p) || p.communities.includes(community);
  const reaches = (place: PlaceFacts) =>
    manages(place.community_code) || place.grids.some((g) => p.workerGrids.includes(g));

  const firstPass = candidates.map((c) => {
    const refusals: Refusal[] = [];
    const refuse = (r: Refusal) => refusals.push(r);
    const wid = c.worker_id ?? self;
    const worker = wid === undefined ? undefined : workerById.get(wid);
    if (wid === undefined) {
      refuse({
        field: "worker_id",
        code: "worker_required",
        zh: "请填写人员编号",
        en: "worker_id is required",
        kind: "invalid",
      });
    } else if (!worker || !(manages(worker.community_code) || p.workerIds.includes(worker.id))) {
      refuse({
        field: "worker_id",
        code: "no_worker",
        zh: `没有编号为 ${wid} 的人员`,
        en: `no worker ${wid}`,
        kind: "not_found",
      });
    }
    const field = c.entrance_id !== undefined ? "entrance_id" : "building_id";
    const placeId = c.entrance_id ?? c.building_id;
    const place =
      c.entrance_id !== undefined
        ? entranceById.get(c.entrance_id)
        : c.building_id !== undefined
          ? buildingById.get(c.building_id)
          : undefined;
    const noun = field === "entrance_id" ? ["单元", "entrance"] : ["楼栋", "building"];
    if (placeId === undefined) {
      refuse({
        field: "entrance_id",
        code: "place_required",
        zh: "请填写单元编号或楼栋编号",
        en: "give entrance_id or building_id",
        kind: "invalid",
      });
    } else if (!place || !reaches(place)) {
      refuse({
        field,
        code: "no_place",
        zh: `没有编号为 ${placeId} 的${noun[0]}`,
        en: `no ${noun[1]} ${placeId}`,
        kind: "not_found",
      });
    } else if (worker && place.community_code !== worker.community_code) {
      refuse({
        field,
        code: "other_community",
        zh: `${noun[0]} ${placeId} 不在 ${worker.name} 所在社区`,
        en: `${noun[1]} ${placeId} is not in ${worker.name}'s community`,
        kind: "precondition",
      });
    } else if (worker && !manages(worker.community_code) && !place.grids.some((g) => worker.grids.includes(g))) {
      refuse({
        field,
        code: "not_own_grid",
        zh: `${noun[0]} ${placeId} 不在您负责的网格内`,
        en: `${noun[1]} ${placeId} is not in your grids`,
        kind: "not_found",
      });
    }
    if (c.visited_on > today) {
      refuse({
        field: "visited_on",
        code: "future",
        zh: `走访日期不能晚于今天（${today}）`,
        en: `a visit cannot be dated after today (${today})`,
        kind: "precondition",
      });
    } else if (
      worker &&
      (c.visited_on < worker.started_on || (worker.retired_on !== null && c.visited_on >= worker.retired_on))
    ) {
      refuse({
        field: "visited_on",
        code: "not_in_post",
        zh: `${worker.name} 在 ${c.visited_on} 不在岗（${worker.started_on} 入职${worker.retired_on ? `，${worker.retired_on} 离岗` : ""}）`,
        en: `${worker.name} was not in post on ${c.visited_on} (started ${worker.started_on}${worker.retired_on ? `, retired ${worker.retired_on}` : ""})`,
        kind: "precondition",
      });
    }
    const visit: Accepted | null =
      refusals.length === 0 && wid !== undefined
        ? {
            worker_id: wid,
            entrance_id: c.entrance_id ?? null,
            building_id: c.building_id ?? null,
            visited_on: c.visited_on,
            note: c.note ?? null,
          }
        : null;
    return { refusals, visit };
  });

  // Duplicates: of a visit already stored, or of an earlier row of the same batch.
  const keyOf = (v: Accepted) => `${v.worker_id}|${v.entrance_id ?? ""}|${v.building_id ?? ""}|${v.visited_on}`;
  const ok = firstPass.flatMap((r) => (r.visit ? [r.visit] : []));
  const stored = new Set<string>();
  if (ok.length) {
    const r = await sql<Accepted>`
      select v.worker_id, v.entrance_id, v.building_id, v.visited_on
      from visit v
      join unnest(${ok.map((v) => v.worker_id)}::int[], ${ok.map((v) => v.entrance_id)}::int[],
        ${ok.map((v) => v.building_id)}::int[], ${ok.map((v) => v.visited_on)}::date[]) u(w, e, b, d)
        on v.worker_id = u.w and v.visited_on = u.d
          and v.entrance_id is not distinct from u.e and v.building_id is not distinct from u.b`.execute(db);
    for (const v of r.rows) stored.add(keyOf(v));
  }
  const seen = new Map<string, number>();
  return firstPass.map((r, i) => {
    if (!r.visit) return { ok: false as const, refusals: r.refusals };
    const key = keyOf(r.visit);
    const dup = stored.has(key) ? "stored" : seen.has(key) ? "batch" : null;
    seen.set(key, seen.get(key) ?? i);
    if (!dup) return { ok: true as const, visit: r.visit };
    return {
      ok: false as const,
      refusals: [
        dup === "stored"
          ? {
              field: "visited_on",
              code: "duplicate",
              zh: "该人员当天已登记过对此处的走访",
              en: "this worker already recorded a visit here on that day",
              kind: "conflict" as const,
            }
          : {
              field: "visited_on",
              code: "duplicate",
              zh: "与本文件中前面一行重复",
              en: "repeats an earlier row of this file",
              kind: "conflict" as const,
            },
      ],
    };
  });
}

/** Stores checked visits in one transaction with one audit entry; returns their ids in order. */
export async function insertVisits(
  db: Db,
  visits: readonly Accepted[],
  actor: Actor,
  how: { action: "visit_create" | "visit_import"; communityCode: string | null },
): Promise<number[]> {
  return db
    .transaction()
    .execute(async (trx) => {
      const r = await sql<{ id: number }>`
      insert into visit (worker_id, entrance_id, building_id, visited_on, note)
      select u.w, u.e, u.b, u.d, u.n
      from unnest(${visits.map((v) => v.worker_id)}::int[], ${visits.map((v) => v.entrance_id)}::int[],
        ${visits.map((v) => v.building_id)}::int[], ${visits.map((v) => v.visited_on)}::date[],
        ${visits.map((v) => v.note)}::text[]) with ordinality u(w, e, b, d, n, k)
      order by u.k
      returning id`.execute(trx);
      const ids = r.rows.map((x) => x.id);
      await audit(trx, {
        actor: actor.username,
        action: how.action,
        entity: "visit",
        entityId: ids.length === 1 ? ids[0] : null,
        communityCode: how.communityCode,
        diff: how.action === "visit_create" ? visits[0] : { count: ids.length, first_id: ids[0], last_id: ids.at(-1) },
        ip: actor.ip,
      });
      return ids;
    })
    .catch((e: unknown) => {
      // Another request stored the same worker, place and day between the check and the insert: the unique index
      // holds the rule, and the answer is the same as the check's.
      if (
        (e as { code?: string }).code === "23505" &&
        /^visit_\w+_once_idx$/.test((e as { constraint?: string }).constraint ?? "")
      ) {
        throw new DomainError(
          "conflict",
          "duplicate",
          "该人员当天已登记过对此处的走访",
          "this worker already recorded a visit here on that day",
          "visited_on",
        );
      }
      throw e;
    });
}

/** The visit already stored for a worker, place and day (what a repeated POST /api/visits answers with). */
export function storedVisit(db: Db, v: Accepted) {
  return db
    .selectFrom("visit")
    .select(["id", "worker_id", "entrance_id", "building_id", sql<string>`visited_on::text`.as("visited_on"), "note"])
    .where("worker_id", "=", v.worker_id)
    .where("visited_on", "=", v.visited_on)
    .where((eb) =>
      v.entrance_id !== null ? eb("entrance_id", "=", v.entrance_id) : eb("building_id", "=", v.building_id ?? 0),
    )
    .executeTakeFirst();
}

/** The community of a batch's workers, for the audit trail: null when they span several. */
export async function workersCommunity(db: Db, workerIds: readonly number[]): Promise<string | null> {
  const rows = await db
    .selectFrom("worker")
    .select("community_code")
    .distinct()
    .where("id", "in", [...new Set(workerIds)])
    .execute();
  return rows.length === 1 ? rows[0]!.community_code : null;
}

/**
 * Recent visits, newest first, within what the account may read (see the route) and only those it may see one by
 * one (`visitShown`, docs/privacy.md). Rolled-up months (visit_month) are figures, not visits, and never listed.
 */
export async function listVisits(
  db: Db,
  p: Principal,
  scope: { communities?: readonly string[]; workerIds?: readonly number[] },
  f: {
    community?: string | undefined;
    grid?: string | undefined;
    worker?: number | undefined;
    from?: string | undefined;
    to?: string | undefined;
    limit: number;
  },
) {
  const r = await sql<{
    id: number;
    worker_id: number;
    worker_name: string;
    worker_role: string;
    entrance_id: number | null;
    building_id: number;
    building_name: string;
    seq: number | null;
    visited_on: string;
    note: string | null;
  }>`
    select v.id, v.worker_id, w.name as worker_name, w.role as worker_role, v.entrance_id,
      coalesce(v.building_id, e.building_id) as building_id, b.name as building_name, e.seq, v.visited_on, v.note
    from visit v
    join worker w on w.id = v.worker_id
    left join entrance e on e.id = v.entrance_id
    join building b on b.id = coalesce(v.building_id, e.building_id)
    where ${visitShownAt(p, "v")}
      ${scope.communities ? sql`and w.community_code = any(${[...scope.communities]}::text[])` : sql``}
      ${scope.workerIds ? sql`and v.worker_id = any(${[...scope.workerIds]}::int[])` : sql``}
      ${f.community ? sql`and w.community_code = ${f.community}` : sql``}
      ${f.worker ? sql`and v.worker_id = ${f.worker}` : sql``}
      ${f.from ? sql`and v.visited_on >= ${f.from}::date` : sql``}
      ${f.to ? sql`and v.visited_on <= ${f.to}::date` : sql``}
      ${
        f.grid
          ? sql`and exists (select 1 from parcel pa join published_parcel pp on pp.parcel_id = pa.id
              where pp.grid_code = ${f.grid} and (pa.entrance_id = v.entrance_id or pa.building_id = v.building_id))`
          : sql``
      }
    order by v.visited_on desc, v.id desc
    limit ${f.limit}`.execute(db);
  return r.rows;
}
