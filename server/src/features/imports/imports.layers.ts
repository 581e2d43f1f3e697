import { CAMERA_TYPE_DEFAULTS, type CameraType } from "@gridatlas/geodata/cameras.ts";
import { fromChineseWebMap, type XY } from "@gridatlas/geodata/gis/crs.ts";
import type { OgrFeature } from "@gridatlas/geodata/gis/ogr.ts";
import { type GisRead, readGisFile } from "@gridatlas/geodata/gis/read.ts";
import { ImportError } from "@gridatlas/geodata/osm/errors.ts";
import { DEFAULT_HOUSEHOLD_ESTIMATE, entranceCount } from "@gridatlas/geodata/osm/households.ts";
import { sql } from "kysely";
import type { Actor } from "../../db/audit.ts";
import type { Db } from "../../db/db.ts";
import { DomainError } from "../../errors.ts";
import { cellTextProblem, personalDataMessage, personalDataProblem } from "../../http/input.ts";
import { completeUpload } from "./imports.files.ts";
import type { FileRequest, LayerImportRequest, LayerTarget } from "./imports.input.ts";
import { auditImport, withSqlClient } from "./imports.jobs.ts";

/** What is wrong with one row of an import, and where: the row (from 1), the field (or "geometry"). */
export type RowProblem = { row: number; field: string; zh: string; en: string };

type Parsed<T> = { ok: true; value: T } | { ok: false; zh: string; en: string };
type FieldSpec = {
  required: boolean;
  /** Source field names tried when the mapping names none: the target's own name first. */
  aliases: string[];
  parse: (v: unknown) => Parsed<unknown>;
};

const blank = (v: unknown) => v === null || v === undefined || (typeof v === "string" && v.trim() === "");
const text =
  (max: number) =>
  (v: unknown): Parsed<string> => {
    const s = String(v).trim();
    return s.length <= max
      ? { ok: true, value: s }
      : { ok: false, zh: `超过 ${max} 个字符`, en: `longer than ${max} characters` };
  };
/** A free-text cell (a hazard's title or note): the same guard as the API's free-text fields. */
const freeTextCell =
  (max: number) =>
  (v: unknown): Parsed<string> => {
    const parsed = text(max)(v);
    const found = parsed.ok ? personalDataProblem(parsed.value) : null;
    return found ? { ok: false, ...personalDataMessage(found) } : parsed;
  };
const number =
  (min: number, max: number, integer: boolean) =>
  (v: unknown): Parsed<number> => {
    const n = typeof v === "number" ? v : Number(String(v).trim());
    if (!Number.isFinite(n)) return { ok: false, zh: `“${String(v)}”不是数字`, en: `"${String(v)}" is not a number` };
    if (integer && !Number.isInteger(n)) return { ok: false, zh: "应为整数", en: "must be a whole number" };
    if (n < min || n > max)
      return { ok: false, zh: `应在 ${min} 至 ${max} 之间`, en: `must lie between ${min} and ${max}` };
    return { ok: true, value: n };
  };
/** One of a set of codes, also accepted by any of its labels (Chinese or English, any case); the Chinese name first. */
const oneOf =
  (labels: Record<string, string[]>) =>
  (v: unknown): Parsed<string> => {
    const s = String(v).trim().toLowerCase();
    for (const [code, names] of Object.entries(labels)) {
      if (code === s || names.some((n) => n.toLowerCase() === s)) return { ok: true, value: code };
    }
    // Name the choices as people write them: the Chinese name (listed first), else an English one; both are accepted.
    const entries = Object.entries(labels);
    const zh = entries.map(([code, names]) => names[0] ?? code);
    const en = entries.map(([code, names]) => names.find((n) => !/[\u3400-\u9fff]/.test(n)) ?? code);
    return {
      ok: false,
      zh: `“${String(v)}”不是可选值（${zh.join("、")}）`,
      en: `"${String(v)}" is not one of ${en.join(", ")}`,
    };
  };

const CAMERA_TYPE_LABELS: Record<CameraType, string[]> = {
  dome: ["球机"],
  half_dome: ["半球", "半球机"],
  fixed: ["固定枪机", "枪机", "bullet"],
  ptz: ["遥控枪机", "云台", "panning"],
};

