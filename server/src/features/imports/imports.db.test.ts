import { execFileSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { gk3Srid, reproject, toChineseWebMap, type XY } from "@gridatlas/geodata/gis/crs.ts";
import { meshOsmXml } from "@gridatlas/geodata/test-support/mesh.ts";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { useTestApp } from "../../../test-support/test-app.ts";
import type { TestSession } from "../../../test-support/test-session.ts";
import { tableChecksums } from "../../db/checksum.ts";

/**
 * Imports through the API as an admin does them: uploads in chunks, a preview that names the CRS and warns of
 * shifted coordinates, layer imports with a per-row report (all rows or none), hand-drawn grids into a draft
 * plan with a report of what their boundaries got wrong, and an OpenStreetMap import as a job.
 */

const COMMUNITY = "150571003001";
const t = useTestApp("imports");
let admin: TestSession;
let tmp: string;

beforeAll(async () => {
  admin = await t.as("admin");
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), "gridatlas-imports-"));
});

afterAll(async () => {
  if (tmp) fs.rmSync(tmp, { recursive: true, force: true });
});

/** Uploads bytes in chunks of 64 kB (smaller than the server's, to exercise several chunks). */
async function upload(name: string, bytes: Buffer | string): Promise<string> {
  const data = Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes, "utf8");
  const created = await admin.send("POST", "/api/imports/files", { name, size_bytes: data.length });
  expect(created.status).toBe(201);
  const { id } = (await created.json()) as { id: string };
  for (let offset = 0; offset < data.length; offset += 65_536) {
    const chunk = data.subarray(offset, offset + 65_536).toString("base64");
    const res = await admin.send("PUT", `/api/imports/files/${id}`, { offset, data: chunk });
    expect(res.status).toBe(200);
  }
  return id;
}

/** Centroids of real buildings of the demo: positions that sit on the map's buildings when read correctly. */
async function buildingPoints(n: number): Promise<XY[]> {
  const r = await t.sql.query<{ x: number; y: number }>(
    `select ST_X(c) x, ST_Y(c) y from (select ST_PointOnSurface(geom) c from building where community_code = $1 order by id limit $2) t`,
    [COMMUNITY, n],
  );
  return r.rows.map((p) => [p.x, p.y]);
}

const metres = (a: XY, b: XY) =>
  Math.hypot((a[0] - b[0]) * 111_320 * Math.cos((a[1] * Math.PI) / 180), (a[1] - b[1]) * 110_570);

describe("uploads", () => {
  it("take chunks in order and say where to resume", async () => {
    const created = await admin.send("POST", "/api/imports/files", { name: "../../etc/x.csv", size_bytes: 4 });
    const { id } = (await created.json()) as { id: string };
    const wrong = await admin.send("PUT", `/api/imports/files/${id}`, { offset: 2, data: "YWI=" });
    expect(wrong.status).toBe(409);
    expect((await wrong.json()).error.details.received_bytes).toBe(0);
    const first = await admin.send("PUT", `/api/imports/files/${id}`, { offset: 0, data: "YWI=" });
    expect(await first.json()).toMatchObject({ received_bytes: 2, complete: false });
    const tooMuch = await admin.send("PUT", `/api/imports/files/${id}`, { offset: 2, data: "YWJj" });
    expect(tooMuch.status).toBe(400);
    const preview = await admin.send("POST", "/api/imports/preview", { file: id });
    expect(preview.status).toBe(422);
  });
});

