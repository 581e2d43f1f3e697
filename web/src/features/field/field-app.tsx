import type { LayerSpecification, SourceSpecification } from "maplibre-gl";
import { lazy, Suspense, useEffect, useMemo, useRef, useState } from "react";
import { useLang } from "../../i18n/lang.ts";
import type { AtlasMap } from "../../map/atlas-map.ts";
import type { LngLat } from "../../map/geo.ts";
import { LangSwitch } from "../../ui/lang-switch.tsx";
import type { FieldEntrance, FieldHazard, FieldVenue } from "./field-api.ts";
import { FIELD_PICK_LAYERS } from "./field-layer.ts";
import { EntranceList, HazardList, VenueList } from "./field-lists.tsx";
import { loadFieldMap } from "./field-map-code.ts";
import { registerFieldApp } from "./field-pwa.ts";
import { forgetField } from "./field-store.ts";
import { cacheTilesAhead, type TileProgress } from "./field-tiles.ts";
import { type FieldState, localDay, useField } from "./use-field.ts";
import "./field.css";

/** The base map the screen composes for the field app, with the field's own sources and layers on top. */
export type FieldBase = {
  sources: Record<string, SourceSpecification>;
  layers: LayerSpecification[];
  locale: Record<string, string>;
  attribution: string;
};

type Tab = "grids" | "hazards" | "venues";

/** What the bottom sheet shows. */
export type Sheet =
  | { kind: "visit"; entrance: FieldEntrance }
  | { kind: "hazard"; hazard: FieldHazard }
  | { kind: "venue"; venue: FieldVenue; at: LngLat }
  | { kind: "report"; at: LngLat; venue?: FieldVenue }
  | { kind: "queue" }
  | { kind: "account" };

const MapView = lazy(() => loadFieldMap().then((m) => ({ default: m.MapView })));
/**
 * The sheets (a visit, a hazard and its form with photos, a venue's inspection, the queue, the account) are not part
 * of the first paint: their code is fetched once the grids are listed, before the worker's first tap.
 */
const loadSheets = () => import("./field-sheets.tsx");
const FieldSheet = lazy(() => loadSheets().then((m) => ({ default: m.FieldSheet })));
const AccountSheet = lazy(() => loadSheets().then((m) => ({ default: m.AccountSheet })));

/** Days from `from` to `to` (both YYYY-MM-DD). */
export const daysBetween = (from: string, to: string) =>
  Math.round((Date.parse(`${to}T00:00:00Z`) - Date.parse(`${from}T00:00:00Z`)) / 86_400_000);

/**
 * The field app of grid and information workers: it opens on their own grids (map and list of entrances by what is
 * due), records visits, hazards, transitions and inspections on the phone and sends them when it can.
 */
