import { spawnSync } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import {
  importTerritory,
  type Problem,
  type TerritoryImportOptions,
  type TerritoryImportSummary,
} from "@gridatlas/geodata/territory/import.ts";
import { readLayers } from "@gridatlas/geodata/territory/read.ts";
import { type OfficeLayers, writeOfficeLayers } from "@gridatlas/geodata/territory/testdata.ts";
import { proposeWithRebalancer } from "@gridatlas/server/features/imports/imports.propose.ts";
import { readHouseholdsSheet } from "@gridatlas/server/features/imports/imports.sheet.ts";
import type { TestDatabase } from "@gridatlas/server/test-support/test-database.ts";
import type pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { closeImportDatabase, expectRefused, openImportDatabase, tilingProblems } from "./support/import-database.ts";

/**
 * The territory import (geodata/src/territory) on an office's layers made from the Monaco extract (GBK zipped
 * Shapefiles, Chinese field names, EPSG:4550 moved to Tongliao, unnoded roads) and on small made-up layers: the
 * parcels tile every community, recorded households are kept exactly and the rest marked estimated, a wrong .prj
 * is caught, overlapping and gapped communities are mended or refused as designed, and a refusal changes nothing.
 */

const propose = proposeWithRebalancer(false);
let database: TestDatabase;
let sql: pg.Client;
let tmp: string;
let office: OfficeLayers;
let summary: TerritoryImportSummary;
const logged: string[] = [];

beforeAll(async () => {
  ({ database, sql, tmp } = await openImportDatabase("territory"));
  office = await writeOfficeLayers(path.join(tmp, "4550"), { srid: 4550 });
  summary = await importTerritory(
    database.url,
    {
      communities: office.communities,
      buildings: office.buildings,
      roads: office.roads,
      compounds: office.compounds,
      households: await readHouseholdsSheet(office.households),
    },
    { proposePlan: propose, log: (m) => logged.push(m) },
  );
}, 600_000);

afterAll(() => closeImportDatabase({ database, sql, tmp }));

const rows = async <R extends pg.QueryResultRow>(text: string, values: unknown[] = []) =>
  (await sql.query<R>(text, values)).rows;

/** Runs an import that must be refused; returns its problems after checking that no table changed. */
async function refused(options: TerritoryImportOptions, code = "invalid_layers"): Promise<Problem[]> {
  const err = await expectRefused(
    database.url,
    () => importTerritory(database.url, options, { proposePlan: propose }),
    code,
  );
  return (err.details as { problems?: Problem[] } | undefined)?.problems ?? [];
}