describe("layer imports", () => {
  it("previews a GeoJSON file in WGS84 with its fields and the CRS it declares", async () => {
    const pts = await buildingPoints(3);
    const fc = {
      type: "FeatureCollection",
      features: pts.map((p, i) => ({
        type: "Feature",
        properties: { 名称: `导入药店${i}`, 类别: "药店", 地址: `新城路${i}号` },
        geometry: { type: "Point", coordinates: p },
      })),
    };
    const id = await upload("venues.geojson", JSON.stringify(fc));
    const res = await admin.send("POST", "/api/imports/preview", { file: id });
    expect(res.status).toBe(200);
    const body = await res.json();
    expect(body).toMatchObject({
      format: "GeoJSON",
      total: 3,
      crs: { crs: "EPSG:4326", source: "file", swapped: false },
    });
    expect(body.fields.map((f: { name: string }) => f.name)).toEqual(["名称", "类别", "地址"]);
    expect(body.offset.suggestion).toBeNull();
    const imported = await admin.send("POST", "/api/imports/layers", { file: id, target: "venues" });
    expect(imported.status).toBe(200);
    expect((await imported.json()).imported).toBe(3);
    const rows = await t.sql.query(
      "select category, address, community_code from venue where name like '导入药店%' order by name",
    );
    expect(rows.rows).toEqual(
      pts.map((_, i) => ({ category: "pharmacy", address: `新城路${i}号`, community_code: COMMUNITY })),
    );
  });

  it("warns that lng/lat look like GCJ-02, and converts them when told to", async () => {
    const pts = await buildingPoints(40);
    const csv = [
      "name,category,lng,lat",
      ...pts.map((p, i) => {
        const g = toChineseWebMap(p, "GCJ02");
        return `高德网吧${i},internet_cafe,${g[0].toFixed(9)},${g[1].toFixed(9)}`;
      }),
    ].join("\n");
    const id = await upload("amap.csv", csv);
    const preview = await (await admin.send("POST", "/api/imports/preview", { file: id })).json();
    expect(preview.crs).toMatchObject({ crs: "EPSG:4326", source: "guess" });
    expect(preview.offset.suggestion).toBe("GCJ02");
    expect(preview.offset.median_m.as_is).toBeGreaterThan(100);
    expect(preview.offset.median_m.gcj02).toBeLessThan(5);
    expect(preview.offset.zh).toContain("GCJ-02");
    const res = await admin.send("POST", "/api/imports/layers", { file: id, target: "venues", crs: "GCJ02" });
    expect(res.status).toBe(200);
    const stored = await t.sql.query<{ x: number; y: number }>(
      "select ST_X(geom) x, ST_Y(geom) y from venue where name like '高德网吧%' order by id",
    );
    for (const [i, s] of stored.rows.entries()) expect(metres([s.x, s.y], pts[i]!)).toBeLessThan(0.01);
  });

  it("reads Gauss-Krüger coordinates with zone prefix, northing first, from a GBK CSV", async () => {
    const pts = await buildingPoints(5);
    const srid = gk3Srid(123, true);
    const en = await reproject(pts, 4326, srid);
    // Surveyors' order: X is the northing, Y the easting; Excel in China saves GBK.
    const csv = [
      "隐患名称,类别,等级,X,Y",
      ...en.map((p, i) => `楼道堆物${i},消防隐患,高,${p[1].toFixed(3)},${p[0].toFixed(3)}`),
    ].join("\r\n");
    const gbk = Buffer.from(new TextEncoder().encode(csv));
    const gbkBytes = execFileSync("iconv", ["-f", "UTF-8", "-t", "GBK"], { input: gbk });
    const id = await upload("hazards.csv", gbkBytes);
    const preview = await (await admin.send("POST", "/api/imports/preview", { file: id })).json();
    expect(preview.encoding).toBe("GBK");
    expect(preview.crs).toMatchObject({ crs: `EPSG:${srid}`, source: "guess", swapped: true });
    expect(preview.features.features[0].properties.隐患名称).toBe("楼道堆物0");
    const res = await admin.send("POST", "/api/imports/layers", { file: id, target: "hazards" });
    expect(res.status).toBe(200);
    const stored = await t.sql.query<{ x: number; y: number; category: string; severity: string }>(
      "select ST_X(geom) x, ST_Y(geom) y, category, severity from hazard where title like '楼道堆物%' order by id",
    );
    expect(stored.rows.map((r) => [r.category, r.severity])).toEqual(pts.map(() => ["fire", "high"]));
    for (const [i, s] of stored.rows.entries()) expect(metres([s.x, s.y], pts[i]!)).toBeLessThan(0.01);
  });

  it("reads a GeoPackage in a zone without prefix and a zipped GBK Shapefile, Chinese camera types and all", async () => {
    const pts = await buildingPoints(4);
    const en = await reproject(pts, 4326, 4550);
    const src = path.join(tmp, "cams.csv");
    fs.writeFileSync(
      src,
      [
        "name,type,bearing,x,y",
        ...en.map((p, i) => `路口${i},${["球机", "固定枪机"][i % 2]},${i * 30},${p[0]},${p[1]}`),
      ].join("\n"),
    );
    const gpkg = path.join(tmp, "cams.gpkg");
    const shp = path.join(tmp, "cams.shp.zip");
    const common = [
      "-oo",
      "X_POSSIBLE_NAMES=x",
      "-oo",
      "Y_POSSIBLE_NAMES=y",
      "-oo",
      "KEEP_GEOM_COLUMNS=NO",
      "-a_srs",
      "EPSG:4550",
    ];
    execFileSync("ogr2ogr", ["-f", "GPKG", gpkg, src, ...common]);
    execFileSync("ogr2ogr", ["-f", "ESRI Shapefile", shp, src, ...common, "-lco", "ENCODING=CP936"]);
    for (const [file, name] of [
      [gpkg, "cams.gpkg"],
      [shp, "cams.zip"],
    ] as const) {
      const id = await upload(name, fs.readFileSync(file));
      const preview = await (await admin.send("POST", "/api/imports/preview", { file: id })).json();
      expect(preview.crs, name).toMatchObject({ crs: "EPSG:4550", source: "file" });
      expect(preview.features.features[0].properties.name).toBe("路口0");
      const res = await admin.send("POST", "/api/imports/layers", {
        file: id,
        target: "cameras",
        mapping: { bearing_deg: "bearing" },
      });
      expect(res.status, name).toBe(200);
    }
    const stored = await t.sql.query<{ x: number; y: number; type: string; bearing_deg: number; defaulted: string[] }>(
      "select ST_X(geom) x, ST_Y(geom) y, type, bearing_deg, defaulted from camera where name like '路口%' order by id",
    );
    expect(stored.rows).toHaveLength(8);
    stored.rows.forEach((s, i) => {
      expect(metres([s.x, s.y], pts[i % 4]!)).toBeLessThan(0.01);
      expect(s.type).toBe(["dome", "fixed"][i % 2]);
      expect(s.bearing_deg).toBe((i % 4) * 30);
      expect(s.defaulted).toEqual(["view_width_deg", "range_m", "mount_height_m"]);
    });
  });

  it("reports every bad row, where and what, and imports nothing", async () => {
    const [p] = await buildingPoints(1);
    const fc = {
      type: "FeatureCollection",
      features: [
        {
          type: "Feature",
          properties: { name: "好的", category: "hotel" },
          geometry: { type: "Point", coordinates: p },
        },
        { type: "Feature", properties: { name: "", category: "hotel" }, geometry: { type: "Point", coordinates: p } },
        {
          type: "Feature",
          properties: { name: "类别错", category: "casino" },
          geometry: { type: "Point", coordinates: p },
        },
        {
          type: "Feature",
          properties: { name: "在海外", category: "hotel" },
          geometry: { type: "Point", coordinates: [7.42, 43.73] },
        },
        { type: "Feature", properties: { name: "无位置", category: "hotel" }, geometry: null },
      ],
    };
    const id = await upload("bad.geojson", JSON.stringify(fc));
    const before = await tableChecksums(t.url, ["audit_event", "session"]);
    const res = await admin.send("POST", "/api/imports/layers", { file: id, target: "venues" });
    expect(res.status).toBe(422);
    const body = await res.json();
    expect(body.error.zh).toContain("未导入");
    expect(body.error.details.problems.map((x: { row: number; field: string }) => [x.row, x.field])).toEqual([
      [2, "name"],
      [3, "category"],
      [4, "geometry"],
      [5, "geometry"],
    ]);
    // The wrong category is answered with the choices by name, as people write them (both are accepted).
    const category = body.error.details.problems.find((x: { field: string }) => x.field === "category");
    expect(category.zh).toContain("宾馆");
    expect(category.zh).not.toMatch(/[a-z]+_[a-z]+/);
    expect(category.en).not.toMatch(/\b[a-z]+_[a-z_]+\b/);
    expect(await tableChecksums(t.url, ["audit_event", "session"])).toEqual(before);
  });

  it("refuses a CSV of hazards whose titles or notes carry a phone or ID number, naming row and field", async () => {
    const pts = await buildingPoints(3);
    const src = path.join(tmp, "hazards-pii.csv");
    fs.writeFileSync(
      src,
      [
        "隐患名称,类别,等级,说明,lng,lat",
        `楼道堆物,消防隐患,高,共3户 2026-12-01 网格150571003003001,${pts[0]![0]},${pts[0]![1]}`,
        `私拉电线,消防隐患,高,户主电话 139 0475 1234,${pts[1]![0]},${pts[1]![1]}`,
        `户主11010519491231002X家门口,消防隐患,低,,${pts[2]![0]},${pts[2]![1]}`,
      ].join("\n"),
    );
    // A spreadsheet saved as CSV: positions come only from CSV columns (readGisFile); every format's cells go
    // through the same field parsers.
    const id = await upload("hazards-pii.csv", fs.readFileSync(src));
    const before = await tableChecksums(t.url, ["audit_event", "session"]);
    const res = await admin.send("POST", "/api/imports/layers", {
      file: id,
      target: "hazards",
      crs: "EPSG:4326",
    });
    expect(res.status, await res.clone().text()).toBe(422);
    const body = await res.json();
    const problems = body.error.details?.problems as { row: number; field: string; zh: string }[];
    expect(problems, JSON.stringify(body)).toBeDefined();
    expect(
      problems.map((x) => [x.row, x.field]),
      JSON.stringify(problems),
    ).toEqual([
      [2, "note"],
      [3, "title"],
    ]);
    expect(problems[0]!.zh).toContain("不要填写居民姓名、电话、身份证号");
    expect(await tableChecksums(t.url, ["audit_event", "session"])).toEqual(before);
  });
});