/** The fields each target takes, with the column names a Chinese spreadsheet is likely to use for them. */
async function fieldSpecs(db: Db, target: LayerTarget): Promise<Record<string, FieldSpec>> {
  const categories = async (table: "venue_category" | "hazard_category") => {
    const rows = await db.selectFrom(table).select(["code", "name_zh", "name_en"]).execute();
    return Object.fromEntries(rows.map((r) => [r.code, [r.name_zh, r.name_en]]));
  };
  const f = (required: boolean, aliases: string[], parse: FieldSpec["parse"]): FieldSpec => ({
    required,
    aliases,
    parse,
  });
  switch (target) {
    case "venues":
      return {
        name: f(true, ["name", "名称", "场所名称"], text(200)),
        category: f(true, ["category", "类别", "类型", "场所类别"], oneOf(await categories("venue_category"))),
        address: f(false, ["address", "地址"], text(300)),
      };
    case "hazards":
      return {
        title: f(true, ["title", "name", "名称", "隐患名称"], freeTextCell(120)),
        category: f(true, ["category", "类别", "类型", "隐患类别"], oneOf(await categories("hazard_category"))),
        severity: f(
          true,
          ["severity", "等级", "严重程度"],
          oneOf({ low: ["低", "一般"], medium: ["中", "较大"], high: ["高", "重大"] }),
        ),
        note: f(false, ["note", "备注", "说明"], freeTextCell(1000)),
      };
    case "cameras":
      return {
        name: f(true, ["name", "名称", "点位名称"], text(200)),
        type: f(true, ["type", "类型", "摄像机类型"], oneOf(CAMERA_TYPE_LABELS)),
        status: f(false, ["status", "状态"], oneOf({ online: ["在线"], offline: ["离线"], planned: ["规划", "拟建"] })),
        bearing_deg: f(false, ["bearing_deg", "bearing", "朝向", "方位角"], number(0, 359.999, false)),
        view_width_deg: f(false, ["view_width_deg", "视角", "水平视角"], number(1, 360, false)),
        range_m: f(false, ["range_m", "range", "可视距离", "距离"], number(1, 500, false)),
        mount_height_m: f(false, ["mount_height_m", "安装高度", "高度"], number(0.5, 100, false)),
      };
    case "buildings":
      return {
        name: f(false, ["name", "名称", "楼栋名称", "楼号"], text(200)),
        floors: f(true, ["floors", "层数", "楼层", "building:levels"], number(1, 120, true)),
        households: f(false, ["households", "户数"], number(0, 5000, true)),
        entrances: f(false, ["entrances", "单元数"], number(1, 50, true)),
        kind: f(
          false,
          ["kind", "类型"],
          oneOf({
            slab: ["板楼"],
            tower: ["塔楼"],
            lowrise: ["平房", "低层"],
            shop: ["商铺", "商业"],
            public: ["公建", "公共建筑"],
          }),
        ),
      };
  }
}

const GEOMETRY: Record<LayerTarget, string[]> = {
  venues: ["Point"],
  hazards: ["Point"],
  cameras: ["Point"],
  buildings: ["Polygon", "MultiPolygon"],
};

/** Opens an upload through GDAL with the reading options of a request. */
export async function readUpload(db: Db, req: FileRequest, actor: Actor): Promise<GisRead & { subdistrict: string }> {
  const file = completeUpload(req.file, "file", actor.accountId);
  const s = await db
    .selectFrom("subdistrict")
    .select(["code", sql<number>`ST_X(ST_Centroid(geom))`.as("lng")])
    .$if(req.subdistrict_code !== undefined, (q) => q.where("code", "=", req.subdistrict_code!))
    .orderBy("code")
    .executeTakeFirst();
  if (!s)
    throw new DomainError("precondition", "no_subdistrict", "没有这个街道", "no such subdistrict", "subdistrict_code");
  const read = await readGisFile(file.path, {
    layer: req.layer,
    crs: req.crs,
    swapAxes: req.swap_axes,
    encoding: req.encoding,
    xField: req.x_field,
    yField: req.y_field,
    wktField: req.wkt_field,
    nearLng: s.lng,
  }).catch((err: unknown) => {
    if (err instanceof ImportError)
      throw new DomainError("precondition", err.code, err.zh, err.en, "file", err.details);
    throw err;
  });
  return { ...read, subdistrict: s.code };
}

