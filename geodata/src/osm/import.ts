import path from "node:path";
import pg from "pg";
import { ImportError } from "./errors.ts";
import { DEFAULT_HOUSEHOLD_ESTIMATE, entranceCount, estimateHouseholds, type HouseholdEstimate } from "./households.ts";
import { readingOrder } from "./order.ts";
import { type OsmData, readOsm, type Tags } from "./read.ts";
import {
  addressOf,
  type BuildingUse,
  buildingUse,
  cameraFromTags,
  flatsOf,
  isStairwellEntrance,
  levelsOf,
  namesOf,
  roadClass,
  venueCategory,
  waterKind,
} from "./tags.ts";

type Row = Record<string, unknown>;

export interface OsmImportOptions {
  /** An OpenStreetMap extract, .osm.pbf or .osm XML, in WGS84 as OSM always is. */
  file: string;
  /** The subdistrict's 9-digit code; community codes are this + 3 digits unless the communities file gives them. */
  subdistrictCode: string;
  /** Default: the largest administrative area of the extract above the communities, else the file's name. */
  name?: string | undefined;
  nameEn?: string | undefined;
  /**
   * A file of community polygons (GeoJSON or anything GDAL reads, any CRS it declares) with optional `code`
   * (12 digits), `name` and `name_en`. Without it: the extract's `admin_level=10` boundaries, else one community
   * for the whole area.
   */
  communities?: string | undefined;
  /** Where lengths and areas are measured. Default: the CGCS2000 3-degree Gauss-Krüger zone in China, else UTM. */
  metricSrid?: number | undefined;
  /** Spacing of the points whose Voronoi cells grow the parcels (build_territory), metres. */
  spacingM?: number | undefined;
  households?: Partial<HouseholdEstimate> | undefined;
  band?: { min: number; max: number } | undefined;
  /**
   * Publish the proposed plan instead of leaving it a draft. A draft is the default: a plan in force names the
   * grids staff are assigned to, and this one rests on estimated households, so a planner should look at it first.
   */
  publish?: boolean | undefined;
  seed?: number | undefined;
}

/** What `import-osm` prints as its last line. */
export interface OsmImportSummary {
  communities: number;
  roads: number;
  buildings: number;
  entrances: number;
  parcels: number;
  households: number;
  households_estimated: number;
  venues: number;
  cameras: number;
  grids: number;
  out_of_band_grids: number;
}

/** A unit handed to the plan proposer: the rebalancer's input shape, adjacency given as edges. */
export interface ProposalUnit {
  id: string;
  households: number;
  building: string | null;
  compound: string | null;
  community: string;
  block: string;
  outer_m: number;
  area_m2: number;
}

export interface ProposalInput {
  units: ProposalUnit[];
  edges: { a: string; b: string; length_m: number; on_road: boolean }[];
  bands: Record<string, { min: number; max: number }>;
  mode: "full";
  seed: number;
}

/**
 * Draws the first plan: unit id → grid id (any ids, unique across communities). The server passes the
 * rebalancer; geodata does not depend on the server.
 */
export type PlanProposer = (input: ProposalInput) => Promise<{
  assignment: Record<string, string>;
  /** Why a band could not be met, one line each. */
  notes: string[];
}>;

export interface ImportProgress {
  step: number;
  steps: number;
  label: string;
}

export interface OsmImportHooks {
  proposePlan: PlanProposer;
  /** Runs inside the import's transaction just before it commits (the server writes its audit record here). */
  beforeCommit?: (client: SqlClient, summary: OsmImportSummary) => Promise<void>;
  log?: (msg: string) => void;
  onProgress?: (p: ImportProgress) => void;
}

const STEPS = [
  "reading the file",
  "communities",
  "roads and water",
  "buildings and entrances",
  "venues and cameras",
  "blocks and parcels",
  "proposing a plan",
] as const;

const ATTRIBUTION =
  "地图数据 © OpenStreetMap 贡献者（ODbL 1.0）；户数为按建筑面积估算的数值。 / Map data © OpenStreetMap contributors (ODbL 1.0); households are estimated from floor area.";

/**
 * Onboards a real area from an OpenStreetMap extract, in one transaction (all or nothing): subdistrict and
 * communities, roads, water, compounds, buildings with households (mapped or estimated) and entrances cut by
 * building_sections(), venues and cameras, then blocks, parcels and their adjacency by build_territory() — the
 * same code as the demo — and a first plan drawn by the proposer. A bad file, one without buildings, or a
 * subdistrict code already in use fails with an ImportError and leaves the database as it was.
 */
export async function importOsm(
  databaseUrl: string,
  options: OsmImportOptions,
  hooks: OsmImportHooks,
): Promise<OsmImportSummary> {
  const client = new pg.Client({ connectionString: databaseUrl });
  client.on("error", (err) => hooks.log?.(`database connection lost: ${err.message}`));
  await client.connect();
  try {
    return await importOsmWith(client, options, hooks);
  } finally {
    await client.end();
  }
}

/** One database connection, as pg.Client has it; the server adapts a Kysely connection to it. */
export interface SqlClient {
  query<R extends pg.QueryResultRow = Row>(
    text: string,
    values?: unknown[],
  ): Promise<{ rows: R[]; rowCount: number | null }>;
}

