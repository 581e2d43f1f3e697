import { sql } from "kysely";
import type { Db } from "./db.ts";

type Reader = { running: Promise<string> | null; queued: Promise<string> | null };
const readers = new WeakMap<Db, Reader>();

async function read(db: Db): Promise<string> {
  // The date is part of it: a venue's inspection status (due, overdue) moves with the calendar, not only with writes.
  const r = await sql<{
    v: string;
  }>`select current_date::text || '/' || sum(version)::text as v from data_version`.execute(db);
  return r.rows[0]?.v ?? "";
}

function start(db: Db, r: Reader): Promise<string> {
  const p: Promise<string> = read(db).finally(() => {
    if (r.running === p) r.running = null;
  });
  r.running = p;
  return p;
}

/**
 * The version of the data as the database holds it now: the sum of the per-table counters that every write bumps in
 * its own transaction (migrations/R__data_version.sql), with today's date. A request never gets a reading that
 * started before it arrived (a write answered just before could be missing from it); requests arriving while a
 * reading is on its way share the next one, so a burst costs one round trip, not one per request.
 */
export function currentDataVersion(db: Db): Promise<string> {
  let r = readers.get(db);
  if (!r) {
    r = { running: null, queued: null };
    readers.set(db, r);
  }
  const reader = r;
  if (!reader.running) return start(db, reader);
  if (!reader.queued) {
    const running = reader.running;
    reader.queued = running
      .catch(() => undefined)
      .then(() => {
        reader.queued = null;
        return start(db, reader);
      });
  }
  return reader.queued;
}