/**
 * Whether lng/lat points look shifted the way Chinese web maps shift them: the median distance from a sample to
 * the nearest building or road of the subdistrict as they are, and as if they were GCJ-02 or BD-09. A suggestion
 * only when a conversion brings them clearly closer; the person decides, the data is never converted silently.
 */
export async function detectOffset(db: Db, subdistrict: string, features: OgrFeature[]) {
  const points: XY[] = [];
  for (const f of features) {
    if (points.length >= 200) break;
    const c = f.geometry?.coordinates;
    if (f.geometry?.type === "Point" && Array.isArray(c)) points.push([Number(c[0]), Number(c[1])]);
    else if (Array.isArray(c)) {
      const first = JSON.stringify(c).match(/-?\d+(\.\d+)?(e-?\d+)?,-?\d+(\.\d+)?(e-?\d+)?/);
      if (first) points.push(first[0].split(",").map(Number) as XY);
    }
  }
  if (points.length === 0) return null;
  const median = async (ps: XY[]) => {
    const r = await sql<{ m: number | null }>`
      select percentile_cont(0.5) within group (order by d) as m from (
        select least(
          (select ST_Distance(b.geom::geography, p.g::geography) from building b
            join community c on c.code = b.community_code and c.subdistrict_code = ${subdistrict}
            order by b.geom <-> p.g limit 1),
          (select ST_Distance(r.geom::geography, p.g::geography) from road r
            where r.subdistrict_code = ${subdistrict} order by r.geom <-> p.g limit 1)) as d
        from unnest(${ps.map((p) => p[0])}::float8[], ${ps.map((p) => p[1])}::float8[]) u(x, y)
        cross join lateral (select ST_SetSRID(ST_MakePoint(u.x, u.y), 4326) as g) p
      ) t`.execute(db);
    return r.rows[0]?.m ?? null;
  };
  const asIs = await median(points);
  const gcj02 = await median(points.map((p) => fromChineseWebMap(p, "GCJ02")));
  const bd09 = await median(points.map((p) => fromChineseWebMap(p, "BD09")));
  if (asIs === null || gcj02 === null || bd09 === null) return null;
  const best = gcj02 <= bd09 ? { crs: "GCJ02" as const, m: gcj02 } : { crs: "BD09" as const, m: bd09 };
  const suspected = asIs > 40 && best.m < asIs / 3;
  return {
    median_m: { as_is: asIs, gcj02, bd09 },
    suggestion: suspected ? best.crs : null,
    ...(suspected
      ? {
          zh: `数据看起来是 ${best.crs === "GCJ02" ? "GCJ-02（高德、腾讯）" : "BD-09（百度）"} 坐标：照原样距最近的道路或楼栋中位 ${Math.round(asIs)} 米，转换后 ${Math.round(best.m)} 米。确认后请按该坐标系导入。`,
          en: `The data looks like ${best.crs === "GCJ02" ? "GCJ-02 (AMap, Tencent)" : "BD-09 (Baidu)"}: as it is, the median distance to the nearest road or building is ${Math.round(asIs)} m; converted, ${Math.round(best.m)} m. Confirm by importing it with that CRS.`,
        }
      : {}),
  };
}

/** Source field for each target field: the mapping's, else the first alias the layer has. */
function resolveMapping(
  specs: Record<string, FieldSpec>,
  fields: string[],
  mapping: Record<string, string | null> | undefined,
) {
  const out: Record<string, string | null> = {};
  const lower = new Map(fields.map((f) => [f.toLowerCase(), f]));
  for (const [target, spec] of Object.entries(specs)) {
    if (mapping && target in mapping) out[target] = mapping[target] ?? null;
    else out[target] = spec.aliases.map((a) => lower.get(a.toLowerCase())).find((x) => x !== undefined) ?? null;
  }
  return out;
}

export type ValidRow = {
  row: number;
  values: Record<string, unknown>;
  geometry: { type: string; coordinates?: unknown };
};

/**
 * Checks every row against the target's fields and geometry type, then in PostGIS that its geometry is valid
 * and inside the subdistrict. Returns the rows ready to insert and every problem found, each with its row and
 * field.
 */
