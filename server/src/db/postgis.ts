import type { Feature, FeatureCollection, Geometry } from "geojson";
import { type RawBuilder, sql } from "kysely";

/** [west, south, east, north] in degrees (EPSG:4326), as MapLibre's getBounds() gives it. */
export type BBox = [west: number, south: number, east: number, north: number];

/** Where to look: every point and building read can be narrowed by a box, a community or a grid. */
export type PlaceFilter = { bbox?: BBox | undefined; community?: string | undefined; grid?: string | undefined };

/** A geometry column as GeoJSON; 7 decimals of a degree is about a centimetre. */
export function asGeoJson(column: string, decimals = 7): RawBuilder<Geometry> {
  return sql<Geometry>`ST_AsGeoJSON(${sql.ref(column)}, ${sql.lit(decimals)})::json`;
}

/** A GeoJSON geometry as a bound parameter, in EPSG:4326. */
export function fromGeoJson(geometry: Geometry): RawBuilder<unknown> {
  return sql`ST_SetSRID(ST_GeomFromGeoJSON(${JSON.stringify(geometry)}), 4326)`;
}

export function envelope([w, s, e, n]: BBox): RawBuilder<unknown> {
  return sql`ST_MakeEnvelope(${w}, ${s}, ${e}, ${n}, 4326)`;
}

/** [west, south, east, north] of a geometry column. */
export function bboxOf(column: string): RawBuilder<BBox> {
  return sql<BBox>`array[ST_XMin(${sql.ref(column)}), ST_YMin(${sql.ref(column)}), ST_XMax(${sql.ref(column)}), ST_YMax(${sql.ref(column)})]`;
}

/**
 * The SQL condition for a place filter on a table with a geometry column and a parcel_id column.
 * The grid is looked up in the published plan, so points follow the plan in force.
 */
export function placeCondition(
  f: PlaceFilter,
  cols: { geom: string; parcelId: string; community: string },
): RawBuilder<boolean> {
  const parts: RawBuilder<unknown>[] = [];
  if (f.bbox) parts.push(sql`${sql.ref(cols.geom)} && ${envelope(f.bbox)}`);
  if (f.community) parts.push(sql`${sql.ref(cols.community)} = ${f.community}`);
  if (f.grid) {
    parts.push(sql`${sql.ref(cols.parcelId)} in (select parcel_id from published_parcel where grid_code = ${f.grid})`);
  }
  return parts.length ? sql<boolean>`(${sql.join(parts, sql` and `)})` : sql<boolean>`true`;
}

type Row = { geometry: Geometry } & Record<string, unknown>;

/** Rows with a `geometry` column become Features whose properties are the other columns. */
export function toFeatureCollection<R extends Row>(
  rows: R[],
  idKey?: keyof R,
): FeatureCollection<Geometry, Omit<R, "geometry">> {
  return {
    type: "FeatureCollection",
    features: rows.map(({ geometry, ...properties }): Feature<Geometry, Omit<R, "geometry">> => {
      const id = idKey === undefined ? undefined : (properties as Record<string, unknown>)[idKey as string];
      return {
        type: "Feature",
        ...(typeof id === "number" || typeof id === "string" ? { id } : {}),
        geometry,
        properties: properties as Omit<R, "geometry">,
      };
    }),
  };
}