/** importOsm on a connection the caller holds (and closes); begins, commits or rolls back on it. */
export async function importOsmWith(
  client: SqlClient,
  options: OsmImportOptions,
  hooks: OsmImportHooks,
): Promise<OsmImportSummary> {
  const log = hooks.log ?? (() => {});
  const code = options.subdistrictCode;
  if (!/^\d{9}$/.test(code)) {
    throw new ImportError("bad_code", "街道编码应为9位数字", "a subdistrict code is 9 digits");
  }
  const estimate: HouseholdEstimate = { ...DEFAULT_HOUSEHOLD_ESTIMATE, ...options.households };
  let stepNo = 0;
  const step = async <T>(fn: () => Promise<T>): Promise<T> => {
    const label = STEPS[stepNo]!;
    hooks.onProgress?.({ step: stepNo, steps: STEPS.length, label });
    stepNo++;
    const t = performance.now();
    const out = await fn();
    log(`${label} (${Math.round(performance.now() - t)} ms)`);
    return out;
  };

  const data = await step(() => readOsm(options.file));
  await client.query("begin");
  try {
    await client.query("set local jit = off");
    const summary = await load(client, data, options, estimate, hooks, step, log);
    await hooks.beforeCommit?.(client, summary);
    await client.query("commit");
    return summary;
  } catch (err) {
    await client.query("rollback");
    throw err;
  }
}

type Step = <T>(fn: () => Promise<T>) => Promise<T>;

async function load(
  client: SqlClient,
  data: OsmData,
  options: OsmImportOptions,
  estimate: HouseholdEstimate,
  hooks: OsmImportHooks,
  step: Step,
  log: (msg: string) => void,
): Promise<OsmImportSummary> {
  const code = options.subdistrictCode;
  const q = <R extends Row = Row>(text: string, values: unknown[] = []) => client.query<R>(text, values);
  if ((await q("select 1 from subdistrict where code = $1", [code])).rowCount) {
    throw new ImportError(
      "subdistrict_exists",
      `街道 ${code} 已存在；请换一个编码，或在空数据库中导入`,
      `subdistrict ${code} already exists; use another code or an empty database`,
    );
  }
  const buildings = data.areas.filter((a) => buildingUse(a.tags) !== null);
  if (buildings.length === 0) {
    throw new ImportError(
      "no_buildings",
      "文件中没有建筑物轮廓（building=*），无法划分地块",
      "the file holds no building footprints (building=*), so no parcels can be built",
    );
  }
  await stage(client, data);

  const srid = await step(async () => {
    if (options.communities) await stageCommunityFile(client, options.communities);
    else await stageOsmCommunities(client);
    const srid = options.metricSrid ?? (await defaultMetricSrid(client));
    const known = await q("select 1 from spatial_ref_sys where srid = $1", [srid]);
    if (!known.rowCount) {
      throw new ImportError("bad_srid", `未知的坐标系 EPSG:${srid}`, `unknown coordinate system EPSG:${srid}`);
    }
    await insertCommunities(client, options, srid);
    return srid;
  });

  const roads = await step(async () => {
    // Roads are kept within the subdistrict's box (and 50 m around): lines outside every community make no
    // block, and clipping them to the exact outline would cost more than the whole build.
    const r = await q(
      `insert into road (subdistrict_code, class, name, geom)
       select $1, r.class, r.name, d.geom
       from _osm_road r
       cross join (
         select ST_Transform(ST_Expand(ST_Envelope(ST_Transform(geom, $2::int)), 50), 4326) box
         from subdistrict where code = $1
       ) s
       cross join lateral ST_Dump(ST_Intersection(r.geom, s.box)) d
       where r.geom && s.box and ST_GeometryType(d.geom) = 'ST_LineString'
       order by r.ref, d.path`,
      [code, srid],
    );
    await q(
      `insert into water (subdistrict_code, kind, name, geom)
       select $1, w.kind, w.name, ST_Multi(ST_CollectionExtract(ST_Intersection(ST_MakeValid(w.geom), s.geom), 3))
       from _osm_water w cross join (select geom from subdistrict where code = $1) s
       where ST_Intersects(w.geom, s.geom)
         and not ST_IsEmpty(ST_CollectionExtract(ST_Intersection(ST_MakeValid(w.geom), s.geom), 3))
       order by w.ref`,
      [code],
    );
    return r.rowCount ?? 0;
  });

  await step(() => insertBuildings(client, code, srid, estimate, log));

  const points = await step(async () => {
    const v = await q(
      `insert into venue (category, name, address, geom)
       select v.category, v.name, coalesce(v.address, b.address), v.geom
       from _osm_venue v
       cross join (select geom from subdistrict where code = $1) s
       left join lateral (
         select o.address from _osm_building o
         where o.address is not null and ST_Intersects(o.geom, v.geom) order by o.ref limit 1
       ) b on true
       where ST_Intersects(s.geom, v.geom)
       order by v.ref`,
      [code],
    );
    const c = await q(
      `insert into camera (name, type, status, bearing_deg, view_width_deg, range_m, mount_height_m, defaulted, site, geom)
       select c.name, c.type, 'online', c.bearing, c.width, c.range, c.height, string_to_array(c.defaulted, ','), 'other', c.geom
       from _osm_camera c cross join (select geom from subdistrict where code = $1) s
       where ST_Intersects(s.geom, c.geom)
       order by c.ref`,
      [code],
    );
    return { venues: v.rowCount ?? 0, cameras: c.rowCount ?? 0 };
  });

  const built = await step(async () => {
    const r = await q<{ summary: { blocks: number; parcels: number } }>("select build_territory($1, $2) as summary", [
      code,
      options.spacingM ?? 5,
    ]);
    // An entrance whose section lies in water or outside every community has no parcel; it cannot be in a grid,
    // so it goes, with buildings left without entrances.
    const lost = await q<{ n: number; households: number }>(
      `with gone as (
         delete from entrance e using building b, community c
         where b.id = e.building_id and c.code = b.community_code and c.subdistrict_code = $1
           and not exists (select 1 from parcel p where p.entrance_id = e.id)
         returning e.households
       ) select count(*)::int n, coalesce(sum(households), 0)::int households from gone`,
      [code],
    );
    if (lost.rows[0]!.n) {
      log(
        `  ${lost.rows[0]!.n} entrances (${lost.rows[0]!.households} households) fell on no land parcel and were dropped`,
      );
      await q(
        `delete from building b using community c
         where c.code = b.community_code and c.subdistrict_code = $1
           and not exists (select 1 from entrance e where e.building_id = b.id)
           and not exists (select 1 from parcel p where p.building_id = b.id)`,
        [code],
      );
    }
    log(`  ${r.rows[0]!.summary.blocks} blocks, ${r.rows[0]!.summary.parcels} parcels`);
    return r.rows[0]!.summary;
  });

  const plan = await step(() => proposePlan(client, options, srid, hooks.proposePlan, log));

  const totals = await q<{
    communities: number;
    buildings: number;
    entrances: number;
    households: number;
    households_estimated: number;
  }>(
    `select (select count(*) from community where subdistrict_code = $1)::int communities,
       (select count(*) from building b join community c on c.code = b.community_code where c.subdistrict_code = $1)::int buildings,
       count(e.id)::int entrances, coalesce(sum(e.households), 0)::int households,
       coalesce(sum(e.households) filter (where e.households_estimated), 0)::int households_estimated
     from entrance e join building b on b.id = e.building_id
     join community c on c.code = b.community_code and c.subdistrict_code = $1`,
    [code],
  );
  const t = totals.rows[0]!;
  return {
    communities: t.communities,
    roads,
    buildings: t.buildings,
    entrances: t.entrances,
    parcels: built.parcels,
    households: t.households,
    households_estimated: t.households_estimated,
    venues: points.venues,
    cameras: points.cameras,
    grids: plan.grids,
    out_of_band_grids: plan.outOfBand,
  };
}