export async function validateRows(
  db: Db,
  target: LayerTarget,
  read: GisRead & { subdistrict: string },
  mapping: Record<string, string | null> | undefined,
) {
  const specs = await fieldSpecs(db, target);
  const resolved = resolveMapping(
    specs,
    read.layer.fields.map((f) => f.name),
    mapping,
  );
  const problems: RowProblem[] = [];
  for (const [field, source] of Object.entries(resolved)) {
    if (specs[field]!.required && !source) {
      problems.push({
        row: 0,
        field,
        zh: `没有对应“${field}”的列，请在字段映射中指定`,
        en: `no column for "${field}": map one`,
      });
    }
  }
  if (problems.length) return { rows: [] as ValidRow[], problems, mapping: resolved };
  const rows: ValidRow[] = [];
  for (const f of read.features) {
    const values: Record<string, unknown> = {};
    let ok = true;
    for (const [field, spec] of Object.entries(specs)) {
      const source = resolved[field];
      const raw = source ? f.properties[source] : undefined;
      if (blank(raw)) {
        if (spec.required) {
          problems.push({
            row: f.row,
            field,
            zh: `缺少“${field}”（列 ${source}）`,
            en: `"${field}" is empty (column ${source})`,
          });
          ok = false;
        }
        continue;
      }
      const bad = typeof raw === "string" ? cellTextProblem(raw) : null;
      const p = bad ? { ok: false as const, ...bad } : spec.parse(raw);
      if (p.ok) values[field] = p.value;
      else {
        problems.push({
          row: f.row,
          field,
          zh: `${field}（列 ${source}）：${p.zh}`,
          en: `${field} (column ${source}): ${p.en}`,
        });
        ok = false;
      }
    }
    let geometry = f.geometry;
    if (geometry?.type === "MultiPoint" && Array.isArray(geometry.coordinates) && geometry.coordinates.length === 1) {
      geometry = { type: "Point", coordinates: geometry.coordinates[0] };
    }
    if (!geometry) {
      problems.push({
        row: f.row,
        field: "geometry",
        zh: "没有几何图形（坐标为空）",
        en: "no geometry (empty position)",
      });
      ok = false;
    } else if (!GEOMETRY[target].includes(geometry.type)) {
      problems.push({
        row: f.row,
        field: "geometry",
        zh: `几何类型应为 ${GEOMETRY[target].join("/")}，实为 ${geometry.type}`,
        en: `geometry must be ${GEOMETRY[target].join("/")}, not ${geometry.type}`,
      });
      ok = false;
    }
    if (ok && geometry) rows.push({ row: f.row, values, geometry });
  }
  if (rows.length) {
    const checks = await sql<{ row: number; valid: boolean; reason: string; inside: boolean }>`
      select u.row, ST_IsValid(g.g) as valid, ST_IsValidReason(g.g) as reason,
        ST_Intersects(s.geom, case when GeometryType(g.g) = 'POINT' then g.g else ST_PointOnSurface(ST_MakeValid(g.g)) end) as inside
      from unnest(${rows.map((r) => r.row)}::int[], ${rows.map((r) => JSON.stringify(r.geometry))}::text[]) u(row, geojson)
      cross join lateral (select ST_SetSRID(ST_GeomFromGeoJSON(u.geojson), 4326) as g) g
      cross join (select geom from subdistrict where code = ${read.subdistrict}) s`.execute(db);
    const bad = new Set<number>();
    for (const c of checks.rows) {
      if (!c.valid) {
        problems.push({
          row: c.row,
          field: "geometry",
          zh: `几何图形无效：${c.reason}`,
          en: `invalid geometry: ${c.reason}`,
        });
        bad.add(c.row);
      } else if (!c.inside) {
        problems.push({
          row: c.row,
          field: "geometry",
          zh: "位置不在本街道范围内（坐标系选错了？）",
          en: "the position lies outside the subdistrict (wrong CRS?)",
        });
        bad.add(c.row);
      }
    }
    return {
      rows: rows.filter((r) => !bad.has(r.row)),
      problems: problems.sort((a, b) => a.row - b.row),
      mapping: resolved,
    };
  }
  return { rows, problems, mapping: resolved };
}

