import { z } from "@hono/zod-openapi";
import { geometry } from "../../http/schemas.ts";

const ClassFigures = z.object({
  length_m: z.number(),
  covered_m: z.number(),
  covered_share: z.number().nullable(),
});
const KindFigures = z.object({ total: z.number(), covered: z.number() });

/** Coverage of a grid or a community under one scenario; shares are 0–1, null when there is nothing to cover. */
export const Figures = z.object({
  road_length_m: z.number(),
  road_covered_m: z.number(),
  road_covered_share: z.number().nullable(),
  by_class: z.object({ arterial: ClassFigures, secondary: ClassFigures, local: ClassFigures }),
  key_places: z.number(),
  key_places_covered: z.number(),
  key_places_covered_share: z.number().nullable(),
  key_places_by_kind: z.object({
    intersection: KindFigures,
    gate: KindFigures,
    school_gate: KindFigures,
    venue: KindFigures,
  }),
  cameras: z.object({ online: z.number(), offline: z.number(), planned: z.number() }),
});

export const GridCoverage = Figures.extend({ code: z.string(), name: z.string(), community_code: z.string() }).openapi(
  "GridCoverage",
);

export const CommunityCoverage = Figures.extend({ code: z.string(), name: z.string() }).openapi("CommunityCoverage");

/** A grid's coverage today and with the planned cameras, as a camera change returns it. */
export const GridCoverageBoth = z
  .object({ code: z.string(), name: z.string(), community_code: z.string(), current: Figures, planned: Figures })
  .openapi("GridCoverageBoth");

export const Suggestion = z
  .object({
    community: z.string(),
    scenario: z.enum(["current", "planned"]),
    sites: z.array(
      z.object({
        rank: z.number(),
        site: z.enum(["intersection", "gate", "school_gate", "road"]),
        geometry,
        type: z.string(),
        bearing_deg: z.number(),
        view_width_deg: z.number(),
        range_m: z.number(),
        view: geometry,
        gain: z.number(),
        road_added_m: z.object({ arterial: z.number(), secondary: z.number(), local: z.number() }),
        key_places_added: z.number(),
      }),
    ),
    gain: z.number(),
    before: z.object({ road_covered_share: z.number().nullable(), key_places_covered_share: z.number().nullable() }),
    after: z.object({ road_covered_share: z.number().nullable(), key_places_covered_share: z.number().nullable() }),
    search: z.object({ candidates: z.number(), greedy_gain: z.number(), gain: z.number(), swaps: z.number() }),
  })
  .openapi("CoverageSuggestion");