/** Rows of one kind of feature, as columns (geometry as GeoJSON text) for an unnest insert. */
async function insertStaged(
  client: SqlClient,
  table: string,
  columns: [name: string, type: string][],
  rows: unknown[][],
): Promise<void> {
  const chunk = 5000;
  const list = columns.map(([n]) => n).join(", ");
  const args = columns.map(([, t], i) => `$${i + 1}::${t === "geometry" ? "text" : t}[]`).join(", ");
  const select = columns
    .map(([n, t]) => (t === "geometry" ? `ST_SetSRID(ST_GeomFromGeoJSON(u.${n}), 4326)` : `u.${n}`))
    .join(", ");
  for (let i = 0; i < rows.length; i += chunk) {
    const part = rows.slice(i, i + chunk);
    await client.query(
      `insert into ${table} (${list}) select ${select} from unnest(${args}) u(${list})`,
      columns.map((_, c) => part.map((r) => r[c])),
    );
  }
}

/** Puts the features the import uses into temporary tables, with what their tags mean already worked out. */
async function stage(client: SqlClient, data: OsmData): Promise<void> {
  await client.query(`
    create temp table _osm_road (ref text, class text, name text, geom geometry(LineString, 4326)) on commit drop;
    create temp table _osm_water (ref text, kind text, name text, geom geometry(MultiPolygon, 4326)) on commit drop;
    create temp table _osm_compound (ref text, kind text, name text, geom geometry(MultiPolygon, 4326)) on commit drop;
    create temp table _osm_admin (ref text, level int, name text, name_en text, geom geometry(MultiPolygon, 4326)) on commit drop;
    create temp table _osm_building (ref text, use text, levels int, flats int, name text, address text,
      geom geometry(MultiPolygon, 4326)) on commit drop;
    create temp table _osm_venue (ref text, category text, name text, address text, geom geometry(Point, 4326)) on commit drop;
    create temp table _osm_camera (ref text, name text, type text, bearing float8, width float8, range float8,
      height float8, defaulted text, geom geometry(Point, 4326)) on commit drop;
    create temp table _osm_entrance (ref text, geom geometry(Point, 4326)) on commit drop;
    create temp table _osm_address (ref text, address text, geom geometry(Point, 4326)) on commit drop;
  `);
  const json = JSON.stringify;
  const label = (tags: Tags) => namesOf(tags).name;

  await insertStaged(
    client,
    "_osm_road",
    [
      ["ref", "text"],
      ["class", "text"],
      ["name", "text"],
      ["geom", "geometry"],
    ],
    data.lines.flatMap((f) => {
      const cls = roadClass(f.tags);
      return cls ? [[f.ref, cls, label(f.tags), json(f.geometry)]] : [];
    }),
  );
  await insertStaged(
    client,
    "_osm_water",
    [
      ["ref", "text"],
      ["kind", "text"],
      ["name", "text"],
      ["geom", "geometry"],
    ],
    data.areas.flatMap((f) => {
      const kind = waterKind(f.tags);
      return kind ? [[f.ref, kind, label(f.tags), json(f.geometry)]] : [];
    }),
  );
  await insertStaged(
    client,
    "_osm_compound",
    [
      ["ref", "text"],
      ["kind", "text"],
      ["name", "text"],
      ["geom", "geometry"],
    ],
    data.areas.flatMap((f) => {
      const t = f.tags;
      const kind =
        t.landuse === "residential" && t.name
          ? "estate"
          : ["school", "college", "university", "hospital", "kindergarten"].includes(t.amenity ?? "") && !t.building
            ? "campus"
            : null;
      return kind ? [[f.ref, kind, label(t) ?? f.ref, json(f.geometry)]] : [];
    }),
  );
  await insertStaged(
    client,
    "_osm_admin",
    [
      ["ref", "text"],
      ["level", "int"],
      ["name", "text"],
      ["name_en", "text"],
      ["geom", "geometry"],
    ],
    data.areas.flatMap((f) => {
      const t = f.tags;
      const level = Number.parseInt(t.admin_level ?? "", 10);
      if (t.boundary !== "administrative" || !Number.isFinite(level)) return [];
      const n = namesOf(t);
      return [[f.ref, level, n.name, n.nameEn, json(f.geometry)]];
    }),
  );
  await insertStaged(
    client,
    "_osm_building",
    [
      ["ref", "text"],
      ["use", "text"],
      ["levels", "int"],
      ["flats", "int"],
      ["name", "text"],
      ["address", "text"],
      ["geom", "geometry"],
    ],
    data.areas.flatMap((f) => {
      const use = buildingUse(f.tags);
      return use
        ? [[f.ref, use, levelsOf(f.tags), flatsOf(f.tags), label(f.tags), addressOf(f.tags), json(f.geometry)]]
        : [];
    }),
  );
  const venues = [...data.points, ...data.areas].flatMap((f) => {
    const category = venueCategory(f.tags);
    return category ? [[f.ref, category, label(f.tags), addressOf(f.tags), json(f.geometry)]] : [];
  });
  await client.query(
    "create temp table _osm_venue_any (ref text, category text, name text, address text, geom geometry) on commit drop",
  );
  await insertStaged(
    client,
    "_osm_venue_any",
    [
      ["ref", "text"],
      ["category", "text"],
      ["name", "text"],
      ["address", "text"],
      ["geom", "geometry"],
    ],
    venues,
  );
  await client.query(
    `insert into _osm_venue
     select v.ref, v.category, coalesce(v.name, c.name_zh), v.address,
       case when GeometryType(v.geom) = 'POINT' then v.geom else ST_PointOnSurface(ST_MakeValid(v.geom)) end
     from _osm_venue_any v join venue_category c on c.code = v.category`,
  );
  await insertStaged(
    client,
    "_osm_camera",
    [
      ["ref", "text"],
      ["name", "text"],
      ["type", "text"],
      ["bearing", "float8"],
      ["width", "float8"],
      ["range", "float8"],
      ["height", "float8"],
      ["defaulted", "text"],
      ["geom", "geometry"],
    ],
    data.points.flatMap((f) => {
      const c = cameraFromTags(f.tags);
      if (!c) return [];
      const name = label(f.tags) ?? `OSM 监控 ${f.ref}`;
      return [
        [
          f.ref,
          name,
          c.type,
          c.bearingDeg,
          c.viewWidthDeg,
          c.rangeM,
          c.mountHeightM,
          c.defaulted.join(","),
          json(f.geometry),
        ],
      ];
    }),
  );
  await insertStaged(
    client,
    "_osm_entrance",
    [
      ["ref", "text"],
      ["geom", "geometry"],
    ],
    data.points.filter((f) => isStairwellEntrance(f.tags)).map((f) => [f.ref, json(f.geometry)]),
  );
  await insertStaged(
    client,
    "_osm_address",
    [
      ["ref", "text"],
      ["address", "text"],
      ["geom", "geometry"],
    ],
    data.points.flatMap((f) => {
      const a = addressOf(f.tags);
      return a && f.tags["addr:housenumber"] ? [[f.ref, a, json(f.geometry)]] : [];
    }),
  );
  await client.query(`
    create index on _osm_building using gist (geom);
    create index on _osm_compound using gist (geom);
    create index on _osm_entrance using gist (geom);
    create index on _osm_address using gist (geom);
    analyze _osm_building;
    create temp table _imp_community (code text, name text, name_en text, geom geometry(Geometry, 4326)) on commit drop;
  `);
}

