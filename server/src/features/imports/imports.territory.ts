import { listLayers } from "@gridatlas/geodata/gis/ogr.ts";
import { zipHasCpg } from "@gridatlas/geodata/gis/read.ts";
import { ImportError } from "@gridatlas/geodata/osm/errors.ts";
import type { FieldKey } from "@gridatlas/geodata/territory/fields.ts";
import { importTerritoryWith } from "@gridatlas/geodata/territory/import.ts";
import { type LayerName, type Problem, readLayers, type SheetRow } from "@gridatlas/geodata/territory/read.ts";
import type { Actor } from "../../db/audit.ts";
import type { Db } from "../../db/db.ts";
import { DomainError } from "../../errors.ts";
import { completeUpload, type UploadedFile } from "./imports.files.ts";
import type { TerritoryImportRequest, TerritoryPreviewRequest } from "./imports.input.ts";
import { auditImport, type ImportJob, refuseSubdistrictState, startJob, withSqlClient } from "./imports.jobs.ts";
import { proposeWithRebalancer } from "./imports.propose.ts";
import { readHouseholdsSheet } from "./imports.sheet.ts";

/**
 * Starts the territory import of uploaded layers as a job: the same importer as `cli import-territory`, on a
 * connection of the server's pool, with the rebalancer in a worker thread and the audit record written in the
 * import's transaction. A refusal is the job's error, its details listing every problem by layer, row and field.
 */
export async function startTerritoryImport(db: Db, req: TerritoryImportRequest, actor: Actor): Promise<ImportJob> {
  const upload = (id: string | undefined, field: string) =>
    id === undefined ? undefined : completeUpload(id, field, actor.accountId);
  const update = req.update === true;
  refuseMissing(req, update);
  const communities = upload(req.communities_file, "communities_file");
  const buildings = upload(req.buildings_file, "buildings_file")!;
  const roads = upload(req.roads_file, "roads_file");
  const compounds = upload(req.compounds_file, "compounds_file");
  const water = upload(req.water_file, "water_file");
  const landuse = upload(req.landuse_file, "landuse_file");
  const households = upload(req.households_file, "households_file");
  if (req.subdistrict_code) {
    await refuseSubdistrictState(
      db,
      req.subdistrict_code,
      update ? "existing" : "new",
      update
        ? { zh: "；新建辖区请选“新建辖区”", en: '; choose "new territory" to create it' }
        : {
            zh: "；请换一个编码，或选“更新楼栋”以新的楼栋图层更新它",
            en: '; use another code, or choose "update buildings" to update it',
          },
    );
  }
  return startJob("territory", actor.accountId, async ({ log, progress }) => {
    let created: { id: number; subdistrict_code: string } | undefined;
    const sheet = households ? await readHouseholdsSheet(households.path) : undefined;
    const summary = await withSqlClient(db, (client) =>
      importTerritoryWith(
        client,
        {
          communities: communities?.path,
          buildings: buildings.path,
          roads: roads?.path,
          compounds: compounds?.path,
          water: water?.path,
          landuse: landuse?.path,
          households: sheet,
          subdistrictCode: req.subdistrict_code,
          name: req.name,
          crs: req.crs,
          encoding: req.encoding,
          fields: req.fields as Partial<Record<FieldKey, string>> | undefined,
          dwellingM2: req.dwelling_m2,
          band: req.band,
          publish: req.publish,
          update,
        },
        {
          proposePlan: proposeWithRebalancer(true),
          log,
          onProgress: progress,
          beforeCommit: async (c, summary) => {
            // The plan the import just proposed (one import runs at a time), so that the page can open it; after
            // an update, the plan in force (else the newest draft), which the import carried over.
            const plan = update
              ? await c.query<{ id: number; subdistrict_code: string }>(
                  `select id, subdistrict_code from plan where subdistrict_code = $1
                   order by status = 'published' desc, updated_at desc, id desc limit 1`,
                  [req.subdistrict_code],
                )
              : await c.query<{ id: number; subdistrict_code: string }>(
                  "select id, subdistrict_code from plan where owner = 'import-territory' order by id desc limit 1",
                );
            created = plan.rows[0];
            await auditImport(c, actor, "import_territory", "subdistrict", created?.subdistrict_code ?? null, {
              files: [communities, buildings, roads, compounds, water, landuse, households].flatMap((f) =>
                f ? [f.name] : [],
              ),
              summary,
            });
          },
        },
      ),
    );
    // The CLI's summary, and where the new territory and its draft plan are.
    return { ...summary, subdistrict_code: created?.subdistrict_code ?? null, plan_id: created?.id ?? null };
  });
}

/**
 * A new territory needs its communities and roads; an update reads only buildings (and households) and must name
 * the subdistrict it updates. Refused at the edge, naming the field, before any file is taken.
 */
