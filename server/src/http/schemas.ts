import { z } from "@hono/zod-openapi";
import type { Geometry } from "geojson";
import type { BBox, PlaceFilter } from "../db/postgis.ts";
import { bi } from "./errors.ts";

export const ErrorSchema = z
  .object({
    error: z.object({
      code: z.string(),
      message: z.string(),
      zh: z.string(),
      en: z.string(),
      field: z.string().optional(),
      details: z.unknown().optional(),
    }),
  })
  .openapi("Error");

/** An OpenAPI response whose body is JSON of `schema`. */
export const json = <T extends z.ZodTypeAny>(schema: T, description: string) => ({
  description,
  content: { "application/json": { schema } },
});

/** `a,b,c` in a query string, each item checked by `item` (`what` names it in the error); empty items are ignored. */
export function commaList<T extends string>(item: z.ZodType<T>, what: string) {
  return z
    .string()
    .max(1000)
    .transform((s, ctx): T[] => {
      const out: T[] = [];
      for (const raw of s.split(",")) {
        const part = raw.trim();
        if (!part) continue;
        const r = item.safeParse(part);
        if (!r.success) {
          ctx.addIssue({
            code: "custom",
            message: bi(`${what}“${part.slice(0, 40)}”无效`, `unknown ${what} "${part.slice(0, 40)}"`),
          });
          return z.NEVER;
        }
        out.push(r.data);
      }
      return [...new Set(out)];
    })
    .openapi({ type: "string", description: "One or more, comma-separated" });
}

/** An error answer in the OpenAPI document: JSON of `ErrorSchema`, with what it means on this route. */
export const errorJson = (description: string) => json(ErrorSchema, description);

/** A required JSON request body of `schema`, for `createRoute`'s `request`. */
export const jsonBody = <T extends z.ZodTypeAny>(schema: T) => ({
  body: { content: { "application/json": { schema } }, required: true },
});

type ErrorStatus = 400 | 401 | 403 | 404 | 409 | 413 | 415 | 422 | 428;

/**
 * The error answers of a feature's routes: 400 (bad input) and 401 (not signed in), which every route behind
 * the session can give, and the feature's own statuses with what each means there (which may restate 400 or 401).
 */
export function errorsOf<const S extends Partial<Record<ErrorStatus, string>>>(
  own: S,
): Record<400 | 401 | (keyof S & ErrorStatus), ReturnType<typeof errorJson>> {
  const described: Partial<Record<ErrorStatus, string>> = { 400: "Bad input", 401: "Not signed in", ...own };
  return Object.fromEntries(Object.entries(described).map(([status, d]) => [status, errorJson(d ?? "")])) as Record<
    400 | 401 | (keyof S & ErrorStatus),
    ReturnType<typeof errorJson>
  >;
}

export const errorResponses = {
  400: { description: "Bad input / 输入有误", content: { "application/json": { schema: ErrorSchema } } },
  404: { description: "Not found / 未找到", content: { "application/json": { schema: ErrorSchema } } },
} as const;

export const communityCode = z
  .string()
  .regex(/^\d{12}$/, bi("社区编码应为12位数字", "a community code is 12 digits"))
  .openapi({ example: "150571003001" });

export const gridCode = z
  .string()
  .regex(/^\d{15}$/, bi("网格编码应为15位数字（社区编码+3位序号）", "a grid code is 15 digits (community code + 3)"))
  .openapi({ example: "150571003001001" });

