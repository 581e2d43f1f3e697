import { createHash } from "node:crypto";
import { sql } from "kysely";
import { forbidden, type Principal, recordsAt, scopeCondition } from "../../auth/principal.ts";
import { type Actor, audit } from "../../db/audit.ts";
import type { Db } from "../../db/db.ts";
import { DomainError, notFound } from "../../errors.ts";
import { MAX_PHOTOS, type PhotoType } from "./photos.schemas.ts";

export const photoUrl = (id: number) => `/api/photos/${id}`;

type Place = { community_code: string | null; grid_code: string | null };

const tooMany = (what: { zh: string; en: string }) =>
  new DomainError(
    "precondition",
    "too_many_photos",
    `${what.zh}最多 ${MAX_PHOTOS} 张照片`,
    `at most ${MAX_PHOTOS} photos per ${what.en}`,
    "body",
    { max: MAX_PHOTOS },
  );

type Target = { kind: "hazard"; id: number; transitionId?: number | undefined } | { kind: "inspection"; id: number };

/**
 * Stores a checked photo of a hazard (its report, or one of its moves) or of an inspection. The parent row is
 * locked while the photos are counted, so two uploads at once cannot make a fourth.
 */
export async function addPhoto(db: Db, p: Principal, actor: Actor, target: Target, type: PhotoType, data: Uint8Array) {
  return db.transaction().execute(async (trx) => {
    let place: Place & { id: number };
    let what: { zh: string; en: string };
    if (target.kind === "hazard") {
      const row = await trx
        .selectFrom("hazard as h")
        .leftJoin("published_parcel as pp", "pp.parcel_id", "h.parcel_id")
        .select(["h.id", "h.community_code", "pp.grid_code"])
        .where("h.id", "=", target.id)
        .where(scopeCondition(p, { community: "h.community_code", parcelId: "h.parcel_id" }))
        .forUpdate("h")
        .executeTakeFirst();
      if (!row) throw notFound(`没有编号为 ${target.id} 的隐患点`, `no hazard ${target.id}`);
      place = row;
      what = { zh: "每次上报", en: "hazard report" };
      if (target.transitionId !== undefined) {
        const t = await trx
          .selectFrom("hazard_transition")
          .select("id")
          .where("id", "=", target.transitionId)
          .where("hazard_id", "=", target.id)
          .executeTakeFirst();
        if (!t) {
          throw notFound(
            `隐患点 ${target.id} 没有编号为 ${target.transitionId} 的处置记录`,
            `hazard ${target.id} has no move ${target.transitionId}`,
          );
        }
        what = { zh: "每条处置记录", en: "move of a hazard" };
      }
    } else {
      const row = await trx
        .selectFrom("inspection as i")
        .innerJoin("venue as v", "v.id", "i.venue_id")
        .leftJoin("published_parcel as pp", "pp.parcel_id", "v.parcel_id")
        .select(["i.id", "v.community_code", "pp.grid_code"])
        .where("i.id", "=", target.id)
        .where(scopeCondition(p, { community: "v.community_code", parcelId: "v.parcel_id" }))
        .forUpdate("i")
        .executeTakeFirst();
      if (!row) throw notFound(`没有编号为 ${target.id} 的巡查记录`, `no inspection ${target.id}`);
      place = row;
      what = { zh: "每次巡查", en: "inspection" };
    }
    // Adding a photo is recording at the place.
    if (!recordsAt(p, place)) throw forbidden();

    const transitionId = target.kind === "hazard" ? (target.transitionId ?? null) : null;
    const count = await trx
      .selectFrom("photo")
      .select((eb) => eb.fn.countAll<number>().as("n"))
      .$call((q) =>
        target.kind === "hazard"
          ? q
              .where("hazard_id", "=", target.id)
              .where(sql<boolean>`hazard_transition_id is not distinct from ${transitionId}::integer`)
          : q.where("inspection_id", "=", target.id),
      )
      .executeTakeFirstOrThrow();
    if (count.n >= MAX_PHOTOS) throw tooMany(what);

    const sha256 = createHash("sha256").update(data).digest("hex");
    const { id } = await trx
      .insertInto("photo")
      .values({
        hazard_id: target.kind === "hazard" ? target.id : null,
        hazard_transition_id: transitionId,
        inspection_id: target.kind === "inspection" ? target.id : null,
        content_type: type,
        bytes: data.length,
        sha256,
        data: Buffer.from(data.buffer, data.byteOffset, data.byteLength),
        created_by: p.accountId,
      })
      .returning("id")
      .executeTakeFirstOrThrow();
    await audit(trx, {
      actor: actor.username,
      action: "photo_add",
      entity: target.kind,
      entityId: target.id,
      communityCode: place.community_code,
      diff: { photo_id: id, transition_id: transitionId, content_type: type, bytes: data.length, sha256 },
      ip: actor.ip,
    });
    return { id, url: photoUrl(id), content_type: type, bytes: data.length };
  });
}

/** A photo's bytes for a principal who may see its hazard or venue; 404 otherwise, as if it did not exist. */
export async function findPhoto(db: Db, p: Principal, id: number) {
  const row = await db
    .selectFrom("photo as ph")
    .select(["ph.id", "ph.content_type", "ph.sha256", "ph.data"])
    .where("ph.id", "=", id)
    .where((eb) =>
      eb.or([
        eb.exists(
          eb
            .selectFrom("hazard as h")
            .select("h.id")
            .whereRef("h.id", "=", "ph.hazard_id")
            .where(scopeCondition(p, { community: "h.community_code", parcelId: "h.parcel_id" })),
        ),
        eb.exists(
          eb
            .selectFrom("inspection as i")
            .innerJoin("venue as v", "v.id", "i.venue_id")
            .select("i.id")
            .whereRef("i.id", "=", "ph.inspection_id")
            .where(scopeCondition(p, { community: "v.community_code", parcelId: "v.parcel_id" })),
        ),
      ]),
    )
    .executeTakeFirst();
  if (!row) throw notFound(`没有编号为 ${id} 的照片`, `no photo ${id}`);
  return row;
}
