import { z } from "zod";

/**
 * Ids arrive as strings or numbers (database ids); the engine keys everything by string. Messages of the schemas
 * here are "English|中文": the engine splits them for the two languages of its reports.
 */
const idSchema = z
  .union([z.string().min(1), z.number().int()], {
    error: "is required: a non-empty string or a number|缺少编号（非空字符串或数字）",
  })
  .transform(String);
const optionalIdSchema = z
  .union([z.string(), z.number().int()])
  .nullish()
  .transform((v) => (v === null || v === undefined || v === "" ? null : String(v)));

/** GeoJSON (Multi)Polygon in EPSG:4326, lngLat order. */
export type UnitGeometry =
  | { type: "Polygon"; coordinates: number[][][] }
  | { type: "MultiPolygon"; coordinates: number[][][][] };

/** Arrays nested `depth` deep ending in positions of at least two numbers (NaN is refused later, with its id). */
function isNested(value: unknown, depth: number): boolean {
  if (!Array.isArray(value)) return false;
  if (depth === 0) return value.length >= 2 && typeof value[0] === "number" && typeof value[1] === "number";
  for (const item of value) if (!isNested(item, depth - 1)) return false;
  return value.length > 0;
}

/**
 * The shape of a (Multi)Polygon, checked by hand: parcels carry hundreds of thousands of coordinates, which a
 * schema per number makes slow. Validity (closed rings, finite numbers, no self-intersection) is checked later.
 */
export const unitGeometrySchema = z.custom<UnitGeometry>(
  (g) => {
    const v = g as { type?: unknown; coordinates?: unknown } | null;
    if (!v || typeof v !== "object") return false;
    if (v.type === "Polygon") return isNested(v.coordinates, 2);
    if (v.type === "MultiPolygon") return isNested(v.coordinates, 3);
    return false;
  },
  { message: "must be a GeoJSON Polygon or MultiPolygon|须为 GeoJSON 多边形或多多边形" },
);

/** The household band of a grid, inclusive at both ends. */
export const bandSchema = z
  .object({ min: z.number().int().min(0), max: z.number().int().min(0) })
  .refine((b) => b.min <= b.max, { message: "min must not exceed max / 下限不能大于上限" });
export type Band = z.infer<typeof bandSchema>;

/** The local standard: 200 to 300 households per grid. */
export const defaultBand: Band = Object.freeze({ min: 200, max: 300 });

/** The properties a unit (a parcel, or any polygon a CLI user brings) carries. */
export const unitPropertiesSchema = z.object({
  id: idSchema,
  households: z
    .number({ error: "must be a number|须为数字" })
    .int({ error: "must be a whole number|须为整数" })
    .min(0, { error: "must not be negative|不能为负" }),
  building: optionalIdSchema,
  compound: optionalIdSchema,
  community: optionalIdSchema,
  /** The grid the unit is in now: the start of repair mode and what "households moved" is counted against. */
  grid: optionalIdSchema,
  /** A locked unit keeps its current grid. */
  locked: z
    .boolean({ error: "must be true or false|须为 true 或 false" })
    .nullish()
    .transform((v) => v ?? false),
  /** The road-network face the unit lies in: boundaries between blocks follow roads or water. */
  block: optionalIdSchema,
});

/**
 * A unit as the engine takes it. The geometry is required unless the input brings `edges`; then it only gives
 * perimeters, areas and centroids, which `outer_m` and `area_m2` can give instead.
 */
export const rebalanceUnitSchema = unitPropertiesSchema.extend({
  geometry: unitGeometrySchema.optional(),
  /** Boundary length on the community's outline (shared with no unit of the community), when edges are given. */
  outer_m: z.number().min(0).optional(),
  area_m2: z.number().min(0).optional(),
});
export type RebalanceUnit = z.input<typeof rebalanceUnitSchema>;
export type ParsedUnit = z.output<typeof rebalanceUnitSchema>;

export const rebalanceModeSchema = z.enum(["full", "repair"]);
export type RebalanceMode = z.infer<typeof rebalanceModeSchema>;

/**
 * What the engine takes: the CLI builds it from units.geojson and flags, the editor's route from the database.
 * `grids` is one number when the units hold one community, or a number per community code.
 * To rebalance a selection of grids, lock all the others (`locked_grids`).
 */
export const rebalanceInputSchema = z.object({
  units: z.array(rebalanceUnitSchema),
  band: bandSchema.default(defaultBand),
  bands: z.record(z.string(), bandSchema).default({}),
  grids: z.union([z.number().int().min(1), z.record(z.string(), z.number().int().min(1))]).optional(),
  mode: rebalanceModeSchema.default("full"),
  seed: z.number().int().default(1),
  /**
   * Which grids may exceed the maximum (issue 19): `split_buildings`, only a grid one parcel (one entrance) too big
   * for any grid forces; `keep_buildings`, also one holding a whole building too big for a grid. Any other grid
   * above the maximum gives up units, even at the price of a grid below the band.
   */
  over_full: z.enum(["split_buildings", "keep_buildings"]).default("split_buildings"),
  locked_grids: z.array(idSchema).default([]),
  /** What people call the compounds, by id, for the explanations ("小区 金色新城", not "小区 32"). */
  compound_names: z.record(z.string(), z.string()).default({}),
  /** How far apart (metres) two boundaries may lie and still count as shared: room for imprecise digitising. */
  tolerance_m: z.number().min(0).max(10).default(0.1),
  /**
   * The adjacency, when the caller has it (the database's parcel_edge): pairs of unit ids sharing a boundary of
   * `length_m` metres, `on_road` when it follows a road or water. Given, it replaces the adjacency the engine
   * would compute from the geometries, which then become optional.
   */
  edges: z
    .array(
      z.object({
        a: idSchema,
        b: idSchema,
        length_m: z.number().positive({ error: "must be positive|须为正数" }),
        on_road: z.boolean().optional(),
      }),
    )
    .optional(),
});
export type RebalanceInput = z.input<typeof rebalanceInputSchema>;
export type ParsedRebalanceInput = z.output<typeof rebalanceInputSchema>;

/** units.geojson as the CLI reads it: properties are validated per feature so every offending id can be named. */
export const unitsFeatureCollectionSchema = z.object({
  type: z.literal("FeatureCollection"),
  features: z.array(
    z.object({
      type: z.literal("Feature"),
      id: z.union([z.string(), z.number()]).optional(),
      properties: z.record(z.string(), z.unknown()).nullable(),
      geometry: z.unknown(),
    }),
  ),
});
