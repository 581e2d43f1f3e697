import fs from "node:fs";
import path from "node:path";
import { ImportError } from "@gridatlas/geodata/osm/errors.ts";
import { importOsm, type OsmImportSummary, type PlanProposer } from "@gridatlas/geodata/osm/import.ts";
import { halvesGeoJson, type MeshOptions, meshOsmXml } from "@gridatlas/geodata/test-support/mesh.ts";
import { tableChecksums } from "@gridatlas/server/db/checksum.ts";
import { proposeWithRebalancer } from "@gridatlas/server/features/imports/imports.propose.ts";
import type { TestDatabase } from "@gridatlas/server/test-support/test-database.ts";
import type pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { closeImportDatabase, expectRefused, openImportDatabase, tilingProblems } from "./support/import-database.ts";

/**
 * The OpenStreetMap importer on the real Monaco extract (geodata/sources/monaco, ODbL) and on small made-up
 * files: every step runs, parcels tile every community, households are estimated and plausible, the proposed
 * plan is valid, and a bad file changes nothing.
 */

const MONACO = path.resolve(import.meta.dirname, "../geodata/sources/monaco/monaco-2026-07-10.osm.pbf");
const MONACO_CODE = "990000001";

let database: TestDatabase;
let sql: pg.Client;
let tmp: string;
let monaco: OsmImportSummary;
let monacoSeconds: number;
const propose = proposeWithRebalancer(false);

beforeAll(async () => {
  ({ database, sql, tmp } = await openImportDatabase("osm"));
  const t0 = performance.now();
  monaco = await importOsm(database.url, { file: MONACO, subdistrictCode: MONACO_CODE }, { proposePlan: propose });
  monacoSeconds = (performance.now() - t0) / 1000;
}, 600_000);

afterAll(() => closeImportDatabase({ database, sql, tmp }));

const rows = async <R extends pg.QueryResultRow>(text: string, values: unknown[] = []) =>
  (await sql.query<R>(text, values)).rows;

/** Grids of the subdistrict's newest plan whose parcels do not form one piece along shared boundaries. */
async function nonContiguousGrids(code: string): Promise<string[]> {
  const members = await rows<{ grid: string; parcel: number }>(
    `select g.code grid, pp.parcel_id parcel from plan_parcel pp join grid g on g.id = pp.grid_id
     where pp.plan_id = (select max(id) from plan where subdistrict_code = $1)`,
    [code],
  );
  const edges = await rows<{ a: number; b: number }>(
    `select e.a, e.b from parcel_edge e join community c on c.code = e.community_code where c.subdistrict_code = $1`,
    [code],
  );
  const gridOf = new Map(members.map((m) => [m.parcel, m.grid]));
  const next = new Map<number, number[]>();
  for (const { a, b } of edges) {
    if (gridOf.get(a) !== gridOf.get(b)) continue;
    next.set(a, [...(next.get(a) ?? []), b]);
    next.set(b, [...(next.get(b) ?? []), a]);
  }
  const byGrid = new Map<string, number[]>();
  for (const m of members) byGrid.set(m.grid, [...(byGrid.get(m.grid) ?? []), m.parcel]);
  const broken: string[] = [];
  for (const [grid, parcels] of byGrid) {
    const seen = new Set([parcels[0]!]);
    const queue = [parcels[0]!];
    while (queue.length) {
      for (const n of next.get(queue.pop()!) ?? []) {
        if (seen.has(n)) continue;
        seen.add(n);
        queue.push(n);
      }
    }
    if (seen.size !== parcels.length) broken.push(grid);
  }
  return broken;
}

