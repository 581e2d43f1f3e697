import { type ReactNode, useState } from "react";
import { type MessageKey, useLang } from "../../i18n/lang.ts";
import type { LngLat } from "../../map/geo.ts";
import { FreeTextHint } from "../../ui/free-text-hint.tsx";
import type { FieldEntrance, FieldHazard, FieldVenue, HazardStatus } from "./field-api.ts";
import type { Sheet as SheetKind } from "./field-app.tsx";
import { entranceLabel } from "./field-lists.tsx";
import { MAX_PHOTOS, preparePhoto } from "./field-photos.ts";
import type { RaisedHazard } from "./field-store.ts";
import type { FieldState } from "./use-field.ts";

type SheetProps = { field: FieldState; onClose: () => void; onDone: (notice: string) => void };

/**
 * A panel sliding up from the bottom of the screen, over the list, with its title and a close button. It covers the
 * list on purpose (`data-overlay`, as the layout test knows overlays).
 */
function Sheet(props: { title: string; testId: string; onClose: () => void; children: ReactNode }) {
  const { t } = useLang();
  return (
    <section className="field-sheet" role="dialog" aria-label={props.title} data-testid={props.testId} data-overlay="">
      <header className="field-sheet-head">
        <h2>{props.title}</h2>
        <button type="button" className="field-quiet" onClick={props.onClose} data-testid="field-sheet-close">
          {t("field.close")}
        </button>
      </header>
      {props.children}
    </section>
  );
}

/** The notice after a record is queued: sent at once when online, else when the network returns. */
const queuedNotice = (field: FieldState, t: ReturnType<typeof useLang>["t"]) =>
  field.online ? t("field.sending") : t("field.queued");

function Note(props: { value: string; onChange: (v: string) => void; label?: MessageKey }) {
  const { t } = useLang();
  return (
    <label className="field-field">
      <span>{t(props.label ?? "field.note")}</span>
      <textarea
        value={props.value}
        maxLength={500}
        rows={2}
        onChange={(e) => props.onChange(e.target.value)}
        data-testid="field-note"
      />
      <FreeTextHint />
    </label>
  );
}

/** Up to three photos from the camera, resized and stripped of metadata as soon as they are taken. */
function Photos(props: { photos: Blob[]; onChange: (p: Blob[]) => void; max?: number }) {
  const { t } = useLang();
  const [busy, setBusy] = useState(false);
  const max = props.max ?? MAX_PHOTOS;
  const add = async (files: FileList | null) => {
    if (!files?.length) return;
    setBusy(true);
    try {
      const room = max - props.photos.length;
      const ready = await Promise.all([...files].slice(0, room).map(preparePhoto));
      props.onChange([...props.photos, ...ready]);
    } finally {
      setBusy(false);
    }
  };
  return (
    <div className="field-field">
      <span>{t("field.photos", { n: max })}</span>
      <div className="field-photos" data-testid="field-photos" data-count={props.photos.length} data-busy={busy}>
        {props.photos.map((p, i) => (
          <button
            // biome-ignore lint/suspicious/noArrayIndexKey: photos have no id of their own until sent.
            key={i}
            type="button"
            className="field-photo"
            aria-label={t("field.removePhoto")}
            onClick={() => props.onChange(props.photos.filter((_, j) => j !== i))}
          >
            <img src={URL.createObjectURL(p)} alt="" onLoad={(e) => URL.revokeObjectURL(e.currentTarget.src)} />
          </button>
        ))}
        {props.photos.length < max && (
          <label className="field-photo-add">
            {busy ? t("field.photoBusy") : t("field.addPhoto")}
            <input
              type="file"
              accept="image/*"
              capture="environment"
              multiple
              data-testid="field-photo-input"
              onChange={(e) => void add(e.target.files).then(() => (e.target.value = ""))}
            />
          </label>
        )}
      </div>
    </div>
  );
}

/**
 * A visit in two taps: the entrance (from the map or the list) opens this sheet, and one tap on the big button
 * records it for today. The building instead of the entrance, and a note, are there for who wants them.
 */
