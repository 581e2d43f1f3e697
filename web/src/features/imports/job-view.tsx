import { type ReactNode, useEffect, useState } from "react";
import { type ApiError, fetchImportJob, type ImportJob, toApiError } from "../../api.ts";
import { formatNumber, useLang } from "../../i18n/lang.ts";

/** How often a running import is asked for its progress (the imports README's advice: about once a second). */
const POLL_MS = 1000;

/** The summary lines an import may end with, in the order the importers print them. */
export type SummaryKey =
  | "communities"
  | "roads"
  | "buildings"
  | "entrances"
  | "parcels"
  | "households"
  | "households_estimated"
  | "venues"
  | "cameras"
  | "grids"
  | "out_of_band_grids";

/**
 * An import job followed to its end: the job as last read (set it to the one the start answered), asked again
 * about once a second while it runs. A failed poll goes to `onError`.
 */
export function useImportJob(onError: (error: ApiError) => void) {
  const [job, setJob] = useState<ImportJob | null>(null);
  const running = job?.state === "running";
  const jobId = job?.id;
  // biome-ignore lint/correctness/useExhaustiveDependencies: each new state of the job asks for the next one.
  useEffect(() => {
    if (!running || !jobId) return;
    const timer = setTimeout(() => {
      fetchImportJob(jobId).then(setJob, (err: unknown) => onError(toApiError(err)));
    }, POLL_MS);
    return () => clearTimeout(timer);
  }, [running, jobId, job]);
  return [job, setJob] as const;
}

/**
 * A job's progress as a person follows it: its state, a bar of its steps, the current step, the importer's log,
 * then its error or its summary. `testId` prefixes the test ids (`<testId>-job`, `-log`, `-summary`); `stepLabel`
 * names a step in the UI language (the importers name theirs in English, as the CLI prints them).
 */
export function ImportJobView(props: {
  job: ImportJob;
  testId: string;
  summaryKeys: readonly SummaryKey[];
  stepLabel?: (label: string) => string;
  /** What the log is: shown open (the OSM import's habit) or folded under a summary line. */
  foldLog?: boolean;
  error?: ReactNode;
  children?: ReactNode;
}) {
  const { lang, t } = useLang();
  const { job } = props;
  const summary = job.summary as Record<string, number> | undefined;
  const label = props.stepLabel ?? ((s: string) => s);
  const log = (
    <ol className="data-log" data-testid={`${props.testId}-log`}>
      {job.log.map((line, i) => (
        // biome-ignore lint/suspicious/noArrayIndexKey: the log only grows at its end.
        <li key={i}>{line}</li>
      ))}
    </ol>
  );
  return (
    <section className="data-step" data-testid={`${props.testId}-job`} data-state={job.state}>
      <h3>{t(`import.osm.state.${job.state}`)}</h3>
      <div className="data-progress" data-testid={`${props.testId}-progress`} data-step={job.progress.step}>
        <progress max={job.progress.steps} value={job.state === "done" ? job.progress.steps : job.progress.step} />
        <span>
          {job.state === "done"
            ? t("import.osm.allSteps", { steps: job.progress.steps })
            : t("import.osm.step", {
                step: job.progress.step + 1,
                steps: job.progress.steps,
                label: label(job.progress.label),
              })}
        </span>
      </div>
      {props.foldLog ? (
        <details className="data-log-fold">
          <summary>{t("import.job.log", { n: job.log.length })}</summary>
          {log}
        </details>
      ) : (
        log
      )}
      {job.error &&
        (props.error ?? (
          <div className="data-error" role="alert">
            <strong>{t("data.error")}</strong> {lang === "zh" ? job.error.zh : job.error.en}
            <span className="muted"> ({job.error.code})</span>
          </div>
        ))}
      {summary && (
        <table className="table" data-testid={`${props.testId}-summary`}>
          <tbody>
            {props.summaryKeys
              .filter((k) => k in summary)
              .map((k) => (
                <tr key={k} data-key={k}>
                  <th>{t(`import.osm.summary.${k}`)}</th>
                  <td className="num">{formatNumber(lang, summary[k] ?? 0)}</td>
                </tr>
              ))}
          </tbody>
        </table>
      )}
      {props.children}
    </section>
  );
}
