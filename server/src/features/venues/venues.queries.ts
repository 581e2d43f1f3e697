import { sql } from "kysely";
import { type Principal, recordsAt, scopeCondition } from "../../auth/principal.ts";
import { type Actor, audit, staleVersion, versionRequired } from "../../db/audit.ts";
import type { Db } from "../../db/db.ts";
import { asGeoJson, placeCondition, screenClusters } from "../../db/postgis.ts";
import { badRequest, DomainError, notFound } from "../../errors.ts";
import type { CreateInspectionInput, INSPECTION_STATUSES, VenueFilterInput } from "./venues.input.ts";

type InspectionStatus = (typeof INSPECTION_STATUSES)[number];

const forbiddenError = (zh: string, en: string, field?: string) =>
  new DomainError("forbidden", "forbidden", zh, en, field);

/** `%text%` for ILIKE, with the pattern characters of the text taken literally. */
const likePattern = (q: string) => `%${q.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;

/**
 * The filtered venues the principal may read, one row each, with the state of their inspections. The list, the
 * clusters and the statistics' reading of "overdue" all come from the view venue_inspection_status.
 */
export function filteredVenues(db: Db, p: Principal, f: VenueFilterInput) {
  return db
    .selectFrom("venue as v")
    .innerJoin("venue_inspection_status as s", "s.venue_id", "v.id")
    .select([
      "v.id",
      "v.name",
      "v.category",
      "v.address",
      "v.community_code",
      "v.parcel_id",
      "v.geom",
      sql<string | null>`s.last_inspected_on`.as("last_inspected_on"),
      "s.last_result",
      sql<string | null>`s.due_on`.as("due_on"),
      sql<string>`s.status`.as("inspection_status"),
    ])
    .where(placeCondition(f, { geom: "v.geom", parcelId: "v.parcel_id", community: "v.community_code" }))
    .where(scopeCondition(p, { community: "v.community_code", parcelId: "v.parcel_id" }))
    .$if(!!f.category?.length, (q) => q.where("v.category", "in", f.category ?? []))
    .$if(!!f.status?.length, (q) => q.where("s.status", "in", f.status ?? []))
    .$if(!!f.from, (q) => q.where(sql<boolean>`s.last_inspected_on >= ${f.from}::date`))
    .$if(!!f.to, (q) => q.where(sql<boolean>`s.last_inspected_on <= ${f.to}::date`))
    .$if(!!f.q, (q) => {
      const like = likePattern(f.q ?? "");
      return q.where(sql<boolean>`(v.name ilike ${like} or v.address ilike ${like})`);
    });
}

const openHazards = sql<number>`(select count(*)::int from hazard hz
  where hz.venue_id = v.id and hz.status in ('reported', 'assigned', 'in_progress'))`;

/** The columns every answer about a venue starts with (`v` a venue, `vc` its category, `pp` its published parcel). */
const venueColumns = [
  "v.id",
  "v.name",
  "v.category",
  "vc.name_zh as category_name_zh",
  "vc.name_en as category_name_en",
  "v.address",
  "v.community_code",
  "pp.grid_code",
] as const;

/** The venues of a filter as map features, with the category's names, the grid and their open hazards. */
export function listVenues(db: Db, p: Principal, f: VenueFilterInput) {
  return db
    .selectFrom(filteredVenues(db, p, f).as("v"))
    .innerJoin("venue_category as vc", "vc.code", "v.category")
    .leftJoin("published_parcel as pp", "pp.parcel_id", "v.parcel_id")
    .select([
      ...venueColumns,
      "v.last_inspected_on",
      "v.last_result",
      "v.due_on",
      "v.inspection_status",
      openHazards.as("open_hazards"),
      asGeoJson("v.geom").as("geometry"),
    ])
    .orderBy("v.id")
    .execute();
}

/**
 * The filtered venues gathered into square cells of the screen at `zoom`: a single venue carries its id, name,
 * category and inspection status; a bigger cell its count, the commonest category, how many are overdue or never
 * inspected, and the extent of its members.
 */
export function venueClusters(db: Db, p: Principal, f: VenueFilterInput, zoom: number) {
  return screenClusters(
    db,
    filteredVenues(db, p, f),
    sql<{ label: string | null; category: string; status: string | null; overdue: number }>`
      case when count(*) = 1 then min(m.name) end as label,
      mode() within group (order by m.category) as category,
      case when count(*) = 1 then min(m.inspection_status) end as status,
      count(*) filter (where m.inspection_status in ('overdue', 'never'))::int as overdue`,
    zoom,
  );
}

/** May the principal record an inspection at a place? One of the recording roles, where `recordsAt` lets it. */
function inspectsAt(p: Principal, place: { community_code: string | null; grid_code: string | null }): boolean {
  return p.roles.some((r) => r === "admin" || r === "secretary" || r === "worker") && recordsAt(p, place);
}

/** One venue as the card shows it: details, inspection history (newest first) and the hazards found there. */
export async function findVenue(db: Db, p: Principal, id: number) {
  const row = await db
    .selectFrom("venue as v")
    .innerJoin("venue_category as vc", "vc.code", "v.category")
    .innerJoin("venue_inspection_status as s", "s.venue_id", "v.id")
    .leftJoin("published_parcel as pp", "pp.parcel_id", "v.parcel_id")
    .select([
      ...venueColumns,
      "vc.inspection_interval_days",
      sql<string | null>`s.last_inspected_on`.as("last_inspected_on"),
      "s.last_result",
      sql<string | null>`s.due_on`.as("due_on"),
      sql<InspectionStatus>`s.status`.as("inspection_status"),
      openHazards.as("open_hazards"),
      asGeoJson("v.geom").as("geometry"),
    ])
    .where("v.id", "=", id)
    .where(scopeCondition(p, { community: "v.community_code", parcelId: "v.parcel_id" }))
    .executeTakeFirst();
  if (!row) throw notFound(`没有编号为 ${id} 的场所`, `no venue ${id}`);
  const inspections = await db
    .selectFrom("inspection as i")
    .leftJoin("worker as w", "w.id", "i.inspector_id")
    .select([
      "i.id",
      sql<string>`i.inspected_on`.as("inspected_on"),
      "i.inspector_id",
      "w.name as inspector_name",
      "w.role as inspector_role",
      "i.result",
      "i.note",
      "i.follow_up",
      "i.joint_with_police",
    ])
    .where("i.venue_id", "=", id)
    .orderBy("i.inspected_on", "desc")
    .orderBy("i.id", "desc")
    .execute();
  const hazards = await db
    .selectFrom("hazard")
    .select(["id", "title", "category", "severity", "status", "reported_at"])
    .where("venue_id", "=", id)
    .orderBy("reported_at", "desc")
    .execute();
  const { geometry, ...props } = row;
  return {
    type: "Feature" as const,
    id: row.id,
    geometry,
    properties: { ...props, inspections, hazards, may_inspect: inspectsAt(p, row) },
  };
}

/**
 * The inspector of an inspection: a worker account is itself (and may name no one else); otherwise the worker
 * named, who must belong to the venue's community; without one, a secretary stands as the community's secretary
 * and an admin leaves it empty.
 */
async function inspectorFor(db: Db, p: Principal, community: string | null, named: number | undefined) {
  const office = p.roles.includes("admin") || (!!community && p.communities.includes(community));
  if (!office) {
    if (named !== undefined && !p.workerIds.includes(named)) {
      throw forbiddenError(
        "网格员只能以本人名义登记检查",
        "a worker records inspections in their own name",
        "inspector_id",
      );
    }
    return named ?? p.workerIds[0] ?? null;
  }
  if (named !== undefined) {
    const w = await db
      .selectFrom("worker")
      .select("id")
      .where("id", "=", named)
      .where("community_code", "=", community ?? "")
      .where("retired_on", "is", null)
      .executeTakeFirst();
    if (!w) {
      throw new DomainError(
        "precondition",
        "unknown_inspector",
        "检查人应为该场所所在社区的在职人员",
        "the inspector must be a serving worker of the venue's community",
        "inspector_id",
      );
    }
    return w.id;
  }
  if (!community || !p.communities.includes(community)) return null;
  const secretary = await db
    .selectFrom("worker")
    .select("id")
    .where("community_code", "=", community)
    .where("role", "=", "secretary")
    .where("retired_on", "is", null)
    .orderBy("id")
    .executeTakeFirst();
  return secretary?.id ?? null;
}

/**
 * Records an inspection of a venue, with the hazards it found (each at the venue, in the venue's grid, status
 * reported), the inspection and every hazard in the audit trail, all in one transaction. Workers inspect in their
 * own grids, secretaries in their community, admins anywhere. Returns the venue as the card shows it.
 */
export async function recordInspection(
  db: Db,
  p: Principal,
  actor: Actor,
  venueId: number,
  input: CreateInspectionInput,
) {
  if (input.hazards.length) {
    const known = new Set((await db.selectFrom("hazard_category").select("code").execute()).map((c) => c.code));
    input.hazards.forEach((h, i) => {
      if (!known.has(h.category)) {
        const codes = [...known].sort().join(", ");
        throw badRequest(
          `hazards.${i}.category`,
          `没有这个隐患类别，可选：${codes}`,
          `no such hazard category; one of: ${codes}`,
        );
      }
    });
  }
  const done = await db.transaction().execute(async (trx) => {
    const venue = await trx
      .selectFrom("venue as v")
      .leftJoin("published_parcel as pp", "pp.parcel_id", "v.parcel_id")
      .select(["v.id", "v.name", "v.community_code", "v.parcel_id", "pp.grid_code"])
      .where("v.id", "=", venueId)
      .where(scopeCondition(p, { community: "v.community_code", parcelId: "v.parcel_id" }))
      .executeTakeFirst();
    if (!venue) throw notFound(`没有编号为 ${venueId} 的场所`, `no venue ${venueId}`);
    if (!inspectsAt(p, venue)) {
      throw forbiddenError(
        "只能登记本人网格（或本社区）场所的检查",
        "you can record inspections only of venues in your own grids (or community)",
      );
    }
    const inspectorId = await inspectorFor(trx, p, venue.community_code, input.inspector_id);
    const { id } = await trx
      .insertInto("inspection")
      .values({
        venue_id: venueId,
        inspected_on: input.inspected_on,
        inspector_id: inspectorId,
        result: input.result,
        note: input.note || null,
        follow_up: input.follow_up || null,
        joint_with_police: input.joint_with_police,
      })
      .returning("id")
      .executeTakeFirstOrThrow();
    const hazardIds: number[] = [];
    for (const h of input.hazards) {
      const created = await sql<{ id: number }>`select report_hazard(
          (select geom from venue where id = ${venueId}), ${venue.parcel_id}, ${venue.community_code}, ${venueId},
          ${h.category}, ${h.severity}, ${h.title}, ${h.note || null}, ${actor.displayName}, ${actor.username}) as id`.execute(
        trx,
      );
      const hazardId = created.rows[0]!.id;
      hazardIds.push(hazardId);
      await audit(trx, {
        actor: actor.username,
        action: "hazard_create",
        entity: "hazard",
        entityId: hazardId,
        communityCode: venue.community_code,
        diff: { after: { ...h, status: "reported", venue_id: venueId, inspection_id: id, grid_code: venue.grid_code } },
        ip: actor.ip,
      });
    }
    await audit(trx, {
      actor: actor.username,
      action: "inspection_create",
      entity: "inspection",
      entityId: id,
      communityCode: venue.community_code,
      diff: {
        after: {
          venue_id: venueId,
          inspected_on: input.inspected_on,
          result: input.result,
          inspector_id: inspectorId,
          joint_with_police: input.joint_with_police,
          note: input.note || null,
          follow_up: input.follow_up || null,
          hazards: hazardIds,
        },
      },
      ip: actor.ip,
    });
    return { inspection_id: id, hazards: hazardIds };
  });
  return { ...done, venue: await findVenue(db, p, venueId) };
}

/** The venue categories with their inspection intervals and how many venues each has. */
export function listVenueCategories(db: Db) {
  return db
    .selectFrom("venue_category as vc")
    .select([
      "vc.code",
      "vc.name_zh",
      "vc.name_en",
      "vc.inspection_interval_days",
      "vc.version",
      sql<number>`(select count(*)::int from venue v where v.category = vc.code)`.as("venues"),
    ])
    .orderBy("vc.code")
    .execute();
}

/** Sets how often venues of a category are due for inspection; audited. Every venue's due date follows at once. */
export async function updateVenueCategory(
  db: Db,
  actor: Actor,
  code: string,
  change: { inspection_interval_days: number; version?: number | undefined },
) {
  const days = change.inspection_interval_days;
  return db.transaction().execute(async (trx) => {
    const before = await trx
      .selectFrom("venue_category")
      .select(["inspection_interval_days", "version", "name_zh", "name_en"])
      .where("code", "=", code)
      .forUpdate()
      .executeTakeFirst();
    if (!before) throw notFound(`没有场所类别 ${code}`, `no venue category ${code}`);
    if (change.version === undefined) throw versionRequired({ zh: "场所类别", en: "a venue category" });
    if (change.version !== before.version) {
      throw await staleVersion(trx, {
        entity: "venue_category",
        id: code,
        version: before.version,
        given: change.version,
        zh: `场所类别“${before.name_zh}”`,
        en: `venue category "${before.name_en}"`,
      });
    }
    await trx.updateTable("venue_category").set({ inspection_interval_days: days }).where("code", "=", code).execute();
    await audit(trx, {
      actor: actor.username,
      action: "venue_category_update",
      entity: "venue_category",
      entityId: code,
      diff: { inspection_interval_days: { from: before.inspection_interval_days, to: days } },
      ip: actor.ip,
    });
    const [row] = (await listVenueCategories(trx)).filter((c) => c.code === code);
    return row!;
  });
}
