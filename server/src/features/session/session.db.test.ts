import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestDatabase, TEST_PASSWORD, type TestDatabase } from "../../../test-support/test-database.ts";
import { signIn } from "../../../test-support/test-session.ts";
import { createApp, startJobs } from "../../app.ts";
import { PAIR } from "../../auth/throttle.ts";
import { createDb, type Db } from "../../db/db.ts";
import { MAX_SESSIONS, purgeExpiredSessions } from "./session.queries.ts";

let database: TestDatabase;
let db: Db;
let sqlClient: pg.Client;
let app: ReturnType<typeof createApp>;

beforeAll(async () => {
  database = await createTestDatabase("session");
  db = createDb({ databaseUrl: database.url });
  app = createApp({ db, auth: { sessionIdleMinutes: 30, demoPassword: TEST_PASSWORD }, site: { trustProxy: true } });
  sqlClient = new pg.Client({ connectionString: database.url });
  await sqlClient.connect();
});

afterAll(async () => {
  await sqlClient.end();
  await db.destroy();
  await database.drop();
});

const post = (path: string, body: unknown, headers: Record<string, string> = {}) =>
  app.request(path, {
    method: "POST",
    headers: { "content-type": "application/json", ...headers },
    body: JSON.stringify(body),
  });

describe("signing in", () => {
  it("sets an HttpOnly, SameSite=Strict cookie and returns the account's scope and a CSRF token", async () => {
    const res = await post("/api/session", { username: "secretary-150571003001", password: TEST_PASSWORD });
    expect(res.status).toBe(200);
    const cookie = res.headers.get("set-cookie") ?? "";
    expect(cookie).toMatch(/^ga_session=/);
    expect(cookie).toMatch(/HttpOnly/i);
    expect(cookie).toMatch(/SameSite=Strict/i);
    expect(cookie).not.toMatch(/Secure/i);
    const body = await res.json();
    expect(body.account.roles).toEqual(["secretary"]);
    expect(body.account.communities).toEqual(["150571003001"]);
    expect(body.csrf_token).toMatch(/^[\w-]{40,}$/);
    expect(body.demo_password).toBe(true);
  });

  it("marks the cookie Secure behind HTTPS", async () => {
    const res = await post(
      "/api/session",
      { username: "leader", password: TEST_PASSWORD },
      { "x-forwarded-proto": "https" },
    );
    expect(res.headers.get("set-cookie")).toMatch(/Secure/);
  });

  it("stores only a hash of the session token", async () => {
    const res = await post("/api/session", { username: "planner", password: TEST_PASSWORD });
    const token = (res.headers.get("set-cookie") ?? "").split(";")[0]!.split("=")[1]!;
    const stored = await sqlClient.query("select 1 from session where id = $1", [token]);
    expect(stored.rowCount).toBe(0);
  });

  it("answers a wrong password and an unknown user alike, and logs the username only if it is an account's", async () => {
    const wrong = await post("/api/session", { username: "leader", password: "not the password" });
    const unknown = await post("/api/session", { username: "Typed-Secret-Pw1", password: "whatever" });
    expect(wrong.status).toBe(401);
    expect(unknown.status).toBe(401);
    expect((await wrong.json()).error).toEqual((await unknown.json()).error);
    const logged = await sqlClient.query<{ actor: string }>(
      "select actor from audit_event where action = 'sign_in_failed' order by id desc limit 2",
    );
    expect(logged.rows.map((r) => r.actor).sort()).toEqual(["leader", "unknown"]);
    const kept = await sqlClient.query("select 1 from audit_event where audit_event::text like '%Typed-Secret-Pw1%'");
    expect(kept.rowCount).toBe(0);
  });

  it("throttles one address for one account, known or unknown alike, never the real user elsewhere", async () => {
    const from = (ip: string) => ({ "x-forwarded-for": `198.51.100.1, ${ip}` });
    const attempt = (username: string, password: string, ip: string) =>
      post("/api/session", { username, password }, from(ip));
    const answers = async (username: string) => {
      const out: { status: number; code: string; retry: string | null }[] = [];
      for (let i = 0; i <= PAIR.limit; i++) {
        const res = await attempt(username, `wrong-${i}`, "203.0.113.7");
        out.push({ status: res.status, code: (await res.json()).error.code, retry: res.headers.get("retry-after") });
      }
      return out;
    };
    const known = await answers("worker-7");
    const unknown = await answers("worker-999999");
    expect(known.map((a) => a.status)).toEqual([401, 401, 401, 401, 401, 429]);
    expect(unknown).toEqual(known);
    expect(known.at(-1)!.code).toBe("too_many_attempts");
    expect(Number(known.at(-1)!.retry)).toBeGreaterThan(0);
    // The right password from the attacker's address waits too; from the user's own address it works.
    expect((await attempt("worker-7", TEST_PASSWORD, "203.0.113.7")).status).toBe(429);
    expect((await attempt("worker-7", TEST_PASSWORD, "192.0.2.44")).status).toBe(200);
    // A success cleared nothing: the attacker's address is still held back.
    expect((await attempt("worker-7", "wrong-again", "203.0.113.7")).status).toBe(429);
    const throttled = await sqlClient.query<{ actor: string }>(
      "select distinct actor from audit_event where action = 'sign_in_throttled' order by 1",
    );
    expect(throttled.rows.map((r) => r.actor)).toEqual(["unknown", "worker-7"]);
  });

  it(`keeps at most ${MAX_SESSIONS} sessions per account, ending the oldest`, async () => {
    const first = await signIn(app, "worker-8");
    for (let i = 0; i < MAX_SESSIONS; i++) await signIn(app, "worker-8");
    expect((await first.request("/api/session")).status).toBe(401);
    const n = await sqlClient.query(
      "select count(*)::int n from session s join account a on a.id = s.account_id where a.username = 'worker-8'",
    );
    expect(n.rows[0].n).toBe(MAX_SESSIONS);
  });

  it("signs out everywhere", async () => {
    const a = await signIn(app, "worker-9");
    const b = await signIn(app, "worker-9");
    expect((await a.request("/api/session/all", { method: "DELETE" })).status).toBe(204);
    expect((await a.request("/api/session")).status).toBe(401);
    expect((await b.request("/api/session")).status).toBe(401);
  });

  it("refuses a sign-in posted from another site", async () => {
    const res = await post(
      "/api/session",
      { username: "leader", password: TEST_PASSWORD },
      { origin: "https://evil.example" },
    );
    expect(res.status).toBe(403);
  });
});

