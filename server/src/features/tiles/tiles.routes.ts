import { createHash } from "node:crypto";
import { z } from "@hono/zod-openapi";
import type { Context, MiddlewareHandler } from "hono";
import { getCookie } from "hono/cookie";
import type { Principal } from "../../auth/principal.ts";
import { hashToken, principalOf, SESSION_COOKIE, sessionGuard } from "../../auth/session.ts";
import { type Db, readerOf } from "../../db/db.ts";
import { notFound } from "../../errors.ts";
import { ByteCache } from "../../http/byte-cache.ts";
import { type AppEnv, createRouter } from "../../http/router.ts";
import { routesFor } from "../../http/routes.ts";
import { errorResponses, json } from "../../http/schemas.ts";
import { LAYER_NAMES, type LayerName, scopeKey, TILE_LAYERS, tileScope } from "./tiles.layers.ts";
import { readVersions, renderTile } from "./tiles.queries.ts";

/** Bytes of rendered tiles kept per database (per server process, in practice). */
const CACHE_BYTES = 256 * 1024 * 1024;
/**
 * How long the versions read from the database are trusted before a tile request reads them again. A request for
 * a version older than the newest known one is redirected to the newest; within this window after a change a
 * request for the previous version may still get that version's tile (which is what its URL names). Reading
 * /tiles/versions always reads the database, so a client that asks after an edit gets the new URLs at once.
 */
const VERSIONS_TTL_MS = 250;
const MAX_ZOOM = 22;

/**
 * How long tile requests trust the principal an earlier request of the same session resolved, unless the app's
 * auth config says otherwise. A cached tile is a map lookup, but resolving the session (and sliding its expiry) is
 * two database round trips, which held cached tiles to the database's pace. The price: a sign-out, a disabled
 * account or a changed role reaches the tiles of an open map up to this much later — tiles only, which change
 * nothing and show what the role saw a moment before.
 */
const PRINCIPAL_TTL_MS = 2_000;
/** Sessions remembered at most; beyond it the memory is cleared rather than tracked entry by entry. */
const PRINCIPALS_MAX = 10_000;

type TileState = {
  cache: ByteCache;
  versions: Record<LayerName, number> | null;
  readAt: number;
  principals: Map<string, { principal: Principal; at: number }>;
};
const states = new WeakMap<Db, TileState>();

function stateOf(db: Db): TileState {
  let s = states.get(db);
  if (!s) {
    s = { cache: new ByteCache(CACHE_BYTES), versions: null, readAt: 0, principals: new Map() };
    states.set(db, s);
  }
  return s;
}

/** Process-wide figures of the tile caches, for benchmarks. */
export function tileCacheStats(db: Db) {
  const { cache } = stateOf(db);
  return { entries: cache.size, bytes: cache.bytes, hits: cache.hits, misses: cache.misses };
}

async function versionsOf(db: Db, fresh: boolean): Promise<Record<LayerName, number>> {
  const s = stateOf(db);
  if (!fresh && s.versions && performance.now() - s.readAt < VERSIONS_TTL_MS) return s.versions;
  s.versions = await readVersions(db);
  s.readAt = performance.now();
  return s.versions;
}

const Layer = z.enum(LAYER_NAMES as [LayerName, ...LayerName[]]).openapi({ example: "grids" });
const coord = (name: string) =>
  z.coerce
    .number()
    .int()
    .min(0)
    .openapi({ param: { name, in: "path" }, example: 0 });
const TileParams = z.object({
  layer: Layer,
  version: z
    .string()
    .regex(/^v\d{1,15}$/)
    .openapi({ example: "v1", description: "the layer's version, from /tiles/versions" }),
  z: z.coerce.number().int().min(0).max(MAX_ZOOM),
  x: coord("x"),
  y: z
    .string()
    .regex(/^\d{1,8}\.pbf$/)
    .openapi({ example: "0.pbf", description: "the tile row followed by .pbf" }),
});
const LatestParams = TileParams.omit({ version: true });

const mvt = {
  "application/vnd.mapbox-vector-tile": { schema: z.string().openapi({ format: "binary" }) },
};
const tags = ["tiles"];

const route = routesFor(tags, errorResponses);
const versionsRoute = route("get /tiles/versions", {
  summary: "The current version of every tile layer; tile URLs carry it and are cached for good",
  responses: {
    200: json(z.object({ versions: z.record(z.string(), z.number()) }), "Layer → version"),
  },
});

const tileJsonRoute = route("get /tiles/{layer}/tile.json", {
  summary: "TileJSON of a layer: its tile URL at the current version, zooms and MVT layers (MapLibre's source url)",
  request: { params: z.object({ layer: Layer }) },
  responses: {
    200: json(z.record(z.string(), z.unknown()), "TileJSON 3.0.0"),
  },
});

const tileRoute = route("get /tiles/{layer}/{version}/{z}/{x}/{y}", {
  summary:
    "A vector tile (MVT) of a layer at a version, narrowed to what the caller may see; immutable, so cached privately for a year. An older version redirects to the current one",
  request: { params: TileParams },
  responses: {
    200: { description: "The tile", content: mvt },
    204: { description: "An empty tile" },
    302: { description: "The layer has a newer version: the same tile at it" },
    304: { description: "Not modified (If-None-Match)" },
  },
});

const latestRoute = route("get /tiles/{layer}/{z}/{x}/{y}", {
  summary: "A vector tile at the layer's current version: redirects to its versioned, cacheable URL",
  request: { params: LatestParams },
  responses: {
    302: { description: "The versioned URL" },
  },
});

function tileUrl(layer: LayerName, version: number, z: number, x: number, y: number): string {
  return `/tiles/${layer}/v${version}/${z}/${x}/${y}.pbf`;
}

