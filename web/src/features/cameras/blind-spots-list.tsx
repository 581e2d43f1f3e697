import type { BlindSpots } from "../../api.ts";
import { type MessageKey, useLang } from "../../i18n/lang.ts";

export type BlindSpotQuery = { min_length_m: number; sort: "class" | "length" };

/** The blind spots' key: a road and where along it the unseen stretch starts. */
export const spotKey = (p: { road_id: number; from_m: number }) => `${p.road_id}:${p.from_m.toFixed(1)}`;

/**
 * Stretches of road no camera sees, at least the chosen length, sorted by road class (arterial first) or length;
 * a click shows one on the map.
 */
export function BlindSpotsList(props: {
  spots: BlindSpots | null;
  loading: boolean;
  query: BlindSpotQuery;
  selected: string | null;
  onQuery: (q: BlindSpotQuery) => void;
  onSelect: (key: string) => void;
}) {
  const { t } = useLang();
  const { query } = props;
  const total = props.spots?.features.reduce((s, f) => s + f.properties.length_m, 0) ?? 0;
  return (
    <div className="cam-blind" data-testid="blind-spots">
      <div className="cam-row">
        <label>
          {t("blindSpot.minLength")}
          <input
            type="number"
            min={0}
            max={100000}
            step={10}
            defaultValue={query.min_length_m}
            data-testid="blind-min-length"
            onBlur={(e) => {
              const v = Number(e.target.value);
              if (Number.isFinite(v) && v >= 0 && v !== query.min_length_m)
                props.onQuery({ ...query, min_length_m: v });
            }}
            onKeyDown={(e) => e.key === "Enter" && (e.target as HTMLInputElement).blur()}
          />
        </label>
        <label>
          {t("blindSpot.sortBy")}
          <select
            value={query.sort}
            data-testid="blind-sort"
            onChange={(e) => props.onQuery({ ...query, sort: e.target.value as BlindSpotQuery["sort"] })}
          >
            <option value="class">{t("blindSpot.sortClass")}</option>
            <option value="length">{t("blindSpot.sortLength")}</option>
          </select>
        </label>
      </div>
      {props.loading && <progress className="cam-busy" aria-label={t("coverage.loading")} />}
      {props.spots && (
        <p className="cam-muted" data-testid="blind-count">
          {t("blindSpot.count", { n: props.spots.features.length, km: (total / 1000).toFixed(2) })}
        </p>
      )}
      <ol className="cam-list">
        {props.spots?.features.map((f) => {
          const p = f.properties;
          const key = spotKey(p);
          return (
            <li key={key}>
              <button
                type="button"
                className={key === props.selected ? "cam-selected" : ""}
                data-testid="blind-spot"
                onClick={() => props.onSelect(key)}
              >
                <span className={`cam-class cam-class-${p.class}`}>{t(`road.class.${p.class}` as MessageKey)}</span>
                <span className="cam-grow">{p.road_name ?? t("road.unnamed")}</span>
                <span>{t("blindSpot.metres", { n: Math.round(p.length_m) })}</span>
                <span className="cam-muted">{p.grid_codes.map((c) => c.slice(-3)).join(", ")}</span>
              </button>
            </li>
          );
        })}
      </ol>
    </div>
  );
}
