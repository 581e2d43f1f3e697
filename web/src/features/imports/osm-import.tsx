import { useEffect, useState } from "react";
import { type ApiError, fetchImportJob, type ImportJob, startOsmImport, toApiError } from "../../api.ts";
import { formatNumber, useLang } from "../../i18n/lang.ts";
import { GIS_FILE_ACCEPT, OSM_FILE_ACCEPT } from "./import-options.ts";
import { ErrorBox } from "./parts.tsx";
import { formatBytes, uploadFile } from "./upload.ts";

/** How often a running import is asked for its progress (the README's advice: about once a second). */
const POLL_MS = 1000;

/** The keys of the summary an OSM import ends with, in the order the importer prints them. */
const SUMMARY_KEYS = [
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
] as const;

type Sent = { name: string; received: number; size: number };

/**
 * Onboarding an area from an OpenStreetMap extract (admins): upload the .osm.pbf (and, if at hand, a file of
 * community polygons), start the import job and follow it step by step with its log, to its summary or its error
 * (then nothing was written).
 */
export function OsmImport() {
  const { lang, t } = useLang();
  const [file, setFile] = useState<File | null>(null);
  const [communities, setCommunities] = useState<File | null>(null);
  const [code, setCode] = useState("");
  const [name, setName] = useState("");
  const [nameEn, setNameEn] = useState("");
  const [publish, setPublish] = useState(false);
  const [sent, setSent] = useState<Sent | null>(null);
  const [job, setJob] = useState<ImportJob | null>(null);
  const [error, setError] = useState<ApiError | null>(null);

  const running = job?.state === "running";
  const jobId = job?.id;
  // biome-ignore lint/correctness/useExhaustiveDependencies: each new state of the job asks for the next one.
  useEffect(() => {
    if (!running || !jobId) return;
    const timer = setTimeout(() => {
      fetchImportJob(jobId).then(setJob, (err: unknown) => setError(toApiError(err)));
    }, POLL_MS);
    return () => clearTimeout(timer);
  }, [running, jobId, job]);

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

  const summary = job?.summary as Record<string, number> | undefined;
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
        <section className="data-step" data-testid="osm-job" data-state={job.state}>
          <h3>{t(`import.osm.state.${job.state}`)}</h3>
          <div className="data-progress">
            <progress max={job.progress.steps} value={job.state === "done" ? job.progress.steps : job.progress.step} />
            <span>
              {job.state === "done"
                ? t("import.osm.allSteps", { steps: job.progress.steps })
                : t("import.osm.step", {
                    step: job.progress.step,
                    steps: job.progress.steps,
                    label: job.progress.label,
                  })}
            </span>
          </div>
          <ol className="data-log" data-testid="osm-log">
            {job.log.map((line, i) => (
              // biome-ignore lint/suspicious/noArrayIndexKey: the log only grows at its end.
              <li key={i}>{line}</li>
            ))}
          </ol>
          {job.error && (
            <div className="data-error" role="alert">
              <strong>{t("data.error")}</strong> {lang === "zh" ? job.error.zh : job.error.en}
              <span className="muted"> ({job.error.code})</span>
            </div>
          )}
          {summary && (
            <table className="table" data-testid="osm-summary">
              <tbody>
                {SUMMARY_KEYS.filter((k) => k in summary).map((k) => (
                  <tr key={k}>
                    <th>{t(`import.osm.summary.${k}`)}</th>
                    <td className="num">{formatNumber(lang, summary[k] ?? 0)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          )}
          {summary && <pre className="data-json">{JSON.stringify(summary)}</pre>}
        </section>
      )}
    </div>
  );
}
