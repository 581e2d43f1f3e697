import type { Point } from "geojson";
import { type RawBuilder, sql } from "kysely";
import { type Principal, recordsAt, scopeCondition } from "../../auth/principal.ts";
import { type Actor, audit } from "../../db/audit.ts";
import type { Db } from "../../db/db.ts";
import { asGeoJson, fromGeoJson, placeCondition, screenClusters } from "../../db/postgis.ts";
import { gridTeam } from "../../db/team.ts";
import { badRequest, DomainError, notFound } from "../../errors.ts";
import type { CreateHazardInput, HazardFilterInput, HazardStatus, TransitionInput } from "./hazards.input.ts";

/**
 * Calendar days (report dates, the replay's day, months of the chart) are counted in China Standard Time, where
 * every subdistrict GridAtlas serves lies.
 */
export const TZ = "Asia/Shanghai";

/** The first instant of a calendar day (CST), as timestamptz. */
const dayStart = (d: string): RawBuilder<Date> => sql<Date>`((${d}::date)::timestamp at time zone ${sql.lit(TZ)})`;
/** The first instant after a calendar day (CST). */
export const dayEnd = (d: string): RawBuilder<Date> =>
  sql<Date>`((${d}::date + 1)::timestamp at time zone ${sql.lit(TZ)})`;

