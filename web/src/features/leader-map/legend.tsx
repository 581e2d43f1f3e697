import { useState } from "react";
import type { VenueCategory } from "../../api.ts";
import { type MessageKey, useLang } from "../../i18n/lang.ts";
import { CoverageLegend } from "../../ui/coverage-legend.tsx";
import { HAZARD_STATUSES, SEVERITIES } from "./filters.ts";
import { hazardIconSvg, iconUrl, venueIconSvg } from "./leader-map-layers.ts";

/** The key to the icons: one per venue category, and hazards by severity (colour) and status (shape and glyph). */
export function Legend(props: { venueCategories: VenueCategory[]; coverage: boolean }) {
  const { lang, t } = useLang();
  // On a screen too narrow for the legend beside the statistics and the card, it starts folded.
  const [open, setOpen] = useState(() => typeof window === "undefined" || window.innerWidth >= 1500);
  return (
    <section className="lm-legend" aria-label={t("leaderMap.legend")} data-testid="leader-legend">
      <button type="button" className="lm-legend-toggle" onClick={() => setOpen((o) => !o)} aria-expanded={open}>
        {t("leaderMap.legend")} {open ? "▾" : "▸"}
      </button>
      {open && (
        <div className="lm-legend-body">
          <h4>{t("venue.legend")}</h4>
          <ul className="lm-legend-grid">
            {props.venueCategories.map((c) => (
              <li key={c.code}>
                <img src={iconUrl(venueIconSvg(c.code))} alt="" width={18} height={18} />
                {lang === "zh" ? c.name_zh : c.name_en}
              </li>
            ))}
          </ul>
          <p className="lm-legend-note">
            <span className="lm-ring lm-ring-red" /> {t("inspection.legendOverdue")}{" "}
            <span className="lm-ring lm-ring-amber" /> {t("inspection.legendDue")}
          </p>
          {props.coverage && (
            <>
              <h4>{t("coverage.layer")}</h4>
              <CoverageLegend noRoads={t("leaderMap.noRoads")} />
            </>
          )}
          <h4>{t("hazard.legend")}</h4>
          <ul className="lm-legend-grid">
            {HAZARD_STATUSES.map((s) => (
              <li key={s}>
                <img src={iconUrl(hazardIconSvg("medium", s))} alt="" width={19} height={18} />
                {t(`hazard.status.${s}` as MessageKey)}
              </li>
            ))}
            {SEVERITIES.map((s) => (
              <li key={s}>
                <img src={iconUrl(hazardIconSvg(s, "reported"))} alt="" width={19} height={18} />
                {t(`hazard.severity.${s}` as MessageKey)}
              </li>
            ))}
          </ul>
        </div>
      )}
    </section>
  );
}
