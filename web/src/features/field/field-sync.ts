import { ApiError, fetchSession, toApiError } from "../../api.ts";
import { isNetworkError, postOnce, postPhoto, refusalOf } from "./field-api.ts";
import { type QueuedRecord, queued, removeQueued, updateQueued } from "./field-store.ts";

/** Where each kind of record is created, and where its photos go once it exists. */
function routeOf(r: QueuedRecord): { url: string; photos: (id: number) => string } {
  switch (r.kind) {
    case "visit":
      return { url: "/api/visits", photos: () => "" };
    case "hazard":
      return { url: "/api/hazards", photos: (id) => `/api/hazards/${id}/photos` };
    case "inspection":
      return { url: `/api/venues/${r.venue_id}/inspections`, photos: (id) => `/api/inspections/${id}/photos` };
    case "transition":
      return {
        url: `/api/hazards/${r.hazard_id}/transitions`,
        photos: (id) => `/api/hazards/${r.hazard_id}/photos?transition_id=${id}`,
      };
  }
}

/**
 * The id of what a creating POST made, as each route names it. A move answers with the hazard as it now stands;
 * its own id (which a photo of the fix is attached to) is the newest of that move in the hazard's history.
 */
async function createdId(r: QueuedRecord, body: unknown): Promise<number> {
  const b = body as { id?: number; inspection_id?: number; transition_id?: number };
  if (r.kind !== "transition") return b.inspection_id ?? b.id ?? 0;
  if (b.transition_id) return b.transition_id;
  if (!r.photos.length) return 0;
  const res = await fetch(`/api/hazards/${r.hazard_id}/history`, { credentials: "same-origin" });
  if (!res.ok) throw await refusalOf(res);
  const moves = (await res.json()) as Array<{ id: number; to_status: string }>;
  return Math.max(0, ...moves.filter((m) => m.to_status === r.body.to).map((m) => m.id));
}

/**
 * A visit the worker had already recorded that day (on this phone or another) is there: nothing is lost, so it
 * counts as sent rather than refused.
 */
const alreadyThere = (r: QueuedRecord, err: ApiError) => r.kind === "visit" && err.status === 409;

/** Sends one record and then its photos; throws on a network failure, returns a refusal as a value. */
async function sendOne(record: QueuedRecord): Promise<ApiError | null> {
  const route = routeOf(record);
  let r = record;
  if (!r.created) {
    try {
      const body = "body" in r ? r.body : {};
      r = { ...r, created: { id: await createdId(r, await postOnce(route.url, r.key, body)) } };
    } catch (err) {
      const e = toApiError(err);
      if (isNetworkError(e) || e.status >= 500) throw e;
      if (alreadyThere(r, e)) return null;
      return e;
    }
    await updateQueued(r);
  }
  while (r.photos_sent < r.photos.length && r.created) {
    const photo = r.photos[r.photos_sent] as Blob;
    try {
      await postPhoto(route.photos(r.created.id), `${r.key}-photo-${r.photos_sent}`, photo);
    } catch (err) {
      const e = toApiError(err);
      if (isNetworkError(e) || e.status >= 500) throw e;
      return e;
    }
    r = { ...r, photos_sent: r.photos_sent + 1 };
    await updateQueued(r);
  }
  return null;
}

export type SyncResult = { sent: number; refused: number; offline: boolean };

let running: Promise<SyncResult> | null = null;

/**
 * How often a run reports progress: each report re-reads the queue and redraws the list and the map's entrances,
 * which cost more than sending a visit; the badge need not count every one of 50 records.
 */
const PROGRESS_MS = 500;

/**
 * Records sent at a time. Each queued record stands alone (a step names a hazard the server already has; a photo
 * goes with its own record, after it), so their order does not matter, and on a phone's link the round trips of a
 * few in flight overlap: one at a time, 50 visits took four times their bare POSTs (bench/field).
 */
const SENDERS = 4;

/**
 * Sends what waits, oldest first and a few at a time, each exactly once (its Idempotency-Key makes a repeat
 * harmless). A refusal (a hazard moved on by someone else, an entrance no longer in the worker's grids) stays in the
 * queue with the server's reason for the worker to read; a lost network stops the run, to be taken up again when it
 * returns.
 * One run at a time: a second call shares the first.
 */
export function syncQueue(onProgress?: () => void): Promise<SyncResult> {
  running ??= run(onProgress).finally(() => {
    running = null;
  });
  return running;
}

async function run(onProgress?: () => void): Promise<SyncResult> {
  const result: SyncResult = { sent: 0, refused: 0, offline: false };
  let reported = performance.now();
  const waiting = (await queued()).filter((r) => !r.refused);
  if (!waiting.length) return result;
  try {
    // The CSRF token of the session as it is now (the page may have been opened offline from a saved session).
    if (!(await fetchSession())) return { ...result, offline: true };
  } catch {
    return { ...result, offline: true };
  }
  const pending = [...waiting];
  const sender = async () => {
    for (let record = pending.shift(); record && !result.offline; record = pending.shift()) {
      let refusal: ApiError | null;
      try {
        refusal = await sendOne(record);
      } catch (err) {
        if (err instanceof ApiError && err.status >= 500) continue;
        result.offline = true;
        return;
      }
      if (refusal) {
        const latest = (await queued()).find((q) => q.id === record.id) ?? record;
        await updateQueued({ ...latest, refused: { status: refusal.status, zh: refusal.zh, en: refusal.en } });
        result.refused++;
      } else {
        await removeQueued(record.id as number);
        result.sent++;
      }
      if (performance.now() - reported > PROGRESS_MS) {
        reported = performance.now();
        onProgress?.();
      }
    }
  };
  await Promise.all(Array.from({ length: SENDERS }, sender));
  return result;
}