/**
 * Imports the rows of a layer: all of them in one transaction, or none when any row has a problem (the report
 * lists them all). Venues, hazards and cameras are placed on their parcels; buildings get entrances cut by
 * building_sections() and the territory is rebuilt around them (plans carried over).
 */
export async function importLayer(db: Db, req: LayerImportRequest, actor: Actor) {
  const read = await readUpload(db, req, actor);
  const { rows, problems, mapping } = await validateRows(db, req.target, read, req.mapping);
  const report = {
    target: req.target,
    rows: read.features.length,
    valid: rows.length,
    problems,
    mapping,
    crs: read.crs,
  };
  if (problems.length) {
    throw invalidRows(problems.length, report);
  }
  if (req.dry_run) return { imported: 0, report };
  const srid = await db
    .selectFrom("subdistrict")
    .select("metric_srid")
    .where("code", "=", read.subdistrict)
    .executeTakeFirstOrThrow();
  await withSqlClient(db, async (client) => {
    await client.query("begin");
    try {
      await insertRows(client, req.target, rows, read.subdistrict, srid.metric_srid);
      await auditImport(client, actor, "import_layer", req.target, null, {
        file: req.file,
        rows: rows.length,
        crs: read.crs.crs,
      });
      await client.query("commit");
    } catch (err) {
      await client.query("rollback");
      throw err;
    }
  });
  return { imported: rows.length, report };
}

type Client = Parameters<Parameters<typeof withSqlClient>[1]>[0];

async function insertRows(client: Client, target: LayerTarget, rows: ValidRow[], subdistrict: string, srid: number) {
  const col = (k: string) => rows.map((r) => r.values[k] ?? null);
  const geo = rows.map((r) => JSON.stringify(r.geometry));
  if (target === "venues") {
    await client.query(
      `insert into venue (category, name, address, geom)
       select u.category, u.name, u.address, ST_SetSRID(ST_GeomFromGeoJSON(u.g), 4326)
       from unnest($1::text[], $2::text[], $3::text[], $4::text[]) with ordinality u(category, name, address, g, n) order by u.n`,
      [col("category"), col("name"), col("address"), geo],
    );
  } else if (target === "hazards") {
    await client.query(
      `insert into hazard (category, severity, title, note, geom)
       select u.category, u.severity, u.title, u.note, ST_SetSRID(ST_GeomFromGeoJSON(u.g), 4326)
       from unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[]) with ordinality u(category, severity, title, note, g, n)
       order by u.n`,
      [col("category"), col("severity"), col("title"), col("note"), geo],
    );
  } else if (target === "cameras") {
    const fields = ["bearing_deg", "view_width_deg", "range_m", "mount_height_m"] as const;
    const cams = rows.map((r) => {
      const d = CAMERA_TYPE_DEFAULTS[r.values.type as CameraType];
      return {
        ...Object.fromEntries(fields.map((f) => [f, (r.values[f] as number | undefined) ?? d[f]])),
        defaulted: fields.filter((f) => r.values[f] === undefined).join(","),
      } as Record<(typeof fields)[number], number> & { defaulted: string };
    });
    await client.query(
      `insert into camera (name, type, status, bearing_deg, view_width_deg, range_m, mount_height_m, defaulted, site, geom)
       select u.name, u.type, coalesce(u.status, 'online'), u.b, u.w, u.r, u.h, string_to_array(nullif(u.d, ''), ','), 'other',
         ST_SetSRID(ST_GeomFromGeoJSON(u.g), 4326)
       from unnest($1::text[], $2::text[], $3::text[], $4::float8[], $5::float8[], $6::float8[], $7::float8[], $8::text[], $9::text[])
         with ordinality u(name, type, status, b, w, r, h, d, g, n)
       order by u.n`,
      [
        col("name"),
        col("type"),
        col("status"),
        cams.map((c) => c.bearing_deg),
        cams.map((c) => c.view_width_deg),
        cams.map((c) => c.range_m),
        cams.map((c) => c.mount_height_m),
        cams.map((c) => c.defaulted),
        geo,
      ],
    );
  } else {
    await insertBuildings(client, rows, subdistrict, srid);
    await client.query("select build_territory($1)", [subdistrict]);
  }
  await client.query("select locate_on_parcels($1)", [subdistrict]);
}

