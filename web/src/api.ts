import type { AppType } from "@gridatlas/server";
import { type ClientResponse, hc, type InferResponseType } from "hono/client";
import type { Lang } from "./i18n/lang.ts";
import { setTimeZone } from "./i18n/time.ts";
import type { BBox } from "./map/geo.ts";

/** The session's CSRF token, sent on every change (the session cookie itself travels on its own, HttpOnly). */
let csrfToken = "";

/** The CSRF header of the session, for requests made outside the typed client (the field app's queue). */
export const csrfHeaders = (): Record<string, string> => (csrfToken ? { "x-csrf-token": csrfToken } : {});

/** The typed client of our own server: routes, parameters and bodies all come from the server's `AppType`. */
const client = hc<AppType>(typeof location === "undefined" ? "http://localhost/" : location.origin, {
  headers: csrfHeaders,
});
/** The typed client, for this file and the per-area clients under `api/`. */
export const api = client.api;

/** The server's error body, in both languages so the UI can show the one it speaks. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    readonly zh: string,
    readonly en: string,
    /** The input at fault, as the server names it (`username`, `roles.0.community_code`). */
    readonly field?: string,
    /** What the server adds for the client to act on (a 409's current version and changes, a 422's problems). */
    readonly details?: unknown,
  ) {
    super(en);
    this.name = "ApiError";
  }

  text(lang: Lang): string {
    return lang === "zh" ? this.zh : this.en;
  }
}

export type ErrorBody = {
  error?: { code?: string; message?: string; zh?: string; en?: string; field?: string; details?: unknown };
};

const sessionEvents = new EventTarget();

/**
 * Calls `listener` whenever the server answers 401 because the session is gone (idle expiry, signed out
 * elsewhere). The app listens once and goes back to the sign-in form; the request still fails with its
 * `ApiError`, so a page needs no case of its own for it. Returns the way to stop listening.
 */
export function onSessionLost(listener: () => void): () => void {
  sessionEvents.addEventListener("lost", listener);
  return () => sessionEvents.removeEventListener("lost", listener);
}

/**
 * The server's refusal as an `ApiError` carrying its bilingual message. A 401 raises session-lost, except the
 * sign-in's wrong credentials: there was no session to lose.
 */
export function refusal(status: number, body: ErrorBody): ApiError {
  const e = body.error ?? {};
  if (status === 401 && e.code !== "invalid_credentials") sessionEvents.dispatchEvent(new Event("lost"));
  const fallback = `HTTP ${status}`;
  return new ApiError(
    status,
    e.code ?? "http",
    e.zh ?? e.message ?? fallback,
    e.en ?? e.message ?? fallback,
    e.field,
    e.details,
  );
}

/** The body of a response's success statuses. */
type SuccessBody<R> =
  R extends ClientResponse<infer T, infer S, "json"> ? (S extends 200 | 201 | 202 ? T : never) : never;

/** Returns the 200 (or 201) body or throws an `ApiError` carrying the server's bilingual message. */
export async function ok<R extends ClientResponse<unknown, number, "json">>(
  pending: Promise<R>,
): Promise<SuccessBody<R>> {
  let res: R;
  try {
    res = await pending;
  } catch (err) {
    throw new ApiError(0, "network", `无法连接服务器：${(err as Error).message}`, `cannot reach the server: ${err}`);
  }
  if (res.ok) return (await res.json()) as SuccessBody<R>;
  throw refusal(res.status, (await res.json().catch(() => ({}))) as ErrorBody);
}

/** Any failure as an `ApiError`, so the UI has one way to show it. */
export function toApiError(err: unknown): ApiError {
  return err instanceof ApiError ? err : new ApiError(0, "client", String(err), String(err));
}

/**
 * The server's schema types geometry loosely (`{ type, coordinates: unknown }`); what it sends is GeoJSON from
 * PostGIS, so collections are handed on with the GeoJSON types MapLibre and turf expect, keeping the properties' types.
 */
type Fc<R> = R extends { features: Array<{ properties: infer P }> }
  ? GeoJSON.FeatureCollection<GeoJSON.Geometry, P>
  : never;