export function VisitSheet(props: SheetProps & { entrance: FieldEntrance; today: string }) {
  const { t } = useLang();
  const { entrance: e, field } = props;
  const [whole, setWhole] = useState(false);
  const [note, setNote] = useState("");
  const label = entranceLabel(e, t);
  const record = async () => {
    const place = whole ? { building_id: e.building_id } : { entrance_id: e.id };
    await field.add(
      { kind: "visit", body: { ...place, visited_on: props.today, ...(note.trim() ? { note: note.trim() } : {}) } },
      whole ? e.building_name : label,
    );
    props.onDone(queuedNotice(field, t));
  };
  return (
    <Sheet title={label} testId="field-visit-sheet" onClose={props.onClose}>
      <fieldset className="field-choice" aria-label={t("field.visitWhat")}>
        <button type="button" aria-pressed={!whole} onClick={() => setWhole(false)} data-testid="field-visit-entrance">
          {t("field.visitEntrance")}
        </button>
        <button type="button" aria-pressed={whole} onClick={() => setWhole(true)} data-testid="field-visit-building">
          {t("field.visitBuilding")}
        </button>
      </fieldset>
      <p className="field-hint">{t("field.visitDate", { day: props.today })}</p>
      <Note value={note} onChange={setNote} />
      <button type="button" className="field-primary" onClick={() => void record()} data-testid="field-visit-record">
        {t("field.recordVisit")}
      </button>
    </Sheet>
  );
}

/** The moves of the lifecycle a worker takes on a hazard assigned to them. */
const WORKER_MOVES: Partial<Record<HazardStatus, HazardStatus>> = { assigned: "in_progress", in_progress: "resolved" };

/** A hazard of the worker's grids; when it is theirs to work on, its next step, with a note and a photo of the fix. */
export function HazardSheet(props: SheetProps & { hazard: FieldHazard }) {
  const { t } = useLang();
  const { hazard: h, field } = props;
  const [note, setNote] = useState("");
  const [photos, setPhotos] = useState<Blob[]>([]);
  const next = h.assigned_to_me ? WORKER_MOVES[h.status] : undefined;
  const waiting = field.queue.some((r) => r.kind === "transition" && r.hazard_id === h.id && !r.refused);
  const move = async () => {
    if (!next) return;
    await field.add(
      {
        kind: "transition",
        hazard_id: h.id,
        body: { to: next, from: h.status, ...(note.trim() ? { note: note.trim() } : {}) },
      },
      h.title,
      photos,
    );
    props.onDone(queuedNotice(field, t));
  };
  return (
    <Sheet title={h.title} testId="field-hazard-sheet" onClose={props.onClose}>
      <p className="field-hint">
        {t(`hazard.status.${h.status}`)} · {t(`hazard.severity.${h.severity}`)} · {h.reported_on}
      </p>
      {waiting && <p className="field-hint">{t("field.waitingShort")}</p>}
      {next && !waiting && (
        <>
          <Note value={note} onChange={setNote} />
          {next === "resolved" && <Photos photos={photos} onChange={setPhotos} />}
          <button type="button" className="field-primary" onClick={() => void move()} data-testid="field-move">
            {t(next === "resolved" ? "field.resolve" : "field.startWork")}
          </button>
        </>
      )}
    </Sheet>
  );
}

const RESULTS = ["ok", "issues_found", "closed_down"] as const;
/** The inspection route takes at most this many hazards with one inspection. */
const MAX_RAISED = 10;

/** The hazards an inspection found: category, severity and title of each, made with the inspection. */
function RaisedHazards(props: { hazards: RaisedHazard[]; onChange: (h: RaisedHazard[]) => void; field: FieldState }) {
  const { lang, t } = useLang();
  const categories = props.field.data?.hazard_categories ?? [];
  const set = (i: number, patch: Partial<RaisedHazard>) =>
    props.onChange(props.hazards.map((h, j) => (j === i ? { ...h, ...patch } : h)));
  return (
    <div className="field-field" data-testid="field-raised" data-count={props.hazards.length}>
      <span>{t("field.raisedHazards")}</span>
      {props.hazards.map((h, i) => (
        // biome-ignore lint/suspicious/noArrayIndexKey: a raised hazard has no id until the inspection is sent.
        <div key={i} className="field-raised">
          <select
            value={h.category}
            aria-label={t("hazard.category")}
            onChange={(e) => set(i, { category: e.target.value })}
            data-testid={`field-raised-category-${i}`}
          >
            {categories.map((c) => (
              <option key={c.code} value={c.code}>
                {lang === "zh" ? c.name_zh : c.name_en}
              </option>
            ))}
          </select>
          <select
            value={h.severity}
            aria-label={t("hazard.severity")}
            onChange={(e) => set(i, { severity: e.target.value as RaisedHazard["severity"] })}
            data-testid={`field-raised-severity-${i}`}
          >
            {SEVERITIES.map((s) => (
              <option key={s} value={s}>
                {t(`hazard.severity.${s}`)}
              </option>
            ))}
          </select>
          <input
            value={h.title}
            maxLength={120}
            placeholder={t("field.hazardTitle")}
            aria-label={t("field.hazardTitle")}
            onChange={(e) => set(i, { title: e.target.value })}
            data-testid={`field-raised-title-${i}`}
          />
          <button
            type="button"
            className="field-quiet"
            onClick={() => props.onChange(props.hazards.filter((_, j) => j !== i))}
          >
            {t("field.removeRaised")}
          </button>
        </div>
      ))}
      {props.hazards.length < MAX_RAISED && categories.length > 0 && (
        <button
          type="button"
          className="field-secondary"
          onClick={() =>
            props.onChange([...props.hazards, { category: categories[0]?.code ?? "", severity: "medium", title: "" }])
          }
          data-testid="field-raise-hazard"
        >
          {t("field.raiseHazard")}
        </button>
      )}
    </div>
  );
}

