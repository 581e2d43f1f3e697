import { createRoute, z } from "@hono/zod-openapi";
import { sql } from "kysely";
import { requireRole } from "../../auth/principal.ts";
import { visitShown } from "../../auth/privacy.ts";
import { principalOf } from "../../auth/session.ts";
import { AUDIT_ENTITIES } from "../../db/audit-vocabulary.ts";
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
    entity_name: z.string().nullable().openapi({
      description:
        "What a person calls the object: a camera's or plan's name, a hazard's title, an account's display name",
    }),
    actor_name: z.string().nullable().openapi({ description: "The acting account's display name, when it has one" }),
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
      entity: z.enum(AUDIT_ENTITIES).optional(),
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
    .select([entityName.as("entity_name"), actorName.as("actor_name")])
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

/**
 * The name of the object an entry is about, read now (a renamed camera shows its new name); for an object since
 * deleted, the name the entry itself recorded. Ids that are not numbers (venue categories, subdistricts) are
 * compared as text, so a malformed id never fails the page.
 */
const entityName = sql<string | null>`case audit_event.entity
    when 'account' then (select a.display_name from account a where a.id::text = audit_event.entity_id)
    when 'plan' then (select p.name from plan p where p.id::text = audit_event.entity_id)
    when 'camera' then coalesce((select m.name from camera m where m.id::text = audit_event.entity_id),
      audit_event.diff->'before'->>'name', audit_event.diff->'after'->>'name')
    when 'hazard' then (select h.title from hazard h where h.id::text = audit_event.entity_id)
    when 'worker' then (select w.name from worker w where w.id::text = audit_event.entity_id)
    when 'inspection' then (select v.name || ' ' || i.inspected_on::text from inspection i
      join venue v on v.id = i.venue_id where i.id::text = audit_event.entity_id)
    when 'visit' then (select b.name || ' ' || vi.visited_on::text from visit vi
      left join building b on b.id = vi.building_id where vi.id::text = audit_event.entity_id)
    when 'venue_category' then (select vc.name_zh from venue_category vc where vc.code = audit_event.entity_id)
    when 'subdistrict' then (select s.name from subdistrict s where s.code = audit_event.entity_id)
  end`;

const actorName = sql<string | null>`(select a.display_name from account a where a.username = audit_event.actor)`;
