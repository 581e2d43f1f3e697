import { z } from "@hono/zod-openapi";
import type { Context } from "hono";
import { deleteCookie, setCookie } from "hono/cookie";
import { passwordProblem } from "../../auth/password.ts";
import { redeemPasswordLink } from "../../auth/password-link.ts";
import { loadPrincipal, type Principal } from "../../auth/principal.ts";
import { actorOf, clientIp, hashToken, principalOf, SESSION_COOKIE, unauthenticated } from "../../auth/session.ts";
import { SignInThrottle } from "../../auth/throttle.ts";
import type { Db } from "../../db/db.ts";
import { badRequest, DomainError } from "../../errors.ts";
import { bi } from "../../http/errors.ts";
import { type AppEnv, createRouter } from "../../http/router.ts";
import { routesFor } from "../../http/routes.ts";
import { ErrorSchema } from "../../http/schemas.ts";
import { servedOverHttps } from "../../http/security.ts";
import { changePassword, recordThrottled, signIn, signOut, signOutEverywhere } from "./session.queries.ts";

const Me = z
  .object({
    account: z.object({
      id: z.number(),
      username: z.string(),
      display_name: z.string(),
      roles: z.array(z.string()),
      communities: z.array(z.string()),
      grids: z.array(z.string()),
      must_change_password: z.boolean(),
    }),
    csrf_token: z.string(),
    demo_password: z.boolean(),
    time_zone: z.string().openapi({ description: "The subdistrict's time zone, in which the app shows every time" }),
  })
  .openapi("Session");

const errors = {
  400: { description: "Bad input", content: { "application/json": { schema: ErrorSchema } } },
  401: { description: "Not signed in / wrong credentials", content: { "application/json": { schema: ErrorSchema } } },
  429: {
    description: "Too many failed sign-ins for this username from here (or from anywhere, slower); see Retry-After",
    content: { "application/json": { schema: ErrorSchema } },
  },
} as const;

const Credentials = z.object({
  username: z.string().min(1, bi("请输入用户名", "enter a username")).max(40),
  password: z.string().min(1, bi("请输入密码", "enter a password")).max(200),
});

const route = routesFor(["session"], errors);
const signInRoute = route("post /session", {
  summary: "Sign in with username and password; sets an HttpOnly, SameSite=Strict session cookie",
  request: { body: { content: { "application/json": { schema: Credentials } }, required: true } },
  responses: { 200: { description: "Signed in", content: { "application/json": { schema: Me } } } },
});

const meRoute = route("get /session", {
  summary: "The signed-in account, its roles and scope, and the CSRF token to send on every change",
  responses: { 200: { description: "Signed in", content: { "application/json": { schema: Me } } } },
});

const signOutRoute = route("delete /session", {
  summary: "Sign out",
  responses: { 204: { description: "Signed out" } },
});

const everywhereRoute = route("delete /session/all", {
  summary: "Sign out everywhere: end every session of the signed-in account, this one included",
  responses: { 204: { description: "Signed out everywhere" } },
});

const setPasswordRoute = route("post /session/set-password", {
  summary:
    "Set the password of an account through its one-time link (from an admin; 72 h, single use). No session needed; " +
    "every session of the account ends, and the user then signs in",
  request: {
    body: {
      content: {
        "application/json": {
          schema: z.object({ token: z.string().min(1).max(100), new_password: z.string().max(200) }),
        },
      },
      required: true,
    },
  },
  responses: { 204: { description: "Password set" }, 404: errors[400] },
});

const passwordRoute = route("post /session/password", {
  summary:
    "Change one's own password (required at first sign-in). Every session of the account ends; a new one starts " +
    "with a new session cookie and CSRF token",
  request: {
    body: {
      content: {
        "application/json": {
          schema: z.object({ current_password: z.string().min(1).max(200), new_password: z.string().max(200) }),
        },
      },
      required: true,
    },
  },
  responses: { 200: { description: "Changed", content: { "application/json": { schema: Me } } } },
});

async function me(c: Context<AppEnv>, p: Principal) {
  const place = await c.get("db").selectFrom("subdistrict").select("time_zone").limit(1).executeTakeFirst();
  return {
    account: {
      id: p.accountId,
      username: p.username,
      display_name: p.displayName,
      roles: [...p.roles],
      communities: [...p.communities],
      grids: [...p.workerGrids],
      must_change_password: p.mustChangePassword,
    },
    csrf_token: p.csrfToken,
    demo_password: c.get("auth").demoPassword !== undefined,
    time_zone: place?.time_zone ?? "Asia/Shanghai",
  };
}