/** `bbox=west,south,east,north` in degrees (EPSG:4326), as MapLibre's getBounds() gives it. */
export const bbox = z
  .string()
  .max(200)
  .transform((s, ctx): BBox => {
    const parts = s.split(",").map((p) => Number(p.trim()));
    const [w, so, e, n] = parts as BBox;
    const ok =
      parts.length === 4 &&
      parts.every(Number.isFinite) &&
      w >= -180 &&
      e <= 180 &&
      so >= -90 &&
      n <= 90 &&
      w < e &&
      so < n;
    if (!ok) {
      ctx.addIssue({
        code: "custom",
        message: bi(
          "应为“西,南,东,北”四个经纬度数字，且西<东、南<北",
          "expected four numbers west,south,east,north in degrees with west<east and south<north",
        ),
      });
      return z.NEVER;
    }
    return [w, so, e, n];
  })
  .openapi({ type: "string", example: "122.20,43.58,122.30,43.62" });

/** Where to look: every point and building read can be narrowed by a box, a community or a grid. */
export const placeFilter = z.object({
  bbox: bbox.optional(),
  community: communityCode.optional(),
  grid: gridCode.optional(),
}) satisfies z.ZodType<PlaceFilter>;

/** GeoJSON geometry in EPSG:4326; described to OpenAPI as an object, typed as GeoJSON for the client. */
export const geometry = z
  .custom<Geometry>((v) => typeof v === "object" && v !== null && "type" in v)
  .openapi("Geometry", { type: "object", description: "GeoJSON geometry, EPSG:4326" });

/** A position as GeoJSON orders it, [longitude, latitude] in degrees (EPSG:4326), finite and in range. */
export const lngLat = z
  .tuple([z.number(), z.number()])
  .refine(([x, y]) => Number.isFinite(x) && Number.isFinite(y) && Math.abs(x) <= 180 && Math.abs(y) <= 90, {
    message: bi("坐标应为有限的经纬度 [经度, 纬度]", "coordinates must be a finite [longitude, latitude]"),
  });

/** A GeoJSON Point in EPSG:4326; whether it lies in the subdistrict is the database's call. */
export const point = z
  .object({ type: z.literal("Point"), coordinates: lngLat })
  .strict()
  .openapi({ type: "object", description: "GeoJSON Point, EPSG:4326, [longitude, latitude]" });

export const featureCollection = <P extends z.ZodTypeAny>(props: P, name: string) =>
  z
    .object({
      type: z.literal("FeatureCollection"),
      features: z.array(
        z.object({
          type: z.literal("Feature"),
          id: z.union([z.number(), z.string()]).optional(),
          geometry,
          properties: props,
        }),
      ),
    })
    .openapi(name);

/** An OpenAPI response whose body is a GeoJSON FeatureCollection of features with `props`. */
export const geoJson = <P extends z.ZodTypeAny>(props: P, name: string) =>
  json(featureCollection(props, name), "GeoJSON FeatureCollection");

/**
 * A calendar day YYYY-MM-DD that exists (no 2026-02-30), years 2000–2099: the one rule for every date of the API
 * (visits, workers' start and end, inspections, filters, "as of"). Days are the subdistrict's local days.
 */
export const day = z
  .string()
  .trim()
  .regex(/^\d{4}-\d{2}-\d{2}$/, bi("日期格式应为 YYYY-MM-DD", "a date is YYYY-MM-DD"))
  .refine(
    (s) => {
      const d = new Date(`${s}T00:00:00Z`);
      return !Number.isNaN(d.getTime()) && d.toISOString().slice(0, 10) === s && s >= "2000-01-01" && s <= "2099-12-31";
    },
    { message: bi("不是有效日期（2000–2099 年）", "not a real date (years 2000–2099)") },
  )
  .openapi({ type: "string", format: "date", example: "2026-11-20" });

/**
 * The version of a row the client read before editing it (cameras, workers). With it, an edit made after someone
 * else changed the row is refused with 409 instead of overwriting their change; the web app always sends it.
 */
export const editedVersion = z
  .number()
  .int(bi("版本应为整数", "version is an integer"))
  .positive(bi("版本应为正整数", "version is a positive integer"))
  .max(2_000_000_000)
  .openapi({
    description: "The version the edit was made against: required (428 without it), 409 if the row changed since",
  });