const asFc = <R>(body: R) => body as unknown as Fc<R>;

export type Session = InferResponseType<typeof api.session.$get, 200>;

/** Remembers the CSRF token of the session the server just confirmed. */
const holding = (session: Session): Session => {
  csrfToken = session.csrf_token;
  setTimeZone(session.time_zone);
  return session;
};

/** The signed-in session, or `null` when there is none (the server answers 401). */
export async function fetchSession(): Promise<Session | null> {
  try {
    return holding(await ok(api.session.$get()));
  } catch (err) {
    if (err instanceof ApiError && err.status === 401) return null;
    throw err;
  }
}

export const signIn = async (username: string, password: string) =>
  holding(await ok(api.session.$post({ json: { username, password } })));

export const changePassword = async (current_password: string, new_password: string) =>
  holding(await ok(api.session.password.$post({ json: { current_password, new_password } })));

export async function signOut(): Promise<void> {
  const status: number = (await api.session.$delete()).status;
  csrfToken = "";
  // 401: the session had already ended, which is what signing out wants.
  if (status >= 400 && status !== 401) throw new ApiError(status, "http", `HTTP ${status}`, `HTTP ${status}`);
}

/** Sets an account's password through its one-time link (no session needed). */
export async function setPasswordByLink(token: string, new_password: string): Promise<void> {
  const res = await api.session["set-password"].$post({ json: { token, new_password } });
  if (res.status >= 400) await ok(res as never);
}

/** Ends every session of the account, on every device, this one included. */
export async function signOutEverywhere(): Promise<void> {
  const status: number = (await api.session.all.$delete()).status;
  csrfToken = "";
  if (status >= 400 && status !== 401) throw new ApiError(status, "http", `HTTP ${status}`, `HTTP ${status}`);
}

export type Subdistrict = InferResponseType<typeof api.subdistrict.$get, 200>;
export type GridDetail = InferResponseType<(typeof api.grids)[":code"]["$get"], 200>;
export type Communities = Fc<InferResponseType<typeof api.communities.$get, 200>>;
export type Grids = Fc<InferResponseType<typeof api.grids.$get, 200>>;
export type GridStatus = GridDetail["status"];

export const fetchSubdistrict = () => ok(api.subdistrict.$get());

export const fetchCommunities = async () => asFc(await ok(api.communities.$get()));

export const fetchGrids = async () => asFc(await ok(api.grids.$get({ query: {} })));

export const fetchGrid = (code: string) => ok(api.grids[":code"].$get({ param: { code } }));

export const fetchWater = async () => asFc(await ok(api.water.$get({ query: {} })));

export const fetchCompounds = async () => asFc(await ok(api.compounds.$get({ query: {} })));

export const fetchBuildings = async (bbox: BBox) =>
  asFc(await ok(api.buildings.$get({ query: { bbox: bbox.map((v) => v.toFixed(5)).join(",") } })));

// ---------------------------------------------------------------- accounts and audit (admins; leaders read the audit)

export type Account = InferResponseType<typeof api.accounts.$get, 200>[number];
export type RoleGrant = Account["roles"][number];
/** Without a password the server issues a one-time set-password link, shown once to the admin. */
export type NewAccount = { username: string; display_name: string; roles: RoleGrant[] };
/** `version` is the account's as read: an edit made against an older one is refused (409). */
export type AccountChange = { display_name?: string; disabled?: boolean; roles?: RoleGrant[]; version: number };
export type PasswordLink = { id: number; set_password_url?: string; set_password_expires_at?: string };

export const fetchAccounts = () => ok(api.accounts.$get());

export const createAccount = (account: NewAccount): Promise<PasswordLink> => ok(api.accounts.$post({ json: account }));

export const changeAccount = (id: number, change: AccountChange) =>
  ok(api.accounts[":id"].$patch({ param: { id: String(id) }, json: change }));

/** Ends the account's sessions and issues a new one-time set-password link. */
export const resetPassword = (id: number): Promise<PasswordLink> =>
  ok(api.accounts[":id"].password.$post({ param: { id: String(id) }, json: {} }));