describe("Monaco as an office's layers (EPSG:4550, GBK, Chinese fields)", () => {
  it("imports every layer into a territory with a draft plan", async () => {
    expect(summary.communities).toBe(office.counts.communities);
    expect(summary.buildings).toBeGreaterThan(0.7 * office.counts.buildings);
    expect(summary.roads).toBeGreaterThanOrEqual(office.counts.roads);
    expect(summary.parcels).toBeGreaterThan(summary.entrances);
    expect(summary.grids).toBeGreaterThan(50);
    const plan = await rows<{ status: string; owner: string }>(
      "select status, owner from plan where subdistrict_code = '990000002'",
    );
    expect(plan).toEqual([{ status: "draft", owner: "import-territory" }]);
  });

  it("reads the Chinese names through GBK and derives the missing community code, saying so", async () => {
    const communities = await rows<{ code: string; name: string }>(
      "select code, name from community where subdistrict_code = '990000002' order by code",
    );
    expect(communities.map((c) => c.code)).toEqual(
      Array.from({ length: 9 }, (_, i) => `990000002${String(i + 1).padStart(3, "0")}`),
    );
    expect(communities.map((c) => c.name)).toContain("Ravin de Sainte-Dévote");
    expect(logged.join("\n")).toMatch(/Ravin de Sainte-Dévote.*has no code; given 990000002009/);
    const compounds = await rows<{ n: number }>(
      "select count(*)::int n from compound k join community c on c.code = k.community_code where c.subdistrict_code = '990000002'",
    );
    expect(compounds[0]!.n).toBeGreaterThan(0);
  });

  it("tiles every community with parcels: areas equal within 0.1 %, no overlaps", async () => {
    const t = await tilingProblems(sql, "990000002");
    expect(t.communities).toBe(9);
    expect(t.offBy).toEqual([]);
    expect(t.overlaps).toEqual([]);
  });

  it("joins the road ends that stop short of a junction, so blocks are not merged across streets", async () => {
    expect(logged.join("\n")).toMatch(/\d+ road ends joined/);
    const blocks = await rows<{ n: number }>(
      "select count(*)::int n from block b join community c on c.code = b.community_code where c.subdistrict_code = '990000002'",
    );
    // Monaco's streets cut its 9 quarters into well over a hundred blocks; unjoined, the cut-back lines make few.
    expect(blocks[0]!.n).toBeGreaterThan(150);
  });

  it("keeps recorded households exactly (户数 or the spreadsheet) and marks the others estimated", async () => {
    const read = await readLayers(office, await readHouseholdsSheet(office.households));
    const recorded = read.buildings.filter((b) => b.households !== null);
    expect(recorded.filter((b) => b.householdsFrom === "layer").length).toBe(office.counts.recorded);
    expect(recorded.filter((b) => b.householdsFrom === "sheet").length).toBe(office.counts.inSheet);
    await sql.query("create temp table layer_building (households int, entrances int, geom geometry)");
    await sql.query(
      `insert into layer_building select u.h, u.e, ST_SetSRID(ST_GeomFromGeoJSON(u.g), 4326)
       from unnest($1::int[], $2::int[], $3::text[]) u(h, e, g)`,
      [
        read.buildings.map((b) => b.households),
        read.buildings.map((b) => b.entrances),
        read.buildings.map((b) => JSON.stringify(b.geometry)),
      ],
    );
    const matched = await rows<{
      recorded: number | null;
      units: number | null;
      households: number;
      entrances: number;
      estimated: number;
    }>(
      `select l.households recorded, l.entrances units, sum(e.households)::int households, count(e.id)::int entrances,
         count(*) filter (where e.households_estimated)::int estimated
       from building b join community c on c.code = b.community_code and c.subdistrict_code = '990000002'
       join entrance e on e.building_id = b.id
       join lateral (
         select * from layer_building l where ST_Intersects(l.geom, ST_PointOnSurface(b.geom))
         order by ST_Area(l.geom) desc limit 1
       ) l on true
       group by b.id, l.households, l.entrances`,
    );
    const withRecord = matched.filter((m) => m.recorded !== null);
    expect(withRecord.length).toBeGreaterThan(0.6 * recorded.length);
    expect(withRecord.filter((m) => m.households !== m.recorded || m.estimated > 0)).toEqual([]);
    expect(withRecord.filter((m) => m.units !== null && m.entrances !== m.units)).toEqual([]);
    const without = matched.filter((m) => m.recorded === null);
    expect(without.length).toBeGreaterThan(0);
    expect(without.filter((m) => m.estimated !== m.entrances)).toEqual([]);
    const estimated = without.reduce((s, m) => s + m.households, 0);
    expect(summary.households_estimated).toBe(estimated);
    expect(summary.households).toBe(estimated + withRecord.reduce((s, m) => s + m.households, 0));
  });

  it("reads the same layers in CGCS2000 geographic (EPSG:4490) to the same places", async () => {
    const geo = await writeOfficeLayers(path.join(tmp, "4490"), { srid: 4490 });
    const a = await readLayers(office, null);
    const b = await readLayers(geo, null);
    expect(b.layers.buildings!.crs).toBe("EPSG:4490");
    expect(b.problems).toEqual([]);
    expect(b.buildings.length).toBe(a.buildings.length);
    const first = (g: { coordinates?: unknown }) => (g.coordinates as number[][][])[0]![0]!;
    for (const k of [0, 100, 500]) {
      const [pa, pb] = [first(a.buildings[k]!.geometry), first(b.buildings[k]!.geometry)];
      expect(Math.abs(pa[0]! - pb[0]!)).toBeLessThan(1e-7);
      expect(Math.abs(pa[1]! - pb[1]!)).toBeLessThan(1e-7);
    }
  });
});

