import { execFileSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { readGisFile } from "@gridatlas/geodata/gis/read.ts";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { useTestApp } from "../../../test-support/test-app.ts";
import { signIn, type TestSession } from "../../../test-support/test-session.ts";

/**
 * Exports in every format, written by GDAL, and their round trips: what an export writes, the importer reads back
 * as the same features — geometry within 1 cm, the same attributes — whether read directly, imported as a layer
 * or imported as a plan.
 */

const COMMUNITY = "150571003002";
const FORMATS = [
  ["geojson", "geojson"],
  ["csv", "csv"],
  ["shp", "zip"],
  ["gpkg", "gpkg"],
] as const;
const t = useTestApp("exports");
let admin: TestSession;
let planner: TestSession;
let tmp: string;
/** Beside the browser tests' screenshots (gitignored). */
const ARTIFACTS = path.resolve(import.meta.dirname, "../../../../tests/artifacts");

beforeAll(async () => {
  admin = await t.as("admin");
  planner = await t.as("planner");
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), "gridatlas-exports-"));
});

afterAll(async () => {
  if (tmp) fs.rmSync(tmp, { recursive: true, force: true });
});

async function exported(layer: string, query: string): Promise<{ bytes: Buffer; filename: string; type: string }> {
  const res = await planner.request(`/api/exports/${layer}?${query}`);
  expect(res.status, `${layer}?${query}`).toBe(200);
  const filename = /filename="([^"]+)"/.exec(res.headers.get("content-disposition") ?? "")![1]!;
  return { bytes: Buffer.from(await res.arrayBuffer()), filename, type: res.headers.get("content-type") ?? "" };
}

async function upload(name: string, data: Buffer): Promise<string> {
  const { id } = await (await admin.send("POST", "/api/imports/files", { name, size_bytes: data.length })).json();
  for (let offset = 0; offset < data.length; offset += 500_000) {
    const res = await admin.send("PUT", `/api/imports/files/${id}`, {
      offset,
      data: data.subarray(offset, offset + 500_000).toString("base64"),
    });
    expect(res.status).toBe(200);
  }
  return id;
}

/** Attributes compared as text: CSV carries no types, and null and empty mean the same in every format. */
const same = (v: unknown) =>
  v === null || v === undefined ? "" : typeof v === "number" ? String(Number(v)) : String(v);

