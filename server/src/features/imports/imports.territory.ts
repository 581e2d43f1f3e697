import type { FieldKey } from "@gridatlas/geodata/territory/fields.ts";
import { importTerritoryWith } from "@gridatlas/geodata/territory/import.ts";
import type { Actor } from "../../db/audit.ts";
import type { Db } from "../../db/db.ts";
import { DomainError } from "../../errors.ts";
import { completeUpload } from "./imports.files.ts";
import type { TerritoryImportRequest } from "./imports.input.ts";
import { auditImport, type ImportJob, startJob, withSqlClient } from "./imports.jobs.ts";
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
  const communities = upload(req.communities_file, "communities_file")!;
  const buildings = upload(req.buildings_file, "buildings_file")!;
  const roads = upload(req.roads_file, "roads_file")!;
  const compounds = upload(req.compounds_file, "compounds_file");
  const water = upload(req.water_file, "water_file");
  const landuse = upload(req.landuse_file, "landuse_file");
  const households = upload(req.households_file, "households_file");
  if (req.subdistrict_code) {
    const taken = await db
      .selectFrom("subdistrict")
      .select("code")
      .where("code", "=", req.subdistrict_code)
      .executeTakeFirst();
    if (taken) {
      throw new DomainError(
        "conflict",
        "subdistrict_exists",
        `街道 ${req.subdistrict_code} 已存在`,
        `subdistrict ${req.subdistrict_code} already exists`,
        "subdistrict_code",
      );
    }
  }
  return startJob("territory", actor.accountId, async ({ log, progress }) => {
    const sheet = households ? await readHouseholdsSheet(households.path) : undefined;
    return withSqlClient(db, (client) =>
      importTerritoryWith(
        client,
        {
          communities: communities.path,
          buildings: buildings.path,
          roads: roads.path,
          compounds: compounds?.path,
          water: water?.path,
          landuse: landuse?.path,
          households: sheet,
          subdistrictCode: req.subdistrict_code,
          name: req.name,
          crs: req.crs,
          fields: req.fields as Partial<Record<FieldKey, string>> | undefined,
          dwellingM2: req.dwelling_m2,
          band: req.band,
          publish: req.publish,
        },
        {
          proposePlan: proposeWithRebalancer(true),
          log,
          onProgress: progress,
          beforeCommit: (c, summary) =>
            auditImport(c, actor, "import_territory", "subdistrict", null, {
              files: [communities, buildings, roads, compounds, water, landuse, households].flatMap((f) =>
                f ? [f.name] : [],
              ),
              summary,
            }),
        },
      ),
    );
  });
}