export type AuditEvent = InferResponseType<typeof api.audit.$get, 200>["events"][number];
export type AuditFilter = {
  actor?: string;
  action?: string;
  entity?: string;
  entity_id?: string;
  community?: string;
  from?: string;
  to?: string;
  before?: number;
  limit?: number;
};

type AuditQuery = Parameters<typeof api.audit.$get>[0]["query"];

export const fetchAudit = (filter: AuditFilter) => {
  const query: Record<string, string> = {};
  for (const [key, value] of Object.entries(filter)) {
    if (value !== undefined && value !== "") query[key] = String(value);
  }
  return ok(api.audit.$get({ query: query as AuditQuery }));
};

// ---------------------------------------------------------------- plans and the editor

export type Plan = InferResponseType<typeof api.plans.$get, 200>[number];
export type PlanDetail = InferResponseType<(typeof api.plans)[":id"]["$get"], 200>;
export type EditResult = InferResponseType<(typeof api.plans)[":id"]["assign"]["$post"], 200>;
export type GridFigures = EditResult["grids"][number];
export type PlanParcel = InferResponseType<(typeof api.plans)[":id"]["parcels"]["$get"], 200>[number];
export type Validation = InferResponseType<(typeof api.plans)[":id"]["validation"]["$get"], 200>;
export type Problem = Validation["errors"][number];
export type HistoryEntry = InferResponseType<(typeof api.plans)[":id"]["history"]["$get"], 200>[number];
export type RenumberResult = InferResponseType<(typeof api.plans)[":id"]["renumber"]["$post"], 200>;

/** A 409's details: the version in force and who changed what since the version the client held. */
export type Conflict = {
  current_version: number;
  changes: Array<{ actor: string; at: string; zh: string; en: string }>;
};

/** The comparison of two plans, as `GET /api/plans/{a}/compare/{b}` sends it. */
export type Comparison = {
  a: number;
  b: number;
  grids: {
    added: string[];
    removed: string[];
    changed: Array<{ code: string; households_a: number; households_b: number }>;
  };
  flows: Array<{ from: string | null; to: string | null; parcels: number; households: number; buildings: number }>;
  parcels: number[];
  totals: { parcels: number; households: number; buildings: number };
};

export type PlanGrids = GeoJSON.FeatureCollection<GeoJSON.Geometry, GridFigures> & { version: number };
export type Parcels = Fc<InferResponseType<typeof api.parcels.$get, 200>>;
export type ParcelEdges = Fc<InferResponseType<(typeof api)["parcel-edges"]["$get"], 200>>;

const planParam = (id: number) => ({ id: String(id) });

export const fetchPlans = () => ok(api.plans.$get());

export const fetchPlan = (id: number) => ok(api.plans[":id"].$get({ param: planParam(id) }));

export const createPlan = (from: "published" | number, name: string) => ok(api.plans.$post({ json: { from, name } }));

export const fetchPlanGrids = async (id: number, community: string) =>
  (await ok(api.plans[":id"].grids.$get({ param: planParam(id), query: { community } }))) as unknown as PlanGrids;

export const fetchPlanParcels = (id: number, community: string) =>
  ok(api.plans[":id"].parcels.$get({ param: planParam(id), query: { community } }));

export const fetchHistory = (id: number) => ok(api.plans[":id"].history.$get({ param: planParam(id) }));

export const fetchValidation = (id: number) => ok(api.plans[":id"].validation.$get({ param: planParam(id) }));

export const fetchParcels = async (community: string) => asFc(await ok(api.parcels.$get({ query: { community } })));

export const fetchParcelEdges = async (community: string) =>
  asFc(await ok(api["parcel-edges"].$get({ query: { community } })));

export const assignParcels = (id: number, version: number, parcels: number[], grid: string) =>
  ok(api.plans[":id"].assign.$post({ param: planParam(id), json: { version, parcels, grid } }));

export const undoEdit = (id: number, version: number) =>
  ok(api.plans[":id"].undo.$post({ param: planParam(id), json: { version } }));

