import { CAMERA_TYPE_DEFAULTS, type CameraType } from "@gridatlas/geodata/cameras.ts";
import type { Geometry, Point } from "geojson";
import { sql } from "kysely";
import { type Principal, readsGrid, scopeCondition } from "../../auth/principal.ts";
import { type Actor, audit, staleVersion, versionRequired } from "../../db/audit.ts";
import type { Db } from "../../db/db.ts";
import { asGeoJson, fromGeoJson, type PlaceFilter, placeCondition } from "../../db/postgis.ts";
import { badRequest, DomainError, notFound } from "../../errors.ts";
import type { CreateCameraInput, UpdateCameraInput } from "./cameras.input.ts";
import { coverageOfGrids, type GridRef, gridsNear, inCoverageTransaction } from "./coverage.queries.ts";
import { FULL_SWEEP_TYPES, refreshViews } from "./coverage.views.ts";

/** The values that can be a type's default rather than surveyed, in the order `defaulted` lists them. */
const VIEW_FIELDS = ["bearing_deg", "view_width_deg", "range_m", "mount_height_m"] as const;
type ViewField = (typeof VIEW_FIELDS)[number];

/**
 * Cameras are sensitive: secretaries see those of their own community; workers see none (the route refuses).
 * With `views`, each carries its view polygon (refresh the views first, in the same transaction).
 */
export function listCameras(db: Db, p: Principal, f: PlaceFilter, opts: { views: boolean; ids?: readonly number[] }) {
  return db
    .selectFrom("camera as k")
    .leftJoin("published_parcel as pp", "pp.parcel_id", "k.parcel_id")
    .select([
      "k.id",
      "k.name",
      "k.type",
      "k.status",
      "k.bearing_deg",
      "k.view_width_deg",
      "k.range_m",
      "k.mount_height_m",
      "k.defaulted",
      "k.site",
      "k.community_code",
      "k.version",
      "pp.grid_code",
      asGeoJson("k.geom").as("geometry"),
    ])
    .$if(opts.views, (q) =>
      q
        .leftJoin("camera_view as v", "v.camera_id", "k.id")
        .select([sql<Geometry | null>`ST_AsGeoJSON(v.geom, 7)::json`.as("view"), "v.area_m2 as view_area_m2"]),
    )
    .where(placeCondition(f, { geom: "k.geom", parcelId: "k.parcel_id", community: "k.community_code" }))
    .where(scopeCondition({ ...p, workerGrids: [], workerCommunities: [] }, { community: "k.community_code" }))
    .$if(opts.ids !== undefined, (q) => q.where("k.id", "in", [...(opts.ids ?? []), 0]))
    .orderBy("k.id")
    .execute();
}

/** Who changes a camera, for the audit trail. */

/** Admins and planners change any camera; a secretary only plans cameras in their own community. */
const editsAll = (p: Principal) => p.roles.includes("admin") || p.roles.includes("planner");

const notYours = () =>
  new DomainError(
    "forbidden",
    "forbidden",
    "社区书记只能规划本社区的计划点位",
    "a secretary can only plan cameras (status planned) in their own community",
  );

async function parcelAt(db: Db, at: Point): Promise<{ id: number; community_code: string }> {
  const row = await db
    .selectFrom("parcel")
    .select(["id", "community_code"])
    .where(sql<boolean>`ST_Intersects(geom, ${fromGeoJson(at)})`)
    .orderBy("id")
    .executeTakeFirst();
  if (!row) {
    throw badRequest("geometry", "点位不在街道的任何地块上", "the position is not on any parcel of the subdistrict");
  }
  return row;
}

/** The camera as the list gives it, with its view, and the coverage of the grids a change to it touched. */
async function result(db: Db, p: Principal, id: number, before: Geometry | null, parcels: number[]) {
  await refreshViews(db);
  const grids = await gridsNear(db, before ? [before] : [], [id], parcels);
  const [row] = await listCameras(db, p, {}, { views: true, ids: [id] });
  const { geometry, ...properties } = row!;
  return { camera: { type: "Feature" as const, id, geometry, properties }, grids: await coverageIn(db, p, grids) };
}

/**
 * The coverage of the grids a change reached, of those the principal may read only: a view reaching over the
 * community's edge must not tell a secretary the names and figures of the neighbour's grids.
 */