function checkedTile(layer: LayerName, zoom: number, x: number, yPbf: string) {
  const y = Number.parseInt(yPbf, 10);
  const n = 2 ** zoom;
  if (x >= n || y >= n) throw notFound(`缩放级别 ${zoom} 没有瓦片 ${x}/${y}`, `no tile ${x}/${y} at zoom ${zoom}`);
  return { layer, z: zoom, x, y };
}

function scopeOf(c: Context<AppEnv>, layer: LayerName) {
  const scope = tileScope(layer, principalOf(c));
  const key = scopeKey(scope);
  return { scope, key: key === "all" ? key : createHash("sha1").update(key).digest("base64url").slice(0, 16) };
}

const noStore = { "cache-control": "no-store" };

/** The session guard of /api, with the principal of a session remembered for a while (`PRINCIPAL_TTL_MS`). */
function tileGuard(): MiddlewareHandler<AppEnv> {
  const guard = sessionGuard();
  return async (c, next) => {
    const token = getCookie(c, SESSION_COOKIE);
    if (!token || token.length >= 200) return guard(c, next);
    const id = hashToken(token);
    const { principals } = stateOf(c.get("db"));
    const known = principals.get(id);
    const ttl = c.get("auth").tilePrincipalTtlMs ?? PRINCIPAL_TTL_MS;
    if (known && performance.now() - known.at < ttl) {
      c.set("principal", known.principal);
      return next();
    }
    return guard(c, async () => {
      const principal = c.get("principal");
      if (principal && !principal.mustChangePassword) {
        if (principals.size >= PRINCIPALS_MAX) principals.clear();
        principals.set(id, { principal, at: performance.now() });
      }
      await next();
    });
  };
}

/**
 * Vector tiles at /tiles (issue 10): behind the session guard of /api (see `tileGuard`), each layer narrowed by the caller's
 * scope inside the SQL. A tile's URL carries its layer's version and is immutable: rendered once per version
 * and scope, kept in an LRU, answered with a weak ETag and a year of private caching.
 */
export const tilesRoutes = createRouter();
tilesRoutes.use("/tiles/*", tileGuard());

tilesRoutes
  .openapi(versionsRoute, async (c) => {
    const versions = await versionsOf(c.get("db"), true);
    return c.json({ versions }, 200, noStore);
  })
  .openapi(tileJsonRoute, async (c) => {
    const { layer } = c.req.valid("param");
    scopeOf(c, layer);
    const version = (await versionsOf(c.get("db"), true))[layer];
    // Never from the request's Host: a forged one would hand the client someone else's tile URLs. Relative unless
    // the public URL is configured (the web app resolves relative tile URLs against its own origin).
    const origin = c.get("site").publicUrl ?? "";
    const zooms = TILE_LAYERS[layer].vectorLayers;
    return c.json(
      {
        tilejson: "3.0.0",
        name: layer,
        version: `${version}`,
        scheme: "xyz",
        tiles: [`${origin}/tiles/${layer}/v${version}/{z}/{x}/{y}.pbf`],
        minzoom: 0,
        maxzoom: 16,
        vector_layers: zooms.map((l) => ({ id: l.id, minzoom: l.minzoom, maxzoom: l.maxzoom, fields: {} })),
      },
      200,
      noStore,
    );
  })
  .openapi(latestRoute, async (c) => {
    const p = c.req.valid("param");
    const t = checkedTile(p.layer, p.z, p.x, p.y);
    scopeOf(c, t.layer);
    const version = (await versionsOf(c.get("db"), false))[t.layer];
    return c.redirect(tileUrl(t.layer, version, t.z, t.x, t.y), 302);
  })
  .openapi(tileRoute, async (c) => {
    const p = c.req.valid("param");
    const t = checkedTile(p.layer, p.z, p.x, p.y);
    const { scope, key: scopeHash } = scopeOf(c, t.layer);
    const db = c.get("db");
    const asked = Number(p.version.slice(1));
    let current = (await versionsOf(db, false))[t.layer];
    if (asked > current) current = (await versionsOf(db, true))[t.layer];
    if (asked > current)
      throw notFound(`图层 ${t.layer} 没有版本 ${asked}`, `layer ${t.layer} has no version ${asked}`);
    if (asked < current) return c.redirect(tileUrl(t.layer, current, t.z, t.x, t.y), 302);

    const etag = `W/"${t.layer}-${asked}-${scopeHash}"`;
    const headers = {
      "cache-control": "private, max-age=31536000, immutable",
      etag,
      vary: "Cookie",
      "content-type": "application/vnd.mapbox-vector-tile",
    };
    if (c.req.header("if-none-match") === etag) return c.body(null, 304, headers);

    const { cache } = stateOf(db);
    const key = `${t.layer}/${asked}/${scopeHash}/${t.z}/${t.x}/${t.y}`;
    let tile = cache.get(key);
    if (tile) cache.hits++;
    else {
      cache.misses++;
      const rendered = await cache.shared(key, async () => {
        let r = await renderTile(readerOf(db), t.layer, t.z, t.x, t.y, scope);
        // A replica that has not replayed the change yet: the primary has it.
        if (r.version < asked) r = await renderTile(db, t.layer, t.z, t.x, t.y, scope);
        cache.set(`${t.layer}/${r.version}/${scopeHash}/${t.z}/${t.x}/${t.y}`, r.tile);
        return r;
      });
      // The layer changed between the version check and the render: send the client to the newer URL.
      if (rendered.version !== asked) return c.redirect(tileUrl(t.layer, rendered.version, t.z, t.x, t.y), 302);
      tile = rendered.tile;
    }
    if (tile.byteLength === 0) return c.body(null, 204, headers);
    return c.body(tile as Uint8Array<ArrayBuffer>, 200, headers);
  });