describe("a wrong .prj is caught by the guesser, and nothing is written", () => {
  /** The buildings layer again, written by GDAL with the .prj of `epsg`, as if copied from another dataset. */
  function withPrj(epsg: number): string {
    const dir = fs.mkdtempSync(path.join(tmp, `prj-${epsg}-`));
    const shp = path.join(dir, "buildings.shp");
    const src = `/vsizip/${office.buildings}`;
    spawnSync("ogr2ogr", ["-f", "ESRI Shapefile", shp, src, "-a_srs", `EPSG:${epsg}`, "-lco", "ENCODING=CP936"]);
    const zip = path.join(dir, "buildings.zip");
    spawnSync("zip", [
      "-q",
      "-j",
      zip,
      ...["shp", "shx", "dbf", "prj", "cpg"].map((e) => path.join(dir, `buildings.${e}`)),
    ]);
    return zip;
  }
  const layers = () => ({ communities: office.communities, roads: office.roads, subdistrictCode: "990000003" });

  it("refuses degrees declared over Gauss-Krüger metres", async () => {
    const problems = await refused({ ...layers(), buildings: withPrj(4490) });
    expect(problems).toEqual([
      expect.objectContaining({
        layer: "buildings",
        row: null,
        field: ".prj",
        en: expect.stringMatching(/declares EPSG:4490.*look like Gauss-Krüger/),
      }),
    ]);
  });

  it("refuses a neighbouring zone's .prj: the layer lands far from the communities", async () => {
    const problems = await refused({ ...layers(), buildings: withPrj(4549) });
    expect(problems).toEqual([
      expect.objectContaining({
        layer: "buildings",
        en: expect.stringMatching(/does not overlap the communities .* km away/),
      }),
    ]);
  });
});

/** Small made-up layers near Tongliao as GeoJSON: rectangles and lines in metres from (122.25°E, 43.60°N). */
const LNG0 = 122.25;
const LAT0 = 43.6;
const pt = (x: number, y: number) => [LNG0 + x / (111_320 * Math.cos((LAT0 * Math.PI) / 180)), LAT0 + y / 110_574];
const rect = (x0: number, y0: number, x1: number, y1: number) => ({
  type: "Polygon",
  coordinates: [[pt(x0, y0), pt(x1, y0), pt(x1, y1), pt(x0, y1), pt(x0, y0)]],
});
function geojson(name: string, features: { properties: Record<string, unknown>; geometry: unknown }[]): string {
  const file = path.join(tmp, `${name}.geojson`);
  fs.writeFileSync(
    file,
    JSON.stringify({ type: "FeatureCollection", features: features.map((f) => ({ type: "Feature", ...f })) }),
  );
  return file;
}

/**
 * Four communities around a middle strip: A on the left (x 0…aRight), B on the right (bLeft…400), C above and D
 * below across the whole width; a road along y = 100; a building in each of A and B.
 */
function fourCommunities(
  name: string,
  aRight: number,
  bLeft: number,
  extraBuilding?: [number, number, number, number],
) {
  const code = (k: number) => `150571990${String(k).padStart(3, "0")}`;
  const communities = geojson(`${name}-communities`, [
    { properties: { 社区名称: "甲社区", 社区代码: code(1) }, geometry: rect(0, 0, aRight, 200) },
    { properties: { 社区名称: "乙社区", 社区代码: code(2) }, geometry: rect(bLeft, 0, 400, 200) },
    { properties: { 社区名称: "丙社区", 社区代码: code(3) }, geometry: rect(0, 200, 400, 300) },
    { properties: { 社区名称: "丁社区", 社区代码: code(4) }, geometry: rect(0, -100, 400, 0) },
  ]);
  const buildings = geojson(`${name}-buildings`, [
    { properties: { 楼栋编码: "L1", 层数: 6, 户数: 120 }, geometry: rect(30, 30, 90, 45) },
    { properties: { 楼栋编码: "L2", 层数: 6, 户数: 96 }, geometry: rect(300, 30, 360, 45) },
    { properties: { 楼栋编码: "L3", 层数: 6 }, geometry: rect(30, 230, 90, 245) },
    { properties: { 楼栋编码: "L4", 层数: 6 }, geometry: rect(30, -70, 90, -55) },
    ...(extraBuilding ? [{ properties: { 楼栋编码: "L5", 层数: 6, 户数: 50 }, geometry: rect(...extraBuilding) }] : []),
  ]);
  const roads = geojson(`${name}-roads`, [
    {
      properties: { 道路名称: "建国路", 道路等级: "主干路" },
      geometry: { type: "LineString", coordinates: [pt(-10, 100), pt(410, 100)] },
    },
  ]);
  return { communities, buildings, roads };
}