/**
 * A venue of the worker's grids: record an inspection (result, note and the hazards it found), or report a hazard
 * there on its own.
 */
export function VenueSheet(props: SheetProps & { venue: FieldVenue; today: string; onReport: () => void }) {
  const { t } = useLang();
  const { venue: v, field } = props;
  const [result, setResult] = useState<(typeof RESULTS)[number]>("ok");
  const [note, setNote] = useState("");
  const [raised, setRaised] = useState<RaisedHazard[]>([]);
  // A hazard found needs its title; an untitled row is one the worker has not filled in yet.
  const ready = raised.every((h) => h.title.trim().length > 0);
  const record = async () => {
    if (!ready) return;
    const hazards = raised.map((h) => ({ ...h, title: h.title.trim() }));
    await field.add(
      {
        kind: "inspection",
        venue_id: v.id,
        body: {
          inspected_on: props.today,
          result,
          ...(note.trim() ? { note: note.trim() } : {}),
          ...(hazards.length ? { hazards } : {}),
        },
      },
      hazards.length ? `${v.name} · ${t("field.raisedCount", { n: hazards.length })}` : v.name,
    );
    props.onDone(queuedNotice(field, t));
  };
  return (
    <Sheet title={v.name} testId="field-venue-sheet" onClose={props.onClose}>
      <p className="field-hint">
        {v.last_inspected_on ? t("field.lastInspected", { day: v.last_inspected_on }) : t("field.neverInspected")}
      </p>
      <fieldset className="field-choice" aria-label={t("inspection.result")}>
        {RESULTS.map((r) => (
          <button
            key={r}
            type="button"
            aria-pressed={result === r}
            onClick={() => setResult(r)}
            data-testid={`field-result-${r}`}
          >
            {t(`inspection.result.${r}`)}
          </button>
        ))}
      </fieldset>
      <Note value={note} onChange={setNote} />
      <RaisedHazards hazards={raised} onChange={setRaised} field={field} />
      <button
        type="button"
        className="field-primary"
        disabled={!ready}
        onClick={() => void record()}
        data-testid="field-inspect"
      >
        {t("field.inspect")}
      </button>
      <button type="button" className="field-secondary" onClick={props.onReport} data-testid="field-report-here">
        {t("field.reportHere")}
      </button>
    </Sheet>
  );
}

const SEVERITIES = ["low", "medium", "high"] as const;

/** A hazard report at a tapped place (or a venue): category, severity, title and up to three photos. */
export function HazardForm(props: SheetProps & { at: LngLat; venue?: FieldVenue | undefined }) {
  const { lang, t } = useLang();
  const { field } = props;
  const categories = field.data?.hazard_categories ?? [];
  const [category, setCategory] = useState(categories[0]?.code ?? "");
  const [severity, setSeverity] = useState<(typeof SEVERITIES)[number]>("medium");
  const [title, setTitle] = useState("");
  const [photos, setPhotos] = useState<Blob[]>([]);
  const ready = !!category && title.trim().length > 0;
  const report = async () => {
    if (!ready) return;
    await field.add(
      {
        kind: "hazard",
        body: {
          geometry: { type: "Point", coordinates: props.at },
          category,
          severity,
          title: title.trim(),
          ...(props.venue ? { venue_id: props.venue.id } : {}),
        },
      },
      title.trim(),
      photos,
    );
    props.onDone(queuedNotice(field, t));
  };
  return (
    <Sheet title={t("field.reportHazard")} testId="field-hazard-form" onClose={props.onClose}>
      {props.venue && <p className="field-hint">{props.venue.name}</p>}
      <label className="field-field">
        <span>{t("hazard.category")}</span>
        <select value={category} onChange={(e) => setCategory(e.target.value)} data-testid="field-category">
          {categories.map((c) => (
            <option key={c.code} value={c.code}>
              {lang === "zh" ? c.name_zh : c.name_en}
            </option>
          ))}
        </select>
      </label>
      <fieldset className="field-choice" aria-label={t("hazard.severity")}>
        {SEVERITIES.map((s) => (
          <button
            key={s}
            type="button"
            aria-pressed={severity === s}
            onClick={() => setSeverity(s)}
            data-testid={`field-severity-${s}`}
          >
            {t(`hazard.severity.${s}`)}
          </button>
        ))}
      </fieldset>
      <label className="field-field">
        <span>{t("field.hazardTitle")}</span>
        <input value={title} maxLength={120} onChange={(e) => setTitle(e.target.value)} data-testid="field-title" />
        <FreeTextHint />
      </label>
      <Photos photos={photos} onChange={setPhotos} />
      <button
        type="button"
        className="field-primary"
        disabled={!ready}
        onClick={() => void report()}
        data-testid="field-hazard-submit"
      >
        {t("field.submitHazard")}
      </button>
    </Sheet>
  );
}