/** Buildings with their entrances: households as given (else none), entrances as given or as many as they need. */
async function insertBuildings(client: Client, rows: ValidRow[], subdistrict: string, srid: number) {
  const parts = rows.flatMap((r) => {
    const polys = r.geometry.type === "Polygon" ? [r.geometry.coordinates] : (r.geometry.coordinates as unknown[]);
    return polys.map((coordinates, k) => ({ r, k, geometry: { type: "Polygon", coordinates } }));
  });
  const staged = await client.query<{ i: number; id: number; community: string | null; long_m: number }>(
    `with u as (
       select u.i, ST_MakeValid(ST_SetSRID(ST_GeomFromGeoJSON(u.g), 4326)) g
       from unnest($1::int[], $2::text[]) u(i, g)
     )
     select u.i, nextval(pg_get_serial_sequence('building', 'id'))::int id,
       (select c.code from community c where c.subdistrict_code = $3 and ST_Intersects(c.geom, ST_PointOnSurface(u.g))
         order by c.code limit 1) community,
       (select greatest(ST_Distance(ST_PointN(r, 1), ST_PointN(r, 2)), ST_Distance(ST_PointN(r, 2), ST_PointN(r, 3)))
         from ST_ExteriorRing(ST_OrientedEnvelope(ST_Transform(u.g, $4::int))) r) long_m
     from u order by u.i`,
    [parts.map((_, i) => i), parts.map((p) => JSON.stringify(p.geometry)), subdistrict, srid],
  );
  const e = DEFAULT_HOUSEHOLD_ESTIMATE;
  const b = staged.rows.map((s) => {
    const { r, k } = parts[s.i]!;
    const households = Math.round(
      ((r.values.households as number | undefined) ?? 0) / (parts.filter((p) => p.r === r).length || 1),
    );
    const floors = r.values.floors as number;
    const n =
      (r.values.entrances as number | undefined) ??
      entranceCount({ households, mappedEntrances: 0, longSideM: s.long_m }, e);
    const kind = (r.values.kind as string | undefined) ?? (floors <= 3 ? "lowrise" : floors >= 10 ? "tower" : "slab");
    const name = `${(r.values.name as string | undefined) ?? `楼栋 ${r.row}`}${k ? `-${k + 1}` : ""}`;
    return { ...s, households, floors, n, kind, name, estimated: r.values.households === undefined };
  });
  await client.query(
    `insert into building (id, community_code, kind, name, floors, geom) overriding system value
     select u.id, u.community, u.kind, u.name, u.floors, ST_ForcePolygonCCW(largest_polygon(ST_MakeValid(ST_SetSRID(ST_GeomFromGeoJSON(u.g), 4326))))
     from unnest($1::int[], $2::text[], $3::text[], $4::text[], $5::int[], $6::text[]) u(id, community, kind, name, floors, g)`,
    [
      b.map((x) => x.id),
      b.map((x) => x.community),
      b.map((x) => x.kind),
      b.map((x) => x.name),
      b.map((x) => x.floors),
      b.map((x) => JSON.stringify(parts[x.i]!.geometry)),
    ],
  );
  await client.query(
    `insert into entrance (building_id, seq, households, households_estimated, geom, section)
     select bl.id, s.seq, u.hh / u.n + case when s.seq <= u.hh % u.n then 1 else 0 end, u.est, ST_PointOnSurface(s.geom), ST_ForcePolygonCCW(s.geom)
     from unnest($1::int[], $2::int[], $3::int[], $4::bool[]) u(id, hh, n, est)
     join building bl on bl.id = u.id
     cross join lateral building_sections(bl.geom, u.n, $5::int) s
     where s.geom is not null`,
    [b.map((x) => x.id), b.map((x) => x.households), b.map((x) => x.n), b.map((x) => x.estimated), srid],
  );
}

/** An import refused whole because of its rows' problems, which `details` lists; nothing was written. */
export function invalidRows(problems: number, details: unknown): DomainError {
  return new DomainError(
    "precondition",
    "invalid_rows",
    `${problems} 处问题，未导入任何数据（详见报告）`,
    `${problems} problems; nothing was imported (see the report)`,
    "file",
    details,
  );
}