/** Community polygons from a file the user brings, read through GDAL in whatever CRS it declares. */
async function stageCommunityFile(client: SqlClient, file: string): Promise<void> {
  const { readFeatures } = await import("../gis/ogr.ts");
  const features = await readFeatures(file, { targetSrs: "EPSG:4326" });
  const rows = features.flatMap((f) => {
    if (!f.geometry || (f.geometry.type !== "Polygon" && f.geometry.type !== "MultiPolygon")) return [];
    const p = f.properties;
    const str = (v: unknown) => (v === null || v === undefined || v === "" ? null : String(v));
    return [[str(p.code), str(p.name) ?? str(p.name_zh), str(p.name_en), JSON.stringify(f.geometry)]];
  });
  if (rows.length === 0) {
    throw new ImportError(
      "no_communities",
      `社区文件 ${path.basename(file)} 中没有多边形`,
      `the communities file ${path.basename(file)} holds no polygons`,
    );
  }
  await insertStaged(
    client,
    "_imp_community",
    [
      ["code", "text"],
      ["name", "text"],
      ["name_en", "text"],
      ["geom", "geometry"],
    ],
    rows.map((r) => r),
  );
  await client.query("update _imp_community set geom = ST_Multi(ST_CollectionExtract(ST_MakeValid(geom), 3))");
}

