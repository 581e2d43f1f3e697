import { ApiError, csrfHeaders, refusal } from "../../api.ts";
import type { BBox } from "../../map/geo.ts";

type Fc<G extends GeoJSON.Geometry, P> = GeoJSON.FeatureCollection<G, P>;

export type FieldGrid = { code: string; name: string; community_code: string; community_name: string };
export type FieldEntrance = {
  id: number;
  building_id: number;
  building_name: string;
  number: number;
  households: number;
  grid_code: string;
  last_visit_on: string | null;
};
export type FieldBuilding = {
  id: number;
  name: string;
  grid_code: string;
  entrances: number;
  households: number;
  last_visit_on: string | null;
};
export type FieldVenue = {
  id: number;
  name: string;
  category: string;
  grid_code: string;
  due_on: string | null;
  last_inspected_on: string | null;
  last_result: "ok" | "issues_found" | "closed_down" | null;
};
export type FieldHazard = {
  id: number;
  title: string;
  category: string;
  severity: "low" | "medium" | "high";
  status: HazardStatus;
  grid_code: string;
  venue_id: number | null;
  version: number;
  assigned_to_me: boolean;
  reported_on: string;
};
export type HazardStatus = "reported" | "assigned" | "in_progress" | "resolved" | "verified";
export type Category = { code: string; name_zh: string; name_en: string };

/** Everything the phone needs to work in the worker's own grids with no network (`GET /api/me/field`). */
export type FieldData = {
  version: string;
  /** The subdistrict's local day the answer was made on. */
  today: string;
  me: { worker_id: number; name: string; role: "grid_leader" | "grid_worker" | "info_worker"; grid_codes: string[] };
  bbox: BBox;
  grids: Fc<GeoJSON.Geometry, FieldGrid>;
  buildings: Fc<GeoJSON.Point, FieldBuilding>;
  entrances: Fc<GeoJSON.Point, FieldEntrance>;
  venues: Fc<GeoJSON.Point, FieldVenue>;
  hazards: Fc<GeoJSON.Point, FieldHazard>;
  hazard_categories: Category[];
  venue_categories: Array<Category & { inspection_interval_days: number }>;
};

/** A failure to reach the server at all (offline, the connection dropped): the queue waits and tries again. */
export const isNetworkError = (err: unknown) => err instanceof ApiError && err.status === 0;

async function send(url: string, init: RequestInit): Promise<Response> {
  try {
    return await fetch(url, { credentials: "same-origin", ...init });
  } catch (err) {
    throw new ApiError(0, "network", `无法连接服务器：${(err as Error).message}`, `cannot reach the server: ${err}`);
  }
}

export async function refusalOf(res: Response): Promise<ApiError> {
  return refusal(res.status, await res.json().catch(() => ({})));
}

/**
 * The worker's field data; with `since`, null when nothing changed since that version (the server says so in a
 * small answer instead of the whole set).
 */
export async function fetchField(since?: FieldData["version"]): Promise<FieldData | null> {
  const res = await send(since === undefined ? "/api/me/field" : `/api/me/field?since=${encodeURIComponent(since)}`, {
    cache: "no-store",
  });
  if (res.status === 304) return null;
  if (!res.ok) throw await refusalOf(res);
  const body = (await res.json()) as FieldData | { version: string; changed: false };
  return "changed" in body && body.changed === false ? null : (body as FieldData);
}

let early: Promise<FieldData | null> | null = null;

/**
 * Asks for the worker's field data as soon as the session says who signed in, while the field app's code (MapLibre
 * among it) is still on its way: on a slow link the answer then arrives beside the code instead of after it. For a
 * phone with no copy of its own (a first start); the field app's first fetch takes this answer.
 */
export function fetchFieldEarly(): void {
  if (early) return;
  early = fetchField();
  // Taken later, or never (the worker signs out first): a failure here is the later fetch's to report.
  early.catch(() => undefined);
}

/** The early answer when there is one and no version is asked for (taken once), else a fetch as usual. */
export async function fetchFieldFirst(since?: FieldData["version"]): Promise<FieldData | null> {
  const started = early;
  early = null;
  if (started && since === undefined) {
    const answer = await started.catch(() => null);
    if (answer) return answer;
  }
  return fetchField(since);
}

/** A creating POST that the server applies once per `key`, whatever number of times it arrives. */
export async function postOnce<T>(url: string, key: string, body: unknown): Promise<T> {
  const res = await send(url, {
    method: "POST",
    headers: { "content-type": "application/json", "idempotency-key": key, ...csrfHeaders() },
    body: JSON.stringify(body),
  });
  if (!res.ok) throw await refusalOf(res);
  return (await res.json()) as T;
}

/** Uploads one photo (already resized and stripped of its metadata on the phone). */
export async function postPhoto(url: string, key: string, photo: Blob): Promise<{ id: number; url: string }> {
  const res = await send(url, {
    method: "POST",
    headers: { "content-type": photo.type || "image/jpeg", "idempotency-key": key, ...csrfHeaders() },
    body: photo,
  });
  if (!res.ok) throw await refusalOf(res);
  return (await res.json()) as { id: number; url: string };
}
