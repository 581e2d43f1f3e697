import type { SqlClient } from "../db.ts";
import { ImportError } from "../osm/errors.ts";
import { DEFAULT_HOUSEHOLD_ESTIMATE, type HouseholdEstimate } from "../osm/households.ts";
import {
  buildParcels,
  defaultMetricSrid,
  insertBuildings,
  insertCommunities,
  insertRoadsAndWater,
  territoryTotals,
} from "../osm/import.load.ts";
import { proposePlan } from "../osm/import.propose.ts";
import { type ImportHooks, type ImportSummary, inTransaction, stepper, withConnection } from "../osm/import.run.ts";
import type { FieldKey } from "./fields.ts";
import { type LayerFiles, type Problem, readLayers, type SheetRow } from "./read.ts";
import { carryOverBuildings, recordBuildingCodes, rememberOldBuildings } from "./reimport.ts";
import {
  type CommunityRepair,
  DEFAULT_REPAIR,
  fillCommunityCodes,
  mendGeometry,
  repairCommunities,
  snapRoads,
  stageLayers,
  unusableGeometry,
} from "./stage.ts";

export type { Problem, SheetRow } from "./read.ts";

export interface TerritoryImportOptions extends LayerFiles {
  /** Rows of the households spreadsheet (楼栋编码, 户数), read by the caller from CSV or XLSX. */
  households?: SheetRow[] | undefined;
  /** 9 digits; default: the first 9 digits of the community codes, when they all agree. */
  subdistrictCode?: string | undefined;
  name?: string | undefined;
  band?: { min: number; max: number } | undefined;
  /** The CRS of every layer, overriding the .prj files. */
  crs?: string | undefined;
  encoding?: string | undefined;
  fields?: Partial<Record<FieldKey, string>> | undefined;
  metricSrid?: number | undefined;
  spacingM?: number | undefined;
  repair?: Partial<CommunityRepair> | undefined;
  dwellingM2?: number | undefined;
  publish?: boolean | undefined;
  seed?: number | undefined;
  /**
   * Update the existing territory of `subdistrictCode` from a corrected buildings layer (and households
   * spreadsheet) instead of creating one: communities, roads, water and compounds stay; buildings are matched to
   * the ones there by 楼栋编码 and keep their entrances' visits; parcels are rebuilt and every plan, the published
   * one too, is carried over to them (reimport.ts). No new plan is proposed.
   */
  update?: boolean | undefined;
}

/** What `import-territory` prints as its last line. */
export type TerritoryImportSummary = ImportSummary;

export type TerritoryImportHooks = ImportHooks<TerritoryImportSummary>;

const STEPS = [
  "reading the layers",
  "communities",
  "roads",
  "buildings and entrances",
  "blocks and parcels",
  "proposing a plan",
] as const;

const ATTRIBUTION = "数据来源：本街道提供的图层 / Data: the subdistrict's own layers";

/**
 * Creates a territory from a subdistrict office's own GIS layers (communities, buildings, roads, compounds, and a
 * households spreadsheet), without OpenStreetMap: the layers are read and every row checked first; then, in one
 * transaction, they fill the OpenStreetMap import's staging tables and the same load and proposal write
 * communities, roads, buildings with households (recorded, else estimated and marked) and entrances, blocks,
 * parcels, their adjacency and a draft plan. Any problem — a bad row, a .prj that contradicts its coordinates, a
 * gap between communities that is no sliver — fails the whole import with an ImportError whose details list
 * every problem ({ problems: Problem[] }), and the database is left as it was.
 */
export async function importTerritory(
  databaseUrl: string,
  options: TerritoryImportOptions,
  hooks: TerritoryImportHooks,
): Promise<TerritoryImportSummary> {
  return withConnection(databaseUrl, hooks.log, (client) => importTerritoryWith(client, options, hooks));
}

