import { useEffect, useState } from "react";
import type { HazardStats } from "../../api.ts";
import { useLang } from "../../i18n/lang.ts";
import { monthEnd } from "./filters.ts";

/** How long the replay shows each month. */
const STEP_MS = 1200;

/**
 * The replay of the hazards over months: at each month's end, the hazards reported by then, each in the state it
 * was in then (the map's `as_of`). "Now" leaves the replay; play steps through the months.
 */
export function TimeSlider(props: {
  months: string[];
  asOf: string | null;
  onChange: (asOf: string | null) => void;
  stats: HazardStats | null;
}) {
  const { t } = useLang();
  const [playing, setPlaying] = useState(false);
  const { months, asOf, onChange } = props;
  const index = asOf ? months.findIndex((m) => monthEnd(m) === asOf) : months.length;
  const at = index < 0 ? months.length : index;

  useEffect(() => {
    if (!playing) return;
    const timer = setTimeout(() => {
      const next = at >= months.length ? 0 : at + 1;
      if (next >= months.length) {
        setPlaying(false);
        onChange(null);
      } else onChange(monthEnd(months[next]!));
    }, STEP_MS);
    return () => clearTimeout(timer);
  }, [playing, at, months, onChange]);

  if (months.length === 0) return null;
  const month = at < months.length ? months[at]! : null;
  const s = props.stats;
  const fixed = s ? s.total - s.open : 0;
  return (
    <section className="lm-slider" aria-label={t("hazard.replay")} data-testid="time-slider">
      <button
        type="button"
        onClick={() => {
          if (!playing && at >= months.length) onChange(monthEnd(months[0]!));
          setPlaying((p) => !p);
        }}
        data-testid="replay-play"
      >
        {playing ? t("leaderMap.pause") : t("leaderMap.play")}
      </button>
      <input
        type="range"
        min={0}
        max={months.length}
        step={1}
        value={at}
        onChange={(e) => {
          setPlaying(false);
          const i = Number(e.target.value);
          onChange(i >= months.length ? null : monthEnd(months[i]!));
        }}
        aria-valuetext={month ?? t("leaderMap.replayNow")}
        aria-label={t("hazard.replay")}
        data-testid="replay-range"
      />
      <span className="lm-slider-label" data-testid="replay-label">
        {month ? t("leaderMap.replayAt", { month }) : t("leaderMap.replayNow")}
      </span>
      {s && <span className="muted">{t("hazard.replayCounts", { reported: s.total, open: s.open, fixed })}</span>}
    </section>
  );
}
