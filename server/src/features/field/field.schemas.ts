import { z } from "@hono/zod-openapi";
import { featureCollection } from "../../http/schemas.ts";

/*
 * The field app's one read (GET /api/me/field): everything a worker needs to work offline in their own grids.
 * Shape agreed with the field app; refinements made here: `buildings` (each entrance's building as a point, so
 * "whole building" visits work offline) and `hazard_categories`/`venue_categories` carry both names; entrances
 * also carry `days_since_visit`; hazards carry `venue_id`. A worker's own moves on a hazard follow from
 * `assigned_to_me` and its status: assigned → in_progress, in_progress → resolved (the rest is the office's).
 */

const day = z.string().openapi({ type: "string", format: "date", example: "2026-11-20" });

export const FieldGridProps = z.object({
  code: z.string(),
  name: z.string(),
  community_code: z.string(),
  community_name: z.string(),
});

export const FieldEntranceProps = z.object({
  id: z.number(),
  building_id: z.number(),
  building_name: z.string(),
  number: z.number().openapi({ description: "The entrance's number in its building (单元号)" }),
  households: z.number(),
  grid_code: z.string(),
  last_visit_on: day.nullable().openapi({
    description:
      "The last visit by anyone to the entrance or its building; at a small place (fewer than 3 households) only the worker's own (docs/privacy.md)",
  }),
  days_since_visit: z.number().nullable().openapi({ description: "Days from last_visit_on to today (local day)" }),
});

export const FieldBuildingProps = z.object({
  id: z.number(),
  name: z.string(),
  grid_code: z.string().openapi({ description: "The grid of the building's first entrance" }),
  entrances: z.number(),
  households: z.number(),
  last_visit_on: day.nullable(),
});

export const FieldVenueProps = z.object({
  id: z.number(),
  name: z.string(),
  category: z.string(),
  grid_code: z.string(),
  due_on: day.nullable().openapi({ description: "When the next inspection is due (null: never inspected, due now)" }),
  last_inspected_on: day.nullable(),
  last_result: z.enum(["ok", "issues_found", "closed_down"]).nullable(),
});

export const FieldHazardProps = z.object({
  id: z.number(),
  title: z.string(),
  category: z.string(),
  severity: z.enum(["low", "medium", "high"]),
  status: z.enum(["reported", "assigned", "in_progress", "resolved", "verified"]),
  grid_code: z.string(),
  venue_id: z.number().nullable(),
  version: z.number().openapi({
    description: "Changes with every move; send `from: status` with a transition to be refused (409) when stale",
  }),
  assigned_to_me: z.boolean().openapi({ description: "Assigned or in progress in one of my grids: mine to remediate" }),
  reported_on: day,
});

const Category = z.object({ code: z.string(), name_zh: z.string(), name_en: z.string() });

export const FieldMe = z.object({
  worker_id: z.number(),
  name: z.string(),
  role: z.enum(["grid_leader", "grid_worker", "info_worker"]),
  grid_codes: z.array(z.string()),
});

export const FieldData = z
  .object({
    version: z.string().openapi({ description: "Opaque; send it back as ?since= (or If-None-Match: the ETag)" }),
    changed: z.literal(true).optional(),
    today: day.openapi({ description: "The subdistrict's local day the answer was made on" }),
    me: FieldMe,
    bbox: z
      .tuple([z.number(), z.number(), z.number(), z.number()])
      .openapi({ description: "[w, s, e, n] of my grids" }),
    grids: featureCollection(FieldGridProps, "FieldGrids"),
    buildings: featureCollection(FieldBuildingProps, "FieldBuildings"),
    entrances: featureCollection(FieldEntranceProps, "FieldEntrances"),
    venues: featureCollection(FieldVenueProps, "FieldVenues"),
    hazards: featureCollection(FieldHazardProps, "FieldHazards").openapi({
      description: "Open hazards of my grids, and those resolved in the last 30 days",
    }),
    hazard_categories: z.array(Category),
    venue_categories: z.array(Category.extend({ inspection_interval_days: z.number() })),
  })
  .openapi("FieldData");

export const FieldUnchanged = z
  .object({ version: z.string(), changed: z.literal(false) })
  .openapi("FieldUnchanged", { description: "Nothing the phone holds has changed since ?since=" });

export const FieldQuery = z.object({
  since: z
    .string()
    .max(200)
    .optional()
    .openapi({ description: "The version the phone holds: answered `{ version, changed: false }` when still current" }),
});