describe("text in GIS files", () => {
  it("refuses a cell GDAL could not read as text (a lone surrogate, in GeoJSON or GeoPackage), naming row and field, as CSV bodies are refused; control characters pass as in CSV", async () => {
    const [p] = await buildingPoints(1);
    const venue = (name: string) => ({
      type: "Feature",
      properties: { name, category: "hotel" },
      geometry: { type: "Point", coordinates: p },
    });
    const geojson = JSON.stringify({
      type: "FeatureCollection",
      features: [venue("孤立\ud800代理项"), venue("控制\u0001字符")],
    });
    expect(geojson).toContain("\\ud800");
    const gpkg = path.join(tmp, "lone.gpkg");
    fs.writeFileSync(path.join(tmp, "lone.geojson"), geojson);
    execFileSync("ogr2ogr", ["-f", "GPKG", gpkg, path.join(tmp, "lone.geojson")]);
    for (const [name, bytes] of [
      ["lone.geojson", Buffer.from(geojson)],
      ["lone.gpkg", fs.readFileSync(gpkg)],
    ] as const) {
      const id = await upload(name, bytes);
      const before = await tableChecksums(t.url, ["audit_event", "session"]);
      const res = await admin.send("POST", "/api/imports/layers", { file: id, target: "venues" });
      expect(res.status, name).toBe(422);
      const problems = (await res.json()).error.details.problems as {
        row: number;
        field: string;
        zh: string;
        en: string;
      }[];
      expect(
        problems.map((x) => [x.row, x.field]),
        name,
      ).toEqual([[1, "name"]]);
      expect(problems[0]!.zh).toContain("无法解码");
      expect(problems[0]!.en).toContain("encoding");
      expect(await tableChecksums(t.url, ["audit_event", "session"]), name).toEqual(before);
    }
    const { rows } = await t.sql.query("select 1 from venue where name like '%\uFFFD%'");
    expect(rows).toEqual([]);

    // A control character is text to PostgreSQL: the edge's rule lets it through, in a CSV body as in a GIS file.
    const id = await upload(
      "control.geojson",
      JSON.stringify({ type: "FeatureCollection", features: [venue("控制\u0001字符")] }),
    );
    expect((await admin.send("POST", "/api/imports/layers", { file: id, target: "venues" })).status).toBe(200);
    expect((await t.sql.query("select name from venue where name = $1", ["控制\u0001字符"])).rowCount).toBe(1);
  });
});

