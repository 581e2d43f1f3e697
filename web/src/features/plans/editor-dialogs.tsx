import { type FormEvent, useEffect, useRef, useState } from "react";
import {
  ApiError,
  type EditResult,
  fetchRebalance,
  fetchValidation,
  type Problem,
  publishPlan,
  type RebalanceJob,
  type RenumberResult,
  renumberGrids,
  startRebalance,
  stopRebalance,
  toApiError,
  type Validation,
} from "../../api.ts";

type Warning = Validation["warnings"][number];

import { isMessageKey, type Lang, type Translate, useLang } from "../../i18n/lang.ts";
import { ErrorText, FormActions, useRequest } from "../../ui/form.tsx";
import { Dialog, Field } from "../../ui/page.tsx";
import { TableHead } from "../../ui/table-head.tsx";

/**
 * Publishing: what blocks it (errors) is listed and the button stays off. Warnings come compared with the plan in
 * force, grouped by community: what this draft made new or worse first, with a box to tick and a reason (which the
 * server writes into the audit trail); the unchanged or better ones folded below, needing nothing.
 */
export function PublishDialog(props: {
  planId: number;
  version: number;
  onClose: () => void;
  onPublished: () => void;
  onConflict: () => void;
}) {
  const { lang, t } = useLang();
  const [validation, setValidation] = useState<Validation | null>(null);
  const [confirm, setConfirm] = useState(false);
  const [reason, setReason] = useState("");
  const { busy, error, setError, submit } = useRequest({
    staysBusy: true,
    onError: (e) => {
      if (e.status === 409) props.onConflict();
    },
  });

  useEffect(() => {
    fetchValidation(props.planId).then(setValidation, (err: unknown) => setError(toApiError(err)));
  }, [props.planId, setError]);

  const blocked = !validation || validation.errors.length > 0;
  const worse = validation?.warnings.filter((w) => w.change === "new" || w.change === "worse") ?? [];
  const rest = validation?.warnings.filter((w) => w.change !== "new" && w.change !== "worse") ?? [];
  const needsConfirm = worse.length > 0;
  const count = (c: Warning["change"]) => validation?.warnings.filter((w) => w.change === c).length ?? 0;
  const ready = !blocked && (!needsConfirm || (confirm && reason.trim().length > 0));

  const publish = submit(async () => {
    await publishPlan(props.planId, props.version, needsConfirm && confirm, reason.trim());
    props.onPublished();
  });

  return (
    <Dialog
      title={t("plan.publish.title")}
      closeLabel={t("grid.close")}
      onClose={props.onClose}
      testId="publish-dialog"
      wide
    >
      <form className="form" onSubmit={publish}>
        {!validation && !error && <p className="muted">{t("plan.publish.checking")}</p>}
        {validation && validation.errors.length > 0 && (
          <div className="problems problems-errors" data-testid="publish-errors">
            <strong>{t("plan.publish.errors", { n: validation.errors.length })}</strong>
            <ProblemList problems={validation.errors} lang={lang} />
          </div>
        )}
        {validation && validation.warnings.length > 0 && (
          <p data-testid="publish-compared">
            {t("plan.publish.compared", {
              new: count("new"),
              worse: count("worse"),
              unchanged: count("unchanged"),
              better: count("better"),
            })}
          </p>
        )}
        {worse.length > 0 && (
          <div className="problems problems-warnings" data-testid="publish-warnings">
            <strong>{t("plan.publish.warnings", { n: worse.length })}</strong>
            <WarningsByCommunity warnings={worse} open />
          </div>
        )}
        {rest.length > 0 && (
          <details className="problems" data-testid="publish-unchanged">
            <summary>{t("plan.publish.unchangedTitle", { n: rest.length })}</summary>
            <WarningsByCommunity warnings={rest} open={false} />
          </details>
        )}
        {validation && !blocked && !needsConfirm && (
          <p>{t(validation.warnings.length ? "plan.publish.nothingWorse" : "plan.publish.clean")}</p>
        )}
        {validation && !blocked && (
          <>
            {needsConfirm && (
              <label className="check">
                <input
                  type="checkbox"
                  checked={confirm}
                  onChange={(e) => setConfirm(e.target.checked)}
                  data-testid="publish-confirm"
                />
                {t("plan.publish.confirm")}
              </label>
            )}
            <Field
              label={t("plan.publish.reason")}
              error={error?.field === "reason" ? error.text(lang) : undefined}
              hint={t("privacy.freeText")}
            >
              {(id) => (
                <textarea
                  id={id}
                  name="reason"
                  rows={3}
                  maxLength={500}
                  value={reason}
                  onChange={(e) => setReason(e.target.value)}
                  data-testid="publish-reason"
                />
              )}
            </Field>
          </>
        )}
        <ErrorText error={error?.field === "reason" ? null : error} />
        <FormActions onCancel={props.onClose}>
          <button type="submit" className="primary" disabled={!ready || busy} data-testid="publish-submit">
            {t("plan.publish.submit")}
          </button>
        </FormActions>
      </form>
    </Dialog>
  );
}

