import type { Feature, FeatureCollection, Geometry } from "geojson";
import { type Expression, type RawBuilder, sql } from "kysely";
import type { Db } from "./db.ts";

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

/** Side of a cluster cell in screen pixels: big enough to keep the map legible, small enough to show the spread. */
function clusterCellPx(zoom: number): number {
  return zoom >= 18 ? 16 : zoom >= 16 ? 32 : 48;
}

/** Web Mercator metres per screen pixel at a MapLibre zoom (512 px tiles). */
const mercatorMetresPerPx = (zoom: number) => 40_075_016.685_578_49 / (512 * 2 ** zoom);

/**
 * Points gathered into square cells of the screen at `zoom`, one feature per cell, so the browser never receives
 * more points than fit on the screen; biggest cells first. `points` is a query of rows with an `id` and a point
 * `geom` (EPSG:4326); `columns` are the cell's own columns, computed over its members as `m.<column>`. Every cell
 * has its `count`, the `id` of its member when it has one only, the `bounds` of its members (to zoom to) and their
 * mean as its geometry.
 */
export async function screenClusters<C extends Record<string, unknown>>(
  db: Db,
  points: Expression<unknown>,
  columns: RawBuilder<C>,
  zoom: number,
) {
  const cell = clusterCellPx(zoom) * mercatorMetresPerPx(zoom);
  const rows = await sql<{ count: number; id: number | null } & C & { bounds: BBox; geometry: Geometry }>`
    with p as ${points},
    -- Web Mercator metres by formula: ST_Transform through PROJ costs ~25 µs a point, a third of a second at 10⁴.
    m as (select p.*, 6378137 * radians(ST_X(p.geom)) as mx,
            6378137 * ln(tan(radians(45 + ST_Y(p.geom) / 2))) as my from p)
    select count(*)::int as count,
      case when count(*) = 1 then min(m.id) end as id,
      ${columns},
      array[min(ST_X(m.geom)), min(ST_Y(m.geom)), max(ST_X(m.geom)), max(ST_Y(m.geom))] as bounds,
      ST_AsGeoJSON(ST_SetSRID(ST_MakePoint(avg(ST_X(m.geom)), avg(ST_Y(m.geom))), 4326), 7)::json as geometry
    from m
    group by floor(m.mx / ${cell}), floor(m.my / ${cell})
    order by count(*) desc, min(m.id)`.execute(db);
  return rows.rows.map(({ geometry, ...props }, i) => ({
    type: "Feature" as const,
    id: props.id ?? -(i + 1),
    geometry,
    properties: props,
  }));
}
