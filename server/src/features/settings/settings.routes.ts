import { createRoute, z } from "@hono/zod-openapi";
import { requireRole } from "../../auth/principal.ts";
import { actorOf, principalOf } from "../../auth/session.ts";
import { audit, staleVersion, versionRequired } from "../../db/audit.ts";
import { forgetBaseMap, readBaseMap } from "../../db/base-map.ts";
import { bi } from "../../http/errors.ts";
import { createRouter } from "../../http/router.ts";
import { routesFor } from "../../http/routes.ts";
import { editedVersion, errorJson, errorResponses, json } from "../../http/schemas.ts";

const BaseMapSetting = z.object({ raster_url: z.string().nullable(), attribution: z.string(), version: z.number() });

/**
 * A raster tile URL template: http(s), with the {z}, {x} and {y} (or {-y}) MapLibre fills in. The key of a
 * service such as 天地图 is part of the URL, as the service asks.
 */
const rasterUrl = z
  .string()
  .trim()
  .max(1000, bi("瓦片地址最多 1000 个字符", "the tile URL is at most 1000 characters"))
  .refine((s) => /^https?:\/\/[^/?#{}]+/i.test(s), {
    message: bi(
      "瓦片地址应以 http:// 或 https:// 加主机名开头",
      "the tile URL must start with http:// or https:// and a host",
    ),
  })
  .refine((s) => s.includes("{z}") && s.includes("{x}") && (s.includes("{y}") || s.includes("{-y}")), {
    message: bi("瓦片地址应含有 {z}、{x} 和 {y}（或 {-y}）", "the tile URL must contain {z}, {x} and {y} (or {-y})"),
  });

const PutBaseMap = z
  .object({
    /** null switches the raster base map off: the offline map alone, as by default. */
    raster_url: rasterUrl.nullable(),
    attribution: z
      .string()
      .trim()
      .max(200, bi("署名最多 200 个字符", "the attribution is at most 200 characters"))
      .default(""),
    version: editedVersion.optional(),
  })
  .strict();

const route = routesFor(["settings"], errorResponses);
const routes = {
  get: createRoute({
    method: "get",
    path: "/settings/base-map",
    tags: ["settings"],
    summary:
      "The optional raster base map (tile URL template and attribution); null when only the offline map is drawn",
    responses: { 200: json(BaseMapSetting, "The setting") },
  }),
  put: route("put /settings/base-map", {
    summary: "Sets or clears the raster base map (admins); the page's CSP then allows that tile origin only",
    request: { body: { content: { "application/json": { schema: PutBaseMap } }, required: true } },
    responses: {
      200: json(BaseMapSetting, "The new setting"),
      409: errorJson("Another admin changed the setting since the version sent (version_conflict)"),
      428: errorJson("A change sent without the version it was made against (version_required)"),
    },
  }),
};

export const settingsRoutes = createRouter()
  .openapi(routes.get, async (c) => c.json(await readBaseMap(c.get("db")), 200))
  .openapi(routes.put, async (c) => {
    requireRole(principalOf(c), "admin");
    const input = c.req.valid("json");
    const actor = actorOf(c);
    const db = c.get("db");
    await db.transaction().execute(async (trx) => {
      // Read in the transaction, locked: the setting's cached copy (db/base-map.ts) may be seconds old.
      const before = await trx
        .selectFrom("base_map_setting")
        .select(["raster_url", "attribution", "version"])
        .forUpdate()
        .executeTakeFirstOrThrow();
      if (input.version === undefined) throw versionRequired({ zh: "底图设置", en: "the base map setting" });
      if (input.version !== before.version) {
        throw await staleVersion(trx, {
          entity: "base_map_setting",
          id: "base_map",
          version: before.version,
          given: input.version,
          zh: "底图设置",
          en: "The base map setting",
        });
      }
      await trx
        .updateTable("base_map_setting")
        .set({
          raster_url: input.raster_url,
          attribution: input.attribution,
          updated_by: actor.username,
          updated_at: new Date(),
        })
        .execute();
      // The key in a tile URL is a credential of the office's: the audit trail records that it changed, not it.
      await audit(trx, {
        actor: actor.username,
        action: "base_map_update",
        entity: "base_map_setting",
        entityId: "base_map",
        diff: {
          raster: { before: before.raster_url !== null, after: input.raster_url !== null },
          attribution: { before: before.attribution, after: input.attribution },
        },
        ip: actor.ip,
      });
    });
    forgetBaseMap();
    return c.json(await readBaseMap(db), 200);
  });