/** `%text%` for ILIKE, with the pattern characters of the text taken literally. */
export const likePattern = (q: string) => `%${q.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;

/** The lifecycle: the moves allowed from each status. Reopening sends a hazard back to the grid's team. */
export const NEXT: Record<HazardStatus, readonly HazardStatus[]> = {
  reported: ["assigned"],
  assigned: ["in_progress"],
  in_progress: ["resolved"],
  resolved: ["verified", "assigned"],
  verified: ["assigned"],
};

/**
 * Assigning, verifying and reopening are the office's decisions (the community secretary, or an admin): the team
 * that remediates a hazard does not sign off its own work. Workers start and finish the remediation.
 */
const WORKER_MOVES: readonly HazardStatus[] = ["in_progress", "resolved"];

export const STATUS_NAMES: Record<HazardStatus, { zh: string; en: string }> = {
  reported: { zh: "已上报", en: "reported" },
  assigned: { zh: "已交办", en: "assigned" },
  in_progress: { zh: "整改中", en: "in progress" },
  resolved: { zh: "已整改", en: "resolved" },
  verified: { zh: "已核销", en: "verified" },
};

/** Whether a move is a reopening (back to the team after the fix was reported or checked). */
const isReopen = (from: HazardStatus, to: HazardStatus) =>
  to === "assigned" && (from === "resolved" || from === "verified");

/**
 * The filtered hazards the principal may read, one row each, with the status they have (or, with `as_of`, had
 * at the end of that day) and when they were last resolved. The list, the clusters and the statistics all select
 * from this, so they always agree.
 */
export function filteredHazards(db: Db, p: Principal, f: HazardFilterInput) {
  const cutoff = f.as_of ? dayEnd(f.as_of) : null;
  const status = cutoff
    ? sql<HazardStatus>`coalesce((select t.to_status from hazard_transition t
        where t.hazard_id = h.id and t.at < ${cutoff} order by t.at desc, t.id desc limit 1), 'reported')`
    : sql<HazardStatus>`h.status`;
  const resolvedAt = sql<Date | null>`(select max(t.at) from hazard_transition t
    where t.hazard_id = h.id and t.to_status = 'resolved'${cutoff ? sql` and t.at < ${cutoff}` : sql``})`;
  const inner = db
    .selectFrom("hazard as h")
    .select([
      "h.id",
      "h.title",
      "h.category",
      "h.severity",
      "h.reported_at",
      "h.venue_id",
      "h.community_code",
      "h.parcel_id",
      "h.geom",
      status.as("status"),
      resolvedAt.as("last_resolved_at"),
    ])
    .where(placeCondition(f, { geom: "h.geom", parcelId: "h.parcel_id", community: "h.community_code" }))
    .where(scopeCondition(p, { community: "h.community_code", parcelId: "h.parcel_id" }))
    .$if(!!f.category?.length, (q) => q.where("h.category", "in", f.category ?? []))
    .$if(!!f.severity?.length, (q) => q.where("h.severity", "in", f.severity ?? []))
    .$if(!!f.from, (q) => q.where("h.reported_at", ">=", dayStart(f.from ?? "")))
    .$if(!!f.to, (q) => q.where("h.reported_at", "<", dayEnd(f.to ?? "")))
    .$if(!!f.as_of, (q) => q.where("h.reported_at", "<", dayEnd(f.as_of ?? "")))
    .$if(!!f.q, (q) => {
      const like = likePattern(f.q ?? "");
      return q.where(
        sql<boolean>`(h.title ilike ${like} or h.note ilike ${like} or exists (select 1 from venue v
          where v.id = h.venue_id and (v.name ilike ${like} or v.address ilike ${like})))`,
      );
    });
  return db
    .selectFrom(inner.as("h"))
    .selectAll()
    .select(
      sql<Date | null>`case when h.status in ('resolved', 'verified') then h.last_resolved_at end`.as("resolved_at"),
    )
    .$if(!!f.status?.length, (q) => q.where("h.status", "in", f.status ?? []));
}

/** The columns every answer about a hazard starts with (`h` a hazard, `hc` its category). */
const hazardColumns = [
  "h.id",
  "h.title",
  "h.category",
  "hc.name_zh as category_name_zh",
  "hc.name_en as category_name_en",
  "h.severity",
  "h.status",
  "h.reported_at",
] as const;

/** The hazards of a filter as map features, with the category's names and the grid of the published plan. */
export function listHazards(db: Db, p: Principal, f: HazardFilterInput) {
  return db
    .selectFrom(filteredHazards(db, p, f).as("h"))
    .innerJoin("hazard_category as hc", "hc.code", "h.category")
    .leftJoin("published_parcel as pp", "pp.parcel_id", "h.parcel_id")
    .select([
      ...hazardColumns,
      "h.resolved_at",
      "h.venue_id",
      "h.community_code",
      "pp.grid_code",
      asGeoJson("h.geom").as("geometry"),
    ])
    .orderBy("h.id")
    .execute();
}

/**
 * The filtered hazards gathered into square cells of the screen at `zoom`. A cell holding a single hazard carries
 * that hazard (id, title, status, severity) so it can be labelled and clicked; a bigger one its count, how many are
 * open, its worst severity and the extent of its members.
 */
export function hazardClusters(db: Db, p: Principal, f: HazardFilterInput, zoom: number) {
  return screenClusters(
    db,
    filteredHazards(db, p, f),
    sql<{ label: string | null; category: string | null; severity: string; status: string | null; open: number }>`
      case when count(*) = 1 then min(m.title) end as label,
      case when count(*) = 1 then min(m.category) end as category,
      (array['low', 'medium', 'high'])[max(array_position(array['low', 'medium', 'high'], m.severity))] as severity,
      case when count(*) = 1 then min(m.status) end as status,
      count(*) filter (where m.status in ('reported', 'assigned', 'in_progress'))::int as open`,
    zoom,
  );
}

/** The team a hazard goes to, its grid's, names and roles only; none when it lies in no grid. */
async function hazardTeam(db: Db, place: { grid_code: string | null; community_code: string | null }) {
  if (!place.grid_code) return [];
  const grid = { code: place.grid_code, community_code: place.community_code ?? "" };
  return gridTeam(db, grid, ["w.id", "w.name", "w.role"]);
}

/** The moves the principal may make on a hazard now: those the lifecycle allows, less the office's for workers. */
export function allowedMoves(
  p: Principal,
  hazard: { status: HazardStatus; community_code: string | null; grid_code: string | null },
): HazardStatus[] {
  if (!recordsAt(p, hazard)) return [];
  const office =
    p.roles.includes("admin") || (!!hazard.community_code && p.communities.includes(hazard.community_code));
  return NEXT[hazard.status].filter((to) => office || WORKER_MOVES.includes(to));
}

/** One hazard as the card shows it, or 404 when it does not exist or lies outside what the principal reads. */
export async function findHazard(db: Db, p: Principal, id: number) {
  const row = await db
    .selectFrom("hazard as h")
    .innerJoin("hazard_category as hc", "hc.code", "h.category")
    .leftJoin("published_parcel as pp", "pp.parcel_id", "h.parcel_id")
    .leftJoin("venue as v", "v.id", "h.venue_id")
    .leftJoin("community as c", "c.code", "h.community_code")
    .select([
      "c.name as community_name",
      "c.name_en as community_name_en",
      ...hazardColumns,
      sql<Date | null>`case when h.status in ('resolved', 'verified') then (select max(t.at) from hazard_transition t
        where t.hazard_id = h.id and t.to_status = 'resolved') end`.as("resolved_at"),
      "h.venue_id",
      "v.name as venue_name",
      "h.community_code",
      "pp.grid_code",
      "h.note",
      "h.attachments",
      asGeoJson("h.geom").as("geometry"),
    ])
    .where("h.id", "=", id)
    .where(scopeCondition(p, { community: "h.community_code", parcelId: "h.parcel_id" }))
    .executeTakeFirst();
  if (!row) throw notFound(`没有编号为 ${id} 的隐患点`, `no hazard ${id}`);
  const { geometry, ...props } = row;
  const status = props.status as HazardStatus;
  return {
    type: "Feature" as const,
    id: row.id,
    geometry,
    properties: {
      ...props,
      status,
      attachments: Array.isArray(props.attachments) ? (props.attachments as unknown[]) : [],
      photos: await hazardPhotos(db, row.id),
      team: await hazardTeam(db, row),
      allowed_transitions: allowedMoves(p, { ...row, status }),
    },
  };
}

/** A hazard's photos, oldest first: those of its report (transition_id null) and those of its moves. */
function hazardPhotos(db: Db, id: number) {
  return db
    .selectFrom("photo")
    .select(["id", sql<string>`'/api/photos/' || id`.as("url"), "hazard_transition_id as transition_id"])
    .where("hazard_id", "=", id)
    .orderBy("id")
    .execute();
}

/** The life of a hazard, oldest first: every move, when, by whom, with its note and its photos. */
export async function hazardHistory(db: Db, id: number) {
  const [moves, photos] = await Promise.all([
    db
      .selectFrom("hazard_transition")
      .select(["id", "from_status", "to_status", "at", "actor", "actor_username", "note"])
      .where("hazard_id", "=", id)
      .orderBy("at")
      .orderBy("id")
      .execute(),
    hazardPhotos(db, id),
  ]);
  return moves.map((m) => ({ ...m, photos: photos.filter((p) => p.transition_id === m.id) }));
}

/** A category code must name a row of hazard_category; 400 naming the field and the codes there are otherwise. */
export async function checkCategory(db: Db, field: string, code: string): Promise<void> {
  const all = await db.selectFrom("hazard_category").select("code").orderBy("code").execute();
  if (!all.some((c) => c.code === code)) {
    const codes = all.map((c) => c.code).join(", ");
    throw badRequest(field, `没有这个隐患类别，可选：${codes}`, `no such hazard category; one of: ${codes}`);
  }
}

/**
 * Where a point lies: its parcel, community and the grid of the published plan. 422 when it lies outside the
 * subdistrict (on no parcel).
 */
export async function placeOf(db: Db, at: Point) {
  const row = await db
    .selectFrom("parcel as pa")
    .leftJoin("published_parcel as pp", "pp.parcel_id", "pa.id")
    .select(["pa.id as parcel_id", "pa.community_code", "pp.grid_code"])
    .where(sql<boolean>`ST_Intersects(pa.geom, ${fromGeoJson(at)})`)
    .orderBy("pa.id")
    .executeTakeFirst();
  if (!row) {
    throw new DomainError(
      "precondition",
      "outside_subdistrict",
      "该位置不在街道范围内（不在任何地块上），无法确定所属网格",
      "the point lies outside the subdistrict (on no parcel), so it has no grid",
      "geometry",
    );
  }
  return row;
}

/** A point the principal may not report at. Its grid is not named: answers must not map others' territory. */
const notYourGrid = () =>
  new DomainError(
    "forbidden",
    "outside_scope",
    "该位置不在您负责的网格内",
    "the point lies outside your grids",
    "geometry",
  );

/**
 * Reports a hazard at a point: placed on its parcel, community and grid (published plan) by the database, in the
 * care of that grid's team, first line of its history written. Workers report only in their own grids,
 * secretaries in their community; admins anywhere. Returns the hazard as the card shows it.
 */
export async function createHazard(db: Db, p: Principal, actor: Actor, input: CreateHazardInput) {
  await checkCategory(db, "category", input.category);
  const id = await db.transaction().execute(async (trx) => {
    const place = await placeOf(trx, input.geometry);
    if (!recordsAt(p, place)) throw notYourGrid();
    if (input.venue_id !== undefined) {
      const venue = await trx
        .selectFrom("venue")
        .select(["id", "community_code"])
        .where("id", "=", input.venue_id)
        .where(scopeCondition(p, { community: "community_code", parcelId: "parcel_id" }))
        .executeTakeFirst();
      if (!venue) throw badRequest("venue_id", "没有这个场所，或不在您的范围内", "no such venue within your reach");
    }
    const created = await sql<{ id: number }>`select report_hazard(
        ${fromGeoJson(input.geometry)}, ${place.parcel_id}, ${place.community_code}, ${input.venue_id ?? null},
        ${input.category}, ${input.severity}, ${input.title}, ${input.note ?? null},
        ${actor.displayName}, ${actor.username}) as id`.execute(trx);
    const hazardId = created.rows[0]!.id;
    await audit(trx, {
      actor: actor.username,
      action: "hazard_create",
      entity: "hazard",
      entityId: hazardId,
      communityCode: place.community_code,
      diff: {
        after: {
          title: input.title,
          category: input.category,
          severity: input.severity,
          status: "reported",
          note: input.note ?? null,
          venue_id: input.venue_id ?? null,
          grid_code: place.grid_code,
          at: input.geometry,
        },
      },
      ip: actor.ip,
    });
    return hazardId;
  });
  return findHazard(db, p, id);
}

const listNames = (xs: readonly HazardStatus[], lang: "zh" | "en") =>
  xs.length ? xs.map((s) => STATUS_NAMES[s][lang]).join(lang === "zh" ? "、" : ", ") : lang === "zh" ? "无" : "none";

/**
 * Moves a hazard to `to`: 422 naming the allowed moves when the lifecycle forbids it, 403 when the move is the
 * office's and the principal a worker, 409 when `from` was given and the hazard has moved on meanwhile. The move
 * is timestamped and attributed in the hazard's history and in the audit trail, in one transaction.
 */
export async function moveHazard(db: Db, p: Principal, actor: Actor, id: number, input: TransitionInput) {
  await db.transaction().execute(async (trx) => {
    const row = await trx
      .selectFrom("hazard as h")
      .leftJoin("published_parcel as pp", "pp.parcel_id", "h.parcel_id")
      .select(["h.id", "h.status", "h.community_code", "pp.grid_code"])
      .where("h.id", "=", id)
      .where(scopeCondition(p, { community: "h.community_code", parcelId: "h.parcel_id" }))
      .forUpdate("h")
      .executeTakeFirst();
    if (!row) throw notFound(`没有编号为 ${id} 的隐患点`, `no hazard ${id}`);
    const from = row.status as HazardStatus;
    if (input.from !== undefined && input.from !== from) {
      throw new DomainError(
        "conflict",
        "conflict",
        `该隐患已被他人改为“${STATUS_NAMES[from].zh}”，请刷新后再操作`,
        `someone else has moved this hazard to ${STATUS_NAMES[from].en} meanwhile; reload and try again`,
        "from",
        { current: from },
      );
    }
    const lifecycle = NEXT[from];
    if (!lifecycle.includes(input.to)) {
      throw new DomainError(
        "precondition",
        "transition_not_allowed",
        `不能从“${STATUS_NAMES[from].zh}”改为“${STATUS_NAMES[input.to].zh}”；可改为：${listNames(lifecycle, "zh")}`,
        `cannot move from ${STATUS_NAMES[from].en} to ${STATUS_NAMES[input.to].en}; allowed: ${listNames(lifecycle, "en")}`,
        "to",
        { from, allowed: lifecycle },
      );
    }
    if (!allowedMoves(p, { ...row, status: from }).includes(input.to)) {
      throw new DomainError(
        "forbidden",
        "office_move",
        "交办、核销和重新打开由社区书记或管理员操作；网格员可开始整改和提交整改完成",
        "assigning, verifying and reopening are for the community secretary or an admin; workers start and finish the remediation",
        "to",
      );
    }
    if (isReopen(from, input.to) && !input.note) {
      throw badRequest("note", "重新打开隐患需说明原因", "say why the hazard is reopened");
    }
    await trx.updateTable("hazard").set({ status: input.to }).where("id", "=", id).execute();
    await trx
      .insertInto("hazard_transition")
      .values({
        hazard_id: id,
        from_status: from,
        to_status: input.to,
        actor: actor.displayName,
        actor_username: actor.username,
        note: input.note ?? null,
        // A move never sorts before the one it follows, even when clocks of two servers disagree a little.
        at: sql<Date>`greatest(now(), (select max(at) from hazard_transition where hazard_id = ${id}))`,
      })
      .execute();
    await audit(trx, {
      actor: actor.username,
      action: "hazard_transition",
      entity: "hazard",
      entityId: id,
      communityCode: row.community_code,
      diff: { status: { from, to: input.to }, note: input.note ?? null },
      ip: actor.ip,
    });
  });
  return { hazard: await findHazard(db, p, id), history: await hazardHistory(db, id) };
}

export function listHazardCategories(db: Db) {
  return db.selectFrom("hazard_category").select(["code", "name_zh", "name_en"]).orderBy("code").execute();
}