describe("exports", () => {
  it("are for the roles that read everything, and narrow to a grid", async () => {
    const worker = await signIn(t.app, "worker-1");
    expect((await worker.request("/api/exports/venues")).status).toBe(403);
    const grid = (
      await t.sql.query<{ grid_code: string }>(
        "select grid_code from published_parcel pp join venue v on v.parcel_id = pp.parcel_id limit 1",
      )
    ).rows[0]!.grid_code;
    const fc = JSON.parse((await exported("venues", `grid=${grid}`)).bytes.toString("utf8"));
    expect(fc.features.length).toBeGreaterThan(0);
    expect(fc.features.every((f: { properties: { grid: string } }) => f.properties.grid === grid)).toBe(true);
  });

  it("write a zipped Shapefile declared UTF-8 and a CSV Excel opens", async () => {
    const shp = await exported("venues", `community=${COMMUNITY}&format=shp`);
    expect(shp.type).toBe("application/zip");
    expect(shp.filename).toMatch(/^venues-\d{4}-\d{2}-\d{2}\.shp\.zip$/);
    const zip = path.join(tmp, "venues.shp.zip");
    fs.writeFileSync(zip, shp.bytes);
    const info = execFileSync("ogrinfo", ["-ro", "-so", "-mdd", "SHAPEFILE", `/vsizip/${zip}`, "venues"], {
      encoding: "utf8",
    });
    expect(info).toContain("CPG_VALUE=UTF-8");
    const csv = await exported("venues", `community=${COMMUNITY}&format=csv`);
    expect(csv.bytes.subarray(0, 3)).toEqual(Buffer.from([0xef, 0xbb, 0xbf]));
    expect(csv.bytes.toString("utf8")).toContain("WKT");
  });

  it("write a Chinese CSV with Chinese headers and category names, and the codes only in other formats", async () => {
    const text = (await exported("venues", `community=${COMMUNITY}&format=csv&lang=zh`)).bytes.toString("utf8");
    const [header, ...lines] = text
      .replace(/^\uFEFF/, "")
      .trim()
      .split(/\r?\n/);
    expect(header).toContain("名称");
    expect(header).toContain("类别");
    expect(header).toContain("社区");
    expect(header).not.toMatch(/\b(name|category|community)\b/);
    const categories = await t.rows<{ code: string; name_zh: string }>("select code, name_zh from venue_category");
    const body = lines.join("\n");
    expect(categories.some((c) => body.includes(c.name_zh))).toBe(true);
    for (const c of categories) expect(body, c.code).not.toMatch(new RegExp(`,${c.code},`));
    const hazards = (await exported("hazards", "format=csv&lang=zh")).bytes.toString("utf8");
    expect(hazards).toContain("状态");
    expect(hazards).not.toMatch(/,(reported|in_progress|assigned),/);
    const english = (await exported("venues", `community=${COMMUNITY}&format=csv`)).bytes.toString("utf8");
    expect(english.split(/\r?\n/)[0]).toContain("category");
  });

  for (const [format, ext] of FORMATS) {
    it(`round-trip grids through ${format}: the same geometry within 1 cm and the same attributes`, async () => {
      const file = path.join(tmp, `grids.${ext === "zip" ? "shp.zip" : ext}`);
      fs.writeFileSync(file, (await exported("grids", `community=${COMMUNITY}&format=${format}`)).bytes);
      const read = await readGisFile(file, { nearLng: 122.25 });
      const db0 = await t.sql.query<Record<string, unknown>>(
        `select g.code, g.name, g.community_code community, f.households, f.entrances, f.buildings, f.parcels,
           round(f.area_m2::numeric, 1)::float8 area_m2
         from published_grid g join grid_figure f on f.grid_id = g.id where g.community_code = $1 order by g.code`,
        [COMMUNITY],
      );
      expect(read.features.length).toBe(db0.rows.length);
      const byCode = new Map(read.features.map((f) => [same(f.properties.code), f]));
      for (const row of db0.rows) {
        const f = byCode.get(same(row.code))!;
        for (const [k, v] of Object.entries(row)) expect(same(f.properties[k]), `${row.code} ${k}`).toBe(same(v));
      }
      const distance = await t.sql.query<{ code: string; m: number }>(
        `select g.code, ST_HausdorffDistance(ST_Transform(g.geom, 4550), ST_Transform(ST_SetSRID(ST_GeomFromGeoJSON(u.g), 4326), 4550)) m
         from unnest($1::text[], $2::text[]) u(code, g) join published_grid g on g.code = u.code`,
        [read.features.map((f) => same(f.properties.code)), read.features.map((f) => JSON.stringify(f.geometry))],
      );
      expect(distance.rows.length).toBe(db0.rows.length);
      expect(Math.max(...distance.rows.map((d) => d.m))).toBeLessThan(0.01);
    });

    it(`round-trip venues through ${format}: imported back, the same places within 1 cm`, async () => {
      const before = (await t.sql.query<{ max: number }>("select max(id)::int max from venue")).rows[0]!.max;
      const ex = await exported("venues", `community=${COMMUNITY}&format=${format}`);
      const id = await upload(`venues.${ext}`, ex.bytes);
      const res = await admin.send("POST", "/api/imports/layers", { file: id, target: "venues" });
      expect(res.status).toBe(200);
      const pairs = await t.sql.query<{ same_attrs: boolean; m: number }>(
        `select (o.name, o.category, coalesce(o.address, '')) = (n.name, n.category, coalesce(n.address, '')) same_attrs,
           ST_Distance(ST_Transform(o.geom, 4550), ST_Transform(n.geom, 4550)) m
         from venue o
         join lateral (select * from venue n where n.id > $2 and n.name = o.name order by n.id limit 1) n on true
         where o.community_code = $1 and o.id <= $2`,
        [COMMUNITY, before],
      );
      const originals = (
        await t.sql.query("select id from venue where community_code = $1 and id <= $2", [COMMUNITY, before])
      ).rowCount;
      expect(pairs.rows.length).toBe(originals);
      expect(pairs.rows.every((p) => p.same_attrs)).toBe(true);
      expect(Math.max(...pairs.rows.map((p) => p.m))).toBeLessThan(0.01);
    });
  }

  it("round-trips a plan: its grids exported and imported as a plan put every parcel in the same grid", async () => {
    const ex = await exported("grids", "format=gpkg");
    const id = await upload("plan.gpkg", ex.bytes);
    const res = await admin.send("POST", "/api/imports/plans", { file: id, name: "导出再导入" });
    expect(res.status).toBe(201);
    const out = await res.json();
    expect(out.report.overlaps).toEqual([]);
    expect(out.report.gaps).toEqual([]);
    expect(out.report.codes_changed).toEqual([]);
    const moved = await t.sql.query(
      `select n.parcel_id from plan_parcel n join grid gn on gn.id = n.grid_id
       join published_parcel p on p.parcel_id = n.parcel_id
       where n.plan_id = $1 and p.grid_code <> gn.code`,
      [out.plan_id],
    );
    expect(moved.rows).toEqual([]);
    // About 4 s in a full run; CI once ran out of the default minute here, so it gets three, and a failure prints
    // what the database was doing (useTestSql).
  }, 180_000);

  it("prints a plan's map to PNG and PDF at A4 and A3, and the change list through the same pipeline", async () => {
    const png = await planner.request(`/api/exports/print/map?community=${COMMUNITY}&format=png&paper=A4`);
    expect(png.status).toBe(200);
    const image = Buffer.from(await png.arrayBuffer());
    expect(image.subarray(1, 4).toString("latin1")).toBe("PNG");
    // Twice the A4 landscape page at 96 dpi: 2246 × 1588 pixels.
    expect([image.readUInt32BE(16), image.readUInt32BE(20)]).toEqual([2246, 1588]);
    fs.mkdirSync(ARTIFACTS, { recursive: true });
    fs.writeFileSync(path.join(ARTIFACTS, "print-map-community-a4.png"), image);
    const pdf = await planner.request("/api/exports/print/map?format=pdf&paper=A3");
    expect(pdf.status).toBe(200);
    const doc = Buffer.from(await pdf.arrayBuffer()).toString("latin1");
    expect(doc.startsWith("%PDF")).toBe(true);
    fs.writeFileSync(path.join(ARTIFACTS, "print-map-subdistrict-a3.pdf"), Buffer.from(doc, "latin1"));
    // One A3 landscape page: 420 × 297 mm is 1190.6 × 841.9 points (Chromium rounds to whole CSS pixels).
    const box = /MediaBox\s*\[\s*0 0 ([\d.]+) ([\d.]+)\s*\]/.exec(doc);
    expect(Math.abs(Number(box![1]) - 1190.6)).toBeLessThan(2);
    expect(Math.abs(Number(box![2]) - 841.9)).toBeLessThan(2);
    expect(doc.match(/\/Type\s*\/Page[^s]/g)).toHaveLength(1);

    const draft = (await (
      await planner.send("POST", "/api/plans", { from: "published", name: "划转打印" })
    ).json()) as { id: number };
    const published = (await t.sql.query<{ id: number }>("select id from plan where status = 'published'")).rows[0]!.id;
    // Two entrances change grid in the draft: the change list names them.
    await t.sql.query(
      `update plan_parcel x set grid_id = (select g.id from grid g where g.plan_id = x.plan_id and g.community_code = x.community_code
         and g.id <> x.grid_id order by g.code limit 1)
       where x.plan_id = $1 and x.parcel_id in (select p.id from parcel p join entrance e on e.id = p.entrance_id
         where e.households > 0 and p.community_code = $2 order by p.id limit 2)`,
      [draft.id, COMMUNITY],
    );
    const list = await planner.request(`/api/exports/print/transfers?from=${published}&to=${draft.id}&format=png`);
    expect(list.status).toBe(200);
    const listPng = Buffer.from(await list.arrayBuffer());
    fs.writeFileSync(path.join(ARTIFACTS, "print-transfers.png"), listPng);
    // A print is in the page's language, zh or en; any other is refused, naming the field.
    const french = await planner.request(`/api/exports/print/map?community=${COMMUNITY}&lang=fr`);
    expect(french.status).toBe(400);
    expect((await french.json()).error.field).toBe("lang");
    const listPdf = await planner.request(`/api/exports/print/transfers?from=${published}&to=${draft.id}&format=pdf`);
    expect(
      Buffer.from(await listPdf.arrayBuffer())
        .toString("latin1")
        .startsWith("%PDF"),
    ).toBe(true);
  }, 120_000);
});