export const redoEdit = (id: number, version: number) =>
  ok(api.plans[":id"].redo.$post({ param: planParam(id), json: { version } }));

export const lockGrid = (id: number, code: string, version: number, locked: boolean) =>
  ok(api.plans[":id"].grids[":code"].lock.$post({ param: { id: String(id), code }, json: { version, locked } }));

export const splitGrid = (
  id: number,
  code: string,
  version: number,
  line: [number, number][],
  snap: "buildings" | "none" = "buildings",
) =>
  ok(
    api.plans[":id"].grids[":code"].split.$post({
      param: { id: String(id), code },
      json: { version, line: { type: "LineString", coordinates: line }, snap },
    }),
  );

export const deleteGrid = (id: number, code: string, version: number, into?: string) =>
  ok(
    api.plans[":id"].grids[":code"].delete.$post({
      param: { id: String(id), code },
      json: into ? { version, into } : { version },
    }),
  );

export const mergeGrids = (id: number, version: number, into: string, other: string) =>
  ok(api.plans[":id"].merge.$post({ param: planParam(id), json: { version, grids: [into, other] } }));

export const renumberGrids = (id: number, version: number, community: string) =>
  ok(api.plans[":id"].renumber.$post({ param: planParam(id), json: { version, community } }));

export const publishPlan = (id: number, version: number, confirm: boolean, reason: string) =>
  ok(
    api.plans[":id"].publish.$post({
      param: planParam(id),
      json: reason ? { version, confirm, reason } : { version, confirm },
    }),
  );

export const comparePlans = async (a: number, b: number) =>
  (await ok(api.plans[":a"].compare[":b"].$get({ param: { a: String(a), b: String(b) } }))) as unknown as Comparison;

/** Where the change list (划转清单) downloads as CSV; a plain link, the session cookie goes along. */
export const transfersCsvUrl = (a: number, b: number) => `/api/plans/${a}/compare/${b}/transfers.csv`;

/** The change list's rows, read from the CSV the server writes (there is no JSON form of it). */
export async function fetchTransfers(a: number, b: number): Promise<string[][]> {
  const res = await fetch(transfersCsvUrl(a, b), { credentials: "same-origin" });
  if (!res.ok) throw refusal(res.status, (await res.json().catch(() => ({}))) as ErrorBody);
  return parseCsv((await res.text()).replace(/^\uFEFF/, ""));
}

/** RFC 4180 CSV: quoted cells may hold commas, quotes (doubled) and line breaks. */
export function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let cell = "";
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i];
    if (quoted) {
      if (ch === '"' && text[i + 1] === '"') {
        cell += '"';
        i++;
      } else if (ch === '"') quoted = false;
      else cell += ch;
    } else if (ch === '"') quoted = true;
    else if (ch === ",") {
      row.push(cell);
      cell = "";
    } else if (ch === "\n" || ch === "\r") {
      if (ch === "\r" && text[i + 1] === "\n") i++;
      row.push(cell);
      rows.push(row);
      row = [];
      cell = "";
    } else cell += ch;
  }
  if (cell !== "" || row.length) {
    row.push(cell);
    rows.push(row);
  }
  return rows;
}

/** What a finished rebalance did: the edit in the draft, the engine's figures and its explanations. */
export type RebalanceResult = {
  edit: EditResult;
  metrics: Record<string, number>;
  explanations: Array<{ kind?: string; severity?: string; zh: string; en: string }>;
};

export type RebalanceJob = Omit<
  InferResponseType<(typeof api.plans)[":id"]["rebalance"][":job"]["$get"], 200>,
  "result"
> & {
  result?: RebalanceResult;
};

export type RebalanceRequest = {
  version: number;
  community: string;
  grids?: string[];
  mode: "repair" | "full";
  min?: number;
  max?: number;
  grid_count?: number;
  /** Seconds of search to the limit after the fast answer (issue 19); 0 gives the fast answer alone. */
  budget_s?: number;
  over_full?: "split" | "keep";
  seed?: number;
};

