import { useState } from "react";
import { type HazardCategory, reportHazard } from "../../api.ts";
import { type MessageKey, useLang } from "../../i18n/lang.ts";
import { ErrorText, useRequest } from "../../ui/form.tsx";
import { FreeTextHint } from "../../ui/free-text-hint.tsx";
import { Panel } from "../../ui/panel.tsx";
import { SEVERITIES } from "./filters.ts";

/**
 * Reporting a hazard at the point clicked: the server places it on its parcel, grid and community and refuses a
 * point outside the reporter's grids (or the subdistrict) with a reason, shown here.
 */
export function HazardForm(props: {
  at: [number, number];
  categories: HazardCategory[];
  onClose: () => void;
  onCreated: (id: number) => void;
}) {
  const { lang, t } = useLang();
  const [category, setCategory] = useState(props.categories[0]?.code ?? "other");
  const [severity, setSeverity] = useState<(typeof SEVERITIES)[number]>("medium");
  const [title, setTitle] = useState("");
  const [note, setNote] = useState("");
  const { busy, error: problem, submit } = useRequest();
  const report = submit(async () => {
    const created = await reportHazard({
      geometry: { type: "Point", coordinates: props.at },
      category,
      severity,
      title: title.trim(),
      ...(note.trim() ? { note: note.trim() } : {}),
    });
    props.onCreated(created.id);
  });

  return (
    <Panel title={t("hazard.new")} closeLabel={t("grid.close")} onClose={props.onClose} testId="hazard-form">
      <form className="form" onSubmit={report}>
        <p className="muted">
          {t("hazard.at")}：{props.at[0].toFixed(6)}, {props.at[1].toFixed(6)}
        </p>
        <label className="field">
          <span className="field-label">{t("hazard.category")}</span>
          <select value={category} onChange={(e) => setCategory(e.target.value)} data-testid="hazard-form-category">
            {props.categories.map((c) => (
              <option key={c.code} value={c.code}>
                {lang === "zh" ? c.name_zh : c.name_en}
              </option>
            ))}
          </select>
        </label>
        <fieldset className="lm-fieldset">
          <legend className="field-label">{t("hazard.severity")}</legend>
          {SEVERITIES.map((s) => (
            <label key={s} className="lm-check">
              <input type="radio" name="severity" value={s} checked={severity === s} onChange={() => setSeverity(s)} />
              {t(`hazard.severity.${s}` as MessageKey)}
            </label>
          ))}
        </fieldset>
        <label className="field">
          <span className="field-label">{t("hazard.title")}</span>
          <input
            value={title}
            onChange={(e) => setTitle(e.target.value)}
            required
            maxLength={120}
            data-testid="hazard-form-title"
          />
          <FreeTextHint />
        </label>
        <label className="field">
          <span className="field-label">{t("hazard.note")}</span>
          <textarea value={note} onChange={(e) => setNote(e.target.value)} maxLength={1000} rows={3} />
          <FreeTextHint />
        </label>
        <ErrorText error={problem} testId="hazard-form-error" />
        <div className="lm-row">
          <button
            type="submit"
            className="lm-primary"
            disabled={busy || !title.trim()}
            data-testid="hazard-form-submit"
          >
            {t("hazard.submit")}
          </button>
          <button type="button" onClick={props.onClose}>
            {t("leaderMap.cancel")}
          </button>
        </div>
      </form>
    </Panel>
  );
}
