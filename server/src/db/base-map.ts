import type { Db } from "./db.ts";

/** The deployment's raster base map: a tile URL template and its attribution, or none (the offline map only). */
export type BaseMapSetting = { raster_url: string | null; attribution: string; version: number };

/** The origin (scheme, host, port) of a tile URL template, for the CSP; null when there is none. */
export function tileOrigin(template: string | null): string | null {
  if (!template) return null;
  // The template's braces are not valid in a host, but only the part before the path is parsed.
  const m = /^(https?:\/\/[^/?#]+)/i.exec(template);
  if (!m) return null;
  try {
    return new URL(m[1]!).origin;
  } catch {
    return null;
  }
}

/** How long a read of the setting is reused by the CSP of every answer; a change through the API clears it. */
const CACHE_MS = 5_000;
let cached: { at: number; db: Db; value: BaseMapSetting } | null = null;
/**
 * Bumped by every change: a read that began before a change must not cache what it read, or a page asked for while
 * an admin saved would keep the old CSP for CACHE_MS, and the map opened next would have its new tiles refused.
 */
let generation = 0;

export async function readBaseMap(db: Db): Promise<BaseMapSetting> {
  if (cached && cached.db === db && Date.now() - cached.at < CACHE_MS) return cached.value;
  const asOf = generation;
  const row = await db
    .selectFrom("base_map_setting")
    .select(["raster_url", "attribution", "version"])
    .executeTakeFirst();
  const value = {
    raster_url: row?.raster_url ?? null,
    attribution: row?.attribution ?? "",
    version: row?.version ?? 1,
  };
  if (asOf === generation) cached = { at: Date.now(), db, value };
  return value;
}

/** Forgets the cached setting (after a change, so the next answer's CSP follows it at once). */
export function forgetBaseMap(): void {
  generation++;
  cached = null;
}