describe("building imports", () => {
  it("add buildings with entrances and rebuild the parcels around them, plans carried over", async () => {
    const spots = await t.sql.query<{ g: unknown }>(
      `select ST_AsGeoJSON(ST_Transform(ST_Expand(c, 5), 4326), 9)::json g
       from parcel p cross join lateral (select ST_Transform(ST_PointOnSurface(p.geom), 4550) c) x
       where p.entrance_id is null and p.area_m2 > 600
         and not exists (select 1 from building b where ST_DWithin(ST_Transform(b.geom, 4550), c, 12))
       order by p.area_m2 desc, p.id limit 2`,
    );
    expect(spots.rows).toHaveLength(2);
    const fc = {
      type: "FeatureCollection",
      features: spots.rows.map((r, i) => ({
        type: "Feature",
        properties: { 楼号: `新建${i + 1}号楼`, 层数: 6, 户数: 36 },
        geometry: r.g,
      })),
    };
    const id = await upload("buildings.geojson", JSON.stringify(fc));
    const res = await admin.send("POST", "/api/imports/layers", { file: id, target: "buildings" });
    expect(res.status).toBe(200);
    const built = await t.sql.query<{ name: string; households: number; estimated: boolean; parcels: number }>(
      `select b.name, sum(e.households)::int households, bool_or(e.households_estimated) estimated,
         (select count(*) from parcel p where p.building_id = b.id)::int parcels
       from building b join entrance e on e.building_id = b.id where b.name like '新建%' group by b.id, b.name order by b.name`,
    );
    expect(built.rows).toEqual([
      { name: "新建1号楼", households: 36, estimated: false, parcels: 1 },
      { name: "新建2号楼", households: 36, estimated: false, parcels: 1 },
    ]);
    const unassigned = await t.sql.query(
      `select p.id from parcel p where not exists (
         select 1 from published_parcel pp where pp.parcel_id = p.id)`,
    );
    expect(unassigned.rows).toEqual([]);
  }, 180_000);
});

