import { useEffect, useState } from "react";
import {
  fetchHazard,
  fetchHazardHistory,
  type HazardCard as Hazard,
  type HazardMove,
  type HazardStatusName,
  moveHazard,
} from "../../api.ts";
import { getLang, type MessageKey, useLang } from "../../i18n/lang.ts";
import { formatDateTime } from "../../i18n/time.ts";
import { ErrorText, useRequest } from "../../ui/form.tsx";
import { FreeTextHint } from "../../ui/free-text-hint.tsx";
import { Stat } from "../../ui/panel.tsx";
import { hazardIconSvg, iconUrl } from "./leader-map-layers.ts";
import { PlaceCardPanel } from "./place-card.tsx";

/** "2026-05-03 14:20 北京时间": in the subdistrict's zone, whatever the browser's, naming it. */
export function cstTime(at: string | Date): string {
  return formatDateTime(getLang(), at);
}

const ROLE_KEYS: Record<string, MessageKey> = {
  secretary: "worker.role.secretary",
  grid_leader: "worker.role.grid_leader",
  grid_worker: "worker.role.grid_worker",
  info_worker: "worker.role.info_worker",
};

/** The button for a move: reopening reads differently from assigning for the first time. */
const moveKey = (from: HazardStatusName, to: HazardStatusName): MessageKey =>
  to === "assigned" && (from === "resolved" || from === "verified")
    ? "hazard.move.reopen"
    : (`hazard.move.${to}` as MessageKey);

/**
 * A hazard's card: what and where it is, its grid's team, the timeline of its states with who moved it and when,
 * and the moves the signed-in account may make now (the server says which), each with an optional note.
 */
export function HazardCard(props: {
  id: number;
  onClose: () => void;
  onOpenVenue: (id: number) => void;
  onChanged: () => void;
  onFail: (err: unknown) => void;
}) {
  const { lang, t } = useLang();
  const [hazard, setHazard] = useState<Hazard | null>(null);
  const [history, setHistory] = useState<HazardMove[]>([]);
  const [note, setNote] = useState("");
  const { busy, error: problem, run } = useRequest();
  const { id, onFail } = props;

  useEffect(() => {
    let current = true;
    Promise.all([fetchHazard(id), fetchHazardHistory(id)]).then(([h, moves]) => {
      if (!current) return;
      setHazard(h);
      setHistory(moves);
    }, onFail);
    return () => {
      current = false;
    };
  }, [id, onFail]);

  const move = async (to: HazardStatusName) => {
    if (!hazard) return;
    await run(async () => {
      const r = await moveHazard(id, to, note.trim(), hazard.properties.status);
      setHazard(r.hazard);
      setHistory(r.history);
      setNote("");
      props.onChanged();
    });
  };

  const p = hazard?.properties;
  const statusName = (s: string | null) => (s ? t(`hazard.status.${s}` as MessageKey) : "");
  return (
    <PlaceCardPanel name={p?.title} category={p} onClose={props.onClose} testId="hazard-card">
      {p && (
        <>
          <div className="lm-status-line">
            <img src={iconUrl(hazardIconSvg(p.severity, p.status))} alt="" width={30} height={28} />
            <strong data-testid="hazard-status">{statusName(p.status)}</strong>
            <span className={`lm-sev lm-sev-${p.severity}`}>{t(`hazard.severity.${p.severity}` as MessageKey)}</span>
          </div>
          <dl className="stats">
            <Stat label={t("hazard.reportedAt")} value={cstTime(p.reported_at)} />
            <Stat label={t("hazard.resolvedAt")} value={p.resolved_at ? cstTime(p.resolved_at) : "—"} />
            <Stat label={t("leaderMap.grid")} value={<code data-testid="hazard-grid">{p.grid_code ?? "—"}</code>} />
            <Stat
              label={t("leaderMap.community")}
              value={(lang === "zh" ? p.community_name : (p.community_name_en ?? p.community_name)) ?? "—"}
            />
          </dl>
          {p.venue_id !== null && (
            <p>
              {t("hazard.venue")}：
              <button type="button" className="lm-link" onClick={() => props.onOpenVenue(p.venue_id as number)}>
                {p.venue_name}
              </button>
            </p>
          )}
          {p.note && <p className="lm-note">{p.note}</p>}

          <h3 className="panel-section">{t("hazard.team")}</h3>
          {p.team.length === 0 ? (
            <p className="muted">{t("grid.noTeam")}</p>
          ) : (
            <ul className="lm-team">
              {p.team.map((m) => (
                <li key={m.id}>
                  <span className="muted">{ROLE_KEYS[m.role] ? t(ROLE_KEYS[m.role]!) : m.role}</span> {m.name}
                </li>
              ))}
            </ul>
          )}

          <h3 className="panel-section">{t("hazard.timeline")}</h3>
          <ol className="lm-timeline" data-testid="hazard-timeline">
            {history.map((m) => (
              <li key={m.id}>
                <div>
                  <strong>{statusName(m.to_status)}</strong>
                  <span className="muted"> · {cstTime(m.at)}</span>
                </div>
                <div className="muted">
                  {m.actor}
                  {m.actor_username && m.actor_username !== m.actor ? `（${m.actor_username}）` : ""}
                </div>
                {m.note && <div>{m.note}</div>}
              </li>
            ))}
          </ol>

          {p.allowed_transitions.length > 0 ? (
            <div className="lm-moves" data-testid="hazard-moves">
              <textarea
                value={note}
                onChange={(e) => setNote(e.target.value)}
                placeholder={t("hazard.moveNote")}
                maxLength={1000}
                rows={2}
                data-testid="hazard-move-note"
              />
              <FreeTextHint />
              <div className="lm-row">
                {p.allowed_transitions.map((to) => (
                  <button
                    key={to}
                    type="button"
                    className="lm-primary"
                    disabled={busy}
                    onClick={() => void move(to)}
                    data-testid={`hazard-move-${to}`}
                  >
                    {t(moveKey(p.status, to))}
                  </button>
                ))}
              </div>
              <ErrorText error={problem} />
            </div>
          ) : (
            <p className="muted">{t("hazard.noMoves")}</p>
          )}
        </>
      )}
    </PlaceCardPanel>
  );
}
