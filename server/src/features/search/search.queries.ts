import type { Geometry } from "geojson";
import { type RawBuilder, sql } from "kysely";
import { type Principal, scopeCondition } from "../../auth/principal.ts";
import type { Db } from "../../db/db.ts";
import type { BBox } from "../../db/postgis.ts";

/** The kinds of place the search box finds, in the order their groups are shown. */
export const SEARCH_KINDS = ["grid", "community", "compound", "building", "entrance", "venue"] as const;
export type SearchKind = (typeof SEARCH_KINDS)[number];

/** One place found: what to call it, where it lies (for the map to fly to and outline) and what holds it. */
export type SearchHit = {
  kind: SearchKind;
  /** The place's key in its table: a grid's code, a community's code, else the row id. */
  id: string;
  name: string;
  /** The community it lies in, and the compound for buildings and entrances (names, for telling "3号楼"s apart). */
  community_name: string | null;
  compound_name: string | null;
  /** A venue's address, an entrance's building. */
  note: string | null;
  bbox: BBox;
  geometry: Geometry;
};

/** Results per kind: enough to pick from, few enough to read. */
const PER_KIND = 6;

/** `%text%` for ILIKE, with the pattern characters of the text taken literally. */
const contains = (q: string) => `%${escapeLike(q)}%`;
const escapeLike = (q: string) => q.replace(/[\\%_]/g, (c) => `\\${c}`);

/**
 * How well `column` matches `q`, best first: the same text, then a prefix, then a substring; ties by trigram
 * similarity, then the shorter name. Used in ORDER BY, so exact names and numbers come first.
 */
function rank(column: string, q: string): RawBuilder<unknown> {
  const col = sql.ref(column);
  return sql`case when lower(${col}) = lower(${q}) then 0 when ${col} ilike ${`${escapeLike(q)}%`} then 1 else 2 end,
    similarity(${col}, ${q}) desc, length(${col})`;
}

/** "3号楼2单元", "3号楼 2 单元": a building's name and an entrance number, or null when the text names no entrance. */
export function entranceQuery(q: string): { building: string; seq: number } | null {
  const m = /^(.*?\S)\s*(\d{1,3})\s*单元$/.exec(q);
  return m ? { building: m[1]!, seq: Number(m[2]) } : null;
}

const geo = (column: string, tolerance = 0) =>
  tolerance
    ? sql<Geometry>`ST_AsGeoJSON(ST_SimplifyPreserveTopology(${sql.ref(column)}, ${tolerance}), 6)::json`
    : sql<Geometry>`ST_AsGeoJSON(${sql.ref(column)}, 7)::json`;
const box = (column: string) =>
  sql<BBox>`array[ST_XMin(${sql.ref(column)}), ST_YMin(${sql.ref(column)}), ST_XMax(${sql.ref(column)}), ST_YMax(${sql.ref(column)})]`;

/**
 * Places whose name, number, code or address contains `q`, of every kind, inside what the principal may read
 * (the same scope rules as the layers' own routes), best matches first within each kind. Grids are those of the
 * published plan, or of `opts.plan` (the editor's draft, whose grids may be renumbered, split or merged; their
 * outlines are the union of the parcels the plan gives them now). Words separated by spaces must all match a
 * building or its compound ("金色新城 3号楼").
 */