describe("a session", () => {
  it("is required by every data route", async () => {
    expect((await app.request("/api/grids")).status).toBe(401);
    expect((await app.request("/api/health")).status).toBe(200);
  });

  it("requires the CSRF token on every change", async () => {
    const s = await signIn(app, "admin");
    const without = await app.request("/api/accounts/1", {
      method: "PATCH",
      headers: { cookie: s.cookie, "content-type": "application/json" },
      body: JSON.stringify({ display_name: "x" }),
    });
    expect(without.status).toBe(403);
    expect((await without.json()).error.code).toBe("csrf");
    const wrong = await app.request("/api/accounts/1", {
      method: "PATCH",
      headers: { cookie: s.cookie, "content-type": "application/json", "x-csrf-token": "guess" },
      body: JSON.stringify({ display_name: "x" }),
    });
    expect(wrong.status).toBe(403);
  });

  it("ends after the idle time", async () => {
    const s = await signIn(app, "leader");
    expect((await s.request("/api/grids?community=150571003001")).status).toBe(200);
    await sqlClient.query(
      "update session set expires_at = now() - interval '1 second' where account_id = (select id from account where username = 'leader')",
    );
    expect((await s.request("/api/grids?community=150571003001")).status).toBe(401);
  });

  it("ends at sign-out", async () => {
    const s = await signIn(app, "planner");
    expect((await s.send("DELETE", "/api/session")).status).toBe(204);
    expect((await s.request("/api/session")).status).toBe(401);
  });

  it("ends when an admin disables the account", async () => {
    const admin = await signIn(app, "admin");
    const victim = await signIn(app, "secretary-150571003002");
    const { rows } = await sqlClient.query<{ id: number }>(
      "select id from account where username = 'secretary-150571003002'",
    );
    expect((await admin.send("PATCH", `/api/accounts/${rows[0]!.id}`, { disabled: true, version: 1 })).status).toBe(
      200,
    );
    expect((await victim.request("/api/grids")).status).toBe(401);
    expect((await post("/api/session", { username: "secretary-150571003002", password: TEST_PASSWORD })).status).toBe(
      401,
    );
  });
});

describe("the forced password change", () => {
  it("blocks everything but the change until it is made, then lets the new password in", async () => {
    const admin = await signIn(app, "admin");
    const created = await admin.send("POST", "/api/accounts", {
      username: "new-planner",
      display_name: "新规划员",
      password: "Initial-pass-1",
      roles: [{ role: "planner" }],
    });
    expect(created.status).toBe(201);
    const s = await signIn(app, "new-planner", "Initial-pass-1");
    const me = await (await s.request("/api/session")).json();
    expect(me.account.must_change_password).toBe(true);
    const blocked = await s.request("/api/grids");
    expect(blocked.status).toBe(403);
    expect((await blocked.json()).error.code).toBe("password_change_required");
    for (const [bad, why] of [
      ["short", "at least 10"],
      ["Password1234", "too easy to guess"],
      ["new-planner-2026!", "contain the username"],
      [TEST_PASSWORD, "shared password"],
      ["Initial-pass-1", "differ from the current"],
    ] as const) {
      const weak = await s.send("POST", "/api/session/password", {
        current_password: "Initial-pass-1",
        new_password: bad,
      });
      expect(weak.status, bad).toBe(400);
      const { error } = await weak.json();
      expect(error.field, bad).toBe("new_password");
      expect(error.en, bad).toContain(why);
      expect(error.zh, bad).toMatch(/[\u4e00-\u9fff]/);
    }
    const oldCsrf = s.csrf;
    const changed = await s.send("POST", "/api/session/password", {
      current_password: "Initial-pass-1",
      new_password: "A-better-pass-2",
    });
    expect(changed.status).toBe(200);
    // A new session id and CSRF token: the old cookie is over.
    const rotated = (changed.headers.get("set-cookie") ?? "").split(";")[0]!;
    expect(rotated).toMatch(/^ga_session=/);
    expect(rotated).not.toBe(s.cookie);
    expect((await changed.json()).csrf_token).not.toBe(oldCsrf);
    expect((await s.request("/api/session")).status).toBe(401);
    const after = await signIn(app, "new-planner", "A-better-pass-2");
    expect((await after.request("/api/grids")).status).toBe(200);
  });
});

