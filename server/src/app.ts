import fs from "node:fs";
import path from "node:path";
import { serveStatic } from "@hono/node-server/serve-static";
import { OpenAPIHono } from "@hono/zod-openapi";
import { bodyLimit } from "hono/body-limit";
import { HTTPException } from "hono/http-exception";
import { type AuthConfig, type SiteConfig, sessionGuard } from "./auth/session.ts";
import type { RetentionConfig } from "./config.ts";
import type { Db } from "./db/db.ts";
import { DomainError } from "./errors.ts";
import { accountsRoutes } from "./features/accounts/accounts.routes.ts";
import { auditRoutes } from "./features/audit/audit.routes.ts";
import { blocksRoutes } from "./features/blocks/blocks.routes.ts";
import { buildingsRoutes } from "./features/buildings/buildings.routes.ts";
import { camerasRoutes } from "./features/cameras/cameras.routes.ts";
import { coverageRoutes } from "./features/cameras/coverage.routes.ts";
import { communitiesRoutes } from "./features/communities/communities.routes.ts";
import { compoundsRoutes } from "./features/compounds/compounds.routes.ts";
import { exportsRoutes } from "./features/exports/exports.routes.ts";
import { fieldRoutes } from "./features/field/field.routes.ts";
import { gridsRoutes } from "./features/grids/grids.routes.ts";
import { hazardsRoutes } from "./features/hazards/hazards.routes.ts";
import { healthRoutes } from "./features/health/health.routes.ts";
import { importsRoutes } from "./features/imports/imports.routes.ts";
import { parcelsRoutes } from "./features/parcels/parcels.routes.ts";
import { isPhotoUpload, photoBodyLimit, photosRoutes } from "./features/photos/photos.routes.ts";
import { plansRoutes } from "./features/plans/plans.routes.ts";
import { roadsRoutes } from "./features/roads/roads.routes.ts";
import { searchRoutes } from "./features/search/search.routes.ts";
import { purgeExpiredSessions, SESSION_PURGE_EVERY_MS } from "./features/session/session.queries.ts";
import { sessionRoutes } from "./features/session/session.routes.ts";
import { settingsRoutes } from "./features/settings/settings.routes.ts";
import { subdistrictRoutes } from "./features/subdistrict/subdistrict.routes.ts";
import { tilesRoutes } from "./features/tiles/tiles.routes.ts";
import { venuesRoutes } from "./features/venues/venues.routes.ts";
import { rollUpVisits } from "./features/visits/visits.retention.ts";
import { visitsRoutes } from "./features/visits/visits.routes.ts";
import { waterRoutes } from "./features/water/water.routes.ts";
import { workersRoutes } from "./features/workers/workers.routes.ts";
import { workspaceRoutes } from "./features/workspace/workspace.routes.ts";
import { errorBody, preferredLang, statusOf } from "./http/errors.ts";
import { idempotency } from "./http/idempotency.ts";
import { textInput } from "./http/input.ts";
import type { AppEnv } from "./http/router.ts";
import { securityHeaders } from "./http/security.ts";
import { schedule } from "./jobs.ts";

export type AppDeps = {
  db: Db;
  auth?: Partial<AuthConfig>;
  site?: Partial<SiteConfig>;
  /** The built web app (web/dist); without it the server answers only /api. */
  webDist?: string | undefined;
};