describe("importing Monaco from OpenStreetMap", () => {
  it("runs every step and reports what it made", () => {
    console.log(`Monaco import: ${monacoSeconds.toFixed(1)} s ${JSON.stringify(monaco)}`);
    expect(Object.keys(monaco)).toEqual([
      "communities",
      "roads",
      "buildings",
      "entrances",
      "parcels",
      "households",
      "households_estimated",
      "venues",
      "cameras",
      "grids",
      "out_of_band_grids",
    ]);
    expect(monaco.communities).toBe(9);
    expect(monaco.roads).toBeGreaterThan(300);
    expect(monaco.buildings).toBeGreaterThan(1000);
    expect(monaco.entrances).toBeGreaterThanOrEqual(monaco.buildings);
    expect(monaco.parcels).toBeGreaterThan(monaco.entrances);
    expect(monaco.venues).toBeGreaterThan(100);
    expect(monaco.cameras).toBeGreaterThanOrEqual(25);
    expect(monaco.grids).toBeGreaterThan(50);
  });

  it("takes the 9 quarters (admin_level=10) as communities, with made-up codes and a UTM metric CRS", async () => {
    const s = await rows<{ name: string; name_en: string; metric_srid: number }>(
      "select name, name_en, metric_srid from subdistrict where code = $1",
      [MONACO_CODE],
    );
    // The Chinese name where OpenStreetMap has one (name:zh), the English one beside it.
    expect(s[0]).toEqual({ name: "摩纳哥", name_en: "Monaco", metric_srid: 32632 });
    const c = await rows<{ code: string; name: string }>(
      "select code, name from community where subdistrict_code = $1 order by code",
      [MONACO_CODE],
    );
    expect(c.map((x) => x.code)).toEqual(
      Array.from({ length: 9 }, (_, k) => `990000001${String(k + 1).padStart(3, "0")}`),
    );
    expect(c.map((x) => x.name).sort()).toContain("Monaco-Ville");
  });

  it("stores coordinates as OpenStreetMap has them (WGS84, not shifted)", async () => {
    // The Prince's Palace (relation 393226) starts at this vertex in the extract.
    const palace = await rows<{ hit: boolean }>(
      `select exists (
         select 1 from building b cross join lateral ST_DumpPoints(b.geom) d
         where ST_DWithin(d.geom, ST_SetSRID(ST_MakePoint(7.4205628, 43.7310788), 4326), 1e-7)
       ) hit`,
    );
    expect(palace[0]!.hit).toBe(true);
  });

  it("builds parcels that tile every community: areas within 0.1 %, no overlaps", async () => {
    const t = await tilingProblems(sql, MONACO_CODE);
    expect(t.communities).toBe(9);
    expect(t.offBy).toEqual([]);
    expect(t.overlaps).toEqual([]);
    const orphans = await rows(
      `select e.id from entrance e join building b on b.id = e.building_id join community c on c.code = b.community_code
       where c.subdistrict_code = $1 and not exists (select 1 from parcel p where p.entrance_id = e.id)`,
      [MONACO_CODE],
    );
    expect(orphans).toEqual([]);
  });

  it("estimates households plausibly and marks them estimated", async () => {
    // Monaco has about 38,000 residents; at 1.3 to 3 persons per household that is 13,000 to 29,000 households,
    // and the estimate counts dwellings from floor area (Monaco has many second homes), so a little above is fine.
    expect(monaco.households).toBeGreaterThan(13_000);
    expect(monaco.households).toBeLessThan(35_000);
    expect(monaco.households_estimated).toBe(monaco.households);
    const check = await rows<{ unmarked: number; dense: number; offices_with_homes: number }>(
      `select count(*) filter (where not e.households_estimated)::int unmarked,
         count(*) filter (where e.households > 0 and
           ST_Area(ST_Transform(e.section, 32632)) * b.floors / e.households < 30)::int dense,
         count(*) filter (where b.kind in ('shop', 'public') and e.households > 0)::int offices_with_homes
       from entrance e join building b on b.id = e.building_id join community c on c.code = b.community_code
       where c.subdistrict_code = $1`,
      [MONACO_CODE],
    );
    expect(check[0]).toEqual({ unmarked: 0, dense: 0, offices_with_homes: 0 });
  });

  it("imports cameras with their mapped bearing and a defaulted width of view", async () => {
    const cams = await rows<{ bearing_deg: number; defaulted: string[]; type: string }>(
      `select k.bearing_deg, k.defaulted, k.type from camera k join community c on c.code = k.community_code
       where c.subdistrict_code = $1`,
      [MONACO_CODE],
    );
    expect(cams.length).toBe(monaco.cameras);
    expect(cams.every((c) => c.defaulted.includes("view_width_deg"))).toBe(true);
    const surveyed = cams.filter((c) => !c.defaulted.includes("bearing_deg"));
    expect(surveyed.map((c) => c.bearing_deg).sort()).toEqual(expect.arrayContaining([160, 240]));
    expect(new Set(cams.map((c) => c.type))).toEqual(new Set(["dome", "fixed", "ptz"]));
  });

  it("proposes a draft plan: every parcel in a grid, grids contiguous, the band met wherever it can be", async () => {
    const plan = await rows<{ id: number; status: string }>("select id, status from plan where subdistrict_code = $1", [
      MONACO_CODE,
    ]);
    expect(plan).toHaveLength(1);
    expect(plan[0]!.status).toBe("draft");
    const unassigned = await rows(
      `select p.id from parcel p join community c on c.code = p.community_code
       where c.subdistrict_code = $1 and not exists (select 1 from plan_parcel pp where pp.parcel_id = p.id)`,
      [MONACO_CODE],
    );
    expect(unassigned).toEqual([]);
    expect(await nonContiguousGrids(MONACO_CODE)).toEqual([]);
    // Out of band only where no number of grids can hold the community's households in 200–300.
    const out = await rows<{ code: string; community_households: number }>(
      `select f.code, t.total community_households from grid_figure f
       join (select community_code, sum(households) total from grid_figure where plan_id = $1 group by 1) t
         on t.community_code = f.community_code
       where f.plan_id = $1 and f.households not between 200 and 300`,
      [plan[0]!.id],
    );
    expect(out).toHaveLength(monaco.out_of_band_grids);
    const feasible = (n: number) =>
      Array.from({ length: 200 }, (_, k) => k + 1).some((k) => 200 * k <= n && n <= 300 * k);
    expect(out.filter((o) => feasible(o.community_households))).toEqual([]);
  });
});