/** One throttle per database (so per server, and per test suite's app). */
const throttles = new WeakMap<Db, SignInThrottle>();
function throttleOf(db: Db): SignInThrottle {
  let t = throttles.get(db);
  if (!t) {
    t = new SignInThrottle();
    throttles.set(db, t);
  }
  return t;
}

const setSessionCookie = (c: Context<AppEnv>, token: string) =>
  setCookie(c, SESSION_COOKIE, token, { httpOnly: true, sameSite: "Strict", secure: isHttps(c), path: "/" });

/**
 * Whether a browser's Origin names the host the request came to. Anything unparsable, including the `null` that
 * sandboxed pages send, is another site.
 */
function sameHost(origin: string, requestUrl: string): boolean {
  try {
    return new URL(origin).host === new URL(requestUrl).host;
  } catch {
    return false;
  }
}

/** Secure cookies behind HTTPS (directly or through a trusted proxy that says so). */
const isHttps = (c: Context<AppEnv>) =>
  servedOverHttps(c.req.url, c.req.header("x-forwarded-proto"), c.get("site").trustProxy);

export const sessionRoutes = createRouter()
  .openapi(signInRoute, async (c) => {
    const ip = clientIp(c);
    const origin = c.req.header("origin");
    if (origin !== undefined && !sameHost(origin, c.req.url)) {
      throw new DomainError(
        "forbidden",
        "cross_origin",
        "不接受来自其他站点的登录",
        "sign-in from another site is refused",
      );
    }
    const body = c.req.valid("json");
    const db = c.get("db");
    const throttle = throttleOf(db);
    const verdict = throttle.check(body.username, ip);
    if (!verdict.allowed) {
      await recordThrottled(db, body.username, ip);
      c.header("retry-after", String(verdict.retryAfterSeconds));
      throw new DomainError(
        "rate_limited",
        "too_many_attempts",
        `登录失败次数过多，请 ${verdict.retryAfterSeconds} 秒后再试`,
        `too many failed sign-ins; try again in ${verdict.retryAfterSeconds} s`,
      );
    }
    const auth = c.get("auth");
    const result = await signIn(db, body, {
      ip,
      userAgent: c.req.header("user-agent"),
      idleMinutes: auth.sessionIdleMinutes,
    });
    if (!result.ok) {
      throttle.fail(body.username, ip);
      throw new DomainError(
        "unauthenticated",
        "invalid_credentials",
        "用户名或密码不正确",
        "wrong username or password",
      );
    }
    setSessionCookie(c, result.token);
    const principal = await loadPrincipal(db, hashToken(result.token));
    if (!principal) throw unauthenticated();
    return c.json(await me(c, principal), 200);
  })
  .openapi(meRoute, async (c) => {
    const p = c.get("principal");
    if (!p) throw unauthenticated();
    return c.json(await me(c, p), 200);
  })
  .openapi(signOutRoute, async (c) => {
    const p = principalOf(c);
    await signOut(c.get("db"), p.sessionId, actorOf(c));
    deleteCookie(c, SESSION_COOKIE, { path: "/" });
    return c.body(null, 204);
  })
  .openapi(everywhereRoute, async (c) => {
    const p = principalOf(c);
    await signOutEverywhere(c.get("db"), p.accountId, actorOf(c));
    deleteCookie(c, SESSION_COOKIE, { path: "/" });
    return c.body(null, 204);
  })
  .openapi(setPasswordRoute, async (c) => {
    const { token, new_password } = c.req.valid("json");
    await redeemPasswordLink(
      c.get("db"),
      { token, password: new_password, demoPassword: c.get("auth").demoPassword },
      clientIp(c),
    );
    return c.body(null, 204);
  })
  .openapi(passwordRoute, async (c) => {
    const p = principalOf(c);
    const { current_password, new_password } = c.req.valid("json");
    const problem = passwordProblem(new_password, { username: p.username, demoPassword: c.get("auth").demoPassword });
    if (problem) throw badRequest("new_password", problem.zh, problem.en);
    const db = c.get("db");
    const changed = await changePassword(
      db,
      { accountId: p.accountId, current: current_password, next: new_password },
      { ip: clientIp(c), userAgent: c.req.header("user-agent"), idleMinutes: c.get("auth").sessionIdleMinutes },
      actorOf(c),
    );
    if (changed.outcome === "wrong_current") {
      throw badRequest("current_password", "当前密码不正确", "the current password is wrong");
    }
    if (changed.outcome === "same") {
      throw badRequest("new_password", "新密码不能与当前密码相同", "the new password must differ from the current one");
    }
    setSessionCookie(c, changed.token);
    const principal = await loadPrincipal(db, hashToken(changed.token));
    if (!principal) throw unauthenticated();
    return c.json(await me(c, principal), 200);
  });