/**
 * Communities from the extract: its `admin_level=10` boundaries (quarters, 社区-sized units in many countries);
 * without any, one community covering the buildings (their convex hull, 50 m around).
 */
async function stageOsmCommunities(client: SqlClient): Promise<void> {
  const r = await client.query(
    `insert into _imp_community (code, name, name_en, geom)
     select null, name, name_en, ST_Multi(ST_CollectionExtract(ST_MakeValid(geom), 3))
     from _osm_admin where level = 10 order by ref`,
  );
  if (r.rowCount) return;
  await client.query(
    `insert into _imp_community (code, name, name_en, geom)
     select null, null, null, ST_Multi(ST_Buffer(ST_ConvexHull(ST_Collect(geom))::geography, 50)::geometry)
     from _osm_building`,
  );
}

/**
 * The CGCS2000 3-degree Gauss-Krüger zone (without zone prefix, EPSG:4534–4554) for an area in China, else the
 * UTM zone of WGS84 (EPSG:326xx north, 327xx south), from the centre of the communities.
 */
async function defaultMetricSrid(client: SqlClient): Promise<number> {
  const r = await client.query<{ x: number; y: number }>(
    "select ST_X(c) x, ST_Y(c) y from (select ST_Centroid(ST_Collect(geom)) c from _imp_community) t",
  );
  const { x, y } = r.rows[0]!;
  if (x >= 73.5 && x <= 135 && y >= 18 && y <= 54) return 4534 + (Math.round(x / 3) - 25);
  const zone = Math.floor((x + 180) / 6) + 1;
  return (y >= 0 ? 32600 : 32700) + zone;
}

/**
 * Makes the staged communities disjoint (each keeps what no earlier one took), drops slivers under 100 m² and
 * detached scraps without buildings under 1 % of their community (a jetty, a strip of beach: land no grid would
 * reach along a shared boundary), numbers them in reading order and inserts them with the subdistrict that is
 * their union.
 */
async function insertCommunities(client: SqlClient, options: OsmImportOptions, srid: number): Promise<void> {
  const code = options.subdistrictCode;
  const cleaned = await client.query<{
    i: number;
    code: string | null;
    name: string | null;
    name_en: string | null;
    x: number;
    y: number;
    area: number;
    g: string;
  }>(
    `with c as (
       select row_number() over (order by ST_Area(geom) desc, name) i, code, name, name_en, geom from _imp_community
     ), d as (
       select c.i, c.code, c.name, c.name_en,
         coalesce(ST_Difference(c.geom, (select ST_Union(e.geom) from c e where e.i < c.i and e.geom && c.geom)), c.geom) g
       from c
     ), piece as (
       select d.i, p.geom, ST_Area(ST_Transform(p.geom, $1::int)) m2,
         ST_Area(ST_Transform(d.g, $1::int)) total, max(ST_Area(p.geom)) over (partition by d.i) = ST_Area(p.geom) main
       from d cross join lateral ST_Dump(ST_CollectionExtract(d.g, 3)) p
     ), parts as (
       select i, ST_Multi(ST_Collect(geom)) g from piece
       where m2 >= 100 and (main or m2 >= 0.01 * total or exists (
         select 1 from _osm_building b where b.geom && piece.geom and ST_Intersects(b.geom, piece.geom)))
       group by i
     )
     select d.i, d.code, d.name, d.name_en, ST_X(m.c) x, ST_Y(m.c) y, ST_Area(m.t) area, ST_AsGeoJSON(p.g) g
     from d join parts p on p.i = d.i
     cross join lateral (select ST_Transform(p.g, $1::int) t) t0
     cross join lateral (select ST_Centroid(t0.t) c, t0.t) m`,
    [srid],
  );
  if (cleaned.rows.length === 0) {
    throw new ImportError("no_communities", "没有可用的社区范围", "no usable community area");
  }
  if (cleaned.rows.length > 999) {
    throw new ImportError("too_many_communities", "社区超过999个", "more than 999 communities");
  }
  const ordered = readingOrder(cleaned.rows.map((r) => ({ ...r, areaM2: r.area })));
  const given = ordered.map((r) => r.code).filter((c): c is string => c !== null);
  const useGiven =
    given.length === ordered.length && given.every((c) => /^\d{12}$/.test(c)) && new Set(given).size === given.length;
  const communities = ordered.map((r, k) => {
    const seq = String(k + 1).padStart(3, "0");
    return {
      code: useGiven ? r.code! : `${code}${seq}`,
      name: r.name ?? `${options.name ?? "社区"}${k + 1}`,
      nameEn: r.name_en ?? r.name ?? `Community ${k + 1}`,
      g: r.g,
    };
  });
  const admin = await client.query<{ name: string | null; name_en: string | null }>(
    `select a.name, a.name_en from _osm_admin a
     where a.level < 10 and ST_Intersects(a.geom, (select ST_PointOnSurface(ST_Collect(geom)) from _imp_community))
     order by a.level desc limit 1`,
  );
  const fallback = path.basename(options.file).replace(/\..*$/, "");
  const name = options.name ?? admin.rows[0]?.name ?? fallback;
  const nameEn = options.nameEn ?? admin.rows[0]?.name_en ?? name;
  await client.query(
    `insert into subdistrict (code, name, name_en, metric_srid, attribution, geom)
     select $1, $2, $3, $4, $5, ST_Multi(ST_Union(ST_SetSRID(ST_GeomFromGeoJSON(g), 4326)))
     from unnest($6::text[]) g`,
    [code, name, nameEn, srid, ATTRIBUTION, communities.map((c) => c.g)],
  );
  await client.query(
    `insert into community (code, subdistrict_code, name, name_en, band_min, band_max, geom)
     select u.code, $1, u.name, u.name_en, $2, $3, ST_SetSRID(ST_GeomFromGeoJSON(u.g), 4326)
     from unnest($4::text[], $5::text[], $6::text[], $7::text[]) with ordinality u(code, name, name_en, g, n)
     order by u.n`,
    [
      code,
      options.band?.min ?? 200,
      options.band?.max ?? 300,
      communities.map((c) => c.code),
      communities.map((c) => c.name),
      communities.map((c) => c.nameEn),
      communities.map((c) => c.g),
    ],
  );
}