describe("community layers that do not tile", () => {
  it("gives an overlap to the community covering more of its buildings", async () => {
    const log: string[] = [];
    // A reaches to x 200, B starts at x 180: 20 m × 200 m overlap; the building at x 170…195 lies mostly in A.
    const files = fourCommunities("overlap", 200, 180, [170, 150, 195, 170]);
    const s = await importTerritory(database.url, files, { proposePlan: propose, log: (m) => log.push(m) });
    expect(s.communities).toBe(4);
    expect(log.join("\n")).toMatch(/communities 甲社区 and 乙社区 overlap by 4\d\d\d m²; given to 甲社区/);
    const areas = await rows<{ name: string; m2: number }>(
      "select name, round(ST_Area(ST_Transform(geom, 4550)))::int m2 from community where subdistrict_code = '150571990' order by code",
    );
    expect(areas.map((a) => a.name)).toEqual(["甲社区", "乙社区", "丙社区", "丁社区"]);
    // Areas within 1 %: the layer's metres are laid out on a sphere here, measured on the ellipsoid there.
    expect(Math.abs(areas[0]!.m2 / 40_000 - 1)).toBeLessThan(0.01);
    expect(Math.abs(areas[1]!.m2 / 40_000 - 1)).toBeLessThan(0.01);
    const t = await tilingProblems(sql, "150571990");
    expect(t.offBy).toEqual([]);
    expect(t.overlaps).toEqual([]);
  });

  it("gives a sliver gap to a neighbour", async () => {
    const log: string[] = [];
    // A ends at x 198, B starts at x 202: a 4 m wide gap, the width of a lane left between two boundaries.
    const files = fourCommunities("sliver", 198, 202);
    const s = await importTerritory(
      database.url,
      { ...files, subdistrictCode: "150571991", fields: { communityCode: "none" } },
      { proposePlan: propose, log: (m) => log.push(m) },
    );
    expect(s.communities).toBe(4);
    expect(log.join("\n")).toMatch(/a gap of [78]\d\d m² between communities given to/);
    const union = await rows<{ m2: number }>(
      "select ST_Area(ST_Transform(ST_Union(geom), 4550)) m2 from community where subdistrict_code = '150571991'",
    );
    const whole = await rows<{ m2: number }>(
      "select ST_Area(ST_Transform(geom, 4550)) m2 from subdistrict where code = '150571991'",
    );
    expect(Math.abs(union[0]!.m2 / (400 * 400) - 1)).toBeLessThan(0.01);
    // No hole is left: the communities' union is the subdistrict's outline, its area that of the outer square.
    expect(Math.abs(union[0]!.m2 - whole[0]!.m2)).toBeLessThan(0.01);
  });

  it("refuses a gap that is no sliver, with its outline for a map", async () => {
    const files = fourCommunities("gap", 150, 250);
    const problems = await refused({ ...files, subdistrictCode: "150571992", fields: { communityCode: "none" } });
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatchObject({ layer: "communities", en: expect.stringMatching(/a gap of (19|20)\d\d\d m²/) });
    expect(problems[0]!.geometry).toMatchObject({ type: "Polygon" });
  });
});

