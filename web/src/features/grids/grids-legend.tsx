import { useLang } from "../../i18n/lang.ts";
import { type GridStatus, STATUS_COLORS, STATUS_SYMBOLS } from "./grids-layer.ts";

const ORDER: GridStatus[] = ["under", "ok", "over"];

/** The key to the grid colours, for the band `min`–`max` of the communities shown. */
export function GridsLegend(props: { band: { min: number; max: number }; counts: Record<GridStatus, number> }) {
  const { t } = useLang();
  const { min, max } = props.band;
  const labels: Record<GridStatus, string> = {
    under: t("band.legend.under", { min }),
    ok: t("band.legend.ok", { min, max }),
    over: t("band.legend.over", { max }),
  };
  return (
    <section className="legend" aria-label={t("band.legend.title")} data-testid="legend">
      <h3 className="legend-title">{t("band.legend.title")}</h3>
      <ul>
        {ORDER.map((status) => (
          <li key={status}>
            <span className="legend-swatch" style={{ background: STATUS_COLORS[status] }} aria-hidden="true">
              {STATUS_SYMBOLS[status]}
            </span>
            <span className="legend-label">{labels[status]}</span>
            <span className="legend-count">{props.counts[status]}</span>
          </li>
        ))}
      </ul>
      <p className="legend-note">{t("map.hint")}</p>
    </section>
  );
}
