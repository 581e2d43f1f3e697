import type { AppType } from "@gridatlas/server";
import { type ClientResponse, hc, type InferResponseType } from "hono/client";
import type { Lang } from "./i18n.ts";

/** The session's CSRF token, sent on every change (the session cookie itself travels on its own, HttpOnly). */
let csrfToken = "";

/** The typed client of our own server: routes, parameters and bodies all come from the server's `AppType`. */
const client = hc<AppType>(typeof location === "undefined" ? "http://localhost/" : location.origin, {
  headers: (): Record<string, string> => (csrfToken ? { "x-csrf-token": csrfToken } : {}),
});
const api = client.api;

/** The server's error body, in both languages so the UI can show the one it speaks. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    readonly zh: string,
    readonly en: string,
  ) {
    super(en);
    this.name = "ApiError";
  }

  text(lang: Lang): string {
    return lang === "zh" ? this.zh : this.en;
  }
}

type ErrorBody = { error?: { code?: string; message?: string; zh?: string; en?: string } };

/** Returns the 200 body or throws an `ApiError` carrying the server's bilingual message. */
async function ok<T>(pending: Promise<ClientResponse<T, number, "json">>): Promise<T> {
  let res: ClientResponse<T, number, "json">;
  try {
    res = await pending;
  } catch (err) {
    throw new ApiError(0, "network", `无法连接服务器：${(err as Error).message}`, `cannot reach the server: ${err}`);
  }
  if (res.ok) return (await res.json()) as T;
  const body = (await res.json().catch(() => ({}))) as ErrorBody;
  const e = body.error ?? {};
  const fallback = `HTTP ${res.status}`;
  throw new ApiError(res.status, e.code ?? "http", e.zh ?? e.message ?? fallback, e.en ?? e.message ?? fallback);
}

/**
 * The server's schema types geometry loosely (`{ type, coordinates: unknown }`); what it sends is GeoJSON from
 * PostGIS, so collections are handed on with the GeoJSON types MapLibre and turf expect, keeping the properties' types.
 */
type Fc<R> = R extends { features: Array<{ properties: infer P }> }
  ? GeoJSON.FeatureCollection<GeoJSON.Geometry, P>
  : never;

const asFc = <R>(body: R) => body as unknown as Fc<R>;

export type BBox = [west: number, south: number, east: number, north: number];

export type Session = InferResponseType<typeof api.session.$get, 200>;

/** Remembers the CSRF token of the session the server just confirmed. */
const holding = (session: Session): Session => {
  csrfToken = session.csrf_token;
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

export type Subdistrict = InferResponseType<typeof api.subdistrict.$get, 200>;
export type GridDetail = InferResponseType<(typeof api.grids)[":code"]["$get"], 200>;
export type Communities = Fc<InferResponseType<typeof api.communities.$get, 200>>;
export type Grids = Fc<InferResponseType<typeof api.grids.$get, 200>>;
export type GridStatus = GridDetail["status"];

export const fetchSubdistrict = () => ok(api.subdistrict.$get());

export const fetchCommunities = async () => asFc(await ok(api.communities.$get()));

export const fetchGrids = async () => asFc(await ok(api.grids.$get({ query: {} })));

export const fetchGrid = (code: string) => ok(api.grids[":code"].$get({ param: { code } }));

export const fetchBlocks = async () => asFc(await ok(api.blocks.$get({ query: {} })));

export const fetchWater = async () => asFc(await ok(api.water.$get({ query: {} })));

export const fetchRoads = async () => asFc(await ok(api.roads.$get({ query: {} })));

export const fetchCompounds = async () => asFc(await ok(api.compounds.$get({ query: {} })));

export const fetchBuildings = async (bbox: BBox) =>
  asFc(await ok(api.buildings.$get({ query: { bbox: bbox.map((v) => v.toFixed(5)).join(",") } })));