export const startRebalance = (id: number, request: RebalanceRequest) =>
  ok(api.plans[":id"].rebalance.$post({ param: planParam(id), json: request }));

export const fetchRebalance = async (id: number, job: string) =>
  (await ok(api.plans[":id"].rebalance[":job"].$get({ param: { id: String(id), job } }))) as RebalanceJob;

/** Stops the search to the limit: the job then finishes with the best plan it had, applied as usual. */
export const stopRebalance = async (id: number, job: string) =>
  (await ok(api.plans[":id"].rebalance[":job"].stop.$post({ param: { id: String(id), job } }))) as RebalanceJob;

// ---------------------------------------------------------------- the community workspace, workers and visits (issue 6)

export type CommunityStatus = InferResponseType<(typeof api.communities)[":code"]["status"]["$get"], 200>;
export type GridStatusRow = CommunityStatus["grids"][number];
export type SubdistrictStatus = InferResponseType<typeof api.subdistrict.status.$get, 200>;
export type CommunityStatusRow = SubdistrictStatus["communities"][number];
export type GridCard = InferResponseType<(typeof api.grids)[":code"]["status"]["$get"], 200>;
export type CoverageReport = InferResponseType<(typeof api.communities)[":code"]["report"]["$get"], 200>;
export type CommunitySummary = InferResponseType<(typeof api.communities)[":code"]["summary"]["$get"], 200>;
export type WorkerList = InferResponseType<typeof api.workers.$get, 200>;
export type Worker = WorkerList["workers"][number];
export type WorkerInput = { role: string; name: string; phone: string; started_on: string };
export type VisitRow = InferResponseType<typeof api.visits.$get, 200>[number];
export type VisitImportReport = InferResponseType<(typeof api.visits)["import"]["$post"], 201>;
export type GridCoverageShare = { code: string; road_covered_share: number | null };

/** `today` is left out for the real date; the demo's data ends on 2026-11-20. */
const asOf = (today: string | null) => (today ? { today } : {});

export const fetchCommunityStatus = (code: string, today: string | null) =>
  ok(api.communities[":code"].status.$get({ param: { code }, query: asOf(today) }));

export const fetchSubdistrictStatus = (today: string | null) => ok(api.subdistrict.status.$get({ query: asOf(today) }));

export const fetchGridCard = (code: string, today: string | null) =>
  ok(api.grids[":code"].status.$get({ param: { code }, query: asOf(today) }));

export const fetchCoverageReport = (code: string, range: { from: string; to: string }) =>
  ok(api.communities[":code"].report.$get({ param: { code }, query: range }));

export const fetchCommunitySummary = (code: string, range: { from: string; to: string; today?: string }) =>
  ok(api.communities[":code"].summary.$get({ param: { code }, query: range }));

/** Where the report downloads; plain links, the session cookie goes along. */
export const reportFileUrl = (
  code: string,
  kind: "xlsx" | "workers.csv" | "grids.csv",
  range: { from: string; to: string },
) => {
  const q = `from=${range.from}&to=${range.to}`;
  if (kind === "xlsx") return `/api/communities/${code}/report.xlsx?${q}`;
  return `/api/communities/${code}/report.csv?${q}&part=${kind === "workers.csv" ? "workers" : "grids"}`;
};

/** Camera coverage per grid, where the coverage API answers; null when it does not (no camera access, not built). */
/** Each grid's road covered share, of one community or (null) the whole subdistrict; null where refused. */
export async function fetchGridCoverage(community: string | null): Promise<GridCoverageShare[] | null> {
  try {
    const body = (await ok(api.coverage.$get({ query: community ? { community } : {} }))) as unknown as {
      grids?: GridCoverageShare[];
    };
    return body.grids ?? null;
  } catch {
    return null;
  }
}

export const fetchWorkers = (community: string | null, includeRetired = false) =>
  ok(
    api.workers.$get({
      query: { ...(community ? { community } : {}), ...(includeRetired ? { include_retired: "true" as const } : {}) },
    }),
  );

