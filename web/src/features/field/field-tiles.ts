import { type BBox, grow } from "../../map/geo.ts";

/**
 * The cache the service worker answers tiles from (its runtime route for /tiles/<layer>/v<n>/… uses the same name,
 * see vite.config.ts): tiles put here ahead are there when the network is not.
 */
export const TILE_CACHE = "gridatlas-tiles";
/** The service worker's caches of TileJSON and tile versions, and of label glyphs (vite.config.ts). */
const TILEJSON_CACHE = "gridatlas-tilejson";
const GLYPH_CACHE = "gridatlas-glyphs";

/**
 * Keeps what the map loaded before the service worker took over the page (the first start): the TileJSON of each
 * source, the tile versions and the glyphs of the labels drawn, so that the map opens with them offline.
 */
async function keepLoaded(tileJsons: string[]): Promise<void> {
  const loaded = performance.getEntriesByType("resource").map((e) => e.name);
  const glyphs = loaded.filter((u) => new URL(u).pathname.startsWith("/glyphs/"));
  const versions = `${location.origin}/tiles/versions`;
  const keep = async (cacheName: string, urls: string[]) => {
    const cache = await caches.open(cacheName);
    await Promise.all(
      urls.map(async (url) => {
        const res = await fetch(url, { credentials: "same-origin" }).catch(() => null);
        if (res?.ok) await cache.put(url, res);
      }),
    );
  };
  await Promise.all([keep(TILEJSON_CACHE, [...tileJsons, versions]), keep(GLYPH_CACHE, glyphs)]);
}

/**
 * Zooms a worker works at offline: 14 (the grids on one screen) to 18 (one entrance). The server cuts tiles to its
 * TileJSON's maxzoom (16 today, where a tile's 4,096 units are about 10 cm): MapLibre draws zooms 17 and 18 from the
 * zoom 16 tiles (overzoom) and never asks for deeper ones, so caching to the TileJSON's maxzoom is what makes 17–18
 * work offline. Were maxzoom raised, the same code would fetch the deeper tiles up to 18.
 */
const MIN_ZOOM = 14;
const MAX_ZOOM = 18;
/** Room kept around the grids (degrees, about 200 m), so the streets just outside a grid's edge draw too. */
const MARGIN_DEG = 0.002;
/**
 * At most this many tiles per source: a bound on what a phone downloads and keeps whatever the extent of the
 * worker's grids. A worker's one or two grids take 20–40 per source; the whole subdistrict at zooms 14–16 about 300.
 * Past the bound the deepest zooms are left out (the map still draws them, more coarsely, from the zooms above).
 */
export const MAX_TILES_PER_SOURCE = 600;

function tileRange(bbox: BBox, z: number): { x0: number; x1: number; y0: number; y1: number } {
  const n = 2 ** z;
  const x = (lng: number) => Math.min(n - 1, Math.max(0, Math.floor(((lng + 180) / 360) * n)));
  const y = (lat: number) => {
    const r = (lat * Math.PI) / 180;
    return Math.min(n - 1, Math.max(0, Math.floor(((1 - Math.asinh(Math.tan(r)) / Math.PI) / 2) * n)));
  };
  const [w, s, e, north] = bbox;
  return { x0: x(w), x1: x(e), y0: y(north), y1: y(s) };
}

/**
 * The tile URLs of `template` (a TileJSON `tiles` entry) covering `bbox` and a margin around it from zoom 14 to
 * `maxzoom` (at most 18), whole zooms only, at most `MAX_TILES_PER_SOURCE`.
 */
export function tileUrls(template: string, bbox: BBox, maxzoom: number): string[] {
  const urls: string[] = [];
  const box = grow(bbox, 0, MARGIN_DEG);
  for (let z = MIN_ZOOM; z <= Math.min(MAX_ZOOM, maxzoom); z++) {
    const { x0, x1, y0, y1 } = tileRange(box, z);
    if (urls.length + (x1 - x0 + 1) * (y1 - y0 + 1) > MAX_TILES_PER_SOURCE) break;
    for (let x = x0; x <= x1; x++) {
      for (let y = y0; y <= y1; y++) {
        urls.push(template.replace("{z}", String(z)).replace("{x}", String(x)).replace("{y}", String(y)));
      }
    }
  }
  return urls;
}

export type TileProgress = { done: number; total: number };

/**
 * Puts the base map's tiles of the worker's grids (zooms 14–18, see MIN_ZOOM) into the tile cache, skipping those already there,
 * so the map draws with no network. `tileJsons` are the vector sources' TileJSON URLs; their tile URLs carry the
 * layer's version, so a tile once cached stays right until the layer changes (and then new URLs are fetched).
 */
export async function cacheTilesAhead(
  tileJsons: string[],
  bbox: BBox,
  onProgress: (p: TileProgress) => void,
): Promise<TileProgress> {
  if (typeof caches === "undefined") return { done: 0, total: 0 };
  await keepLoaded(tileJsons);
  const cache = await caches.open(TILE_CACHE);
  const urls: string[] = [];
  for (const url of tileJsons) {
    const res = await fetch(url, { credentials: "same-origin" });
    if (!res.ok) continue;
    const tj = (await res.json()) as { tiles?: string[]; maxzoom?: number };
    if (tj.tiles?.[0]) urls.push(...tileUrls(tj.tiles[0], bbox, tj.maxzoom ?? MAX_ZOOM));
  }
  const progress = { done: 0, total: urls.length };
  onProgress(progress);
  // A few at a time: the phone's connection is shared with the worker's own requests.
  const pending = [...urls];
  const worker = async () => {
    for (let url = pending.shift(); url; url = pending.shift()) {
      if (!(await cache.match(url, { ignoreVary: true }))) {
        const res = await fetch(url, { credentials: "same-origin" }).catch(() => null);
        if (res && (res.status === 200 || res.status === 204)) await cache.put(url, res);
      }
      progress.done++;
      onProgress({ ...progress });
    }
  };
  await Promise.all([worker(), worker(), worker(), worker()]);
  return progress;
}
