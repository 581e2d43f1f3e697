import { useEffect, useState } from "react";
import { type ApiError, fetchDownload, type Plan, toApiError } from "../../api.ts";
import { useLang } from "../../i18n/lang.ts";
import { type CommunityOption, CommunitySelect, PlanSelect } from "./export-form.tsx";
import { ErrorBox, Working } from "./parts.tsx";
import { formatBytes, saveFile } from "./upload.ts";

type Printed = { filename: string; size: number; url: string | null; width?: number; height?: number };

/**
 * Printing on paper: a plan's map (the subdistrict or one community) or the change list between two plans, at A4 or
 * A3, as PDF or PNG. The server renders the page in headless Chromium, which takes seconds: a bar runs meanwhile.
 */
export function PrintForm(props: { plans: Plan[]; communities: CommunityOption[] }) {
  const { lang, t } = useLang();
  const [kind, setKind] = useState<"map" | "transfers">("map");
  const [plan, setPlan] = useState("");
  const [community, setCommunity] = useState("");
  const [title, setTitle] = useState("");
  const [from, setFrom] = useState("");
  const [to, setTo] = useState("");
  const [paper, setPaper] = useState<"A4" | "A3">("A4");
  const [format, setFormat] = useState<"pdf" | "png">("pdf");
  const [busy, setBusy] = useState(false);
  const [printed, setPrinted] = useState<Printed | null>(null);
  const [error, setError] = useState<ApiError | null>(null);

  // The change list compares the plan in force with a draft by default.
  useEffect(() => {
    const published = props.plans.find((p) => p.status === "published");
    const draft = props.plans.find((p) => p.status === "draft");
    if (published && !from) setFrom(String(published.id));
    if (!to) setTo(String((draft ?? published)?.id ?? ""));
  }, [props.plans, from, to]);

  useEffect(() => () => void (printed?.url && URL.revokeObjectURL(printed.url)), [printed]);

  const print = async () => {
    setBusy(true);
    setError(null);
    setPrinted(null);
    const q = new URLSearchParams({ format, paper, lang });
    if (kind === "map") {
      if (plan) q.set("plan", plan);
      if (community) q.set("community", community);
      if (title.trim()) q.set("title", title.trim());
    } else {
      q.set("from", from);
      q.set("to", to);
    }
    try {
      const file = await fetchDownload(`/api/exports/print/${kind}?${q}`);
      saveFile(file.blob, file.filename);
      const out: Printed = { filename: file.filename, size: file.blob.size, url: null };
      if (format === "png") {
        out.url = URL.createObjectURL(file.blob);
        const image = await createImageBitmap(file.blob);
        out.width = image.width;
        out.height = image.height;
        image.close();
      }
      setPrinted(out);
    } catch (err) {
      setError(toApiError(err));
    } finally {
      setBusy(false);
    }
  };

  const mayPrint = kind === "map" || (from && to && from !== to);
  return (
    <div className="data-tab" data-testid="print-form">
      <section className="data-step">
        <h3>{t("print.title")}</h3>
        <div className="data-choices" role="radiogroup">
          {(["map", "transfers"] as const).map((k) => (
            <label key={k} className="check">
              <input
                type="radio"
                name="print-kind"
                checked={kind === k}
                onChange={() => setKind(k)}
                data-testid={`print-kind-${k}`}
              />
              {t(`print.kind.${k}`)}
            </label>
          ))}
        </div>
        {kind === "map" ? (
          <>
            <PlanSelect label={t("export.plan")} plans={props.plans} value={plan} onChange={setPlan} />
            <CommunitySelect
              communities={props.communities}
              value={community}
              onChange={setCommunity}
              testId="print-community"
            />
            <label className="data-row">
              <span>{t("print.mapTitle")}</span>
              <input
                value={title}
                maxLength={100}
                placeholder={t("print.mapTitleHint")}
                onChange={(e) => setTitle(e.target.value)}
              />
            </label>
          </>
        ) : (
          <>
            <PlanSelect label={t("print.from")} plans={props.plans} value={from} onChange={setFrom} required />
            <PlanSelect label={t("print.to")} plans={props.plans} value={to} onChange={setTo} required />
          </>
        )}
        <div className="data-choices">
          {(["A4", "A3"] as const).map((p) => (
            <label key={p} className="check">
              <input
                type="radio"
                name="print-paper"
                checked={paper === p}
                onChange={() => setPaper(p)}
                data-testid={`print-paper-${p}`}
              />
              {p}
            </label>
          ))}
          {(["pdf", "png"] as const).map((f) => (
            <label key={f} className="check">
              <input
                type="radio"
                name="print-format"
                checked={format === f}
                onChange={() => setFormat(f)}
                data-testid={`print-format-${f}`}
              />
              {f.toUpperCase()}
            </label>
          ))}
        </div>
        <div className="row-actions">
          <button
            type="button"
            className="primary"
            disabled={busy || !mayPrint}
            onClick={() => void print()}
            data-testid="print-run"
          >
            {t("print.run")}
          </button>
        </div>
        {busy && <Working label={t("print.working")} hint={t("print.workingHint")} />}
        {error && <ErrorBox error={error} />}
        {printed && (
          <div className="notice-inline" role="status" data-testid="print-done">
            {t("print.done", { name: printed.filename, size: formatBytes(printed.size) })}
            {printed.width && ` · ${printed.width} × ${printed.height} px`}
          </div>
        )}
        {printed?.url && <img className="data-print-thumb" src={printed.url} alt={printed.filename} />}
      </section>
    </div>
  );
}