export function FieldApp(props: {
  base: FieldBase;
  account: { username: string; display_name: string };
  /** Signs out here, or with `true` on every device of the account. */
  onSignOut: (everywhere?: true) => void;
}) {
  const { lang, t } = useLang();
  const field = useField();
  const { data } = field;
  const [tab, setTab] = useState<Tab>("grids");
  const [sheet, setSheet] = useState<Sheet | null>(null);
  const [picking, setPicking] = useState(false);
  const [tiles, setTiles] = useState<TileProgress | null>(null);
  const [notice, setNotice] = useState<string | null>(null);
  const today = localDay();
  const [atlas, setAtlas] = useState<AtlasMap | null>(null);

  useEffect(() => {
    if (!notice) return;
    const timer = setTimeout(() => setNotice(null), 4000);
    return () => clearTimeout(timer);
  }, [notice]);

  const visitedNow = useMemo(() => pendingVisits(field.queue, data), [field.queue, data]);
  const entrances = useMemo(
    () =>
      (data?.entrances.features ?? []).map((f) => {
        const last = visitedNow.has(f.properties.id) ? today : f.properties.last_visit_on;
        return {
          ...f,
          properties: { ...f.properties, last_visit_on: last, days: last ? daysBetween(last, today) : -1 },
        };
      }),
    [data, visitedNow, today],
  );

  const mapData = useMemo(
    () => ({
      "field-grids": data?.grids,
      "field-entrances": { type: "FeatureCollection" as const, features: entrances },
      "field-venues": data?.venues,
      "field-hazards": data?.hazards,
      "field-pin": {
        type: "FeatureCollection" as const,
        features:
          sheet?.kind === "report"
            ? [
                {
                  type: "Feature" as const,
                  geometry: { type: "Point" as const, coordinates: sheet.at },
                  properties: {},
                },
              ]
            : [],
      },
    }),
    [data, entrances, sheet],
  );

  // The map is created once the worker's grids are listed and painted: creating it (WebGL, the style, the worker)
  // holds the phone's main thread for a while, and the list is what a worker taps first. It waits for the grids
  // anyway: before them it could only show, and fetch tiles for, an extent that is not theirs.
  const [mapWanted, setMapWanted] = useState(false);
  useEffect(() => {
    if (!data || mapWanted) return;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const frame = requestAnimationFrame(() => {
      timer = setTimeout(() => {
        setMapWanted(true);
        void loadSheets();
      });
    });
    return () => {
      cancelAnimationFrame(frame);
      clearTimeout(timer);
    };
  }, [data, mapWanted]);

  // "My grids" is interactive once the map has drawn the worker's entrances. Only then does the phone fetch for
  // later (the service worker's precache of the app shell, the tiles of the grids ahead): on a slow link those
  // downloads would otherwise share the first load's bandwidth and delay it by seconds.
  const [settled, setSettled] = useState(false);
  useEffect(() => {
    if (!atlas || !data || settled) return;
    let live = true;
    // A frame first, so that the map has been given the entrances before it is asked whether it is idle.
    requestAnimationFrame(() => {
      void atlas.idle().then(() => {
        if (live) setSettled(true);
      });
    });
    return () => {
      live = false;
    };
  }, [atlas, data, settled]);
  // A new version of the app may reload it only while no sheet is open (see field-pwa.ts).
  const sheetOpen = useRef(false);
  sheetOpen.current = sheet !== null;
  useEffect(() => {
    if (settled) registerFieldApp(() => sheetOpen.current);
  }, [settled]);

  // Tiles of the worker's grids are put in the phone's cache once the grids are known, with the network there.
  const tileJsons = useMemo(
    () => Object.values(props.base.sources).flatMap((s) => (s.type === "vector" && s.url ? [s.url] : [])),
    [props.base.sources],
  );
  const bboxKey = data?.bbox.join(",");
  // biome-ignore lint/correctness/useExhaustiveDependencies: re-run when the grids' extent changes, not the object.
  useEffect(() => {
    if (!data || !field.online || !settled) return;
    void cacheTilesAhead(tileJsons, data.bbox, setTiles);
  }, [bboxKey, field.online, tileJsons, settled]);

  // biome-ignore lint/correctness/useExhaustiveDependencies: frame the grids when they first arrive.
  useEffect(() => {
    if (data) atlas?.fitBounds(data.bbox);
  }, [bboxKey, atlas]);

  const picker = useRef({ picking, data, entrances });
  picker.current = { picking, data, entrances };
  useEffect(() => {
    if (!atlas) return;
    return atlas.onClickAt(FIELD_PICK_LAYERS, ({ lngLat, feature }) => {
      const { picking: p, data: d, entrances: es } = picker.current;
      if (p) {
        setPicking(false);
        setSheet({ kind: "report", at: lngLat });
        return;
      }
      if (!feature || !d) return;
      const id = Number(feature.id ?? feature.properties.id);
      if (feature.layer === "field-entrances") {
        const e = es.find((f) => f.properties.id === id);
        if (e) setSheet({ kind: "visit", entrance: e.properties });
      } else if (feature.layer === "field-venues") {
        const v = d.venues.features.find((f) => f.properties.id === id);
        if (v) setSheet({ kind: "venue", venue: v.properties, at: v.geometry.coordinates as LngLat });
      } else if (feature.layer === "field-hazards") {
        const h = d.hazards.features.find((f) => f.properties.id === id);
        if (h) setSheet({ kind: "hazard", hazard: h.properties });
      }
    });
  }, [atlas]);

  const waiting = field.queue.filter((r) => !r.refused).length;
  const refused = field.queue.length - waiting;
  const done = (text: string) => {
    setSheet(null);
    setNotice(text);
  };

  return (
    <div className="field" data-testid="field-app" data-online={field.online}>
      <header className="field-bar">
        <h1 className="field-title">
          {t("field.title")}
          <span className="field-me">
            <span
              className={field.online ? "field-net field-net-on" : "field-net field-net-off"}
              data-testid="field-net"
            >
              {field.online ? t("field.online") : t("field.offline")}
            </span>
            {/* The worker's name opens their account: signing out on every device is for a lost phone. */}
            <button
              type="button"
              className="field-me-button"
              data-testid="field-account"
              title={props.account.username}
              onClick={() => setSheet({ kind: "account" })}
            >
              {data?.me.name ?? props.account.display_name}
            </button>
          </span>
        </h1>
        <button
          type="button"
          className={refused ? "field-badge field-badge-refused" : "field-badge"}
          data-testid="field-queue-badge"
          data-waiting={waiting}
          data-refused={refused}
          onClick={() => setSheet({ kind: "queue" })}
        >
          {(waiting > 0 || refused === 0) && t("field.waiting", { n: waiting })}
          {refused > 0 && <span className="field-badge-alert">{t("field.refusedCount", { n: refused })}</span>}
        </button>
        <LangSwitch />
        <button
          type="button"
          className="field-quiet"
          onClick={() => void forgetField().finally(props.onSignOut)}
          data-testid="sign-out"
        >
          {t("session.signOut")}
        </button>
      </header>
      <nav className="field-tabs" aria-label={t("field.title")}>
        {(["grids", "hazards", "venues"] as const).map((k) => (
          <button
            key={k}
            type="button"
            aria-pressed={tab === k}
            data-testid={`field-tab-${k}`}
            onClick={() => setTab(k)}
          >
            {t(`field.tab.${k}`)}
          </button>
        ))}
      </nav>
      <div className="field-map-wrap">
        <Suspense fallback={<div className="field-map" />}>
          {data && mapWanted ? (
            <MapView
              bbox={data.bbox}
              sources={props.base.sources}
              layers={props.base.layers}
              data={mapData}
              selection={null}
              locale={props.base.locale}
              inset={{ top: 0, right: 0, bottom: 0, left: 0 }}
              attribution=""
              onReady={setAtlas}
              className="field-map"
              tools={false}
            />
          ) : (
            <div className="field-map" />
          )}
        </Suspense>
        <button
          type="button"
          className={picking ? "field-report field-report-picking" : "field-report"}
          data-testid="field-report-hazard"
          onClick={() => setPicking((p) => !p)}
        >
          {picking ? t("field.pickPlace") : t("field.reportHazard")}
        </button>
      </div>
      <div className="field-status" aria-live="polite">
        {notice && <span data-testid="field-notice">{notice}</span>}
        {!notice && tiles && (
          <span data-testid="field-tiles" data-done={tiles.done} data-total={tiles.total}>
            {tiles.done < tiles.total
              ? t("field.tiles", { done: tiles.done, total: tiles.total })
              : t("field.tilesDone")}
          </span>
        )}
        {field.error && <span className="field-error">{field.error.text(lang)}</span>}
      </div>
      <main className="field-list">
        {!data && <p className="field-empty">{field.online ? t("field.loading") : t("field.noData")}</p>}
        {data && tab === "grids" && (
          <EntranceList entrances={entrances} onPick={(e) => setSheet({ kind: "visit", entrance: e })} />
        )}
        {data && tab === "hazards" && (
          <HazardList data={data} queue={field.queue} onPick={(h) => setSheet({ kind: "hazard", hazard: h })} />
        )}
        {data && tab === "venues" && (
          <VenueList data={data} today={today} onPick={(v, at) => setSheet({ kind: "venue", venue: v, at })} />
        )}
      </main>
      <Suspense fallback={null}>
        {sheet?.kind === "account" && (
          <AccountSheet
            account={props.account}
            onClose={() => setSheet(null)}
            onSignOutEverywhere={() => void forgetField().finally(() => props.onSignOut(true))}
          />
        )}
        {sheet && sheet.kind !== "account" && data && (
          <FieldSheet sheet={sheet} field={field} today={today} setSheet={setSheet} done={done} />
        )}
      </Suspense>
    </div>
  );
}

/** Entrances with a visit waiting in the queue (a whole building's visit counts for each of its entrances). */
function pendingVisits(queue: FieldState["queue"], data: FieldState["data"]): Set<number> {
  const ids = new Set<number>();
  for (const r of queue) {
    if (r.kind !== "visit" || r.refused) continue;
    if (r.body.entrance_id) ids.add(r.body.entrance_id);
    if (r.body.building_id) {
      for (const e of data?.entrances.features ?? []) {
        if (e.properties.building_id === r.body.building_id) ids.add(e.properties.id);
      }
    }
  }
  return ids;
}
