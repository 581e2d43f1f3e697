import { createRoute, z } from "@hono/zod-openapi";
import type { Context } from "hono";
import { deleteCookie, setCookie } from "hono/cookie";
import { passwordProblem } from "../../auth/password.ts";
import { loadPrincipal, type Principal } from "../../auth/principal.ts";
import { FailureWindow } from "../../auth/rate-limit.ts";
import { actorOf, clientIp, hashToken, principalOf, SESSION_COOKIE, unauthenticated } from "../../auth/session.ts";
import { badRequest, DomainError } from "../../errors.ts";
import { bi } from "../../http/errors.ts";
import { type AppEnv, createRouter } from "../../http/router.ts";
import { ErrorSchema } from "../../http/schemas.ts";
import { changePassword, signIn, signOut } from "./session.queries.ts";

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
  })
  .openapi("Session");

const errors = {
  400: { description: "Bad input", content: { "application/json": { schema: ErrorSchema } } },
  401: { description: "Not signed in / wrong credentials", content: { "application/json": { schema: ErrorSchema } } },
  429: { description: "Locked after repeated failures", content: { "application/json": { schema: ErrorSchema } } },
} as const;

const Credentials = z.object({
  username: z.string().min(1, bi("请输入用户名", "enter a username")).max(40),
  password: z.string().min(1, bi("请输入密码", "enter a password")).max(200),
});

const signInRoute = createRoute({
  method: "post",
  path: "/session",
  tags: ["session"],
  summary: "Sign in with username and password; sets an HttpOnly, SameSite=Strict session cookie",
  request: { body: { content: { "application/json": { schema: Credentials } }, required: true } },
  responses: { 200: { description: "Signed in", content: { "application/json": { schema: Me } } }, ...errors },
});

const meRoute = createRoute({
  method: "get",
  path: "/session",
  tags: ["session"],
  summary: "The signed-in account, its roles and scope, and the CSRF token to send on every change",
  responses: { 200: { description: "Signed in", content: { "application/json": { schema: Me } } }, ...errors },
});

const signOutRoute = createRoute({
  method: "delete",
  path: "/session",
  tags: ["session"],
  summary: "Sign out",
  responses: { 204: { description: "Signed out" }, ...errors },
});

const passwordRoute = createRoute({
  method: "post",
  path: "/session/password",
  tags: ["session"],
  summary: "Change one's own password (required at first sign-in)",
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
  responses: { 200: { description: "Changed", content: { "application/json": { schema: Me } } }, ...errors },
});

function me(c: Context<AppEnv>, p: Principal) {
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
  };
}

const byAddress = new FailureWindow(30, 10 * 60_000);

/** Secure cookies behind HTTPS (directly or through a proxy that says so). */
const isHttps = (c: Context<AppEnv>) =>
  new URL(c.req.url).protocol === "https:" || c.req.header("x-forwarded-proto") === "https";

export const sessionRoutes = createRouter()
  .openapi(signInRoute, async (c) => {
    const ip = clientIp(c);
    if (byAddress.blocked(ip)) {
      throw new DomainError(
        "rate_limited",
        "too_many_attempts",
        "登录失败次数过多，请稍后再试",
        "too many failed sign-ins; try later",
      );
    }
    const origin = c.req.header("origin");
    if (origin && new URL(origin).host !== new URL(c.req.url).host) {
      throw new DomainError(
        "forbidden",
        "cross_origin",
        "不接受来自其他站点的登录",
        "sign-in from another site is refused",
      );
    }
    const body = c.req.valid("json");
    const db = c.get("db");
    const auth = c.get("auth");
    const result = await signIn(db, body, {
      ip,
      userAgent: c.req.header("user-agent"),
      idleMinutes: auth.sessionIdleMinutes,
    });
    if (!result.ok) {
      byAddress.fail(ip);
      if (result.reason === "locked") {
        c.header("retry-after", String(result.retryAfterSeconds));
        const minutes = Math.ceil(result.retryAfterSeconds / 60);
        throw new DomainError(
          "rate_limited",
          "account_locked",
          `多次密码错误，账号已锁定，请 ${minutes} 分钟后再试`,
          `too many wrong passwords: the account is locked for ${minutes} min`,
        );
      }
      throw new DomainError(
        "unauthenticated",
        "invalid_credentials",
        "用户名或密码不正确",
        "wrong username or password",
      );
    }
    byAddress.clear(ip);
    setCookie(c, SESSION_COOKIE, result.token, {
      httpOnly: true,
      sameSite: "Strict",
      secure: isHttps(c),
      path: "/",
    });
    const principal = await loadPrincipal(db, hashToken(result.token));
    if (!principal) throw unauthenticated();
    return c.json(me(c, principal), 200);
  })
  .openapi(meRoute, async (c) => {
    const p = c.get("principal");
    if (!p) throw unauthenticated();
    return c.json(me(c, p), 200);
  })
  .openapi(signOutRoute, async (c) => {
    const p = principalOf(c);
    await signOut(c.get("db"), p.sessionId, actorOf(c));
    deleteCookie(c, SESSION_COOKIE, { path: "/" });
    return c.body(null, 204);
  })
  .openapi(passwordRoute, async (c) => {
    const p = principalOf(c);
    const { current_password, new_password } = c.req.valid("json");
    const problem = passwordProblem(new_password);
    if (problem) throw badRequest("new_password", problem.zh, problem.en);
    const outcome = await changePassword(
      c.get("db"),
      { accountId: p.accountId, sessionId: p.sessionId, current: current_password, next: new_password },
      actorOf(c),
    );
    if (outcome === "wrong_current")
      throw badRequest("current_password", "当前密码不正确", "the current password is wrong");
    if (outcome === "same")
      throw badRequest("new_password", "新密码不能与当前密码相同", "the new password must differ");
    return c.json(me(c, { ...p, mustChangePassword: false }), 200);
  });