/** importTerritory on a connection the caller holds (and closes); begins, commits or rolls back on it. */
export async function importTerritoryWith(
  client: SqlClient,
  options: TerritoryImportOptions,
  hooks: TerritoryImportHooks,
): Promise<TerritoryImportSummary> {
  const log = hooks.log ?? (() => {});
  const step = stepper(STEPS, log, hooks.onProgress);
  const update = options.update === true;
  if (update && !options.subdistrictCode) {
    throw new ImportError(
      "no_subdistrict_code",
      "更新楼栋须用 --subdistrict-code 指明要更新的街道",
      "updating buildings needs the subdistrict to update, given with --subdistrict-code",
    );
  }
  if (!update && (!options.communities || !options.roads)) {
    throw new ImportError(
      "missing_layer",
      "新建辖区需要社区、楼栋和道路三个图层",
      "a new territory needs the communities, buildings and roads layers",
    );
  }
  const existing = update ? await existingTerritory(client, options.subdistrictCode!) : null;
  const data = await step(() =>
    readLayers(options, options.households ?? null, {
      crs: options.crs as never,
      encoding: options.encoding,
      fields: options.fields,
      nearLng: existing?.lng,
      area: existing?.box,
    }),
  );
  for (const [name, l] of Object.entries(data.layers)) {
    log(`  ${name}: ${l.crs} (${l.crsFrom}), ${l.encoding ?? "UTF-8"}, fields ${JSON.stringify(l.fields)}`);
  }
  refuseIf(data.problems);
  const code = options.subdistrictCode ?? subdistrictOf(data.communities.map((c) => c.code));
  if (!/^\d{9}$/.test(code)) {
    throw new ImportError("bad_code", "街道编码应为9位数字", "a subdistrict code is 9 digits");
  }
  refuseIf(
    data.communities
      .filter((c) => c.code !== null && !c.code.startsWith(code))
      .map((c) => ({
        layer: "communities" as const,
        row: c.row,
        field: "社区代码",
        zh: `社区代码 ${c.code} 不属于街道 ${code}`,
        en: `community code ${c.code} is not in subdistrict ${code}`,
      })),
  );
  if (data.buildings.length === 0) {
    throw new ImportError("no_buildings", "楼栋图层中没有楼栋", "the buildings layer holds no buildings");
  }
  const estimate: HouseholdEstimate = {
    ...DEFAULT_HOUSEHOLD_ESTIMATE,
    ...(options.dwellingM2 ? { dwellingM2: options.dwellingM2 } : {}),
  };

  return inTransaction(client, async () => {
    const exists = (await client.query("select 1 from subdistrict where code = $1 for update", [code])).rowCount;
    if (exists && !update) {
      throw new ImportError(
        "subdistrict_exists",
        `街道 ${code} 已存在；请换一个编码，或用 --update 以新的楼栋图层更新它`,
        `subdistrict ${code} already exists; use another code, or --update to update it from a new buildings layer`,
      );
    }
    if (!exists && update) throw noSuchSubdistrict(code);
    const srid = await step(async () => {
      await stageLayers(client, data);
      refuseIf(await unusableGeometry(client));
      await mendGeometry(client);
      if (existing) {
        log("  communities kept as they are");
        return existing.srid;
      }
      const srid = options.metricSrid ?? (await defaultMetricSrid(client));
      const repaired = await repairCommunities(client, srid, { ...DEFAULT_REPAIR, ...options.repair });
      for (const n of repaired.notes) log(`  ${n}`);
      refuseIf(repaired.problems);
      for (const n of await fillCommunityCodes(client, code)) log(`  ${n}`);
      await insertCommunities(
        client,
        { subdistrictCode: code, name: options.name, band: options.band, attribution: ATTRIBUTION },
        srid,
      );
      return srid;
    });
    const roads = await step(async () => {
      if (existing) {
        log("  roads and water kept as they are");
        const r = await client.query<{ n: number }>("select count(*)::int n from road where subdistrict_code = $1", [
          code,
        ]);
        return r.rows[0]!.n;
      }
      const snapped = await snapRoads(client, srid);
      if (snapped) log(`  ${snapped} road ends joined to the road or boundary they stopped short of`);
      return insertRoadsAndWater(client, code, srid);
    });
    await step(async () => {
      if (existing) await rememberOldBuildings(client, code);
      await reportPlacement(client, code, log);
      await insertBuildings(client, code, srid, estimate, log, "majority");
      await recordBuildingCodes(client);
      if (existing) {
        const carried = await carryOverBuildings(client);
        refuseIf(carried.problems);
        log(
          `  ${carried.matched} buildings matched by 楼栋编码 (their visits kept), ${carried.added} added, ${carried.removed} removed`,
        );
      }
    });
    const built = await step(() => buildParcels(client, code, options.spacingM ?? 5, log));
    const plan = await step(() =>
      existing
        ? carriedPlan(client, code, log)
        : proposePlan(
            client,
            {
              subdistrictCode: code,
              publish: options.publish,
              seed: options.seed,
              planName: "图层导入初始方案 / initial plan from the territory import",
              planOwner: "import-territory",
            },
            srid,
            hooks.proposePlan,
            log,
          ),
    );
    const t = await territoryTotals(client, code);
    const summary: TerritoryImportSummary = {
      communities: t.communities,
      buildings: t.buildings,
      entrances: t.entrances,
      parcels: built.parcels,
      households: t.households,
      households_estimated: t.households_estimated,
      roads,
      grids: plan.grids,
      out_of_band_grids: plan.outOfBand,
    };
    await hooks.beforeCommit?.(client, summary);
    return summary;
  });
}

function noSuchSubdistrict(code: string): ImportError {
  return new ImportError(
    "no_subdistrict",
    `街道 ${code} 不存在，无法更新；新建辖区请去掉 --update`,
    `subdistrict ${code} does not exist, so it cannot be updated; leave out --update to create it`,
  );
}