export const createWorker = (community_code: string, w: WorkerInput) =>
  ok(
    api.workers.$post({
      json: {
        community_code,
        role: w.role as Worker["role"] & "grid_worker",
        name: w.name,
        phone: w.phone,
        started_on: w.started_on,
      },
    }),
  );

export const changeWorker = (
  id: number,
  change: {
    role?: string;
    name?: string;
    phone?: string;
    started_on?: string;
    retired_on?: string | null;
    /** The version the change was made on (409 if the worker changed since). */
    version?: number | undefined;
  },
) =>
  ok(
    api.workers[":id"].$patch({
      param: { id: String(id) },
      json: change as Parameters<(typeof api.workers)[":id"]["$patch"]>[0]["json"],
    }),
  );

export const assignWorker = (id: number, grid_code: string) =>
  ok(api.workers[":id"].assignments.$post({ param: { id: String(id) }, json: { grid_code } }));

export const unassignWorker = (id: number, code: string) =>
  ok(api.workers[":id"].assignments[":code"].$delete({ param: { id: String(id), code } }));

export const recordVisit = (visit: {
  worker_id: number;
  entrance_id?: number;
  building_id?: number;
  visited_on: string;
  note?: string;
}) => ok(api.visits.$post({ json: visit }));

export const importVisits = (csv: string, dryRun: boolean) =>
  ok(api.visits.import.$post({ json: { csv }, query: dryRun ? { dry_run: "true" } : {} }));

export const fetchVisits = (filter: { community?: string; grid?: string; worker?: number; limit?: number }) =>
  ok(
    api.visits.$get({
      query: {
        ...(filter.community ? { community: filter.community } : {}),
        ...(filter.grid ? { grid: filter.grid } : {}),
        ...(filter.worker ? { worker: filter.worker } : {}),
        ...(filter.limit ? { limit: filter.limit } : {}),
      } as Parameters<typeof api.visits.$get>[0]["query"],
    }),
  );

// ---------------------------------------------------------------- the leader's map: venues, hazards, statistics

/** The filters of the leader's map as query parameters (lists comma-separated); absent ones are left out. */
export type PlaceQuery = Record<string, string>;

export type VenueClusters = Fc<InferResponseType<typeof api.venues.clusters.$get, 200>>;
export type HazardClusters = Fc<InferResponseType<typeof api.hazards.clusters.$get, 200>>;
export type Venues = Fc<InferResponseType<typeof api.venues.$get, 200>>;
export type Hazards = Fc<InferResponseType<typeof api.hazards.$get, 200>>;
export type VenueCard = InferResponseType<(typeof api.venues)[":id"]["$get"], 200>;
export type HazardCard = InferResponseType<(typeof api.hazards)[":id"]["$get"], 200>;
export type HazardMove = InferResponseType<(typeof api.hazards)[":id"]["history"]["$get"], 200>[number];
export type HazardStats = InferResponseType<typeof api.stats.hazards.$get, 200>;
export type VenueCategory = InferResponseType<(typeof api)["venue-categories"]["$get"], 200>[number];
export type HazardCategory = InferResponseType<(typeof api)["hazard-categories"]["$get"], 200>[number];
export type NewHazard = {
  geometry: { type: "Point"; coordinates: [number, number] };
  category: string;
  severity: "low" | "medium" | "high";
  title: string;
  note?: string;
  venue_id?: number;
};
export type HazardStatusName = HazardCard["properties"]["status"];
export type NewInspection = {
  inspected_on: string;
  result: "ok" | "issues_found" | "closed_down";
  note?: string;
  follow_up?: string;
  joint_with_police?: boolean;
  hazards?: Array<{ category: string; severity: "low" | "medium" | "high"; title: string; note?: string }>;
};

export const fetchVenueClusters = async (query: PlaceQuery, zoom: number) =>
  asFc(await ok(api.venues.clusters.$get({ query: { ...query, zoom: String(zoom) } })));

export const fetchHazardClusters = async (query: PlaceQuery, zoom: number) =>
  asFc(await ok(api.hazards.clusters.$get({ query: { ...query, zoom: String(zoom) } })));