describe("hand-drawn grids", () => {
  it("become a draft plan, each parcel in the grid covering most of it, with a report of overlaps, gaps and cuts", async () => {
    // The published grids of one community, redrawn by hand: the first pushed 25 m over its neighbours, the
    // second pulled 20 m in, leaving a gap; the rest as they are.
    const drawn = await t.sql.query<{ code: string; name: string; geometry: unknown }>(
      `select g.code, g.name, ST_AsGeoJSON(case row_number() over (order by g.code)
           when 1 then ST_Transform(ST_Buffer(ST_Transform(g.geom, 4550), 25), 4326)
           when 2 then ST_Transform(ST_Buffer(ST_Transform(g.geom, 4550), -20), 4326)
           else g.geom end, 9)::json geometry
       from published_grid g where g.community_code = $1 order by g.code`,
      [COMMUNITY],
    );
    const fc = {
      type: "FeatureCollection",
      features: drawn.rows.map((g) => ({
        type: "Feature",
        properties: { 网格编码: g.code, 网格名称: g.name },
        geometry: g.geometry,
      })),
    };
    const id = await upload("old-grids.geojson", JSON.stringify(fc));
    const res = await admin.send("POST", "/api/imports/plans", { file: id, name: "2022年手绘网格" });
    expect(res.status).toBe(201);
    const out = await res.json();
    expect(out.report.overlaps.length).toBeGreaterThan(0);
    expect(out.report.overlaps.every((o: { a: number; b: number }) => o.a === 1 || o.b === 1)).toBe(true);
    expect(
      out.report.gaps.some((g: { community: string; area_m2: number }) => g.community === COMMUNITY && g.area_m2 > 100),
    ).toBe(true);
    expect(out.report.buildings_split.length).toBeGreaterThan(0);
    expect(out.report.codes_changed).toEqual([]);
    expect(out.report.communities_without_grid.length).toBe(10);
    const kinds = new Set(out.geometry.features.map((f: { properties: { kind: string } }) => f.properties.kind));
    for (const kind of ["overlap", "gap", "building_split"]) expect(kinds.has(kind), kind).toBe(true);
    // Every parcel of the subdistrict is in the plan; the community's parcels mostly keep their published grid.
    const counts = await t.sql.query<{ parcels: number; assigned: number; same: number; total_in_a: number }>(
      `select (select count(*) from parcel)::int parcels,
         (select count(*) from plan_parcel where plan_id = $1)::int assigned,
         (select count(*) from plan_parcel n join grid gn on gn.id = n.grid_id
            join published_parcel p on p.parcel_id = n.parcel_id and p.grid_code = gn.code
          where n.plan_id = $1 and n.community_code = $2)::int same,
         (select count(*) from parcel where community_code = $2)::int total_in_a`,
      [out.plan_id, COMMUNITY],
    );
    const c = counts.rows[0]!;
    expect(c.assigned).toBe(c.parcels);
    expect(c.same / c.total_in_a).toBeGreaterThan(0.9);
    const plan = await t.sql.query("select status from plan where id = $1", [out.plan_id]);
    expect(plan.rows[0]).toEqual({ status: "draft" });
  });
});