function coverageIn(db: Db, p: Principal, grids: readonly GridRef[]) {
  return coverageOfGrids(
    db,
    grids.filter((g) => readsGrid(p, g)),
  );
}

const fullSweep = (type: string, width: number | null | undefined) => {
  if (FULL_SWEEP_TYPES.has(type) && width != null && width !== 360) {
    throw badRequest(
      "view_width_deg",
      "球机和遥控枪机按 360° 全周计算，视角应为 360",
      "dome and PTZ cameras count all round: width of view must be 360",
    );
  }
};

/**
 * Places a planned camera. Values left out take the type's defaults and are listed in `defaulted`; its community
 * and parcel come from where it stands. Returns it with its view and the new coverage of the grids it reaches.
 */
export function createCamera(db: Db, p: Principal, actor: Actor, input: CreateCameraInput) {
  return inCoverageTransaction(db, async (trx) => {
    const parcel = await parcelAt(trx, input.geometry);
    if (!editsAll(p) && !p.communities.includes(parcel.community_code)) throw notYours();
    fullSweep(input.type, input.view_width_deg);
    const d = CAMERA_TYPE_DEFAULTS[input.type];
    const values = {
      bearing_deg: input.bearing_deg ?? d.bearing_deg,
      view_width_deg: FULL_SWEEP_TYPES.has(input.type) ? 360 : (input.view_width_deg ?? d.view_width_deg),
      range_m: input.range_m ?? d.range_m,
      mount_height_m: input.mount_height_m ?? d.mount_height_m,
    };
    const defaulted = VIEW_FIELDS.filter(
      (f) => input[f] === undefined && !(f === "view_width_deg" && FULL_SWEEP_TYPES.has(input.type)),
    );
    const { id } = await trx
      .insertInto("camera")
      .values({
        name: input.name,
        type: input.type,
        status: "planned",
        site: input.site,
        community_code: parcel.community_code,
        parcel_id: parcel.id,
        defaulted,
        ...values,
        geom: fromGeoJson(input.geometry).$castTo<string>(),
      })
      .returning("id")
      .executeTakeFirstOrThrow();
    await audit(trx, {
      actor: actor.username,
      action: "camera_create",
      entity: "camera",
      entityId: id,
      communityCode: parcel.community_code,
      diff: {
        after: { name: input.name, type: input.type, status: "planned", ...values, defaulted, at: input.geometry },
      },
      ip: actor.ip,
    });
    return result(trx, p, id, null, [parcel.id]);
  });
}

/** A camera locked for a change, or 404 when it does not exist or lies outside a secretary's communities. */
async function lockCamera(db: Db, p: Principal, id: number) {
  const before = await db
    .selectFrom("camera")
    .select([
      "id",
      "name",
      "type",
      "status",
      "site",
      "bearing_deg",
      "view_width_deg",
      "range_m",
      "mount_height_m",
      "defaulted",
      "community_code",
      "parcel_id",
      "version",
      asGeoJson("geom").as("geometry"),
      sql<Geometry | null>`(select ST_AsGeoJSON(v.geom, 7)::json from camera_view v where v.camera_id = camera.id)`.as(
        "view",
      ),
    ])
    .where("id", "=", id)
    .forUpdate()
    .executeTakeFirst();
  if (!before || (!editsAll(p) && !p.communities.includes(before.community_code ?? ""))) {
    throw notFound(`没有编号为 ${id} 的监控点位`, `no camera ${id}`);
  }
  return before;
}

/**
 * Changes a camera: position, type, bearing, width, range, mount height, status, site, name. A value set to
 * null goes back to the type's default; a new type gives the defaulted values its own defaults. Returns the
 * camera with its new view and the coverage of every grid its old or new view reaches.
 */