/** Where an existing territory lies (its centre's longitude and box, for reading the layers) and its metric CRS. */
async function existingTerritory(
  client: SqlClient,
  code: string,
): Promise<{ lng: number; box: [number, number, number, number]; srid: number }> {
  const r = await client.query<{ lng: number; x0: number; y0: number; x1: number; y1: number; srid: number }>(
    `select ST_X(ST_Centroid(geom)) lng, ST_XMin(geom) x0, ST_YMin(geom) y0, ST_XMax(geom) x1, ST_YMax(geom) y1,
       metric_srid srid
     from subdistrict where code = $1`,
    [code],
  );
  const s = r.rows[0];
  if (!s) throw noSuchSubdistrict(code);
  return { lng: s.lng, box: [s.x0, s.y0, s.x1, s.y1], srid: s.srid };
}

/**
 * After an update: the grids of the plan in force (else the newest draft), which build_territory has carried over
 * to the new parcels, and how many of them now fall outside their community's band.
 */
async function carriedPlan(
  client: SqlClient,
  code: string,
  log: (msg: string) => void,
): Promise<{ grids: number; outOfBand: number }> {
  const r = await client.query<{ plan: number | null; name: string | null; grids: number; out_of_band: number }>(
    `with p as (
       select id, name from plan where subdistrict_code = $1 and status <> 'archived'
       order by status = 'published' desc, updated_at desc, id desc limit 1
     ), g as (
       select g.id, coalesce(sum(e.households), 0) households, c.band_min, c.band_max
       from grid g join p on p.id = g.plan_id join community c on c.code = g.community_code
       left join plan_parcel pp on pp.grid_id = g.id
       left join parcel x on x.id = pp.parcel_id
       left join entrance e on e.id = x.entrance_id
       group by g.id, c.band_min, c.band_max
     )
     select (select id from p) plan, (select name from p) name, count(*)::int grids,
       (count(*) filter (where households < band_min or households > band_max))::int out_of_band
     from g`,
    [code],
  );
  const x = r.rows[0]!;
  if (x.plan !== null) {
    log(`  plans carried over to the new parcels; "${x.name}": ${x.grids} grids, ${x.out_of_band} out of band`);
  }
  return { grids: x.grids, outOfBand: x.out_of_band };
}

/** Fails the import with every problem listed, when there is any. */
function refuseIf(problems: Problem[]): void {
  if (problems.length === 0) return;
  const first = problems[0]!;
  const where = (p: Problem) => `${p.layer}${p.row !== null ? ` #${p.row}` : ""}${p.field ? ` ${p.field}` : ""}`;
  throw new ImportError(
    "invalid_layers",
    `图层有 ${problems.length} 处问题，未导入任何数据。第一处：${where(first)}：${first.zh}`,
    `the layers have ${problems.length} problem(s); nothing was imported. First: ${where(first)}: ${first.en}`,
    { problems },
  );
}

/** The subdistrict code the community codes share (their first 9 digits), or a refusal asking for one. */
function subdistrictOf(codes: (string | null)[]): string {
  const prefixes = new Set(codes.filter((c): c is string => c !== null).map((c) => c.slice(0, 9)));
  if (prefixes.size === 1) return [...prefixes][0]!;
  throw new ImportError(
    "no_subdistrict_code",
    prefixes.size === 0
      ? "社区图层没有社区代码：请用 --subdistrict-code 给出9位街道编码"
      : `社区代码分属 ${prefixes.size} 个街道（${[...prefixes].join("、")}）：请用 --subdistrict-code 指定`,
    prefixes.size === 0
      ? "the communities have no codes: give the 9-digit subdistrict code with --subdistrict-code"
      : `the community codes belong to ${prefixes.size} subdistricts (${[...prefixes].join(", ")}): choose one with --subdistrict-code`,
  );
}

/** Says which buildings straddle communities or lie outside all of them, before they are placed. */
async function reportPlacement(client: SqlClient, code: string, log: (msg: string) => void): Promise<void> {
  const r = await client.query<{ outside: string[]; straddling: string[] }>(
    `select coalesce(array_agg(b.name order by b.ref) filter (where n.k = 0), '{}') outside,
       coalesce(array_agg(b.name order by b.ref) filter (where n.k > 1), '{}') straddling
     from _osm_building b
     cross join lateral (
       select count(*) k from community c
       where c.subdistrict_code = $1 and c.geom && b.geom and ST_Intersects(c.geom, b.geom) and not ST_Touches(c.geom, b.geom)
     ) n`,
    [code],
  );
  const { outside, straddling } = r.rows[0]!;
  const few = (xs: string[]) => `${xs.slice(0, 5).join(", ")}${xs.length > 5 ? " …" : ""}`;
  if (straddling.length) {
    log(
      `  ${straddling.length} buildings straddle communities; each goes where most of its area lies: ${few(straddling)}`,
    );
  }
  if (outside.length)
    log(`  ${outside.length} buildings lie outside every community and are left out: ${few(outside)}`);
}