describe("bad rows refuse the whole import", () => {
  it("lists every bad row of every layer, and writes nothing", async () => {
    const files = fourCommunities("badrows", 200, 200);
    const buildings = geojson("badrows-buildings-bad", [
      { properties: { 楼栋编码: "L1", 层数: 6, 户数: 120 }, geometry: rect(30, 30, 90, 45) },
      { properties: { 楼栋编码: "L2", 层数: "六", 户数: 96 }, geometry: rect(300, 30, 360, 45) },
      { properties: { 楼栋编码: "L1", 层数: 6, 户数: -3 }, geometry: rect(30, 230, 90, 245) },
      { properties: { 楼栋编码: "L4" }, geometry: { type: "LineString", coordinates: [pt(0, 0), pt(10, 10)] } },
    ]);
    const problems = await refused({
      ...files,
      buildings,
      households: [
        { row: 2, code: "L2", households: "abc" },
        { row: 3, code: "X9", households: 10 },
      ],
    });
    expect(problems.map((p) => [p.layer, p.row, p.field])).toEqual([
      ["buildings", 2, "层数"],
      ["buildings", 3, "户数"],
      ["buildings", 3, "楼栋编码"],
      ["buildings", 4, "geometry"],
      ["households", 2, "户数"],
      ["households", 3, "楼栋编码"],
    ]);
    expect(problems[0]!.zh).toMatch(/应为 1–120 的整数，实为「六」/);
  });
});

