import { createRoute, z } from "@hono/zod-openapi";
import { sql } from "kysely";
import { requireRole } from "../../auth/principal.ts";
import { visitShown } from "../../auth/privacy.ts";
import { principalOf } from "../../auth/session.ts";
import { createRouter } from "../../http/router.ts";
import { communityCode, ErrorSchema, json } from "../../http/schemas.ts";

const AuditEvent = z
  .object({
    id: z.number(),
    at: z.union([z.string(), z.date()]),
    actor: z.string(),
    action: z.string(),
    entity: z.string(),
    entity_id: z.string().nullable(),
    community_code: z.string().nullable(),
    diff: z.unknown(),
    ip: z.string().nullable(),
  })
  .openapi("AuditEvent");

const word = z.string().max(80);
const route = createRoute({
  method: "get",
  path: "/audit",
  tags: ["audit"],
  summary: "Browse the audit trail, newest first (admins and leaders)",
  request: {
    query: z.object({
      actor: word.optional(),
      action: word.optional(),
      entity: word.optional(),
      entity_id: word.optional(),
      community: communityCode.optional(),
      from: z.iso.datetime({ offset: true }).optional(),
      to: z.iso.datetime({ offset: true }).optional(),
      before: z.coerce.number().int().positive().optional(),
      limit: z.coerce.number().int().min(1).max(500).default(100),
    }),
  },
  responses: {
    200: json(z.object({ events: z.array(AuditEvent) }), "Events"),
    400: { description: "Bad input", content: { "application/json": { schema: ErrorSchema } } },
    403: { description: "Not allowed", content: { "application/json": { schema: ErrorSchema } } },
  },
});

export const auditRoutes = createRouter().openapi(route, async (c) => {
  const p = principalOf(c);
  requireRole(p, "admin", "leader");
  const f = c.req.valid("query");
  // The entry of a visit at a small place is that visit one by one: withheld from whom may not see it so.
  const shown = visitShown(p, {
    worker: sql`(diff->>'worker_id')::int`,
    entrance: sql`(diff->>'entrance_id')::int`,
    building: sql`(diff->>'building_id')::int`,
  });
  let q = c
    .get("db")
    .selectFrom("audit_event")
    .select(["id", "at", "actor", "action", "entity", "entity_id", "community_code", "ip"])
    .select(
      sql<unknown>`case when entity = 'visit' and diff->>'worker_id' is not null and not ${shown}
        then jsonb_build_object('withheld', 'small_place') else diff end`.as("diff"),
    )
    .orderBy("id", "desc")
    .limit(f.limit);
  if (f.actor) q = q.where("actor", "=", f.actor);
  if (f.action) q = q.where("action", "=", f.action);
  if (f.entity) q = q.where("entity", "=", f.entity);
  if (f.entity_id) q = q.where("entity_id", "=", f.entity_id);
  if (f.community) q = q.where("community_code", "=", f.community);
  if (f.from) q = q.where("at", ">=", new Date(f.from));
  if (f.to) q = q.where("at", "<", new Date(f.to));
  if (f.before) q = q.where("id", "<", f.before);
  return c.json({ events: await q.execute() }, 200);
});
