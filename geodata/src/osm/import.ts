import type { SqlClient } from "../db.ts";
import { ImportError } from "./errors.ts";
import { DEFAULT_HOUSEHOLD_ESTIMATE, type HouseholdEstimate } from "./households.ts";
import {
  buildParcels,
  defaultMetricSrid,
  insertBuildings,
  insertCommunities,
  insertRoadsAndWater,
  insertVenuesAndCameras,
  territoryTotals,
} from "./import.load.ts";
import { proposePlan } from "./import.propose.ts";
import {
  type ImportHooks,
  type ImportSummary,
  inTransaction,
  type Step,
  stepper,
  withConnection,
} from "./import.run.ts";
import { stage, stageCommunityFile, stageOsmCommunities } from "./import.stage.ts";
import { type OsmData, readOsm } from "./read.ts";
import { buildingUse } from "./tags.ts";

export type { SqlClient } from "../db.ts";
export type { PlanProposer, ProposalInput, ProposalUnit } from "./import.propose.ts";
export type { ImportProgress } from "./import.run.ts";

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
export interface OsmImportSummary extends ImportSummary {
  venues: number;
  cameras: number;
}

export type OsmImportHooks = ImportHooks<OsmImportSummary>;

const STEPS = [
  "reading the file",
  "communities",
  "roads and water",
  "buildings and entrances",
  "venues and cameras",
  "blocks and parcels",
  "proposing a plan",
] as const;

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
  return withConnection(databaseUrl, hooks.log, (client) => importOsmWith(client, options, hooks));
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
  const step = stepper(STEPS, log, hooks.onProgress);

  const data = await step(() => readOsm(options.file));
  return inTransaction(client, async () => {
    const summary = await load(client, data, options, estimate, hooks, step, log);
    await hooks.beforeCommit?.(client, summary);
    return summary;
  });
}

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
  if ((await client.query("select 1 from subdistrict where code = $1", [code])).rowCount) {
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
    const known = await client.query("select 1 from spatial_ref_sys where srid = $1", [srid]);
    if (!known.rowCount) {
      throw new ImportError("bad_srid", `未知的坐标系 EPSG:${srid}`, `unknown coordinate system EPSG:${srid}`);
    }
    await insertCommunities(client, options, srid);
    return srid;
  });
  const roads = await step(() => insertRoadsAndWater(client, code, srid));
  await step(() => insertBuildings(client, code, srid, estimate, log));
  const points = await step(() => insertVenuesAndCameras(client, code));
  const built = await step(() => buildParcels(client, code, options.spacingM ?? 5, log));
  const plan = await step(() => proposePlan(client, options, srid, hooks.proposePlan, log));
  const t = await territoryTotals(client, code);
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