describe("a corrected buildings layer updates the territory", () => {
  const code = "150571993";
  /** Each building's code, households, and the grid code its parcels have in the published plan. */
  const buildingsNow = () =>
    rows<{ code: string; households: number; estimated: boolean; grids: string[] }>(
      `select b.code, sum(e.households)::int households, bool_or(e.households_estimated) estimated,
         (select array_agg(distinct g.code order by g.code) from parcel p
           join plan_parcel pp on pp.parcel_id = p.id join plan pl on pl.id = pp.plan_id and pl.status = 'published'
           join grid g on g.id = pp.grid_id where p.building_id = b.id) grids
       from building b join community c on c.code = b.community_code and c.subdistrict_code = $1
       join entrance e on e.building_id = b.id
       group by b.id, b.code order by b.code`,
      [code],
    );

  it("matches buildings by 楼栋编码, keeps their visits and carries the published plan over", async () => {
    const files = fourCommunities("reimport", 200, 200);
    await importTerritory(
      database.url,
      { ...files, subdistrictCode: code, fields: { communityCode: "none" } },
      { proposePlan: propose },
    );
    await sql.query("update plan set status = 'published' where subdistrict_code = $1", [code]);
    const before = await buildingsNow();
    expect(before.map((b) => b.code)).toEqual(["L1", "L2", "L3", "L4"]);
    // A worker visited L2's first entrance; the visit must follow the building through the update.
    await sql.query(
      `with w as (
         insert into worker (community_code, role, name, started_on)
         select b.community_code, 'grid_worker', '测试网格员', '2026-01-01' from building b
         join community c on c.code = b.community_code and c.subdistrict_code = $1 where b.code = 'L2'
         returning id
       )
       insert into visit (worker_id, entrance_id, visited_on)
       select w.id, e.id, '2026-12-01' from w, building b
       join community c on c.code = b.community_code and c.subdistrict_code = $1
       join entrance e on e.building_id = b.id and e.seq = 1 where b.code = 'L2'`,
      [code],
    );
    const plansBefore = await rows<{ id: number; status: string; grids: number }>(
      `select pl.id, pl.status, count(g.id)::int grids from plan pl left join grid g on g.plan_id = pl.id
       where pl.subdistrict_code = $1 group by pl.id order by pl.id`,
      [code],
    );

    // The survey corrected L1 (a little longer, 130 households), demolished L3 and added L6.
    const corrected = geojson("reimport-buildings-2", [
      { properties: { 楼栋编码: "L1", 层数: 6, 户数: 130 }, geometry: rect(30, 30, 95, 45) },
      { properties: { 楼栋编码: "L2", 层数: 6, 户数: 96 }, geometry: rect(300, 30, 360, 45) },
      { properties: { 楼栋编码: "L4", 层数: 6 }, geometry: rect(30, -70, 90, -55) },
      { properties: { 楼栋编码: "L6", 层数: 6, 户数: 40 }, geometry: rect(250, 230, 300, 245) },
    ]);
    const log: string[] = [];
    const s = await importTerritory(
      database.url,
      { buildings: corrected, subdistrictCode: code, update: true },
      { proposePlan: propose, log: (m) => log.push(m) },
    );
    expect(log.join("\n")).toMatch(/3 buildings matched by 楼栋编码 \(their visits kept\), 1 added, 1 removed/);
    expect(s.buildings).toBe(4);
    expect(s.communities).toBe(4);

    const after = await buildingsNow();
    expect(after.map((b) => b.code)).toEqual(["L1", "L2", "L4", "L6"]);
    const at = (list: typeof after, c: string) => list.find((b) => b.code === c)!;
    expect(at(after, "L1")).toMatchObject({ households: 130, estimated: false, grids: at(before, "L1").grids });
    expect(at(after, "L2").grids).toEqual(at(before, "L2").grids);
    expect(at(after, "L4").grids).toEqual(at(before, "L4").grids);
    // The new building lies in 丙社区 and takes the grid of the land it was built on.
    expect(at(after, "L6").grids).toHaveLength(1);
    expect(at(after, "L6").grids[0]!.startsWith(at(before, "L3").grids[0]!.slice(0, 12))).toBe(true);

    // Same plans, same grids; every parcel of the territory is in a grid of the published plan.
    const plansAfter = await rows<{ id: number; status: string; grids: number }>(
      `select pl.id, pl.status, count(g.id)::int grids from plan pl left join grid g on g.plan_id = pl.id
       where pl.subdistrict_code = $1 group by pl.id order by pl.id`,
      [code],
    );
    expect(plansAfter).toEqual(plansBefore);
    const unassigned = await rows<{ n: number }>(
      `select count(*)::int n from parcel p join community c on c.code = p.community_code and c.subdistrict_code = $1
       where not exists (select 1 from plan_parcel pp join plan pl on pl.id = pp.plan_id and pl.status = 'published'
         where pp.parcel_id = p.id)`,
      [code],
    );
    expect(unassigned[0]!.n).toBe(0);
    const visit = await rows<{ code: string; seq: number }>(
      `select b.code, e.seq from visit v join entrance e on e.id = v.entrance_id join building b on b.id = e.building_id
       join community c on c.code = b.community_code and c.subdistrict_code = $1`,
      [code],
    );
    expect(visit).toEqual([{ code: "L2", seq: 1 }]);
    const t = await tilingProblems(sql, code);
    expect(t.offBy).toEqual([]);
    expect(t.overlaps).toEqual([]);
  });

  it("refuses a layer that drops a building with recorded visits, and changes nothing", async () => {
    const without = geojson("reimport-buildings-3", [
      { properties: { 楼栋编码: "L1", 层数: 6, 户数: 130 }, geometry: rect(30, 30, 95, 45) },
      { properties: { 楼栋编码: "L4", 层数: 6 }, geometry: rect(30, -70, 90, -55) },
    ]);
    const problems = await refused({ buildings: without, subdistrictCode: code, update: true });
    expect(problems).toEqual([
      expect.objectContaining({
        layer: "buildings",
        field: "楼栋编码",
        en: expect.stringMatching(/L2.*1 recorded visits/),
      }),
    ]);
  });

  it("refuses to update a subdistrict that does not exist", async () => {
    const files = fourCommunities("reimport-none", 200, 200);
    await refused({ buildings: files.buildings, subdistrictCode: "150571999", update: true }, "no_subdistrict");
  });
});

