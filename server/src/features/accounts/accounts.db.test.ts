import { describe, expect, it } from "vitest";
import { useTestApp } from "../../../test-support/test-app.ts";
import { signIn } from "../../../test-support/test-session.ts";

const t = useTestApp("accounts");

type Account = { id: number; username: string; disabled: boolean; roles: { role: string; community_code?: string }[] };

describe("/api/accounts", () => {
  it("lists every account with its roles, for admins only", async () => {
    const res = await (await t.as("admin")).request("/api/accounts");
    expect(res.status).toBe(200);
    const accounts = (await res.json()) as Account[];
    const rows = await t.rows<{ username: string; roles: number }>(
      `select a.username, (select count(*) from account_role r where r.account_id = a.id)::int roles
       from account a order by a.username`,
    );
    expect(
      accounts
        .map((a) => ({ username: a.username, roles: a.roles.length }))
        .sort((x, y) => x.username.localeCompare(y.username)),
    ).toEqual(rows);
    const secretary = accounts.find((a) => a.username === "secretary-150571003002");
    expect(secretary?.roles).toEqual([{ role: "secretary", community_code: "150571003002" }]);
    for (const who of ["planner", "leader", "worker-1"]) {
      expect((await (await t.as(who)).request("/api/accounts")).status, who).toBe(403);
    }
  });

  it("creates an account that must change its password first, and audits it", async () => {
    const admin = await t.as("admin");
    const body = {
      username: "planner-zhao",
      display_name: "赵规划",
      password: "Chushi-mima-2026",
      roles: [{ role: "planner" }],
    };
    const created = await admin.send("POST", "/api/accounts", body);
    expect(created.status).toBe(201);
    const { id } = (await created.json()) as { id: number };
    expect((await admin.send("POST", "/api/accounts", body)).status).toBe(409);
    const newcomer = await signIn(t.app, body.username, body.password);
    const refused = await newcomer.request("/api/grids");
    expect(refused.status).toBe(403);
    expect(((await refused.json()) as { error: { code: string } }).error.code).toBe("password_change_required");
    const audit = await t.rows("select actor, action, entity_id from audit_event where action = 'account_create'");
    expect(audit).toEqual([{ actor: "admin", action: "account_create", entity_id: String(id) }]);
  });

  it("marks an account created by a set-password link as awaiting it until the link is used", async () => {
    const admin = await t.as("admin");
    const created = await admin.send("POST", "/api/accounts", {
      username: "leader-link",
      display_name: "链接领导",
      roles: [{ role: "leader" }],
    });
    expect(created.status).toBe(201);
    const { set_password_url: url } = (await created.json()) as { set_password_url: string };
    const listed = async () =>
      ((await (await admin.request("/api/accounts")).json()) as (Account & { awaiting_link: boolean })[]).find(
        (a) => a.username === "leader-link",
      );
    expect((await listed())?.awaiting_link).toBe(true);
    const used = await t.app.request("/api/session/set-password", {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ token: url.split("#")[1], new_password: "Quiet-Lantern-Otter-58" }),
    });
    expect(used.status).toBe(204);
    expect((await listed())?.awaiting_link).toBe(false);
    // The demo's accounts were given a password, not a link.
    expect(
      ((await (await admin.request("/api/accounts")).json()) as { awaiting_link: boolean }[]).some(
        (a) => a.awaiting_link,
      ),
    ).toBe(false);
  });

  it("disables an account: it can no longer sign in", async () => {
    const admin = await t.as("admin");
    const [leader] = await t.rows<{ id: number }>("select id from account where username = 'leader'");
    expect((await admin.send("PATCH", `/api/accounts/${leader!.id}`, { disabled: true, version: 1 })).status).toBe(200);
    await expect(signIn(t.app, "leader")).rejects.toThrow(/sign-in of leader failed: 401/);
    expect((await admin.send("PATCH", "/api/accounts/999999", { disabled: true, version: 1 })).status).toBe(404);
  });

  it("lists no lock state: sign-in is throttled per address in memory, never by locking the account", async () => {
    const accounts = (await (await (await t.as("admin")).request("/api/accounts")).json()) as object[];
    for (const a of accounts) expect(a).not.toHaveProperty("locked");
    const columns = await t.rows<{ column_name: string }>(
      "select column_name from information_schema.columns where table_name = 'account' order by 1",
    );
    expect(columns.map((c) => c.column_name)).not.toEqual(expect.arrayContaining(["failed_sign_ins"]));
    expect(columns.map((c) => c.column_name)).not.toContain("locked_until");
  });
});