/** Warnings grouped by community, each group folded open or shut, each line with the grid and how it changed. */
function WarningsByCommunity(props: { warnings: Warning[]; open: boolean }) {
  const { lang, t } = useLang();
  const groups = new Map<string, Warning[]>();
  for (const w of props.warnings) groups.set(w.community_code, [...(groups.get(w.community_code) ?? []), w]);
  return (
    <div className="warning-groups">
      {[...groups].map(([code, list]) => (
        <details key={code} open={props.open} data-testid="publish-community" data-community={code}>
          <summary>
            {t("plan.publish.inCommunity", {
              community: lang === "zh" ? list[0]!.community_zh : list[0]!.community_en,
              n: list.length,
            })}
          </summary>
          <ul className="problem-list">
            {list.map((w) => (
              <li key={`${w.code}-${w.grid}`} data-change={w.change}>
                <span className={`badge change-${w.change}`}>{t(`plan.publish.change.${w.change}`)}</span>{" "}
                {t("plan.publish.gridSeq", { seq: w.grid.slice(-3) })}：{warningText(w, lang)}
              </li>
            ))}
          </ul>
        </details>
      ))}
    </div>
  );
}

/** The warning's sentence without the grid code it opens with (its line already names the grid). */
const warningText = (w: Warning, lang: Lang) =>
  (lang === "zh" ? w.zh : w.en).replace(lang === "zh" ? `网格 ${w.grid} ` : `grid ${w.grid} `, "");

function ProblemList({ problems, lang }: { problems: Problem[]; lang: Lang }) {
  const shown = problems.slice(0, 30);
  return (
    <ul className="problem-list">
      {shown.map((p) => (
        <li key={`${p.code}-${p.grid ?? ""}-${p.en}`}>
          {p.grid && <code>{p.grid.slice(-3)}</code>} {lang === "zh" ? p.zh : p.en}
        </li>
      ))}
      {problems.length > shown.length && <li className="muted">… +{problems.length - shown.length}</li>}
    </ul>
  );
}

const POLL_MS = 500;

/**
 * Rebalancing a community (or the selected grid and its neighbours' community, in repair mode by default): the band
 * and the number of grids can be changed; the server's worker reports progress, and the result lands in the draft
 * as one undoable edit.
 */