export const fetchVenues = async (query: PlaceQuery) => asFc(await ok(api.venues.$get({ query })));

export const fetchHazards = async (query: PlaceQuery) => asFc(await ok(api.hazards.$get({ query })));

export const fetchVenue = (id: number) => ok(api.venues[":id"].$get({ param: { id: String(id) } }));

export const fetchHazard = (id: number) => ok(api.hazards[":id"].$get({ param: { id: String(id) } }));

export const fetchHazardHistory = (id: number) => ok(api.hazards[":id"].history.$get({ param: { id: String(id) } }));

export const fetchHazardStats = (query: PlaceQuery) => ok(api.stats.hazards.$get({ query }));

export const fetchVenueCategories = () => ok(api["venue-categories"].$get());

export const fetchHazardCategories = () => ok(api["hazard-categories"].$get());

export const reportHazard = (hazard: NewHazard) => ok(api.hazards.$post({ json: hazard }));

export const moveHazard = (id: number, to: HazardStatusName, note: string, from: HazardStatusName) =>
  ok(
    api.hazards[":id"].transitions.$post({
      param: { id: String(id) },
      json: note ? { to, note, from } : { to, from },
    }),
  );

export const recordInspection = (venueId: number, inspection: NewInspection) =>
  ok(api.venues[":id"].inspections.$post({ param: { id: String(venueId) }, json: inspection }));

export const changeVenueInterval = (code: string, days: number) =>
  ok(api["venue-categories"][":code"].$patch({ param: { code }, json: { inspection_interval_days: days } }));

// ---------------------------------------------------------------- cameras and their coverage (issue 8)

export type Cameras = Fc<InferResponseType<typeof api.cameras.$get, 200>>;
export type CameraProps = Cameras["features"][number]["properties"];
export type CameraFeature = GeoJSON.Feature<GeoJSON.Point, CameraProps>;
export type CameraChange = InferResponseType<(typeof api.cameras)[":id"]["$patch"], 200>;
export type CameraRemoval = InferResponseType<(typeof api.cameras)[":id"]["$delete"], 200>;
export type AffectedGrid = CameraChange["grids"][number];
export type Coverage = InferResponseType<typeof api.coverage.$get, 200>;
export type GridCoverageRow = Coverage["grids"][number];
export type CoverageScenario = Coverage["scenario"];
export type BlindSpots = Fc<InferResponseType<(typeof api.coverage)["blind-spots"]["$get"], 200>>;
export type CoverageSuggestion = InferResponseType<typeof api.coverage.suggest.$post, 200>;
export type CameraPatch = Parameters<(typeof api.cameras)[":id"]["$patch"]>[0]["json"];
export type NewCamera = Parameters<typeof api.cameras.$post>[0]["json"];

export const fetchCameras = async (community: string) =>
  asFc(await ok(api.cameras.$get({ query: { community, views: "true" } })));

export const fetchCoverage = (community: string, scenario: CoverageScenario) =>
  ok(api.coverage.$get({ query: { community, scenario } }));

export const fetchBlindSpots = async (
  community: string,
  q: { scenario: CoverageScenario; min_length_m: number; sort: "class" | "length" },
) =>
  asFc(
    await ok(
      api.coverage["blind-spots"].$get({
        query: { community, scenario: q.scenario, min_length_m: String(q.min_length_m), sort: q.sort },
      }),
    ),
  );

/** With `include_planned`, the sites add to what online and planned cameras see together. */
export const suggestSites = (community: string, k: number, include_planned: boolean) =>
  ok(api.coverage.suggest.$post({ json: { community, k, include_planned } }));

export const changeCamera = (id: number, patch: CameraPatch) =>
  ok(api.cameras[":id"].$patch({ param: { id: String(id) }, json: patch }));

export const placeCamera = (camera: NewCamera) => ok(api.cameras.$post({ json: camera }));

export const removeCamera = (id: number, version: number) =>
  ok(api.cameras[":id"].$delete({ param: { id: String(id) }, query: { version: String(version) } }));

// Data in and out, search and settings have their own file; every page still imports them from here.
export * from "./api/data.ts";
