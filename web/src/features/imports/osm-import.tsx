import { useState } from "react";
import { type ApiError, startOsmImport, toApiError } from "../../api.ts";
import { useLang } from "../../i18n/lang.ts";
import { GIS_FILE_ACCEPT, OSM_FILE_ACCEPT } from "./import-options.ts";
import { ImportJobView, type SummaryKey, useImportJob } from "./job-view.tsx";
import { ErrorBox } from "./parts.tsx";
import { formatBytes, uploadFile } from "./upload.ts";

/** The keys of the summary an OSM import ends with, in the order the importer prints them. */
const SUMMARY_KEYS: SummaryKey[] = [
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
];

type Sent = { name: string; received: number; size: number };

/**
 * Onboarding an area from an OpenStreetMap extract (admins): upload the .osm.pbf (and, if at hand, a file of
 * community polygons), start the import job and follow it step by step with its log, to its summary or its error
 * (then nothing was written).
 */
export function OsmImport() {
  const { t } = useLang();
  const [file, setFile] = useState<File | null>(null);
  const [communities, setCommunities] = useState<File | null>(null);
  const [code, setCode] = useState("");
  const [name, setName] = useState("");
  const [nameEn, setNameEn] = useState("");
  const [publish, setPublish] = useState(false);
  const [sent, setSent] = useState<Sent | null>(null);
  const [error, setError] = useState<ApiError | null>(null);
  const [job, setJob] = useImportJob(setError);
  const running = job?.state === "running";

  const start = async () => {
    if (!file) return;
    setError(null);
    setJob(null);
    try {
      const progress = (f: File) => (received: number, size: number) => setSent({ name: f.name, received, size });
      const upload = await uploadFile(file, progress(file));
      const communitiesUpload = communities ? await uploadFile(communities, progress(communities)) : null;
      setSent(null);
      const started = await startOsmImport({
        kind: "osm",
        file: upload.id,
        subdistrict_code: code.trim(),
        ...(name.trim() ? { name: name.trim() } : {}),
        ...(nameEn.trim() ? { name_en: nameEn.trim() } : {}),
        ...(communitiesUpload ? { communities_file: communitiesUpload.id } : {}),
        publish,
      });
      setJob(started);
    } catch (err) {
      setSent(null);
      setError(toApiError(err));
    }
  };

  return (
    <div className="data-tab" data-testid="osm-import">
      <p className="muted">{t("import.osm.intro")}</p>
      <section className="data-step">
        <label className="data-row">
          <span>{t("import.osm.file")}</span>
          <input
            type="file"
            accept={OSM_FILE_ACCEPT}
            onChange={(e) => setFile(e.target.files?.[0] ?? null)}
            data-testid="osm-file"
          />
        </label>
        <label className="data-row">
          <span>{t("import.osm.communities")}</span>
          <input type="file" accept={GIS_FILE_ACCEPT} onChange={(e) => setCommunities(e.target.files?.[0] ?? null)} />
        </label>
        <label className="data-row">
          <span>{t("import.osm.code")}</span>
          <input
            value={code}
            onChange={(e) => setCode(e.target.value)}
            inputMode="numeric"
            maxLength={9}
            placeholder="990000001"
            data-testid="osm-code"
          />
        </label>
        <label className="data-row">
          <span>{t("import.osm.name")}</span>
          <input value={name} onChange={(e) => setName(e.target.value)} maxLength={100} />
        </label>
        <label className="data-row">
          <span>{t("import.osm.nameEn")}</span>
          <input value={nameEn} onChange={(e) => setNameEn(e.target.value)} maxLength={100} />
        </label>
        <label className="check">
          <input type="checkbox" checked={publish} onChange={(e) => setPublish(e.target.checked)} />
          {t("import.osm.publish")}
        </label>
        <div className="row-actions">
          <button
            type="button"
            className="primary"
            disabled={!file || !!sent || running}
            onClick={() => void start()}
            data-testid="osm-start"
          >
            {t("import.osm.start")}
          </button>
        </div>
        {sent && (
          <div className="data-progress">
            <progress max={sent.size} value={sent.received} />
            <span>
              {t("import.osm.uploading", {
                name: sent.name,
                received: formatBytes(sent.received),
                size: formatBytes(sent.size),
              })}
            </span>
          </div>
        )}
        {error && <ErrorBox error={error} />}
      </section>
      {job && (
        <ImportJobView job={job} testId="osm" summaryKeys={SUMMARY_KEYS}>
          {job.summary !== undefined && <pre className="data-json">{JSON.stringify(job.summary)}</pre>}
        </ImportJobView>
      )}
    </div>
  );
}