export function RebalanceDialog(props: {
  planId: number;
  community: string;
  communityName: string;
  version: number;
  selected: string | null;
  onClose: () => void;
  /** The result is in the draft: take in its figures. */
  onApplied: (result: EditResult) => void;
  onCompare: () => void;
  onConflict: () => void;
}) {
  const { lang, t } = useLang();
  const [mode, setMode] = useState<"repair" | "full">("repair");
  const [onlySelected, setOnlySelected] = useState(false);
  const [min, setMin] = useState("");
  const [max, setMax] = useState("");
  const [count, setCount] = useState("");
  const [budget, setBudget] = useState("10");
  const [overFull, setOverFull] = useState<"split" | "keep">("split");
  const [progress, setProgress] = useState<RebalanceJob["progress"] | null>(null);
  const [running, setRunning] = useState(false);
  const [error, setError] = useState<ApiError | null>(null);
  const [explanations, setExplanations] = useState<Array<{ zh: string; en: string }>>([]);
  /** The running job, while it can be stopped (a search to the limit), and whether stop was pressed. */
  const [job, setJob] = useState<{ id: string; stoppable: boolean; stopping: boolean } | null>(null);
  const stopped = useRef(false);

  useEffect(
    () => () => {
      stopped.current = true;
    },
    [],
  );

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setError(null);
    const num = (s: string) => (s.trim() ? Number(s) : undefined);
    try {
      const { job: id } = await startRebalance(props.planId, {
        version: props.version,
        community: props.community,
        mode,
        ...(onlySelected && props.selected ? { grids: [props.selected] } : {}),
        ...(num(min) ? { min: num(min) } : {}),
        ...(num(max) ? { max: num(max) } : {}),
        ...(num(count) ? { grid_count: num(count) } : {}),
        budget_s: Number(budget),
        over_full: overFull,
      });
      setRunning(true);
      setJob({ id, stoppable: Number(budget) > 0, stopping: false });
      setProgress({ done: 0, total: 1, stage: "loading" });
      while (!stopped.current) {
        await new Promise((r) => setTimeout(r, POLL_MS));
        const now = await fetchRebalance(props.planId, id);
        setProgress(now.progress);
        if (now.state === "failed") {
          const e = now.error;
          setError(new ApiError(409, e?.code ?? "failed", e?.zh ?? "自动平衡失败", e?.en ?? "the rebalance failed"));
          if (e?.code === "version_conflict") props.onConflict();
          return;
        }
        if (now.state === "done" && now.result) {
          props.onApplied(now.result.edit);
          // The comparison opens at once, unless the engine has something to say first.
          if (now.result.explanations.length === 0) props.onCompare();
          else setExplanations(now.result.explanations);
          return;
        }
      }
    } catch (err) {
      setError(toApiError(err));
    } finally {
      setRunning(false);
      setJob(null);
    }
  };

  const stop = async () => {
    if (!job) return;
    setJob({ ...job, stopping: true });
    try {
      await stopRebalance(props.planId, job.id);
    } catch (err) {
      setError(toApiError(err));
    }
  };

  const p = progress;
  // While searching, the bar is the share of the time budget spent (one community, 1000 steps): say it in seconds.
  const searching = p?.stage === "solve" && Number(budget) > 0 && p.total === 1000;

  return (
    <Dialog title={t("rebalance.title")} closeLabel={t("grid.close")} onClose={props.onClose} testId="rebalance-dialog">
      <form className="form" onSubmit={submit}>
        <p className="muted">{t("rebalance.what", { community: props.communityName })}</p>
        <fieldset className="grants">
          <legend className="field-label">{t("rebalance.mode")}</legend>
          <label className="check">
            <input type="radio" name="mode" checked={mode === "repair"} onChange={() => setMode("repair")} />
            {t("rebalance.repair")}
          </label>
          <label className="check">
            <input type="radio" name="mode" checked={mode === "full"} onChange={() => setMode("full")} />
            {t("rebalance.full")}
          </label>
          {props.selected && (
            <label className="check">
              <input type="checkbox" checked={onlySelected} onChange={(e) => setOnlySelected(e.target.checked)} />
              {t("rebalance.onlySelected", { seq: props.selected.slice(-3) })}
            </label>
          )}
        </fieldset>
        <fieldset className="grants" data-testid="rebalance-over-full">
          <legend className="field-label">{t("rebalance.overFull")}</legend>
          <label className="check">
            <input type="radio" name="over-full" checked={overFull === "split"} onChange={() => setOverFull("split")} />
            {t("rebalance.overFull.split")}
          </label>
          <label className="check">
            <input type="radio" name="over-full" checked={overFull === "keep"} onChange={() => setOverFull("keep")} />
            {t("rebalance.overFull.keep")}
          </label>
        </fieldset>
        <Field label={t("rebalance.budget")}>
          {(id) => (
            <select id={id} value={budget} onChange={(e) => setBudget(e.target.value)}>
              {["0", "10", "30", "60"].map((s) => (
                <option key={s} value={s}>
                  {t(s === "0" ? "rebalance.budget.fast" : "rebalance.budget.seconds", { s })}
                </option>
              ))}
            </select>
          )}
        </Field>
        <div className="form-row">
          <Field label={t("rebalance.min")}>
            {(id) => (
              <input
                id={id}
                inputMode="numeric"
                value={min}
                onChange={(e) => setMin(e.target.value)}
                placeholder="200"
              />
            )}
          </Field>
          <Field label={t("rebalance.max")}>
            {(id) => (
              <input
                id={id}
                inputMode="numeric"
                value={max}
                onChange={(e) => setMax(e.target.value)}
                placeholder="300"
              />
            )}
          </Field>
          <Field label={t("rebalance.count")}>
            {(id) => <input id={id} inputMode="numeric" value={count} onChange={(e) => setCount(e.target.value)} />}
          </Field>
        </div>
        {p && (
          <div role="status" className="rebalance-progress" data-testid="rebalance-progress">
            <progress max={p.total || 1} value={p.done} />
            <span className="muted">
              {searching
                ? t("rebalance.searching", { s: Math.round((p.done / p.total) * Number(budget)), budget })
                : `${stageLabel(p.stage, t)} ${p.done}/${p.total}`}
            </span>
            {job?.stoppable && (
              <button
                type="button"
                className="secondary"
                onClick={stop}
                disabled={job.stopping}
                data-testid="rebalance-stop"
              >
                {t(job.stopping ? "rebalance.stopping" : "rebalance.stop")}
              </button>
            )}
          </div>
        )}
        {explanations.length > 0 && (
          <div className="problems problems-warnings" data-testid="rebalance-explanations">
            <strong>{t("rebalance.explanations")}</strong>
            <ul className="problem-list">
              {explanations.map((x) => (
                <li key={x.zh}>{lang === "zh" ? x.zh : x.en}</li>
              ))}
            </ul>
          </div>
        )}
        <ErrorText error={error} />
        <FormActions onCancel={props.onClose}>
          {explanations.length > 0 ? (
            <button type="button" className="primary" onClick={props.onCompare} data-testid="rebalance-compare">
              {t("rebalance.openCompare")}
            </button>
          ) : (
            <button type="submit" className="primary" disabled={running} data-testid="rebalance-start">
              {t("rebalance.start")}
            </button>
          )}
        </FormActions>
      </form>
    </Dialog>
  );
}