export function updateCamera(db: Db, p: Principal, actor: Actor, id: number, patch: UpdateCameraInput) {
  return inCoverageTransaction(db, async (trx) => {
    const before = await lockCamera(trx, p, id);
    if (patch.version === undefined) throw versionRequired({ zh: "监控点位", en: "a camera" });
    if (patch.version !== before.version) {
      throw await staleVersion(trx, {
        entity: "camera",
        id,
        version: before.version,
        given: patch.version,
        zh: `监控点位“${before.name}”`,
        en: `camera "${before.name}"`,
      });
    }
    if (!editsAll(p) && (before.status !== "planned" || (patch.status ?? "planned") !== "planned")) throw notYours();
    const type = (patch.type ?? before.type) as CameraType;
    const defaults = CAMERA_TYPE_DEFAULTS[type];
    const defaulted = new Set(before.defaulted);
    const next: Record<ViewField, number> = {
      bearing_deg: before.bearing_deg,
      view_width_deg: before.view_width_deg,
      range_m: before.range_m,
      mount_height_m: before.mount_height_m,
    };
    if (type !== before.type) {
      for (const f of VIEW_FIELDS) if (defaulted.has(f)) next[f] = defaults[f];
      if (FULL_SWEEP_TYPES.has(before.type) && !FULL_SWEEP_TYPES.has(type)) {
        next.view_width_deg = defaults.view_width_deg;
        defaulted.add("view_width_deg");
      }
    }
    for (const f of VIEW_FIELDS) {
      const v = patch[f];
      if (v === undefined) continue;
      next[f] = v ?? defaults[f];
      if (v === null) defaulted.add(f);
      else defaulted.delete(f);
    }
    fullSweep(type, patch.view_width_deg);
    if (FULL_SWEEP_TYPES.has(type)) {
      next.view_width_deg = 360;
      defaulted.delete("view_width_deg");
    }
    const parcel = patch.geometry
      ? await parcelAt(trx, patch.geometry)
      : { id: before.parcel_id, community_code: before.community_code };
    if (!editsAll(p) && !p.communities.includes(parcel.community_code ?? "")) throw notYours();

    const after = {
      name: patch.name ?? before.name,
      type,
      status: patch.status ?? before.status,
      site: patch.site ?? before.site,
      ...next,
      defaulted: VIEW_FIELDS.filter((f) => defaulted.has(f)),
      community_code: parcel.community_code,
      parcel_id: parcel.id,
    };
    const changed: Record<string, { before: unknown; after: unknown }> = {};
    for (const [k, v] of Object.entries(after)) {
      const was = before[k as keyof typeof before];
      if (JSON.stringify(was) !== JSON.stringify(v)) changed[k] = { before: was, after: v };
    }
    if (
      patch.geometry &&
      JSON.stringify(patch.geometry.coordinates) !== JSON.stringify((before.geometry as Point).coordinates)
    ) {
      changed.geometry = { before: before.geometry, after: patch.geometry };
    }
    if (Object.keys(changed).length) {
      await trx
        .updateTable("camera")
        .set({ ...after, ...(patch.geometry ? { geom: fromGeoJson(patch.geometry).$castTo<string>() } : {}) })
        .where("id", "=", id)
        .execute();
      await audit(trx, {
        actor: actor.username,
        action: "camera_update",
        entity: "camera",
        entityId: id,
        communityCode: parcel.community_code ?? before.community_code,
        diff: changed,
        ip: actor.ip,
      });
    }
    return result(
      trx,
      p,
      id,
      before.view,
      [before.parcel_id, parcel.id].filter((x): x is number => x !== null),
    );
  });
}

/** Removes a planned camera (a camera that exists is set offline instead); returns the coverage it leaves. */
export function deleteCamera(db: Db, p: Principal, actor: Actor, id: number, version: number | undefined) {
  return inCoverageTransaction(db, async (trx) => {
    const before = await lockCamera(trx, p, id);
    if (before.status !== "planned") {
      throw new DomainError(
        "conflict",
        "not_planned",
        "只能删除计划点位；已建点位请改为离线",
        "only planned cameras can be deleted; set a built camera offline instead",
      );
    }
    if (version === undefined) throw versionRequired({ zh: "监控点位", en: "a camera" });
    if (version !== before.version) {
      throw await staleVersion(trx, {
        entity: "camera",
        id,
        version: before.version,
        given: version,
        zh: `监控点位“${before.name}”`,
        en: `camera "${before.name}"`,
      });
    }
    await trx.deleteFrom("camera").where("id", "=", id).execute();
    await audit(trx, {
      actor: actor.username,
      action: "camera_delete",
      entity: "camera",
      entityId: id,
      communityCode: before.community_code,
      diff: { before: { ...before, view: undefined } },
      ip: actor.ip,
    });
    await refreshViews(trx);
    const grids = await gridsNear(
      trx,
      before.view ? [before.view] : [],
      [],
      before.parcel_id === null ? [] : [before.parcel_id],
    );
    return { id, grids: await coverageIn(trx, p, grids) };
  });
}