type StagedBuilding = {
  i: number;
  ref: string;
  use: BuildingUse;
  levels: number | null;
  flats: number | null;
  name: string | null;
  address: string | null;
  community_code: string;
  area_m2: number;
  long_m: number;
  elongation: number;
  mapped_entrances: number;
};

/**
 * Buildings: each polygon of a footprint made valid, placed in the community its point on surface lies in;
 * footprints under 10 m² (kiosks, sheds) and footprints mostly inside a bigger one (a part mapped twice) are left
 * out. Then households (mapped or estimated), kind, name and entrances cut by building_sections().
 */
async function insertBuildings(
  client: SqlClient,
  code: string,
  srid: number,
  estimate: HouseholdEstimate,
  log: (msg: string) => void,
): Promise<void> {
  const q = <R extends Row = Row>(text: string, values: unknown[] = []) => client.query<R>(text, values);
  await q(
    `insert into compound (community_code, name, kind, geom)
     select c.code, o.name, o.kind, largest_polygon(ST_Intersection(ST_MakeValid(o.geom), c.geom))
     from _osm_compound o
     cross join lateral (
       select cm.code, cm.geom from community cm
       where cm.subdistrict_code = $1 and ST_Intersects(cm.geom, ST_PointOnSurface(ST_MakeValid(o.geom)))
       order by cm.code limit 1
     ) c
     order by o.ref`,
    [code],
  );
  await q(
    `create temp table _imp_building on commit drop as
     select row_number() over (order by b.ref, p.path) i, b.ref, b.use, b.levels, b.flats, b.name,
       coalesce(b.address, (select a.address from _osm_address a where ST_Intersects(a.geom, p.geom) order by a.ref limit 1)) address,
       c.code community_code, p.geom, ST_Transform(p.geom, $2::int) g
     from _osm_building b
     cross join lateral ST_Dump(ST_CollectionExtract(ST_MakeValid(b.geom), 3)) p
     cross join lateral (
       select cm.code from community cm
       where cm.subdistrict_code = $1 and ST_Intersects(cm.geom, ST_PointOnSurface(p.geom))
       order by cm.code limit 1
     ) c
     where ST_Area(ST_Transform(p.geom, $2::int)) >= 10`,
    [code, srid],
  );
  await q("create index on _imp_building using gist (g); analyze _imp_building");
  const dropped = await q(
    `delete from _imp_building a using _imp_building b
     where a.i <> b.i and a.g && b.g
       and (ST_Area(b.g) > ST_Area(a.g) or (ST_Area(b.g) = ST_Area(a.g) and b.i < a.i))
       and ST_Area(ST_Intersection(a.g, b.g)) > 0.5 * ST_Area(a.g)`,
  );
  if (dropped.rowCount) log(`  ${dropped.rowCount} footprints mostly inside a bigger one left out`);
  const staged = await q<StagedBuilding>(
    `select b.i, b.ref, b.use, b.levels, b.flats, b.name, b.address, b.community_code,
       ST_Area(b.g) area_m2, s.long_m, s.long_m / greatest(s.short_m, 1) elongation,
       (select count(*) from _osm_entrance e where ST_DWithin(ST_Transform(e.geom, $1::int), b.g, 1.5))::int mapped_entrances
     from _imp_building b
     cross join lateral (select ST_ExteriorRing(ST_OrientedEnvelope(b.g)) r) o
     cross join lateral (
       select greatest(ST_Distance(ST_PointN(o.r, 1), ST_PointN(o.r, 2)), ST_Distance(ST_PointN(o.r, 2), ST_PointN(o.r, 3))) long_m,
         least(ST_Distance(ST_PointN(o.r, 1), ST_PointN(o.r, 2)), ST_Distance(ST_PointN(o.r, 2), ST_PointN(o.r, 3))) short_m
     ) s
     order by b.i`,
    [srid],
  );
  const rows = staged.rows.map((b) => {
    const h = estimateHouseholds({ use: b.use, areaM2: b.area_m2, levels: b.levels, flats: b.flats }, estimate);
    const floors = Math.min(120, Math.max(1, h.floors));
    const n = entranceCount(
      { households: h.households, mappedEntrances: b.mapped_entrances, longSideM: b.long_m },
      estimate,
    );
    const residential = b.use === "residential" || b.use === "house" || b.use === "unknown";
    const kind =
      b.use === "commercial"
        ? "shop"
        : b.use === "public"
          ? "public"
          : floors <= 3 || !residential
            ? "lowrise"
            : floors >= 10 && b.elongation < 2
              ? "tower"
              : "slab";
    const name = b.name ?? b.address ?? `OSM ${b.ref}`;
    return { ...b, ...h, floors, n, kind, name };
  });
  // Ids are drawn from the sequence first, so each staged footprint knows its building and entrances follow.
  await q(
    `alter table _imp_building add column id int, add column households int, add column estimated bool,
       add column n int, add column kind text, add column label text, add column floors int`,
  );
  await q(
    `update _imp_building b set id = nextval(pg_get_serial_sequence('building', 'id')), households = u.households,
       estimated = u.estimated, n = u.n, kind = u.kind, label = u.name, floors = u.floors
     from unnest($1::int[], $2::int[], $3::bool[], $4::int[], $5::text[], $6::text[], $7::int[])
       u(i, households, estimated, n, kind, name, floors)
     where b.i = u.i`,
    [
      rows.map((r) => r.i),
      rows.map((r) => r.households),
      rows.map((r) => r.estimated),
      rows.map((r) => r.n),
      rows.map((r) => r.kind),
      rows.map((r) => r.name),
      rows.map((r) => r.floors),
    ],
  );
  await q(
    `insert into building (id, community_code, compound_id, kind, name, floors, geom) overriding system value
     select b.id, b.community_code,
       (select k.id from compound k where k.community_code = b.community_code
         and ST_Intersects(k.geom, ST_PointOnSurface(b.geom)) order by k.id limit 1),
       b.kind, b.label, b.floors, ST_ForcePolygonCCW(b.geom)
     from _imp_building b order by b.i`,
  );
  // Sections along the long axis, one per entrance; the door is a point inside its section. Households are split
  // as evenly as whole numbers allow.
  await q(
    `insert into entrance (building_id, seq, households, households_estimated, geom, section)
     select b.id, s.seq, b.households / b.n + case when s.seq <= b.households % b.n then 1 else 0 end, b.estimated,
       ST_PointOnSurface(s.geom), ST_ForcePolygonCCW(s.geom)
     from _imp_building b cross join lateral building_sections(b.geom, b.n, $1::int) s
     where s.geom is not null and not ST_IsEmpty(s.geom)
     order by b.i, s.seq`,
    [srid],
  );
}

