import { importOsmWith } from "@gridatlas/geodata/osm/import.ts";
import type { Actor } from "../../db/audit.ts";
import type { Db } from "../../db/db.ts";
import { completeUpload } from "./imports.files.ts";
import type { OsmImportRequest } from "./imports.input.ts";
import { auditImport, type ImportJob, refuseSubdistrictState, startJob, withSqlClient } from "./imports.jobs.ts";
import { proposeWithRebalancer } from "./imports.propose.ts";

/**
 * Starts the OpenStreetMap import of an uploaded extract as a job: the same importer as `cli import-osm`, on a
 * connection of the server's pool, with the rebalancer in a worker thread and the audit record written in the
 * import's transaction.
 */
export async function startOsmImport(db: Db, req: OsmImportRequest, actor: Actor): Promise<ImportJob> {
  const file = completeUpload(req.file, "file", actor.accountId);
  const communities = req.communities_file
    ? completeUpload(req.communities_file, "communities_file", actor.accountId)
    : null;
  await refuseSubdistrictState(db, req.subdistrict_code, "new");
  return startJob("osm", actor.accountId, ({ log, progress }) =>
    withSqlClient(db, (client) =>
      importOsmWith(
        client,
        {
          file: file.path,
          subdistrictCode: req.subdistrict_code,
          name: req.name,
          nameEn: req.name_en,
          communities: communities?.path,
          metricSrid: req.metric_srid,
          households: req.dwelling_m2 === undefined ? undefined : { dwellingM2: req.dwelling_m2 },
          band: req.band,
          publish: req.publish,
        },
        {
          proposePlan: proposeWithRebalancer(true),
          log,
          onProgress: progress,
          beforeCommit: (c, summary) =>
            auditImport(c, actor, "import_osm", "subdistrict", req.subdistrict_code, {
              file: file.name,
              summary,
            }),
        },
      ),
    ),
  );
}