/** The one place where features meet: their routes under /api, the OpenAPI document, errors, the web app. */
export function createApp({ db, auth, site, webDist }: AppDeps) {
  const authConfig: AuthConfig = Object.freeze({
    sessionIdleMinutes: auth?.sessionIdleMinutes ?? 30,
    sessionMaxHours: auth?.sessionMaxHours ?? 12,
    demoPassword: auth?.demoPassword,
    tilePrincipalTtlMs: auth?.tilePrincipalTtlMs,
  });
  const siteConfig: SiteConfig = Object.freeze({
    publicUrl: site?.publicUrl,
    trustProxy: site?.trustProxy ?? false,
  });
  const app = new OpenAPIHono<AppEnv>();
  app.use("*", async (c, next) => {
    c.set("db", db);
    c.set("auth", authConfig);
    c.set("site", siteConfig);
    await next();
  });
  app.use("*", securityHeaders());
  // Bodies are small JSON everywhere; imports that need more get their own limit, photo uploads theirs (2 MB).
  const jsonBodyLimit = bodyLimit({
    maxSize: 1024 * 1024,
    onError: () => {
      throw new DomainError("too_large", "too_large", "请求体超过 1 MB", "request body over 1 MB");
    },
  });
  app.use("/api/*", (c, next) =>
    isPhotoUpload(c.req.method, c.req.path) ? photoBodyLimit(c, next) : jsonBodyLimit(c, next),
  );
  // An image is bytes, not text: the text rule reads only JSON and text bodies, so photos pass it untouched.
  app.use("/api/*", textInput());
  app.use("/api/*", sessionGuard());
  app.use("/api/*", idempotency());

  const api = app
    .route("/api", healthRoutes)
    .route("/api", sessionRoutes)
    .route("/api", accountsRoutes)
    .route("/api", auditRoutes)
    .route("/api", subdistrictRoutes)
    .route("/api", communitiesRoutes)
    .route("/api", gridsRoutes)
    .route("/api", buildingsRoutes)
    .route("/api", compoundsRoutes)
    .route("/api", venuesRoutes)
    .route("/api", hazardsRoutes)
    .route("/api", photosRoutes)
    .route("/api", camerasRoutes)
    .route("/api", coverageRoutes)
    .route("/api", roadsRoutes)
    .route("/api", waterRoutes)
    .route("/api", blocksRoutes)
    .route("/api", parcelsRoutes)
    .route("/api", plansRoutes)
    .route("/api", workspaceRoutes)
    .route("/api", workersRoutes)
    .route("/api", visitsRoutes)
    .route("/api", fieldRoutes)
    .route("/api", importsRoutes)
    .route("/api", exportsRoutes)
    .route("/api", searchRoutes)
    .route("/api", settingsRoutes)
    .route("/", tilesRoutes);

  app.doc31("/api/openapi.json", {
    openapi: "3.1.0",
    info: {
      title: "GridAtlas API",
      version: "0.1.0",
      description: "网格一张图: grids, parcels, places and staff of a subdistrict. Geometry is GeoJSON in EPSG:4326.",
    },
  });

  app.notFound((c) => {
    const lang = preferredLang(c.req.header("accept-language"));
    return c.json(
      errorBody(new DomainError("not_found", "not_found", "没有这个地址", `no route ${c.req.path}`), lang),
      404,
    );
  });

  app.onError((err, c) => {
    const lang = preferredLang(c.req.header("accept-language"));
    if (err instanceof DomainError) return c.json(errorBody(err, lang), statusOf(err));
    if (err instanceof HTTPException && err.status < 500) {
      const status = err.status as 400;
      return c.json(errorBody(new DomainError("invalid", "http_error", err.message, err.message), lang), status);
    }
    console.error(err);
    return c.json(
      errorBody(new DomainError("unavailable", "internal", "服务器内部错误，请稍后重试", "internal error"), lang),
      500,
    );
  });

  if (webDist && fs.existsSync(webDist)) {
    const index = fs.readFileSync(path.join(webDist, "index.html"), "utf8");
    // The app shell (index.html at / or as any page's fallback) names the current build's scripts and carries the
    // CSP of the moment, the raster base map's origin included: a browser must never reuse it from its cache (it did,
    // by heuristic freshness: a map opened after an admin set a base map refused the new tiles under the old CSP,
    // and after a deploy a cached shell would ask for scripts that are gone). The field app's offline copy is the
    // service worker's, which this does not touch.
    app.use("*", async (c, next) => {
      await next();
      const html = c.res.headers.get("content-type")?.startsWith("text/html");
      if (html && !c.req.path.startsWith("/api/") && !c.res.headers.has("cache-control")) {
        c.header("cache-control", "no-store");
      }
    });
    // Asset names carry their content hash, so a found one never changes; a missing one is a plain 404 (never
    // the app shell, which a browser would keep for a year as that script).
    app.use(
      "/assets/*",
      async (c, next) => {
        await next();
        if (c.res.status === 200) c.header("cache-control", "public, max-age=31536000, immutable");
      },
      serveStatic({ root: webDist, precompressed: true }),
    );
    app.get("/assets/*", (c) => c.text("not found", 404, { "cache-control": "no-store" }));
    app.use("/*", serveStatic({ root: webDist, precompressed: true }));
    // Client-side routes fall back to the app shell; unknown /api paths stay JSON 404s.
    app.get("*", (c) => (c.req.path.startsWith("/api/") ? c.notFound() : c.html(index)));
  }

  return api;
}

export type AppType = ReturnType<typeof createApp>;

/**
 * The server's scheduled housekeeping, started by main.ts beside the app, each run once at start and then
 * periodically: the retention of visit details and the sweep of expired sessions (docs/privacy.md). Returns the
 * function that stops them.
 */
export function startJobs({ db, retention }: { db: Db; retention: RetentionConfig }): () => void {
  const stops = [
    schedule("visit retention", retention.every_ms, async () => {
      const run = await rollUpVisits(db, new Date(), retention.visitMonths);
      if (run.rolled_up > 0) console.log(`visit retention: ${run.rolled_up} visits before ${run.kept_from} rolled up`);
    }),
    schedule("session purge", SESSION_PURGE_EVERY_MS, () => purgeExpiredSessions(db)),
  ];
  return () => {
    for (const stop of stops) stop();
  };
}