/**
 * The first plan: the proposer (the rebalancer, full mode) partitions each community's parcels into grids of the
 * community's band, from the parcel adjacency build_territory made. Grids are coded community code + 3 digits in
 * reading order and named after their community. A parcel that shares no boundary with any other parcel of its
 * community (a pier, a detached scrap of the boundary) cannot be partitioned; it joins the grid of the nearest
 * parcel afterwards.
 */
async function proposePlan(
  client: SqlClient,
  options: OsmImportOptions,
  srid: number,
  propose: PlanProposer,
  log: (msg: string) => void,
): Promise<{ grids: number; outOfBand: number; planId: number }> {
  const code = options.subdistrictCode;
  const units = await client.query<ProposalUnit & { x: number; y: number }>(
    `select p.id::text id, coalesce(e.households, 0)::int households, p.building_id::text building,
       p.compound_id::text compound, p.community_code community, p.block_id::text block, p.outer_m, p.area_m2,
       ST_X(c.g) x, ST_Y(c.g) y
     from parcel p
     join community cm on cm.code = p.community_code and cm.subdistrict_code = $1
     left join entrance e on e.id = p.entrance_id
     cross join lateral (select ST_Transform(ST_PointOnSurface(p.geom), $2::int) g) c
     order by p.id`,
    [code, srid],
  );
  const edges = await client.query<{ a: string; b: string; length_m: number; on_road: boolean }>(
    `select e.a::text a, e.b::text b, e.length_m, e.on_road from parcel_edge e
     join community cm on cm.code = e.community_code and cm.subdistrict_code = $1 order by e.a, e.b`,
    [code],
  );
  const bands = await client.query<{ code: string; name: string; band_min: number; band_max: number }>(
    "select code, name, band_min, band_max from community where subdistrict_code = $1 order by code",
    [code],
  );
  const linked = new Set(edges.rows.flatMap((e) => [e.a, e.b]));
  const perCommunity = new Map<string, number>();
  for (const u of units.rows) perCommunity.set(u.community, (perCommunity.get(u.community) ?? 0) + 1);
  const isolated = units.rows.filter((u) => !linked.has(u.id) && perCommunity.get(u.community)! > 1);
  if (isolated.length) log(`  ${isolated.length} parcels touch no other parcel of their community`);
  const input: ProposalInput = {
    units: units.rows
      .filter((u) => linked.has(u.id) || perCommunity.get(u.community) === 1)
      .map(({ x: _x, y: _y, ...u }) => u),
    edges: edges.rows,
    bands: Object.fromEntries(bands.rows.map((b) => [b.code, { min: b.band_min, max: b.band_max }])),
    mode: "full",
    seed: options.seed ?? 1,
  };
  const { assignment, notes } = await propose(input);
  for (const note of notes) log(`  ${note}`);
  const byId = new Map(units.rows.map((u) => [u.id, u]));
  for (const u of isolated) {
    let best: { d: number; grid: string } | null = null;
    for (const other of input.units) {
      if (other.community !== u.community) continue;
      const o = byId.get(other.id)!;
      const d = (o.x - u.x) ** 2 + (o.y - u.y) ** 2;
      const grid = assignment[other.id];
      if (grid !== undefined && (!best || d < best.d)) best = { d, grid };
    }
    if (best) assignment[u.id] = best.grid;
  }
  const missing = units.rows.filter((u) => assignment[u.id] === undefined);
  if (missing.length) {
    throw new ImportError(
      "plan_incomplete",
      `方案未覆盖 ${missing.length} 个地块`,
      `the proposed plan leaves ${missing.length} parcels without a grid`,
    );
  }

  // Grids per community in reading order: centroid and area of their parcels.
  const grids = new Map<string, { community: string; x: number; y: number; areaM2: number; households: number }>();
  for (const u of units.rows) {
    const id = `${u.community}\u0000${assignment[u.id]}`;
    const g = grids.get(id) ?? { community: u.community, x: 0, y: 0, areaM2: 0, households: 0 };
    const w = Math.max(u.area_m2, 1e-6);
    g.x = (g.x * g.areaM2 + u.x * w) / (g.areaM2 + w);
    g.y = (g.y * g.areaM2 + u.y * w) / (g.areaM2 + w);
    g.areaM2 += w;
    g.households += u.households;
    grids.set(id, g);
  }
  const codeOf = new Map<string, string>();
  const rows: { code: string; community: string; name: string }[] = [];
  for (const c of bands.rows) {
    const mine = [...grids].filter(([, g]) => g.community === c.code).map(([id, g]) => ({ id, ...g }));
    readingOrder(mine).forEach((g, k) => {
      const gridCode = `${c.code}${String(k + 1).padStart(3, "0")}`;
      codeOf.set(g.id, gridCode);
      rows.push({ code: gridCode, community: c.code, name: `${c.name}第${k + 1}网格` });
    });
  }
  const status = options.publish ? "published" : "draft";
  const plan = await client.query<{ id: number }>(
    `insert into plan (subdistrict_code, name, status, owner, valid_from)
     values ($1, $2, $3, $4, case when $3 = 'published' then now() end) returning id`,
    [code, "OpenStreetMap 导入初始方案 / initial plan from the OpenStreetMap import", status, "import-osm"],
  );
  const planId = plan.rows[0]!.id;
  await client.query(
    `insert into grid (plan_id, code, community_code, name)
     select $1, u.code, u.community_code, u.name
     from unnest($2::text[], $3::text[], $4::text[]) with ordinality u(code, community_code, name, n) order by u.n`,
    [planId, rows.map((r) => r.code), rows.map((r) => r.community), rows.map((r) => r.name)],
  );
  await client.query(
    `insert into plan_parcel (plan_id, parcel_id, grid_id, community_code)
     select $1, u.parcel_id, g.id, g.community_code
     from unnest($2::int[], $3::text[]) u(parcel_id, grid_code)
     join grid g on g.plan_id = $1 and g.code = u.grid_code`,
    [
      planId,
      units.rows.map((u) => Number(u.id)),
      units.rows.map((u) => codeOf.get(`${u.community}\u0000${assignment[u.id]}`)!),
    ],
  );
  await client.query(
    `update grid g set geom = u.geom
     from (
       select pp.grid_id, ST_Multi(ST_Union(p.geom)) geom
       from plan_parcel pp join parcel p on p.id = pp.parcel_id
       where pp.plan_id = $1 group by pp.grid_id
     ) u
     where u.grid_id = g.id`,
    [planId],
  );
  const outOfBand = (
    await client.query<{ n: number }>("select count(*)::int n from grid_figure where plan_id = $1 and status <> 'ok'", [
      planId,
    ])
  ).rows[0]!.n;
  log(`  plan ${planId} (${status}): ${rows.length} grids, ${outOfBand} out of band`);
  return { grids: rows.length, outOfBand, planId };
}
