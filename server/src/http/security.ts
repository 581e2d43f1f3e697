import type { MiddlewareHandler } from "hono";
import { readBaseMap, tileOrigin } from "../db/base-map.ts";
import type { AppEnv } from "./router.ts";

/**
 * What the page may load: only our own origin. MapLibre needs `blob:` for its worker and for decoded images
 * (sprites, glyph atlases); styles allow inline because MapLibre and React position elements with style
 * attributes. Scripts are never inline (the built index.html carries none, which a test checks).
 */
export const CONTENT_SECURITY_POLICY = [
  "default-src 'self'",
  "script-src 'self'",
  "worker-src 'self' blob:",
  "child-src 'self' blob:",
  "img-src 'self' data: blob:",
  "style-src 'self' 'unsafe-inline'",
  "font-src 'self' data:",
  "connect-src 'self'",
  "object-src 'none'",
  "base-uri 'self'",
  "form-action 'self'",
  "frame-ancestors 'none'",
].join("; ");

/**
 * The policy with the raster base map's tile origin allowed for images and fetches (MapLibre fetches raster
 * tiles), when an admin has set one; otherwise exactly `CONTENT_SECURITY_POLICY`.
 */
export function contentSecurityPolicy(tileOriginAllowed: string | null): string {
  if (!tileOriginAllowed) return CONTENT_SECURITY_POLICY;
  return CONTENT_SECURITY_POLICY.replace(
    "img-src 'self' data: blob:",
    `img-src 'self' data: blob: ${tileOriginAllowed}`,
  ).replace("connect-src 'self'", `connect-src 'self' ${tileOriginAllowed}`);
}

/** Whether the request reached us over HTTPS: directly, or through a trusted proxy that says so. */
export function servedOverHttps(url: string, forwardedProto: string | undefined, trustProxy: boolean): boolean {
  if (url.startsWith("https:")) return true;
  return trustProxy && forwardedProto?.split(",")[0]?.trim().toLowerCase() === "https";
}

/**
 * The headers every answer carries, whatever route or error produced it. API answers are never stored by a cache
 * unless the route said otherwise: many carry staff names and phone numbers (workers, teams, accounts, audit,
 * visits), and the ones that may be revalidated (whole-area GeoJSON with an ETag) set their own `private` policy.
 */
export function securityHeaders(): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    await next();
    const h = c.res.headers;
    // Only pages need the tile origin, and a database that is down must not turn every answer into an error.
    const origin = c.req.path.startsWith("/api/")
      ? null
      : await readBaseMap(c.get("db"))
          .then((s) => tileOrigin(s.raster_url))
          .catch(() => null);
    h.set("content-security-policy", contentSecurityPolicy(origin));
    h.set("x-content-type-options", "nosniff");
    h.set("referrer-policy", "same-origin");
    h.set("x-frame-options", "DENY");
    h.set("cross-origin-opener-policy", "same-origin");
    if (servedOverHttps(c.req.url, c.req.header("x-forwarded-proto"), c.get("site").trustProxy)) {
      h.set("strict-transport-security", "max-age=31536000; includeSubDomains");
    }
    if (c.req.path.startsWith("/api/") && !h.has("cache-control")) h.set("cache-control", "no-store");
  };
}
