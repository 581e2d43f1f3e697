import { useMemo, useState } from "react";
import { useLang } from "../../i18n/lang.ts";
import type { LngLat } from "../../map/geo.ts";
import type { FieldData, FieldEntrance, FieldHazard, FieldVenue } from "./field-api.ts";
import { VISIT_DUE_DAYS, VISIT_LATE_DAYS } from "./field-layer.ts";
import type { QueuedRecord } from "./field-store.ts";

type Entrance = GeoJSON.Feature<GeoJSON.Point, FieldEntrance & { days: number }>;

/** Distance in metres on the sphere: enough to sort doors a few hundred metres apart. */
function distance_m([lng1, lat1]: LngLat, [lng2, lat2]: LngLat): number {
  const rad = Math.PI / 180;
  const a =
    Math.sin(((lat2 - lat1) * rad) / 2) ** 2 +
    Math.cos(lat1 * rad) * Math.cos(lat2 * rad) * Math.sin(((lng2 - lng1) * rad) / 2) ** 2;
  return 2 * 6_371_000 * Math.asin(Math.sqrt(a));
}

/** never visited > most days since a visit: what is most due first. */
const dueness = (days: number) => (days < 0 ? Number.POSITIVE_INFINITY : days);

export const visitClass = (days: number) =>
  days < 0 ? "never" : days <= VISIT_DUE_DAYS ? "fresh" : days <= VISIT_LATE_DAYS ? "due" : "late";

/** A label for an entrance: its building and number. */
export const entranceLabel = (e: FieldEntrance, t: ReturnType<typeof useLang>["t"]) =>
  t("field.entrance", { building: e.building_name, number: e.number });

export function visitAge(days: number, t: ReturnType<typeof useLang>["t"]): string {
  if (days < 0) return t("field.neverVisited");
  if (days === 0) return t("field.visitedToday");
  return t("field.daysAgo", { n: days });
}

/**
 * The worker's entrances, most due first; "near me" sorts them by distance from the phone's position instead. The
 * position is asked of the browser when the worker chooses it, used here to sort, and neither sent nor kept.
 */
export function EntranceList(props: { entrances: Entrance[]; onPick: (e: FieldEntrance) => void }) {
  const { t } = useLang();
  const [here, setHere] = useState<LngLat | null>(null);
  const [geoError, setGeoError] = useState(false);
  const sorted = useMemo(() => {
    const list = [...props.entrances];
    if (here) {
      const d = (e: Entrance) => distance_m(here, e.geometry.coordinates as LngLat);
      return list.sort((a, b) => d(a) - d(b));
    }
    return list.sort(
      (a, b) => dueness(b.properties.days) - dueness(a.properties.days) || a.properties.id - b.properties.id,
    );
  }, [props.entrances, here]);

  const nearMe = () => {
    if (here) return setHere(null);
    setGeoError(false);
    navigator.geolocation?.getCurrentPosition(
      (p) => setHere([p.coords.longitude, p.coords.latitude]),
      () => setGeoError(true),
      { enableHighAccuracy: true, timeout: 15_000, maximumAge: 60_000 },
    );
  };

  return (
    <>
      <div className="field-list-head">
        <button type="button" aria-pressed={!!here} onClick={nearMe} data-testid="field-near-me">
          {here ? t("field.byDue") : t("field.nearMe")}
        </button>
        <span className="field-hint">{geoError ? t("field.geoDenied") : t("field.nearMeHint")}</span>
      </div>
      <ul className="field-items" data-testid="field-entrances">
        {sorted.map((e) => (
          <li key={e.properties.id}>
            <button
              type="button"
              className="field-item"
              data-testid={`field-entrance-${e.properties.id}`}
              data-days={e.properties.days}
              data-households={e.properties.households}
              onClick={() => props.onPick(e.properties)}
            >
              <span className={`field-dot field-dot-${visitClass(e.properties.days)}`} aria-hidden="true" />
              <span className="field-item-main">{entranceLabel(e.properties, t)}</span>
              <span className="field-item-side">
                {visitAge(e.properties.days, t)} · {t("field.households", { n: e.properties.households })}
              </span>
            </button>
          </li>
        ))}
      </ul>
    </>
  );
}

const STATUS_ORDER = ["in_progress", "assigned", "reported", "resolved", "verified"];

/** Hazards of the worker's grids: those assigned to them first, then open ones, then recently resolved. */
export function HazardList(props: { data: FieldData; queue: QueuedRecord[]; onPick: (h: FieldHazard) => void }) {
  const { t } = useLang();
  const moving = new Set(props.queue.flatMap((r) => (r.kind === "transition" && !r.refused ? [r.hazard_id] : [])));
  const list = [...props.data.hazards.features].sort(
    (a, b) =>
      Number(b.properties.assigned_to_me) - Number(a.properties.assigned_to_me) ||
      STATUS_ORDER.indexOf(a.properties.status) - STATUS_ORDER.indexOf(b.properties.status) ||
      b.properties.reported_on.localeCompare(a.properties.reported_on),
  );
  if (!list.length) return <p className="field-empty">{t("field.noHazards")}</p>;
  return (
    <ul className="field-items" data-testid="field-hazards">
      {list.map(({ properties: h }) => (
        <li key={h.id}>
          <button
            type="button"
            className="field-item"
            data-testid={`field-hazard-${h.id}`}
            onClick={() => props.onPick(h)}
          >
            <span className={`field-dot field-sev-${h.severity}`} aria-hidden="true" />
            <span className="field-item-main">{h.title}</span>
            <span className="field-item-side">
              {t(`hazard.status.${h.status}`)}
              {h.assigned_to_me && ` · ${t("field.assignedToMe")}`}
              {moving.has(h.id) && ` · ${t("field.waitingShort")}`}
            </span>
          </button>
        </li>
      ))}
    </ul>
  );
}

/** Venues of the worker's grids, by when their next inspection is due (never inspected first). */
export function VenueList(props: { data: FieldData; today: string; onPick: (v: FieldVenue, at: LngLat) => void }) {
  const { lang, t } = useLang();
  const name = (code: string) => {
    const c = props.data.venue_categories.find((x) => x.code === code);
    return c ? (lang === "zh" ? c.name_zh : c.name_en) : code;
  };
  const list = [...props.data.venues.features].sort((a, b) =>
    (a.properties.due_on ?? "").localeCompare(b.properties.due_on ?? ""),
  );
  return (
    <ul className="field-items" data-testid="field-venues">
      {list.map((f) => {
        const v = f.properties;
        const overdue = !v.due_on || v.due_on <= props.today;
        return (
          <li key={v.id}>
            <button
              type="button"
              className="field-item"
              data-testid={`field-venue-${v.id}`}
              onClick={() => props.onPick(v, f.geometry.coordinates as LngLat)}
            >
              <span className={`field-dot ${overdue ? "field-dot-late" : "field-dot-fresh"}`} aria-hidden="true" />
              <span className="field-item-main">{v.name}</span>
              <span className="field-item-side">
                {name(v.category)} ·{" "}
                {v.due_on
                  ? t(overdue ? "field.overdueOn" : "field.dueOn", { day: v.due_on })
                  : t("field.neverInspected")}
              </span>
            </button>
          </li>
        );
      })}
    </ul>
  );
}