/** An import job's state once it stops running; a job still running after `timeout_ms` fails the test. */
async function finished<T extends { state: string }>(id: string, timeout_ms = 120_000): Promise<T> {
  const deadline = Date.now() + timeout_ms;
  for (;;) {
    const state = (await (await admin.request(`/api/imports/${id}`)).json()) as T;
    if (state.state !== "running") return state;
    if (Date.now() > deadline) throw new Error(`import job ${id} still running after ${timeout_ms} ms`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

describe("OpenStreetMap import through the API", () => {
  it("runs as a job with progress, a summary and an audit record", async () => {
    const id = await upload("mesh.osm", meshOsmXml({ lng0: 116.4, lat0: 39.9, cell: 160, cells: 2, levels: 12 }));
    const started = await admin.send("POST", "/api/imports", {
      kind: "osm",
      file: id,
      subdistrict_code: "110101996",
      name: "接口街道",
    });
    expect(started.status).toBe(202);
    const job = (await started.json()) as { id: string };
    const state = await finished<{
      state: string;
      summary?: { communities: number; grids: number };
      log: string[];
      error?: unknown;
    }>(job.id);
    expect(state.error).toBeUndefined();
    expect(state.state).toBe("done");
    expect(state.summary).toMatchObject({ communities: 1, buildings: 8 });
    expect(state.log.some((l) => l.startsWith("blocks and parcels"))).toBe(true);
    const audit = await t.sql.query("select actor, action, entity_id from audit_event where action = 'import_osm'");
    expect(audit.rows).toEqual([{ actor: "admin", action: "import_osm", entity_id: "110101996" }]);
  });

  it("fails a bad file with a bilingual error and changes nothing", async () => {
    const id = await upload("broken.osm.pbf", Buffer.from("definitely not a pbf"));
    const before = await tableChecksums(t.url, ["audit_event", "session"]);
    const started = await admin.send("POST", "/api/imports", { kind: "osm", file: id, subdistrict_code: "110101995" });
    const job = (await started.json()) as { id: string };
    const state = await finished<{ state: string; error?: { code: string; zh: string; en: string } }>(job.id);
    expect(state.state).toBe("failed");
    expect(state.error?.code).toBe("wrong_format");
    expect(state.error?.zh).toContain("OpenStreetMap");
    expect(await tableChecksums(t.url, ["audit_event", "session"])).toEqual(before);
  });
});

describe("territory import through the API", () => {
  /** Two communities side by side near Tongliao (x 0…200 and 200…400 m, y 0…200 m), a street, three buildings. */
  const m = (x: number, y: number) => [122.3 + x / 80_650, 43.7 + y / 110_574];
  const rect = (x0: number, y0: number, x1: number, y1: number) => ({
    type: "Polygon",
    coordinates: [[m(x0, y0), m(x1, y0), m(x1, y1), m(x0, y1), m(x0, y0)]],
  });
  const collection = (features: { properties: Record<string, unknown>; geometry: unknown }[]) =>
    JSON.stringify({ type: "FeatureCollection", features: features.map((f) => ({ type: "Feature", ...f })) });
  const layers = async (floors: unknown) => ({
    communities_file: await upload(
      "社区.geojson",
      collection([
        { properties: { 社区名称: "东社区", 社区代码: "150571993001" }, geometry: rect(0, 0, 200, 200) },
        { properties: { 社区名称: "西社区", 社区代码: "150571993002" }, geometry: rect(200, 0, 400, 200) },
      ]),
    ),
    buildings_file: await upload(
      "楼栋.geojson",
      collection([
        { properties: { 楼栋编码: "A1", 层数: floors, 户数: 240, 单元数: 4 }, geometry: rect(20, 20, 120, 35) },
        { properties: { 楼栋编码: "A2", 层数: 6 }, geometry: rect(220, 20, 320, 35) },
        { properties: { 楼栋编码: "A3", 层数: 6 }, geometry: rect(220, 140, 320, 155) },
      ]),
    ),
    roads_file: await upload(
      "道路.geojson",
      collection([
        {
          properties: { 道路名称: "横街", 道路等级: "支路" },
          geometry: { type: "LineString", coordinates: [m(0, 100), m(400, 100)] },
        },
      ]),
    ),
    households_file: await upload("户数.csv", "楼栋编码,户数\nA2,180\n"),
  });

  it("runs as a job with progress, a summary and an audit record; recorded households are kept", async () => {
    const started = await admin.send("POST", "/api/imports", { kind: "territory", ...(await layers(6)) });
    expect(started.status).toBe(202);
    const job = (await started.json()) as { id: string };
    const state = await finished<{ state: string; summary?: Record<string, number>; log: string[]; error?: unknown }>(
      job.id,
    );
    expect(state.error).toBeUndefined();
    expect(state.state).toBe("done");
    expect(state.summary).toMatchObject({ communities: 2, buildings: 3, entrances: expect.any(Number) });
    expect(state.log.some((l) => l.startsWith("blocks and parcels"))).toBe(true);
    const recorded = await t.sql.query<{ name: string; households: number; entrances: number; estimated: boolean }>(
      `select b.name, sum(e.households)::int households, count(*)::int entrances, bool_or(e.households_estimated) estimated
       from building b join entrance e on e.building_id = b.id
       where b.community_code like '150571993%' group by b.name order by b.name`,
    );
    expect(recorded.rows.slice(0, 2)).toEqual([
      { name: "A1", households: 240, entrances: 4, estimated: false },
      { name: "A2", households: 180, entrances: expect.any(Number), estimated: false },
    ]);
    expect(recorded.rows[2]).toMatchObject({ name: "A3", estimated: true });
    const audit = await t.sql.query("select actor, action from audit_event where action = 'import_territory'");
    expect(audit.rows).toEqual([{ actor: "admin", action: "import_territory" }]);
  });

  it("updates that territory from a corrected buildings layer, carrying its plans over; refusals name the field", async () => {
    // The territory the test above made (150571993), its buildings corrected by a later survey: A1 has 250 households.
    const buildings_file = await upload(
      "楼栋-更正.geojson",
      collection([
        { properties: { 楼栋编码: "A1", 层数: 6, 户数: 250, 单元数: 4 }, geometry: rect(20, 20, 120, 35) },
        { properties: { 楼栋编码: "A2", 层数: 6, 户数: 180 }, geometry: rect(220, 20, 320, 35) },
        { properties: { 楼栋编码: "A3", 层数: 6 }, geometry: rect(220, 140, 320, 155) },
      ]),
    );
    const before = await tableChecksums(t.url, ["audit_event", "session"]);
    const refusal = async (body: Record<string, unknown>) => {
      const res = await admin.send("POST", "/api/imports", { kind: "territory", buildings_file, ...body });
      const { error } = (await res.json()) as { error: { code: string; zh: string; field?: string } };
      return { status: res.status, code: error.code, field: error.field, zh: error.zh };
    };
    expect(await refusal({})).toMatchObject({ status: 400, code: "missing_layer", field: "communities_file" });
    expect(await refusal({ update: true })).toMatchObject({ status: 400, field: "subdistrict_code" });
    expect(await refusal({ update: true, subdistrict_code: "150571998" })).toMatchObject({
      status: 404,
      code: "no_subdistrict",
      field: "subdistrict_code",
    });
    const taken = await refusal({ ...(await layers(6)), buildings_file, subdistrict_code: "150571993" });
    expect(taken).toMatchObject({ status: 409, code: "subdistrict_exists" });
    expect(taken.zh).toContain("更新楼栋");
    expect(await tableChecksums(t.url, ["audit_event", "session"])).toEqual(before);

    const plans = () =>
      t.sql
        .query<{ id: number; grids: number }>(
          `select pl.id, count(g.id)::int grids from plan pl left join grid g on g.plan_id = pl.id
           where pl.subdistrict_code = '150571993' group by pl.id order by pl.id`,
        )
        .then((r) => r.rows);
    const plansBefore = await plans();
    expect(plansBefore.length).toBeGreaterThan(0);
    const started = await admin.send("POST", "/api/imports", {
      kind: "territory",
      buildings_file,
      subdistrict_code: "150571993",
      update: true,
    });
    expect(started.status).toBe(202);
    const state = await finished<{ state: string; summary?: Record<string, unknown>; error?: unknown }>(
      ((await started.json()) as { id: string }).id,
    );
    expect(state.error).toBeUndefined();
    expect(state.summary).toMatchObject({
      buildings: 3,
      subdistrict_code: "150571993",
      plan_id: plansBefore.at(-1)!.id,
    });
    expect(await plans()).toEqual(plansBefore);
    const a1 = await t.sql.query<{ households: number }>(
      `select sum(e.households)::int households from building b join entrance e on e.building_id = b.id
       where b.community_code like '150571993%' and b.code = 'A1'`,
    );
    expect(a1.rows).toEqual([{ households: 250 }]);
  });

  it("fails on a bad row with every problem in the error's details, and changes nothing", async () => {
    const files = await layers("六层");
    const before = await tableChecksums(t.url, ["audit_event", "session"]);
    const started = await admin.send("POST", "/api/imports", { kind: "territory", ...files });
    const job = (await started.json()) as { id: string };
    const state = await finished<{
      state: string;
      error?: {
        code: string;
        zh: string;
        en: string;
        details?: { problems: { layer: string; row: number; field: string }[] };
      };
    }>(job.id);
    expect(state.state).toBe("failed");
    expect(state.error?.code).toBe("invalid_layers");
    expect(state.error?.details?.problems).toEqual([
      expect.objectContaining({ layer: "buildings", row: 1, field: "层数" }),
    ]);
    expect(state.error?.zh).toContain("未导入任何数据");
    expect(await tableChecksums(t.url, ["audit_event", "session"])).toEqual(before);
  });

  it("previews the layers uploaded so far without writing: features, CRS, fields matched and every bad row", async () => {
    const files = await layers("六层");
    const before = await tableChecksums(t.url, ["session"]);
    const partial = await admin.send("POST", "/api/imports/territory/preview", {
      communities_file: files.communities_file,
    });
    expect(partial.status).toBe(200);
    expect(await partial.json()).toMatchObject({ complete: false, problems: [], households: null });
    // A water layer is previewed as the import will read it (it cuts the blocks; no one's parcel).
    const water_file = await upload(
      "水系.geojson",
      collection([{ properties: { 水体名称: "东湖", 水体类型: "湖泊" }, geometry: rect(150, 150, 190, 190) }]),
    );
    const res = await admin.send("POST", "/api/imports/territory/preview", { ...files, water_file });
    expect(res.status).toBe(200);
    const preview = (await res.json()) as {
      layers: Record<
        string,
        { crs: string; matched: Record<string, string>; total: number; features: { features: { id: number }[] } }
      >;
      households: { rows: number };
      problems: { layer: string; row: number; field: string; zh: string }[];
      complete: boolean;
    };
    expect(preview.complete).toBe(true);
    expect(preview.layers.communities).toMatchObject({
      crs: "EPSG:4326",
      total: 2,
      matched: { communityName: "社区名称", communityCode: "社区代码" },
    });
    expect(preview.layers.buildings?.matched).toMatchObject({
      floors: "层数",
      households: "户数",
      entrances: "单元数",
    });
    expect(preview.layers.buildings?.features.features.map((f) => f.id)).toEqual([1, 2, 3]);
    expect(preview.layers.water).toMatchObject({ total: 1, matched: { waterName: "水体名称", waterKind: "水体类型" } });
    expect(preview.households.rows).toBe(1);
    expect(preview.problems).toEqual([expect.objectContaining({ layer: "buildings", row: 1, field: "层数" })]);
    expect(await tableChecksums(t.url, ["session"])).toEqual(before);
  });
});