export async function searchPlaces(
  db: Db,
  p: Principal,
  q: string,
  opts: { plan?: number | undefined } = {},
): Promise<SearchHit[]> {
  const like = contains(q);
  const words = q.split(/\s+/).filter(Boolean);
  // A number alone may be a grid's sequence: "10" and "010" find …010 as well as codes containing the digits.
  const seq = /^\d{1,3}$/.test(q) ? q.padStart(3, "0") : null;
  const entrance = entranceQuery(q);

  const gridMatch = (g: string) => sql`(${sql.ref(`${g}.code`)} = ${q} or ${sql.ref(`${g}.name`)} ilike ${like}
    or (${seq}::text is not null and right(${sql.ref(`${g}.code`)}, 3) = ${seq})
    or (length(${q}) >= 4 and ${sql.ref(`${g}.code`)} like ${contains(q)}))`;
  const gridOrder = sql`(g.code = ${q}) desc, (right(g.code, 3) = ${seq ?? ""}) desc, ${rank("g.name", q)}, g.code`;
  const grids =
    opts.plan === undefined
      ? sql<SearchHit>`
    select 'grid' as kind, g.code as id, g.name, c.name as community_name, null as compound_name, g.code as note,
      ${box("g.geom")} as bbox, ${geo("g.geom", 0.00002)} as geometry
    from published_grid g join community c on c.code = g.community_code
    where g.geom is not null and ${scopeCondition(p, { community: "g.community_code", gridCode: "g.code" })}
      and ${gridMatch("g")}
    order by ${gridOrder}
    limit ${PER_KIND}`
      : sql<SearchHit>`
    with found as (
      select g.id, g.code, g.name, g.community_code from grid g
      where g.plan_id = ${opts.plan} and ${scopeCondition(p, { community: "g.community_code" })} and ${gridMatch("g")}
      order by ${gridOrder}
      limit ${PER_KIND}
    ),
    outlined as (
      select f.*, (select ST_Union(pa.geom) from plan_parcel pp join parcel pa on pa.id = pp.parcel_id
        where pp.plan_id = ${opts.plan} and pp.grid_id = f.id) as geom
      from found f
    )
    select 'grid' as kind, g.code as id, g.name, c.name as community_name, null as compound_name, g.code as note,
      ${box("g.geom")} as bbox, ${geo("g.geom", 0.00002)} as geometry
    from outlined g join community c on c.code = g.community_code
    where g.geom is not null
    order by ${gridOrder}`;

  const communities = sql<SearchHit>`
    select 'community' as kind, c.code as id, c.name, null as community_name, null as compound_name,
      c.name_en as note, ${box("c.geom")} as bbox, ${geo("c.geom", 0.00005)} as geometry
    from community c
    where ${scopeCondition(p, { community: "c.code" })}
      and (c.name ilike ${like} or c.name_en ilike ${like} or c.code = ${q})
    order by ${rank("c.name", q)}, c.code
    limit ${PER_KIND}`;

  const compounds = sql<SearchHit>`
    select 'compound' as kind, k.id::text as id, k.name, c.name as community_name, null as compound_name,
      null as note, ${box("k.geom")} as bbox, ${geo("k.geom")} as geometry
    from compound k join community c on c.code = k.community_code
    where ${scopeCondition(p, { community: "k.community_code" })} and k.name ilike ${like}
    order by ${rank("k.name", q)}, k.id
    limit ${PER_KIND}`;

  // Every word in the building's name or its compound's: "3号楼" alone finds the 3号楼 of every compound.
  const wordsMatch = sql.join(
    words.map((w) => sql`(b.name ilike ${contains(w)} or k.name ilike ${contains(w)})`),
    sql` and `,
  );
  const buildings = sql<SearchHit>`
    select 'building' as kind, b.id::text as id, b.name, c.name as community_name, k.name as compound_name,
      null as note, ${box("b.geom")} as bbox, ${geo("b.geom")} as geometry
    from building b join community c on c.code = b.community_code left join compound k on k.id = b.compound_id
    where ${scopeCondition(p, { community: "b.community_code", buildingId: "b.id" })}
      and (b.name ilike ${like} or (${words.length > 1} and ${wordsMatch}))
    order by ${rank("b.name", words.at(-1) ?? q)}, k.name nulls last, b.id
    limit ${PER_KIND}`;

  const entrances = entrance
    ? sql<SearchHit>`
    select 'entrance' as kind, e.id::text as id, b.name || ' ' || e.seq || '单元' as name, c.name as community_name,
      k.name as compound_name, b.name as note, ${box("e.geom")} as bbox, ${geo("e.geom")} as geometry
    from entrance e join building b on b.id = e.building_id join community c on c.code = b.community_code
      left join compound k on k.id = b.compound_id
    where ${scopeCondition(p, { community: "b.community_code", buildingId: "b.id" })}
      and e.seq = ${entrance.seq}
      and (b.name ilike ${contains(entrance.building)}
        or (coalesce(k.name, '') || ' ' || b.name) ilike ${contains(entrance.building)}
        or (coalesce(k.name, '') || b.name) ilike ${contains(entrance.building.replace(/\s+/g, ""))})
    order by ${rank("b.name", entrance.building)}, k.name nulls last, e.id
    limit ${PER_KIND}`
    : null;

  const venues = sql<SearchHit>`
    select 'venue' as kind, v.id::text as id, v.name, c.name as community_name, null as compound_name,
      v.address as note, ${box("v.geom")} as bbox, ${geo("v.geom")} as geometry
    from venue v left join community c on c.code = v.community_code
    where ${scopeCondition(p, { community: "v.community_code", parcelId: "v.parcel_id" })}
      and (v.name ilike ${like} or v.address ilike ${like})
    order by least(
        case when lower(v.name) = lower(${q}) then 0 when v.name ilike ${`${escapeLike(q)}%`} then 1 else 2 end,
        case when lower(v.address) = lower(${q}) then 0 when v.address ilike ${`${escapeLike(q)}%`} then 1 else 2 end),
      greatest(similarity(v.name, ${q}), similarity(coalesce(v.address, ''), ${q})) desc, v.id
    limit ${PER_KIND}`;

  const queries = [grids, communities, compounds, buildings, entrances, venues].filter((x) => x !== null);
  const answers = await Promise.all(queries.map((query) => query.execute(db)));
  return answers.flatMap((a) => a.rows);
}
