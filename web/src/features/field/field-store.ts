import { type DBSchema, type IDBPDatabase, openDB } from "idb";
import type { FieldData } from "./field-api.ts";

/** A hazard an inspection found, as the inspection route takes it. */
export type RaisedHazard = { category: string; severity: "low" | "medium" | "high"; title: string };

/** What a worker did on the phone, waiting to be sent; the body is the route's JSON body. */
export type Job =
  | { kind: "visit"; body: { entrance_id?: number; building_id?: number; visited_on: string; note?: string } }
  | {
      kind: "hazard";
      body: {
        geometry: { type: "Point"; coordinates: [number, number] };
        category: string;
        severity: "low" | "medium" | "high";
        title: string;
        note?: string;
        venue_id?: number;
      };
    }
  | {
      kind: "inspection";
      venue_id: number;
      body: {
        inspected_on: string;
        result: "ok" | "issues_found" | "closed_down";
        note?: string;
        /** Hazards found there, made with the inspection (in its transaction, at the venue). */
        hazards?: RaisedHazard[];
      };
    }
  | {
      kind: "transition";
      hazard_id: number;
      body: { to: string; from: string; note?: string; version?: number };
    };

/**
 * One record in the queue. `key` is the Idempotency-Key made when it was queued: however often the phone sends it
 * (a lost answer, a reload mid-send), the server applies it once. `photos` go after the record itself, each with
 * its own key derived from `key`; `created` remembers the record's id once the server has made it, so a retry only
 * sends the photos still missing.
 */
export type QueuedRecord = Job & {
  id?: number;
  key: string;
  queued_at: string;
  /** A label for the list of what waits (an entrance, a hazard's title). */
  label: string;
  photos: Blob[];
  photos_sent: number;
  created?: { id: number };
  /** Set when the server refused it: the worker sees why, and decides to drop or retry it. */
  refused?: { status: number; zh: string; en: string };
};

interface FieldDb extends DBSchema {
  field: { key: string; value: { data: FieldData; saved_at: string } };
  queue: { key: number; value: QueuedRecord };
}

const DB_NAME = "gridatlas-field";
let opening: Promise<IDBPDatabase<FieldDb>> | null = null;

function db(): Promise<IDBPDatabase<FieldDb>> {
  opening ??= openDB<FieldDb>(DB_NAME, 1, {
    upgrade(d) {
      d.createObjectStore("field");
      d.createObjectStore("queue", { keyPath: "id", autoIncrement: true });
    },
  });
  return opening;
}

/** The last /api/me/field answer kept on the phone, for work with no network. */
export async function savedField(): Promise<{ data: FieldData; saved_at: string } | undefined> {
  return (await db()).get("field", "me");
}

export async function saveField(data: FieldData): Promise<void> {
  await (await db()).put("field", { data, saved_at: new Date().toISOString() }, "me");
}

export async function queued(): Promise<QueuedRecord[]> {
  return (await db()).getAll("queue");
}

/** Adds a record to the queue with a fresh Idempotency-Key; it is sent when the network allows. */
export async function enqueue(job: Job, label: string, photos: Blob[] = []): Promise<QueuedRecord> {
  const record: QueuedRecord = {
    ...job,
    key: crypto.randomUUID(),
    queued_at: new Date().toISOString(),
    label,
    photos,
    photos_sent: 0,
  };
  const id = await (await db()).add("queue", record);
  return { ...record, id };
}

export async function updateQueued(record: QueuedRecord): Promise<void> {
  await (await db()).put("queue", record);
}

export async function removeQueued(id: number): Promise<void> {
  await (await db()).delete("queue", id);
}

/** Signing out leaves nothing of the worker's on the phone but what still waits to be sent. */
export async function forgetField(): Promise<void> {
  await (await db()).delete("field", "me");
}