function stageLabel(stage: string, t: Translate): string {
  const key = `rebalance.stage.${stage}`;
  return isMessageKey(key) ? t(key) : stage;
}

/** Deleting a grid: its parcels go to one neighbour the planner picks, or each to the neighbour it borders most. */
export function DeleteDialog(props: {
  code: string;
  neighbours: string[];
  onClose: () => void;
  onDelete: (into: string | undefined) => void;
}) {
  const { t } = useLang();
  const [into, setInto] = useState("");
  return (
    <Dialog
      title={t("grid.delete.title", { seq: props.code.slice(-3) })}
      closeLabel={t("grid.close")}
      onClose={props.onClose}
      testId="delete-dialog"
    >
      <div className="form">
        <p>{t("grid.delete.where")}</p>
        <label className="check">
          <input type="radio" name="into" checked={into === ""} onChange={() => setInto("")} />
          {t("grid.delete.auto")}
        </label>
        {props.neighbours.map((c) => (
          <label key={c} className="check">
            <input type="radio" name="into" checked={into === c} onChange={() => setInto(c)} />
            {t("grid.delete.into", { seq: c.slice(-3) })}
          </label>
        ))}
        <FormActions onCancel={props.onClose}>
          <button
            type="button"
            className="danger"
            onClick={() => props.onDelete(into || undefined)}
            data-testid="delete-confirm"
          >
            {t("grid.delete.action")}
          </button>
        </FormActions>
      </div>
    </Dialog>
  );
}

/** Renumbering a community west→east, north→south: asked first, then the table of codes that changed. */
export function RenumberDialog(props: {
  planId: number;
  community: string;
  communityName: string;
  version: number;
  onClose: () => void;
  onApplied: (result: EditResult) => void;
  onConflict: () => void;
}) {
  const { lang, t } = useLang();
  const [done, setDone] = useState<RenumberResult | null>(null);
  const { busy, error, run } = useRequest({
    onError: (e) => {
      if (e.status === 409) props.onConflict();
    },
  });
  const renumber = () =>
    run(async () => {
      const r = await renumberGrids(props.planId, props.version, props.community);
      setDone(r);
      props.onApplied(r);
    });

  return (
    <Dialog
      title={t("plan.renumber.title")}
      closeLabel={t("grid.close")}
      onClose={props.onClose}
      testId="renumber-dialog"
    >
      <div className="form">
        {!done && <p>{t("plan.renumber.what", { community: props.communityName })}</p>}
        {done && done.changes.length === 0 && <p>{t("plan.renumber.none")}</p>}
        {done && done.changes.length > 0 && (
          <table className="table summary-table" data-testid="renumber-changes">
            <TableHead columns={["plan.renumber.from", "plan.renumber.to"]} />
            <tbody>
              {done.changes.map((c) => (
                <tr key={c.from_code}>
                  <td>
                    <code>{c.from_code}</code> {lang === "zh" ? c.from_name : ""}
                  </td>
                  <td>
                    <code>{c.to_code}</code> {lang === "zh" ? c.to_name : ""}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
        <ErrorText error={error} />
        <FormActions onCancel={props.onClose} cancelLabel={done ? t("grid.close") : undefined}>
          {!done && (
            <button type="button" className="primary" onClick={renumber} disabled={busy} data-testid="renumber-confirm">
              {t("editor.renumber")}
            </button>
          )}
        </FormActions>
      </div>
    </Dialog>
  );
}