describe("one-time set-password links", () => {
  it("an account an admin creates gets a link: single use, 72 h, the policy holds, then the password signs in", async () => {
    const admin = await signIn(app, "admin");
    const created = await admin.send("POST", "/api/accounts", {
      username: "linked-worker",
      display_name: "链接",
      roles: [{ role: "leader" }],
    });
    expect(created.status).toBe(201);
    const { set_password_url: url, set_password_expires_at: expires } = await created.json();
    expect(url).toMatch(/^\/set-password#[\w-]{40,}$/);
    const hours = (new Date(expires).getTime() - Date.now()) / 3_600_000;
    expect(hours).toBeGreaterThan(71.9);
    expect(hours).toBeLessThanOrEqual(72);
    const token = url.split("#")[1];
    const stored = await sqlClient.query("select 1 from password_link where token_hash = $1", [token]);
    expect(stored.rowCount).toBe(0);
    const set = (new_password: string) => post("/api/session/set-password", { token, new_password });
    const weak = await set("Password1234");
    expect(weak.status).toBe(400);
    expect((await weak.json()).error.field).toBe("new_password");
    expect((await set("Quiet-Lantern-Otter-58")).status).toBe(204);
    expect((await set("Another-Lantern-Otter-59")).status).toBe(404);
    const s = await signIn(app, "linked-worker", "Quiet-Lantern-Otter-58");
    expect((await (await s.request("/api/session")).json()).account.must_change_password).toBe(false);
  });

  it("a reset issues a new link and voids the old; an expired link is refused", async () => {
    const admin = await signIn(app, "admin");
    const id = (await sqlClient.query("select id from account where username = 'worker-11'")).rows[0].id;
    const first = (await (await admin.send("POST", `/api/accounts/${id}/password`, {})).json()).set_password_url;
    const second = (await (await admin.send("POST", `/api/accounts/${id}/password`, {})).json()).set_password_url;
    const use = (url: string) =>
      post("/api/session/set-password", { token: url.split("#")[1], new_password: "Velvet-Harbor-Gecko-31" });
    expect((await use(first)).status).toBe(404);
    await sqlClient.query("update password_link set expires_at = now() - interval '1 minute' where account_id = $1", [
      id,
    ]);
    const expired = await use(second);
    expect(expired.status).toBe(404);
    expect((await expired.json()).error.code).toBe("invalid_link");
  });
});

describe("the audit trail", () => {
  it("cannot be rewritten, even by the database owner", async () => {
    await expect(sqlClient.query("update audit_event set actor = 'someone else'")).rejects.toThrow(/append-only/);
    await expect(sqlClient.query("delete from audit_event")).rejects.toThrow(/append-only/);
    await expect(sqlClient.query("truncate audit_event")).rejects.toThrow(/append-only/);
  });

  it("is browsable by admins and leaders only", async () => {
    const leader = await signIn(app, "leader");
    const events = await (await leader.request("/api/audit?action=sign_in&limit=5")).json();
    expect(events.events.length).toBeGreaterThan(0);
    expect(events.events.every((e: { action: string }) => e.action === "sign_in")).toBe(true);
    const secretary = await signIn(app, "secretary-150571003003");
    expect((await secretary.request("/api/audit")).status).toBe(403);
  });
});

describe("expired sessions", () => {
  it("are purged when the server's jobs start and then periodically, the live ones kept", async () => {
    const live = await signIn(app, "planner");
    await signIn(app, "leader");
    const ids = async () =>
      (
        await sqlClient.query<{ username: string }>(
          "select distinct a.username from session s join account a on a.id = s.account_id where a.username in ('planner', 'leader')",
        )
      ).rows.map((r) => r.username);
    expect((await ids()).sort()).toEqual(["leader", "planner"]);
    await sqlClient.query(
      "update session set expires_at = now() - interval '1 minute' where account_id = (select id from account where username = 'leader')",
    );
    // On start: the jobs run once at once.
    const stop = startJobs({ db, retention: { visitMonths: 13, every_ms: 3_600_000 } });
    try {
      await expect.poll(ids, { timeout: 10_000 }).toEqual(["planner"]);
    } finally {
      stop();
    }
    expect((await live.request("/api/session")).status).toBe(200);
    // And the periodic sweep itself.
    await sqlClient.query(
      "update session set expires_at = now() - interval '1 second' where account_id = (select id from account where username = 'planner')",
    );
    expect(await purgeExpiredSessions(db)).toBeGreaterThanOrEqual(1);
    expect(await ids()).toEqual([]);
  });
});
