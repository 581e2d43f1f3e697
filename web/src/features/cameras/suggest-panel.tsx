import { useState } from "react";
import type { CoverageSuggestion } from "../../api.ts";
import { type MessageKey, useLang } from "../../i18n/lang.ts";
import { pct } from "./coverage-table.tsx";

export type SuggestedSite = CoverageSuggestion["sites"][number];

/**
 * "Suggest K new sites": the server's ranked sites with what each adds (metres of road by class,
 * key places), the community's coverage before and after, and — for those who plan — a way to add a site as a
 * planned camera.
 */
export function SuggestPanel(props: {
  suggestion: CoverageSuggestion | null;
  loading: boolean;
  canPlan: boolean;
  added: ReadonlySet<number>;
  onSuggest: (k: number) => void;
  onShow: (site: SuggestedSite) => void;
  onAdd: (site: SuggestedSite) => void;
}) {
  const { t } = useLang();
  const [k, setK] = useState(3);
  const s = props.suggestion;
  return (
    <div className="cam-suggest" data-testid="suggest">
      <form
        className="cam-row"
        onSubmit={(e) => {
          e.preventDefault();
          props.onSuggest(k);
        }}
      >
        <label>
          {t("site.count")}
          <input
            type="number"
            min={1}
            max={10}
            value={k}
            data-testid="suggest-k"
            onChange={(e) => setK(Math.min(10, Math.max(1, Math.round(Number(e.target.value) || 1))))}
          />
        </label>
        <button type="submit" className="cam-primary" disabled={props.loading} data-testid="suggest-run">
          {t("site.suggest", { k })}
        </button>
      </form>
      {props.loading && <progress className="cam-busy" aria-label={t("site.suggesting")} />}
      {s && (
        <>
          <p className="cam-muted" data-testid="suggest-summary">
            {t("site.summary", {
              before: pct(s.before.road_covered_share),
              after: pct(s.after.road_covered_share),
              keyBefore: pct(s.before.key_places_covered_share),
              keyAfter: pct(s.after.key_places_covered_share),
            })}
          </p>
          <p className="cam-muted">{t("site.ranked")}</p>
          <ol className="cam-list">
            {s.sites.map((site) => {
              const road = site.road_added_m.arterial + site.road_added_m.secondary + site.road_added_m.local;
              return (
                <li key={site.rank} data-testid="suggest-site">
                  <button type="button" onClick={() => props.onShow(site)}>
                    <span className="cam-rank">{site.rank}</span>
                    <span className="cam-grow">
                      {t(`site.kind.${site.site}` as MessageKey)} · {t(`camera.type.${site.type}` as MessageKey)}
                      <br />
                      <span className="cam-muted">
                        {t("site.gain", {
                          road: Math.round(road),
                          arterial: Math.round(site.road_added_m.arterial),
                          secondary: Math.round(site.road_added_m.secondary),
                          local: Math.round(site.road_added_m.local),
                          places: site.key_places_added,
                        })}
                      </span>
                    </span>
                  </button>
                  {props.canPlan && (
                    <button
                      type="button"
                      disabled={props.added.has(site.rank)}
                      onClick={() => props.onAdd(site)}
                      data-testid="suggest-add"
                    >
                      {props.added.has(site.rank) ? t("site.added") : t("site.addPlanned")}
                    </button>
                  )}
                </li>
              );
            })}
          </ol>
        </>
      )}
    </div>
  );
}
