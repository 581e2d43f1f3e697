import { createHash } from "node:crypto";
import type { Context } from "hono";
import type { Principal } from "../auth/principal.ts";
import { principalOf } from "../auth/session.ts";
import { currentDataVersion } from "../db/data-version.ts";
import type { Db } from "../db/db.ts";
import { ByteCache } from "./byte-cache.ts";
import type { AppEnv } from "./router.ts";

/** Bytes of built answers kept per database (per server process, in practice). */
const CACHE_BYTES = 64 * 1024 * 1024;

type Answer = { body: Uint8Array; etag: string; contentType: string; byteLength: number };
const caches = new WeakMap<Db, ByteCache<Answer>>();

function cacheOf(db: Db): ByteCache<Answer> {
  let cache = caches.get(db);
  if (!cache) {
    cache = new ByteCache<Answer>(CACHE_BYTES);
    caches.set(db, cache);
  }
  return cache;
}

/** Process-wide figures of the answer cache, for benchmarks and tests. */
export function answerCacheStats(db: Db) {
  const cache = cacheOf(db);
  return { entries: cache.size, bytes: cache.bytes, hits: cache.hits, misses: cache.misses };
}

/**
 * What of a principal an answer may depend on: its roles and everything that narrows its reach. Two accounts with
 * the same scope get the same answers (and share cache entries); who they are otherwise does not matter.
 */
function scopeSignature(p: Principal): string {
  const s = JSON.stringify([p.roles, p.communities, p.workerIds, p.workerGrids, p.workerCommunities]);
  return createHash("sha1").update(s).digest("base64url");
}

/** Whether an If-None-Match header names the entity tag (weak comparison, as RFC 9110 says for GET), or is `*`. */
export function matchesEtag(ifNoneMatch: string | undefined, etag: string): boolean {
  if (!ifNoneMatch) return false;
  return ifNoneMatch.split(",").some((t) => {
    const tag = t.trim();
    return tag === "*" || tag === etag || tag === `W/${etag}`;
  });
}

/**
 * Answers a read from the server's cache (issue 16: whole-area GeoJSON was rebuilt from PostGIS on every request).
 * The key is the data version (`currentDataVersion`: bumped in the transaction of every write, whatever wrote it),
 * the caller's scope and the request's path and query, so an entry is never stale and never crosses scopes. The
 * answer carries a strong ETag (a hash of its bytes) and If-None-Match gets 304. `personal` answers (staff names or
 * phones) are cached here but get no `Cache-Control` of their own, so the headers middleware marks them no-store;
 * the others may be kept by the browser's private cache if it revalidates first.
 *
 * `build` produces the answer as the route would without the cache (`c.json(…)`), which keeps its type for the
 * typed client; it runs once per key however many requests ask at the same time. Errors are never cached.
 */
export async function cachedAnswer<R extends Response>(
  c: Context<AppEnv>,
  options: { personal: boolean },
  build: () => Promise<R>,
): Promise<R> {
  const db = c.get("db");
  const cache = cacheOf(db);
  const version = await currentDataVersion(db);
  const url = c.req.url;
  const path = url.slice(url.indexOf("/", url.indexOf("//") + 2));
  const key = `${version}\n${scopeSignature(principalOf(c))}\n${path}`;

  let answer = cache.get(key);
  if (answer) cache.hits++;
  else {
    cache.misses++;
    answer = await cache.shared(key, async () => {
      const res = await build();
      const body = new Uint8Array(await res.arrayBuffer());
      const built: Answer = {
        body,
        etag: `"${createHash("sha256").update(body).digest("base64url").slice(0, 32)}"`,
        contentType: res.headers.get("content-type") ?? "application/json",
        byteLength: body.byteLength + key.length,
      };
      if (res.status === 200) cache.set(key, built);
      return built;
    });
  }
  const headers: Record<string, string> = { etag: answer.etag, vary: "Cookie", "content-type": answer.contentType };
  if (!options.personal) headers["cache-control"] = "private, no-cache";
  if (matchesEtag(c.req.header("if-none-match"), answer.etag)) return new Response(null, { status: 304, headers }) as R;
  return new Response(answer.body as Uint8Array<ArrayBuffer>, { status: 200, headers }) as R;
}
