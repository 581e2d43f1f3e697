import { type ReactNode, useEffect, useRef, useState } from "react";
import type { HazardCategory, VenueCategory } from "../../api.ts";
import { localName, type MessageKey, useLang } from "../../i18n/lang.ts";
import { useBottomVar } from "../../ui/bottom-var.ts";
import { type Filters, HAZARD_STATUSES, NO_FILTERS, SEVERITIES, VENUE_STATUSES } from "./filters.ts";
import { hazardIconSvg, iconUrl, venueIconSvg } from "./leader-map-layers.ts";

type Option = { value: string; label: string; icon?: string };

/** A drop-down of checkboxes: any number of values, none meaning all. */
function MultiSelect(props: {
  label: string;
  options: Option[];
  value: string[];
  onChange: (value: string[]) => void;
  testId: string;
}) {
  const { t } = useLang();
  const chosen = new Set(props.value);
  return (
    <details className="lm-multi" data-testid={props.testId}>
      <summary className={props.value.length ? "lm-multi-on" : undefined}>
        {props.label}
        {props.value.length > 0 && <span className="lm-badge">{props.value.length}</span>}
      </summary>
      <div className="lm-multi-menu" data-overlay="">
        {props.options.map((o) => (
          <label key={o.value} className="lm-check">
            <input
              type="checkbox"
              value={o.value}
              checked={chosen.has(o.value)}
              onChange={(e) =>
                props.onChange(e.target.checked ? [...props.value, o.value] : props.value.filter((v) => v !== o.value))
              }
            />
            {o.icon && <img src={o.icon} alt="" width={18} height={18} />}
            <span>{o.label}</span>
          </label>
        ))}
        {props.value.length > 0 && (
          <button type="button" className="lm-link" onClick={() => props.onChange([])}>
            {t("leaderMap.any")}
          </button>
        )}
      </div>
    </details>
  );
}

/**
 * The filters of the leader's map, every one combinable; what is chosen goes into the URL at once (text after a
 * short pause), and the layers, the card lists and the statistics all follow it.
 */
