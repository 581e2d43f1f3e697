import type { InferResponseType } from "hono/client";
import { ApiError, api, type ErrorBody, ok, refusal } from "../api.ts";

/**
 * The client of the office's data routes: imports (admins), exports and prints, the search box and the optional
 * raster base map. Split from api.ts (re-exported there) to keep each client file readable.
 */

// ---------------------------------------------------------------- data in and out: imports (admins), exports, prints

export type Upload = InferResponseType<typeof api.imports.files.$post, 201>;
export type ImportJob = InferResponseType<(typeof api.imports)[":id"]["$get"], 200>;
export type OsmImportRequest = Extract<Parameters<typeof api.imports.$post>[0]["json"], { kind: "osm" }>;
export type TerritoryImportRequest = Extract<Parameters<typeof api.imports.$post>[0]["json"], { kind: "territory" }>;
export type TerritoryPreviewRequest = Parameters<typeof api.imports.territory.preview.$post>[0]["json"];
export type ImportFileOptions = Omit<Parameters<typeof api.imports.preview.$post>[0]["json"], "limit">;
export type LayerImportRequest = Parameters<typeof api.imports.layers.$post>[0]["json"];
export type PlanImportRequest = Parameters<typeof api.imports.plans.$post>[0]["json"];

export const createUpload = (name: string, size_bytes: number) =>
  ok(api.imports.files.$post({ json: { name, size_bytes } }));

export const uploadChunk = (id: string, offset: number, data: string) =>
  ok(api.imports.files[":id"].$put({ param: { id }, json: { offset, data } }));

export const previewImport = (options: ImportFileOptions, limit = 2000) =>
  ok(api.imports.preview.$post({ json: { ...options, limit } }));

export const importLayer = (request: LayerImportRequest) => ok(api.imports.layers.$post({ json: request }));

export const importPlan = (request: PlanImportRequest) => ok(api.imports.plans.$post({ json: request }));

export const startOsmImport = (request: OsmImportRequest) => ok(api.imports.$post({ json: request }));

export const startTerritoryImport = (request: TerritoryImportRequest) => ok(api.imports.$post({ json: request }));

export const previewTerritory = (request: TerritoryPreviewRequest) =>
  ok(api.imports.territory.preview.$post({ json: request }));

export const fetchImportJob = (id: string) => ok(api.imports[":id"].$get({ param: { id } }));

/** A file the server made (an export, a print): its bytes, the name it suggests and its response headers. */
export type Download = { blob: Blob; filename: string; headers: Headers };

/**
 * GETs a file the server writes, reporting bytes received (and the total when known) as they come, so a slow
 * export or print can show progress. A refusal throws the server's bilingual `ApiError`.
 */
export async function fetchDownload(
  url: string,
  onProgress?: (received: number, total: number | null) => void,
): Promise<Download> {
  let res: Response;
  try {
    res = await fetch(url, { credentials: "same-origin" });
  } catch (err) {
    throw new ApiError(0, "network", `无法连接服务器：${(err as Error).message}`, `cannot reach the server: ${err}`);
  }
  if (!res.ok) throw refusal(res.status, (await res.json().catch(() => ({}))) as ErrorBody);
  const length = Number(res.headers.get("content-length"));
  const total = Number.isFinite(length) && length > 0 ? length : null;
  const parts: Uint8Array[] = [];
  let received = 0;
  const reader = res.body?.getReader();
  while (reader) {
    const { done, value } = await reader.read();
    if (done) break;
    parts.push(value);
    received += value.byteLength;
    onProgress?.(received, total);
  }
  const disposition = res.headers.get("content-disposition") ?? "";
  const filename = /filename="([^"]+)"/.exec(disposition)?.[1] ?? url.split("?")[0]!.split("/").pop()!;
  const blob = new Blob(parts as BlobPart[], { type: res.headers.get("content-type") ?? "application/octet-stream" });
  return { blob, filename, headers: res.headers };
}

// ---------------------------------------------------------------- search (every map page's search box)

export type SearchAnswer = InferResponseType<typeof api.search.$get, 200>;
export type SearchHit = SearchAnswer["groups"][number]["results"][number];

/** Places by name, number, code or address, grouped by kind, inside what the account may read. */
/** Places by name, number, code or address; grids of `plan` (a draft in the editor) instead of the published plan. */
export const searchPlaces = (q: string, plan?: number, init?: { signal?: AbortSignal }) =>
  ok(api.search.$get({ query: plan ? { q, plan: String(plan) } : { q } }, init ? { init } : undefined));

// ---------------------------------------------------------------- settings: the optional raster base map

export type BaseMapSetting = InferResponseType<(typeof api.settings)["base-map"]["$get"], 200>;

export const fetchBaseMapSetting = () => ok(api.settings["base-map"].$get());

export const saveBaseMapSetting = (raster_url: string | null, attribution: string, version: number) =>
  ok(api.settings["base-map"].$put({ json: { raster_url, attribution, version } }));
