import { useEffect, useState } from "react";
import {
  fetchVenue,
  type HazardCategory,
  type NewInspection,
  recordInspection,
  type VenueCard as Venue,
} from "../../api.ts";
import { type MessageKey, useLang } from "../../i18n/lang.ts";
import { today as subdistrictToday } from "../../i18n/time.ts";
import { ErrorText, useRequest } from "../../ui/form.tsx";
import { FreeTextHint } from "../../ui/free-text-hint.tsx";
import { Stat } from "../../ui/panel.tsx";
import { TableHead } from "../../ui/table-head.tsx";
import { SEVERITIES } from "./filters.ts";
import { iconUrl, venueIconSvg } from "./leader-map-layers.ts";
import { PlaceCardPanel } from "./place-card.tsx";

const RESULTS = ["ok", "issues_found", "closed_down"] as const;
type Raised = { category: string; severity: (typeof SEVERITIES)[number]; title: string };

/** Today in China Standard Time, YYYY-MM-DD: the default day of an inspection. */

/**
 * A venue's card: what and where it is, when it was last inspected and when it is due, every inspection (date,
 * inspector, result, follow-up), the hazards found there, and — for those who may — recording an inspection with
 * the hazards it found.
 */
export function VenueCard(props: {
  id: number;
  hazardCategories: HazardCategory[];
  onClose: () => void;
  onOpenHazard: (id: number) => void;
  onChanged: () => void;
  onFail: (err: unknown) => void;
}) {
  const { t } = useLang();
  const [venue, setVenue] = useState<Venue | null>(null);
  const [inspecting, setInspecting] = useState(false);
  const { id, onFail } = props;

  useEffect(() => {
    let current = true;
    fetchVenue(id).then((v) => current && setVenue(v), onFail);
    return () => {
      current = false;
    };
  }, [id, onFail]);

  const p = venue?.properties;
  return (
    <PlaceCardPanel name={p?.name} category={p} onClose={props.onClose} testId="venue-card">
      {p && (
        <>
          <div className="lm-status-line">
            <img src={iconUrl(venueIconSvg(p.category))} alt="" width={28} height={28} />
            <strong className={`lm-venue-${p.inspection_status}`} data-testid="venue-status">
              {t(`inspection.status.${p.inspection_status}` as MessageKey)}
            </strong>
            <span className="muted">{t("inspection.interval", { n: p.inspection_interval_days })}</span>
          </div>
          <dl className="stats">
            <Stat label={t("inspection.last")} value={p.last_inspected_on ?? "—"} />
            <Stat label={t("inspection.dueOn")} value={p.due_on ?? "—"} />
            <Stat label={t("leaderMap.grid")} value={<code>{p.grid_code ?? "—"}</code>} />
            <Stat label={t("venue.openHazardsLabel")} value={p.open_hazards} />
          </dl>
          {p.address && (
            <p>
              {t("venue.address")}：{p.address}
            </p>
          )}

          {p.may_inspect && !inspecting && (
            <button
              type="button"
              className="lm-primary"
              onClick={() => setInspecting(true)}
              data-testid="venue-inspect"
            >
              {t("inspection.record")}
            </button>
          )}
          {inspecting && (
            <InspectionForm
              venueId={p.id}
              categories={props.hazardCategories}
              onCancel={() => setInspecting(false)}
              onDone={(v) => {
                setVenue(v);
                setInspecting(false);
                props.onChanged();
              }}
            />
          )}

          {p.hazards.length > 0 && (
            <>
              <h3 className="panel-section">{t("venue.hazards")}</h3>
              <ul className="lm-plain">
                {p.hazards.map((h) => (
                  <li key={h.id}>
                    <button type="button" className="lm-link" onClick={() => props.onOpenHazard(h.id)}>
                      {h.title}
                    </button>{" "}
                    <span className="muted">{t(`hazard.status.${h.status}` as MessageKey)}</span>
                  </li>
                ))}
              </ul>
            </>
          )}

          <h3 className="panel-section">{t("inspection.list")}</h3>
          {p.inspections.length === 0 ? (
            <p className="muted">{t("inspection.none")}</p>
          ) : (
            <table className="lm-table" data-testid="venue-inspections">
              <TableHead columns={["inspection.date", "inspection.inspector", "inspection.result"]} />
              <tbody>
                {p.inspections.map((i) => (
                  <tr key={i.id}>
                    <td className="nowrap">{i.inspected_on}</td>
                    <td>
                      {i.inspector_name ?? "—"}
                      {i.joint_with_police && <span className="lm-tag">{t("inspection.joint")}</span>}
                    </td>
                    <td>
                      <span className={`lm-result-${i.result}`}>
                        {t(`inspection.result.${i.result}` as MessageKey)}
                      </span>
                      {i.note && <div className="muted">{i.note}</div>}
                      {i.follow_up && (
                        <div className="muted">
                          {t("inspection.followUp")}：{i.follow_up}
                        </div>
                      )}
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          )}
        </>
      )}
    </PlaceCardPanel>
  );
}

function InspectionForm(props: {
  venueId: number;
  categories: HazardCategory[];
  onCancel: () => void;
  onDone: (venue: Venue) => void;
}) {
  const { lang, t } = useLang();
  const [day, setDay] = useState(subdistrictToday());
  const [result, setResult] = useState<(typeof RESULTS)[number]>("ok");
  const [note, setNote] = useState("");
  const [followUp, setFollowUp] = useState("");
  const [joint, setJoint] = useState(false);
  const [raised, setRaised] = useState<Raised[]>([]);
  const { busy, error: problem, submit } = useRequest();
  const save = submit(async () => {
    const body: NewInspection = {
      inspected_on: day,
      result,
      joint_with_police: joint,
      ...(note.trim() ? { note: note.trim() } : {}),
      ...(followUp.trim() ? { follow_up: followUp.trim() } : {}),
      hazards: raised.filter((h) => h.title.trim()).map((h) => ({ ...h, title: h.title.trim() })),
    };
    props.onDone((await recordInspection(props.venueId, body)).venue);
  });

  const change = (i: number, patch: Partial<Raised>) =>
    setRaised((rs) => rs.map((r, k) => (k === i ? { ...r, ...patch } : r)));

  return (
    <form className="form lm-inspection" onSubmit={save} data-testid="inspection-form">
      <label className="field">
        <span className="field-label">{t("inspection.date")}</span>
        <input type="date" value={day} max={subdistrictToday()} onChange={(e) => setDay(e.target.value)} required />
      </label>
      <label className="field">
        <span className="field-label">{t("inspection.result")}</span>
        <select
          value={result}
          onChange={(e) => setResult(e.target.value as (typeof RESULTS)[number])}
          data-testid="inspection-result"
        >
          {RESULTS.map((r) => (
            <option key={r} value={r}>
              {t(`inspection.result.${r}` as MessageKey)}
            </option>
          ))}
        </select>
      </label>
      <label className="field">
        <span className="field-label">{t("inspection.note")}</span>
        <textarea value={note} onChange={(e) => setNote(e.target.value)} maxLength={1000} rows={2} />
        <FreeTextHint />
      </label>
      <label className="field">
        <span className="field-label">{t("inspection.followUp")}</span>
        <textarea value={followUp} onChange={(e) => setFollowUp(e.target.value)} maxLength={1000} rows={2} />
        <FreeTextHint />
      </label>
      <label className="lm-check">
        <input type="checkbox" checked={joint} onChange={(e) => setJoint(e.target.checked)} />
        {t("inspection.joint")}
      </label>
      {raised.map((h, i) => (
        // biome-ignore lint/suspicious/noArrayIndexKey: rows of a form being typed, with no id before they are saved.
        <fieldset key={i} className="lm-fieldset">
          <legend className="field-label">{t("inspection.raisedHazard", { n: i + 1 })}</legend>
          <select value={h.category} onChange={(e) => change(i, { category: e.target.value })}>
            {props.categories.map((c) => (
              <option key={c.code} value={c.code}>
                {lang === "zh" ? c.name_zh : c.name_en}
              </option>
            ))}
          </select>
          <select value={h.severity} onChange={(e) => change(i, { severity: e.target.value as Raised["severity"] })}>
            {SEVERITIES.map((s) => (
              <option key={s} value={s}>
                {t(`hazard.severity.${s}` as MessageKey)}
              </option>
            ))}
          </select>
          <input
            value={h.title}
            placeholder={t("hazard.title")}
            maxLength={120}
            onChange={(e) => change(i, { title: e.target.value })}
          />
          <button type="button" className="lm-link" onClick={() => setRaised((rs) => rs.filter((_, k) => k !== i))}>
            {t("inspection.removeHazard")}
          </button>
        </fieldset>
      ))}
      {raised.length < 10 && (
        <button
          type="button"
          className="lm-link"
          onClick={() =>
            setRaised((rs) => [
              ...rs,
              { category: props.categories[0]?.code ?? "other", severity: "medium", title: "" },
            ])
          }
        >
          + {t("inspection.addHazard")}
        </button>
      )}
      <ErrorText error={problem} />
      <div className="lm-row">
        <button type="submit" className="lm-primary" disabled={busy} data-testid="inspection-save">
          {t("inspection.save")}
        </button>
        <button type="button" onClick={props.onCancel}>
          {t("leaderMap.cancel")}
        </button>
      </div>
    </form>
  );
}