export function FilterBar(props: {
  filters: Filters;
  onChange: (f: Filters) => void;
  communities: Array<{ code: string; name: string; name_en: string | null }>;
  venueCategories: VenueCategory[];
  hazardCategories: HazardCategory[];
  /** Whether the account may see camera coverage (not workers: camera positions and gaps are sensitive). */
  mayCoverage: boolean;
  action: ReactNode;
}) {
  const { lang, t } = useLang();
  const f = props.filters;
  // The statistics and hints below the bar follow it as it wraps (--filters-bottom).
  const bar = useRef<HTMLElement>(null);
  useBottomVar(bar, "--filters-bottom");
  const set = (patch: Partial<Filters>) => props.onChange({ ...f, ...patch });
  // On a phone all but the search fold into a sheet, opened by 筛选 (its badge counts the filters in use).
  const [sheet, setSheet] = useState(false);
  const inUse = [
    f.community,
    f.grid,
    f.from || f.to,
    f.venueCategories.length,
    f.venueStatuses.length,
    f.hazardCategories.length,
    f.hazardStatuses.length,
    f.severities.length,
  ].filter(Boolean).length;
  const [q, setQ] = useState(f.q);
  const [grid, setGrid] = useState(f.grid ?? "");
  useEffect(() => setQ(f.q), [f.q]);
  useEffect(() => setGrid(f.grid ?? ""), [f.grid]);
  const { onChange } = props;
  useEffect(() => {
    if (q === f.q) return;
    const timer = setTimeout(() => onChange({ ...f, q }), 400);
    return () => clearTimeout(timer);
  }, [q, f, onChange]);

  const name = (c: { name_zh: string; name_en: string }) => (lang === "zh" ? c.name_zh : c.name_en);
  const venueOptions = props.venueCategories.map((c) => ({
    value: c.code,
    label: name(c),
    icon: iconUrl(venueIconSvg(c.code)),
  }));
  const hazardOptions = props.hazardCategories.map((c) => ({ value: c.code, label: name(c) }));
  const statusOptions = HAZARD_STATUSES.map((s) => ({
    value: s,
    label: t(`hazard.status.${s}` as MessageKey),
    icon: iconUrl(hazardIconSvg("medium", s)),
  }));
  const severityOptions = SEVERITIES.map((s) => ({
    value: s,
    label: t(`hazard.severity.${s}` as MessageKey),
    icon: iconUrl(hazardIconSvg(s, "reported")),
  }));
  const venueStatusOptions = VENUE_STATUSES.map((s) => ({
    value: s,
    label: t(`inspection.status.${s}` as MessageKey),
  }));

  return (
    <section ref={bar} className="lm-filters" aria-label={t("leaderMap.filters")} data-testid="leader-filters">
      <input
        type="search"
        className="lm-search"
        placeholder={t("leaderMap.search")}
        value={q}
        onChange={(e) => setQ(e.target.value)}
        maxLength={100}
        data-testid="filter-q"
      />
      <button
        type="button"
        className="lm-filters-toggle"
        aria-expanded={sheet}
        onClick={() => setSheet((o) => !o)}
        data-testid="filters-toggle"
      >
        {t("leaderMap.filters")}
        {inUse > 0 && <span className="lm-badge">{inUse}</span>}
      </button>
      <div
        className={sheet ? "lm-filters-more lm-sheet-open" : "lm-filters-more"}
        data-overlay={sheet ? "" : undefined}
      >
        <div className="lm-sheet-head">
          <strong>{t("leaderMap.filters")}</strong>
          <button type="button" className="panel-close" onClick={() => setSheet(false)} aria-label={t("app.dismiss")}>
            ×
          </button>
        </div>
        <select
          value={f.community ?? ""}
          onChange={(e) => set({ community: e.target.value || null, grid: null })}
          data-testid="filter-community"
          aria-label={t("leaderMap.community")}
        >
          <option value="">{t("leaderMap.allCommunities")}</option>
          {props.communities.map((c) => (
            <option key={c.code} value={c.code}>
              {localName(lang, c)}
            </option>
          ))}
        </select>
        <input
          className="lm-grid"
          placeholder={t("leaderMap.grid")}
          value={grid}
          inputMode="numeric"
          maxLength={15}
          onChange={(e) => {
            const v = e.target.value.replace(/\D/g, "");
            setGrid(v);
            if (v === "" || v.length === 15) set({ grid: v || null });
          }}
          data-testid="filter-grid"
          aria-label={t("leaderMap.grid")}
        />
        <span className="lm-dates" title={t("leaderMap.dates")}>
          <input
            type="date"
            value={f.from ?? ""}
            onChange={(e) => set({ from: e.target.value || null })}
            aria-label={t("leaderMap.from")}
            data-testid="filter-from"
          />
          –
          <input
            type="date"
            value={f.to ?? ""}
            onChange={(e) => set({ to: e.target.value || null })}
            aria-label={t("leaderMap.to")}
            data-testid="filter-to"
          />
        </span>
        <MultiSelect
          label={t("venue.filterCategory")}
          options={venueOptions}
          value={f.venueCategories}
          onChange={(v) => set({ venueCategories: v })}
          testId="filter-venue-category"
        />
        <MultiSelect
          label={t("inspection.filterStatus")}
          options={venueStatusOptions}
          value={f.venueStatuses}
          onChange={(v) => set({ venueStatuses: v })}
          testId="filter-venue-status"
        />
        <MultiSelect
          label={t("hazard.filterCategory")}
          options={hazardOptions}
          value={f.hazardCategories}
          onChange={(v) => set({ hazardCategories: v })}
          testId="filter-hazard-category"
        />
        <MultiSelect
          label={t("hazard.filterStatus")}
          options={statusOptions}
          value={f.hazardStatuses}
          onChange={(v) => set({ hazardStatuses: v })}
          testId="filter-hazard-status"
        />
        <MultiSelect
          label={t("hazard.filterSeverity")}
          options={severityOptions}
          value={f.severities}
          onChange={(v) => set({ severities: v })}
          testId="filter-severity"
        />
        <span className="lm-toggles">
          <label className="lm-check">
            <input
              type="checkbox"
              checked={f.showVenues}
              onChange={(e) => set({ showVenues: e.target.checked })}
              data-testid="layer-venues"
            />
            {t("venue.show")}
          </label>
          <label className="lm-check">
            <input
              type="checkbox"
              checked={f.showHazards}
              onChange={(e) => set({ showHazards: e.target.checked })}
              data-testid="layer-hazards"
            />
            {t("hazard.show")}
          </label>
          <label className="lm-check">
            <input
              type="checkbox"
              checked={f.heat}
              onChange={(e) => set({ heat: e.target.checked })}
              data-testid="layer-heat"
            />
            {t("leaderMap.heat")}
          </label>
          {props.mayCoverage && (
            <label className="lm-check">
              <input
                type="checkbox"
                checked={f.coverage}
                onChange={(e) => set({ coverage: e.target.checked })}
                data-testid="layer-coverage"
              />
              {t("coverage.layer")}
            </label>
          )}
        </span>
        <button type="button" className="lm-link" onClick={() => props.onChange(NO_FILTERS)} data-testid="filter-clear">
          {t("leaderMap.clear")}
        </button>
      </div>
      {props.action}
    </section>
  );
}