describe("importing made-up OpenStreetMap files", () => {
  const mesh: MeshOptions = { lng0: 116.4, lat0: 39.9, cell: 160, cells: 3, levels: 18 };

  it("makes one community of the whole area when the file has no boundaries, measured in the CGCS2000 zone", async () => {
    const file = path.join(tmp, "mesh.osm");
    fs.writeFileSync(file, meshOsmXml(mesh));
    const s = await importOsm(
      database.url,
      { file, subdistrictCode: "110101998", name: "测试街道" },
      { proposePlan: propose },
    );
    expect(s).toMatchObject({ communities: 1, buildings: 18, venues: 1, cameras: 1 });
    const srid = await rows<{ metric_srid: number }>("select metric_srid from subdistrict where code = '110101998'");
    // 116.4°E lies in the 3-degree zone of central meridian 117°E: EPSG:4548.
    expect(srid[0]!.metric_srid).toBe(4548);
    const t = await tilingProblems(sql, "110101998");
    expect([t.offBy, t.overlaps]).toEqual([[], []]);
    expect(await nonContiguousGrids("110101998")).toEqual([]);
  }, 300_000);

  it("takes communities from a file, cutting through blocks, with the codes it gives", async () => {
    const file = path.join(tmp, "mesh2.osm");
    fs.writeFileSync(file, meshOsmXml({ ...mesh, lng0: 116.45 }));
    const communities = path.join(tmp, "halves.geojson");
    fs.writeFileSync(communities, halvesGeoJson({ ...mesh, lng0: 116.45 }, ["110101999001", "110101999002"]));
    const s = await importOsm(
      database.url,
      { file, subdistrictCode: "110101999", communities, publish: true },
      { proposePlan: propose },
    );
    expect(s.communities).toBe(2);
    const c = await rows<{ code: string; name: string }>(
      "select code, name from community where subdistrict_code = '110101999' order by code",
    );
    expect(c).toEqual([
      { code: "110101999001", name: "西区社区" },
      { code: "110101999002", name: "东区社区" },
    ]);
    const t = await tilingProblems(sql, "110101999");
    expect([t.communities, t.offBy, t.overlaps]).toEqual([2, [], []]);
    const plan = await rows<{ status: string }>("select status from plan where subdistrict_code = '110101999'");
    expect(plan).toEqual([{ status: "published" }]);
  }, 300_000);
});

describe("bad files leave the database as it was", () => {
  const refused = (run: () => Promise<unknown>, code: string) => expectRefused(database.url, run, code);

  it("refuses a truncated extract", async () => {
    const file = path.join(tmp, "truncated.osm.pbf");
    fs.writeFileSync(file, fs.readFileSync(MONACO).subarray(0, 300_000));
    await refused(
      () => importOsm(database.url, { file, subdistrictCode: "990000002" }, { proposePlan: propose }),
      "unreadable_osm",
    );
  });

  it("refuses a file of another format", async () => {
    const file = path.join(tmp, "notes.osm.pbf");
    fs.writeFileSync(file, "subdistrict,households\n新城,55000\n");
    await refused(
      () => importOsm(database.url, { file, subdistrictCode: "990000002" }, { proposePlan: propose }),
      "wrong_format",
    );
  });

  it("refuses an extract without buildings", async () => {
    const file = path.join(tmp, "roads-only.osm");
    fs.writeFileSync(file, meshOsmXml({ lng0: 116.5, lat0: 39.9, cell: 160, cells: 2, levels: 6, noBuildings: true }));
    await refused(
      () => importOsm(database.url, { file, subdistrictCode: "990000002" }, { proposePlan: propose }),
      "no_buildings",
    );
  });

  it("refuses a subdistrict code that is taken", async () => {
    await refused(
      () => importOsm(database.url, { file: MONACO, subdistrictCode: MONACO_CODE }, { proposePlan: propose }),
      "subdistrict_exists",
    );
  });

  it("rolls everything back when a late step fails", async () => {
    const before = await tableChecksums(database.url);
    const failing: PlanProposer = async () => {
      throw new ImportError("proposer_failed", "划分失败", "the proposer failed");
    };
    const file = path.join(tmp, "mesh3.osm");
    fs.writeFileSync(file, meshOsmXml({ lng0: 116.5, lat0: 39.95, cell: 160, cells: 2, levels: 6 }));
    await expect(
      importOsm(database.url, { file, subdistrictCode: "110101997" }, { proposePlan: failing }),
    ).rejects.toThrow(/the proposer failed/);
    expect(await tableChecksums(database.url)).toEqual(before);
  });
});
