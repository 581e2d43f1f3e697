import { z } from "@hono/zod-openapi";
import { passwordProblem } from "../../auth/password.ts";
import { issuePasswordLink } from "../../auth/password-link.ts";
import { requireRole } from "../../auth/principal.ts";
import { actorOf, principalOf } from "../../auth/session.ts";
import { badRequest, notFound } from "../../errors.ts";
import { createRouter } from "../../http/router.ts";
import { routesFor } from "../../http/routes.ts";
import { errorsOf } from "../../http/schemas.ts";
import { AccountChange, NewAccount, PasswordReset, RoleGrant } from "./accounts.input.ts";
import { changeAccount, createAccount, listAccounts, resetPassword, usernameOf } from "./accounts.queries.ts";

const Account = z
  .object({
    id: z.number(),
    username: z.string(),
    display_name: z.string(),
    disabled: z.boolean(),
    must_change_password: z.boolean(),
    awaiting_link: z
      .boolean()
      .openapi({ description: "A set-password link was issued and not used yet: the account waits for its owner" }),
    version: z.number().openapi({ description: "Send it back with a change: 409 if the account changed since" }),
    created_at: z.union([z.string(), z.date()]),
    roles: z.array(RoleGrant),
  })
  .openapi("Account");

const errors = errorsOf({
  403: "Not an admin",
  404: "No such account",
  409: "Username taken, or the account changed since the version sent (version_conflict)",
  422: "Would lock the admin out",
  428: "A change sent without the version it was made against (version_required)",
});
/** A one-time link, shown once to the admin: whoever opens it sets the account's password (72 h, single use). */
const Issued = z.object({
  id: z.number(),
  set_password_url: z.string().optional(),
  set_password_expires_at: z.string().optional(),
});

/** The link's path: the token rides in the fragment, which browsers never send to a server or in a Referer. */
const linkOf = (token: string) => `/set-password#${token}`;

const idParam = z.object({ id: z.coerce.number().int().positive().max(2_000_000_000) });

const route = routesFor(["accounts"], errors);
const list = route("get /accounts", {
  summary: "All accounts with roles and scopes (admins)",
  responses: {
    200: { description: "Accounts", content: { "application/json": { schema: z.array(Account) } } },
  },
});
const create = route("post /accounts", {
  summary: "Create an account; it must change its password at first sign-in (admins)",
  request: { body: { content: { "application/json": { schema: NewAccount } }, required: true } },
  responses: {
    201: {
      description: "Created (with its set-password link when no password was given)",
      content: { "application/json": { schema: Issued } },
    },
  },
});
const update = route("patch /accounts/{id}", {
  summary: "Rename, disable or re-scope an account (admins)",
  request: { params: idParam, body: { content: { "application/json": { schema: AccountChange } }, required: true } },
  responses: {
    200: { description: "Changed", content: { "application/json": { schema: z.object({ id: z.number() }) } } },
  },
});
const reset = route("post /accounts/{id}/password", {
  summary:
    "Reset a password (admins): a one-time set-password link (72 h, shown once), or a given initial password to be changed at next sign-in",
  request: { params: idParam, body: { content: { "application/json": { schema: PasswordReset } }, required: true } },
  responses: {
    200: { description: "Reset", content: { "application/json": { schema: Issued } } },
  },
});

function checkPassword(password: string, username: string) {
  const problem = passwordProblem(password, { username });
  if (problem) throw badRequest("password", problem.zh, problem.en);
}

export const accountsRoutes = createRouter()
  .openapi(list, async (c) => {
    requireRole(principalOf(c), "admin");
    return c.json(await listAccounts(c.get("db")), 200);
  })
  .openapi(create, async (c) => {
    const p = principalOf(c);
    requireRole(p, "admin");
    const body = c.req.valid("json");
    if (body.password !== undefined) checkPassword(body.password, body.username);
    const id = await createAccount(c.get("db"), body, actorOf(c));
    if (body.password !== undefined) return c.json({ id }, 201);
    const link = await issuePasswordLink(c.get("db"), id, actorOf(c));
    return c.json({ id, set_password_url: linkOf(link.token), set_password_expires_at: link.expires_at }, 201);
  })
  .openapi(update, async (c) => {
    const p = principalOf(c);
    requireRole(p, "admin");
    const { id } = c.req.valid("param");
    const ok = await changeAccount(c.get("db"), id, c.req.valid("json"), actorOf(c));
    if (!ok) throw notFound(`没有编号为 ${id} 的账号`, `no account ${id}`);
    return c.json({ id }, 200);
  })
  .openapi(reset, async (c) => {
    const p = principalOf(c);
    requireRole(p, "admin");
    const { id } = c.req.valid("param");
    const { password } = c.req.valid("json");
    const username = await usernameOf(c.get("db"), id);
    if (username === undefined) throw notFound(`没有编号为 ${id} 的账号`, `no account ${id}`);
    if (password !== undefined) checkPassword(password, username);
    if (!(await resetPassword(c.get("db"), id, password, actorOf(c)))) {
      throw notFound(`没有编号为 ${id} 的账号`, `no account ${id}`);
    }
    if (password !== undefined) return c.json({ id }, 200);
    const link = await issuePasswordLink(c.get("db"), id, actorOf(c));
    return c.json({ id, set_password_url: linkOf(link.token), set_password_expires_at: link.expires_at }, 200);
  });