function refuseMissing(req: TerritoryImportRequest, update: boolean): void {
  if (update && !req.subdistrict_code) {
    throw new DomainError(
      "invalid",
      "no_subdistrict_code",
      "更新楼栋须指明要更新的街道编码",
      "updating buildings needs the code of the subdistrict to update",
      "subdistrict_code",
    );
  }
  if (update) return;
  for (const [field, zh, en] of [
    ["communities_file", "社区", "communities"],
    ["roads_file", "道路", "roads"],
  ] as const) {
    if (!req[field]) {
      throw new DomainError(
        "invalid",
        "missing_layer",
        `新建辖区需要${zh}图层`,
        `a new territory needs the ${en} layer`,
        field,
      );
    }
  }
}

type LayerPreview = {
  file: string;
  crs: string | null;
  crs_from: string;
  encoding: string | null;
  /** Every field of the layer, for a mapping by hand. */
  fields: { name: string; type: string }[];
  /** The layer's field for each meaning the import matched (from the mapping given, else by name). */
  matched: Record<string, string>;
  total: number;
  features: { type: "FeatureCollection"; features: unknown[] };
};

/**
 * The territory import's reading and checking of the layers uploaded so far, without writing anything: each
 * layer's features in WGS84 for the map (id = row), the CRS and where it came from, the encoding, the fields
 * matched, and every problem by layer, row and field, as the import would report them. Problems that need the
 * database (gaps and overlaps between communities) come with the import itself.
 */
export async function previewTerritory(req: TerritoryPreviewRequest, actor: Actor) {
  const upload = (id: string | undefined, field: string) =>
    id === undefined ? undefined : completeUpload(id, field, actor.accountId);
  const given: Partial<Record<LayerName, UploadedFile>> = {
    communities: upload(req.communities_file, "communities_file"),
    buildings: upload(req.buildings_file, "buildings_file"),
    roads: upload(req.roads_file, "roads_file"),
    compounds: upload(req.compounds_file, "compounds_file"),
    water: upload(req.water_file, "water_file"),
    landuse: upload(req.landuse_file, "landuse_file"),
    households: upload(req.households_file, "households_file"),
  };
  const problems: Problem[] = [];
  let sheet: SheetRow[] | null = null;
  if (given.households) {
    try {
      sheet = await readHouseholdsSheet(given.households.path);
    } catch (err) {
      if (!(err instanceof ImportError)) throw err;
      problems.push({ layer: "households", row: null, field: null, zh: err.zh, en: err.en });
    }
  }
  // The reader wants the three required layers; one not uploaded yet is read as missing and its complaint dropped.
  const read = await readLayers(
    {
      communities: given.communities?.path ?? "",
      buildings: given.buildings?.path ?? "",
      roads: given.roads?.path ?? "",
      compounds: given.compounds?.path,
      water: given.water?.path,
      landuse: given.landuse?.path,
    },
    sheet,
    { crs: req.crs as never, encoding: req.encoding, fields: req.fields as Partial<Record<FieldKey, string>> },
  );
  // Spreadsheet rows are checked against the buildings layer: without it, each would be "no such building".
  const checked = (layer: LayerName) => !!given[layer] && (layer !== "households" || !!given.buildings);
  problems.push(...read.problems.filter((p) => checked(p.layer)));

  const limit = req.limit ?? 10_000;
  const rowsOf: Record<Exclude<LayerName, "households">, { row: number; geometry: unknown }[]> = {
    communities: read.communities,
    buildings: read.buildings,
    roads: read.roads,
    compounds: read.compounds,
    water: read.water,
    landuse: read.enclosures,
  };
  const layers: Partial<Record<LayerName, LayerPreview>> = {};
  for (const name of ["communities", "buildings", "roads", "compounds", "water", "landuse"] as const) {
    const file = given[name];
    const how = read.layers[name];
    if (!file || !how) continue;
    const rows = rowsOf[name];
    layers[name] = {
      file: file.name,
      crs: how.crs,
      crs_from: how.crsFrom,
      encoding: how.encoding,
      fields: await fieldsOf(file.path, req.encoding),
      matched: how.fields,
      total: new Set(rows.map((r) => r.row)).size,
      features: {
        type: "FeatureCollection",
        features: rows.slice(0, limit).map(({ row, geometry, ...properties }) => ({
          type: "Feature",
          id: row,
          geometry,
          properties: { ...properties, layer: name },
        })),
      },
    };
  }
  return {
    layers,
    households: given.households && sheet ? { file: given.households.name, rows: sheet.length } : null,
    problems,
    /** The three required layers are there, so the check covered them all. */
    complete: !!(given.communities && given.buildings && given.roads),
  };
}

/** The fields of a layer file, their names read in the encoding the import will use. */
async function fieldsOf(file: string, encoding: string | undefined): Promise<{ name: string; type: string }[]> {
  const zip = file.toLowerCase().endsWith(".zip");
  const openOptions =
    zip && (encoding || !zipHasCpg(file)) ? [`ENCODING=${encoding === "UTF-8" ? "UTF-8" : "CP936"}`] : [];
  const layer = (await listLayers(zip ? `/vsizip/${file}` : file, { openOptions }))[0];
  return layer?.fields.map((f) => ({ name: f.name, type: f.type })) ?? [];
}
