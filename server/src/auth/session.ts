import { createHash, randomBytes } from "node:crypto";
import { isIP } from "node:net";
import type { Context, MiddlewareHandler } from "hono";
import { getCookie } from "hono/cookie";
import { sql } from "kysely";
import type { Actor } from "../db/audit.ts";
import type { Db } from "../db/db.ts";
import { DomainError } from "../errors.ts";
import { loadPrincipal, type Principal } from "./principal.ts";

export const SESSION_COOKIE = "ga_session";
export const CSRF_HEADER = "x-csrf-token";

export type AuthConfig = Readonly<{
  /** A session ends after this long without a request. */
  sessionIdleMinutes: number;
  /** …and after this long in any case. */
  sessionMaxHours: number;
  /** Set for scripted demos and tests: the demo accounts' password, with no forced change. */
  demoPassword: string | undefined;
  /** How long tile requests trust a session's principal (see tiles.routes.ts); tests set it, the server keeps 2 s. */
  tilePrincipalTtlMs?: number | undefined;
}>;

/** How the server is reached from outside: what links it builds and which proxy headers it believes. */
export type SiteConfig = Readonly<{
  /** The public origin (and path prefix) links are built from, e.g. `https://grid.example.cn`; else links are relative. */
  publicUrl: string | undefined;
  /** Behind a reverse proxy: believe its `X-Forwarded-For` and `X-Forwarded-Proto` (off by default). */
  trustProxy: boolean;
}>;

/** What every request carries: the database, the settings and the principal the session guard resolved. */
export type AppEnv = { Variables: { db: Db; auth: AuthConfig; site: SiteConfig; principal: Principal | null } };

export const hashToken = (token: string) => createHash("sha256").update(token).digest("hex");
export const newToken = () => randomBytes(32).toString("base64url");

/** Routes anyone may call without a session. Everything else under /api answers 401 to strangers. */
const PUBLIC = new Set([
  "GET /api/health",
  "GET /api/openapi.json",
  "POST /api/session",
  "GET /api/session",
  "POST /api/session/set-password",
]);
/** Routes open to an account that must change its password first. */
const BEFORE_PASSWORD_CHANGE = new Set([
  "GET /api/session",
  "DELETE /api/session",
  "DELETE /api/session/all",
  "POST /api/session/password",
]);
const SAFE_METHODS = new Set(["GET", "HEAD", "OPTIONS"]);

export const unauthenticated = () => new DomainError("unauthenticated", "unauthenticated", "请先登录", "sign in first");

/**
 * Resolves the session cookie to a principal and guards every /api route: 401 without a session, 403 until a
 * required password change is made, 403 on a mutating request without the session's CSRF token.
 */
export function sessionGuard(): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    const token = getCookie(c, SESSION_COOKIE);
    const db = c.get("db");
    const config = c.get("auth");
    let principal: Principal | null = null;
    if (token && token.length < 200) {
      const id = hashToken(token);
      principal = await loadPrincipal(db, id);
      if (principal) await touchSession(c, id, config);
    }
    c.set("principal", principal);

    const key = `${c.req.method} ${c.req.path}`;
    if (PUBLIC.has(key)) return next();
    if (!principal) throw unauthenticated();
    if (principal.mustChangePassword && !BEFORE_PASSWORD_CHANGE.has(key)) {
      throw new DomainError(
        "forbidden",
        "password_change_required",
        "请先修改初始密码",
        "change your initial password first",
      );
    }
    if (!SAFE_METHODS.has(c.req.method) && c.req.header(CSRF_HEADER) !== principal.csrfToken) {
      throw new DomainError(
        "forbidden",
        "csrf",
        "请求缺少有效的 CSRF 令牌，请刷新页面后重试",
        "missing or wrong CSRF token; reload the page and try again",
      );
    }
    return next();
  };
}

/** Slides the idle expiry, at most once a minute per session, never past the absolute limit. */
async function touchSession(c: Context<AppEnv>, id: string, config: AuthConfig): Promise<void> {
  await sql`update session
    set last_seen_at = now(),
        expires_at = least(now() + make_interval(mins => ${config.sessionIdleMinutes}),
                           created_at + make_interval(hours => ${config.sessionMaxHours}))
    where id = ${id} and last_seen_at < now() - interval '60 seconds'`.execute(c.get("db"));
}

/** The signed-in principal of a request; the guard has already refused requests without one. */
export function principalOf(c: Context<AppEnv>): Principal {
  const p = c.get("principal");
  if (!p) throw unauthenticated();
  return p;
}

/** The signed-in principal as the author of a change: the one way an `Actor` is made from a request. */
export function actorOf(c: Context<AppEnv>): Actor {
  const p = principalOf(c);
  return { accountId: p.accountId, username: p.username, displayName: p.displayName, ip: clientIp(c) };
}

/**
 * The client's address: the socket's peer, or, with `GRIDATLAS_TRUST_PROXY` on (the server only reachable through
 * one reverse proxy), the last `X-Forwarded-For` hop, which that proxy appended and the client cannot forge. Off
 * by default, since a client talking to the server directly could otherwise pick any address it likes.
 */
export function clientIp(c: Context<AppEnv>): string {
  const incoming = (c.env as { incoming?: { socket?: { remoteAddress?: string } } } | undefined)?.incoming;
  const peer = incoming?.socket?.remoteAddress ?? "local";
  if (!c.get("site")?.trustProxy) return peer;
  const last = c.req.header("x-forwarded-for")?.split(",").at(-1)?.trim() ?? "";
  return isIP(last) ? last : peer;
}
