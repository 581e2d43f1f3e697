import { useEffect, useState } from "react";
import { ApiError, fetchGrid, type GridDetail } from "../../api.ts";
import { formatNumber, type MessageKey, type Translate, useLang } from "../../i18n/lang.ts";
import { Panel, Stat } from "../../ui/panel.tsx";
import { type GridStatus, STATUS_COLORS, STATUS_SYMBOLS } from "./grids-layer.ts";

const ROLE_KEYS: Record<string, MessageKey> = {
  secretary: "worker.role.secretary",
  grid_leader: "worker.role.grid_leader",
  grid_worker: "worker.role.grid_worker",
  info_worker: "worker.role.info_worker",
};

/** Leaders first, then the grid workers, then the information workers: the order a secretary reads a team in. */
const ROLE_ORDER = ["secretary", "grid_leader", "grid_worker", "info_worker"];

type Loaded = { code: string; grid: GridDetail } | { code: string; error: ApiError };

/**
 * The side panel of one grid: its figures against the band, its team and what stands in it. `communityName` gives
 * the community's name in the UI language (the grid itself only has a Chinese one).
 */
export function GridPanel(props: {
  code: string;
  communityName: (code: string) => string | undefined;
  onClose: () => void;
}) {
  const { lang, t } = useLang();
  const [loaded, setLoaded] = useState<Loaded | null>(null);

  useEffect(() => {
    let current = true;
    fetchGrid(props.code).then(
      (grid) => current && setLoaded({ code: props.code, grid }),
      (error: unknown) =>
        current &&
        setLoaded({
          code: props.code,
          error: error instanceof ApiError ? error : new ApiError(0, "client", String(error), String(error)),
        }),
    );
    return () => {
      current = false;
    };
  }, [props.code]);

  const shown = loaded?.code === props.code ? loaded : null;
  const grid = shown && "grid" in shown ? shown.grid : null;

  return (
    <Panel
      title={grid && lang === "zh" ? grid.name : t("grid.title", { seq: props.code.slice(-3) })}
      subtitle={grid ? (props.communityName(grid.community_code) ?? grid.community_name) : undefined}
      closeLabel={t("grid.close")}
      onClose={props.onClose}
      testId="grid-panel"
    >
      {!shown && <p className="muted">{t("grid.loading")}</p>}
      {shown && "error" in shown && (
        <p className="error-text" role="alert">
          {shown.error.text(lang)}
        </p>
      )}
      {grid && <GridFigures grid={grid} t={t} lang={lang} />}
    </Panel>
  );
}

function GridFigures({ grid, t, lang }: { grid: GridDetail; t: Translate; lang: "zh" | "en" }) {
  const n = (v: number) => formatNumber(lang, v);
  const team = [...grid.team].sort((a, b) => ROLE_ORDER.indexOf(a.role) - ROLE_ORDER.indexOf(b.role));
  return (
    <>
      <BandStatus grid={grid} t={t} />
      <dl className="stats">
        <Stat label={t("grid.code")} value={<code>{grid.code}</code>} testId="grid-code" />
        <Stat label={t("grid.households")} value={n(grid.households)} testId="grid-households" />
        <Stat label={t("grid.buildings")} value={n(grid.buildings)} />
        <Stat label={t("grid.entrances")} value={n(grid.entrances)} />
        <Stat label={t("grid.parcels")} value={n(grid.parcels)} />
        <Stat label={t("grid.area")} value={t("grid.areaValue", { n: formatNumber(lang, grid.area_m2 / 10_000, 1) })} />
      </dl>

      <h3 className="panel-section">{t("grid.team")}</h3>
      {team.length === 0 ? (
        <p className="muted">{t("grid.noTeam")}</p>
      ) : (
        <ul className="team" data-testid="grid-team">
          {team.map((w) => (
            <li key={w.id}>
              <span className="team-role">{ROLE_KEYS[w.role] ? t(ROLE_KEYS[w.role] as MessageKey) : w.role}</span>
              <span className="team-name">{w.name ?? "—"}</span>
              {w.phone && (
                <a className="team-phone" href={`tel:${w.phone}`}>
                  {w.phone}
                </a>
              )}
            </li>
          ))}
        </ul>
      )}

      <h3 className="panel-section">{t("grid.places")}</h3>
      <dl className="stats stats-3">
        <Stat label={t("grid.venues")} value={n(grid.venues)} />
        <Stat label={t("grid.hazardsOpen")} value={n(grid.hazards_open)} />
        <Stat label={t("grid.cameras")} value={n(grid.cameras)} />
      </dl>
    </>
  );
}

/** The status in words, symbol and colour, with how far the grid is from its band. */
function BandStatus({ grid, t }: { grid: GridDetail; t: Translate }) {
  const status = grid.status as GridStatus;
  const { min, max } = grid.band;
  const gap =
    status === "under"
      ? t("band.status.needsMore", { n: min - grid.households })
      : status === "over"
        ? t("band.status.needsFewer", { n: grid.households - max })
        : t("band.status.inBand", { min, max });
  return (
    <div className={`band band-${status}`} data-testid="grid-status" data-status={status}>
      <span className="band-symbol" style={{ background: STATUS_COLORS[status] }} aria-hidden="true">
        {STATUS_SYMBOLS[status]}
      </span>
      <span>
        <strong>{t(`band.status.${status}`)}</strong>
        <span className="band-gap">{gap}</span>
      </span>
    </div>
  );
}