describe("water bodies", () => {
  it("cut the blocks and are empty land, never a building's parcel", async () => {
    const code = "150571994";
    const files = fourCommunities("water", 200, 200);
    // A pond in 甲社区 between the road and the building; a building standing in it is left out.
    const water = geojson("water-water", [
      { properties: { 水体名称: "镜湖", 水体类型: "坑塘水面" }, geometry: rect(100, 110, 180, 180) },
    ]);
    const buildings = geojson("water-buildings", [
      { properties: { 楼栋编码: "L1", 层数: 6, 户数: 120 }, geometry: rect(30, 30, 90, 45) },
      { properties: { 楼栋编码: "W1", 层数: 2, 户数: 4 }, geometry: rect(130, 130, 150, 150) },
    ]);
    const log: string[] = [];
    const s = await importTerritory(
      database.url,
      { ...files, buildings, water, subdistrictCode: code, fields: { communityCode: "none" } },
      { proposePlan: propose, log: (m) => log.push(m) },
    );
    expect(s.buildings).toBe(1);
    expect(log.join("\n")).toMatch(/1 entrances \(4 households\) fell on no land parcel and were dropped/);
    const stored = await rows<{ kind: string; name: string }>(
      "select kind, name from water where subdistrict_code = $1",
      [code],
    );
    expect(stored).toEqual([{ kind: "pond", name: "镜湖" }]);
    const blocks = await rows<{ kind: string; m2: number; parcels: number; with_entrance: number }>(
      `select b.kind, round(ST_Area(ST_Transform(b.geom, 4550)))::int m2, count(p.id)::int parcels,
         count(p.entrance_id)::int with_entrance
       from block b join community c on c.code = b.community_code and c.subdistrict_code = $1
       join parcel p on p.block_id = b.id where b.kind = 'water' group by b.id`,
      [code],
    );
    expect(blocks).toHaveLength(1);
    expect(blocks[0]).toMatchObject({ kind: "water", parcels: 1, with_entrance: 0 });
    expect(Math.abs(blocks[0]!.m2 / (80 * 70) - 1)).toBeLessThan(0.01);
    const t = await tilingProblems(sql, code);
    expect(t.offBy).toEqual([]);
    expect(t.overlaps).toEqual([]);
  });
});

describe("compounds inferred from landuse and fences", () => {
  it("takes a housing or fenced polygon around two buildings or more as a compound, when no compounds layer is given", async () => {
    const code = "150571995";
    const files = fourCommunities("landuse", 200, 200);
    const buildings = geojson("landuse-buildings", [
      { properties: { 楼栋编码: "L1", 层数: 6, 户数: 120 }, geometry: rect(30, 30, 90, 45) },
      { properties: { 楼栋编码: "L5", 层数: 6, 户数: 60 }, geometry: rect(30, 60, 90, 75) },
      { properties: { 楼栋编码: "L2", 层数: 6, 户数: 96 }, geometry: rect(300, 30, 360, 45) },
      { properties: { 楼栋编码: "L7", 层数: 3, 户数: 0 }, geometry: rect(300, 60, 360, 75) },
      { properties: { 楼栋编码: "L3", 层数: 6 }, geometry: rect(30, 230, 90, 245) },
    ]);
    const landuse = geojson("landuse-landuse", [
      // Housing land around L1 and L5: a compound.
      { properties: { 名称: "幸福小区", 地类名称: "城镇住宅用地" }, geometry: rect(20, 20, 100, 85) },
      // Commercial land around L2 and L7: not one.
      { properties: { 名称: "商业街", 地类名称: "商业服务业用地" }, geometry: rect(290, 20, 370, 85) },
      // A wall around L3 alone: one building is no compound.
      { properties: { 地类名称: "围墙" }, geometry: rect(20, 220, 100, 255) },
    ]);
    await importTerritory(
      database.url,
      { ...files, buildings, landuse, subdistrictCode: code, fields: { communityCode: "none" } },
      { proposePlan: propose },
    );
    const byBuilding = await rows<{ code: string; compound: string | null }>(
      `select b.code, k.name compound from building b
       join community c on c.code = b.community_code and c.subdistrict_code = $1
       left join compound k on k.id = b.compound_id order by b.code`,
      [code],
    );
    expect(byBuilding).toEqual([
      { code: "L1", compound: "幸福小区" },
      { code: "L2", compound: null },
      { code: "L3", compound: null },
      { code: "L5", compound: "幸福小区" },
      { code: "L7", compound: null },
    ]);
  });
});