/** What waits to be sent, and what the server refused with its reason: the worker drops or retries each. */
export function QueueSheet(props: { field: FieldState; onClose: () => void }) {
  const { lang, t } = useLang();
  const { field } = props;
  return (
    <Sheet title={t("field.queueTitle")} testId="field-queue" onClose={props.onClose}>
      {field.queue.length === 0 && <p className="field-hint">{t("field.queueEmpty")}</p>}
      <ul className="field-items">
        {field.queue.map((r) => (
          <li
            key={r.id}
            className={r.refused ? "field-queued field-queued-refused" : "field-queued"}
            data-testid={`field-queued-${r.kind}`}
            data-refused={!!r.refused}
          >
            <span className="field-item-main">
              {t(`field.kind.${r.kind}`)} · {r.label}
              {r.photos.length > 0 && ` · ${t("field.photoCount", { n: r.photos.length })}`}
            </span>
            {r.refused ? (
              <>
                <span className="field-reason" data-testid="field-refusal">
                  {t("field.refused")}: {lang === "zh" ? r.refused.zh : r.refused.en}
                </span>
                <span className="field-row">
                  <button type="button" onClick={() => void field.drop(r.id as number)} data-testid="field-drop">
                    {t("field.drop")}
                  </button>
                  <button type="button" onClick={() => void field.retry(r.id as number)}>
                    {t("field.retry")}
                  </button>
                </span>
              </>
            ) : (
              <span className="field-item-side">{t("field.waitingShort")}</span>
            )}
          </li>
        ))}
      </ul>
      {field.online && field.queue.some((r) => !r.refused) && (
        <button type="button" className="field-primary" disabled={field.syncing} onClick={() => void field.sync()}>
          {t("field.sendNow")}
        </button>
      )}
    </Sheet>
  );
}

/**
 * The worker's account: who is signed in and "sign out everywhere", for a phone that was lost or lent. What waits in
 * the queue stays on this phone and is sent after the next sign-in here.
 */
export function AccountSheet(props: {
  account: { username: string; display_name: string };
  onClose: () => void;
  onSignOutEverywhere: () => void;
}) {
  const { t } = useLang();
  return (
    <Sheet title={props.account.display_name} testId="field-account-sheet" onClose={props.onClose}>
      <p className="field-hint">
        <code>{props.account.username}</code>
      </p>
      <p className="field-hint">{t("session.signOutEverywhereWhy")}</p>
      <button
        type="button"
        className="field-primary"
        onClick={props.onSignOutEverywhere}
        data-testid="sign-out-everywhere"
      >
        {t("session.signOutEverywhere")}
      </button>
    </Sheet>
  );
}

/** The sheet the field app shows over its list, but the account's. */
export function FieldSheet(props: {
  sheet: SheetKind;
  field: FieldState;
  today: string;
  setSheet: (s: SheetKind | null) => void;
  done: (notice: string) => void;
}) {
  const { sheet, field, today, setSheet, done } = props;
  const data = field.data;
  if (!data) return null;
  const close = () => setSheet(null);
  switch (sheet.kind) {
    case "visit":
      return <VisitSheet entrance={sheet.entrance} today={today} field={field} onClose={close} onDone={done} />;
    case "hazard":
      return <HazardSheet hazard={sheet.hazard} field={field} onClose={close} onDone={done} />;
    case "venue":
      return (
        <VenueSheet
          venue={sheet.venue}
          today={today}
          field={field}
          onClose={close}
          onDone={done}
          onReport={() => setSheet({ kind: "report", at: sheet.at, venue: sheet.venue })}
        />
      );
    case "report":
      return <HazardForm at={sheet.at} venue={sheet.venue} field={field} onClose={close} onDone={done} />;
    case "queue":
      return <QueueSheet field={field} onClose={close} />;
    case "account":
      return null;
  }
}
