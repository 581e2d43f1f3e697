import { beforeAll, describe, expect, it } from "vitest";
import { useTestApp } from "../../../test-support/test-app.ts";
import { signIn, type TestSession } from "../../../test-support/test-session.ts";

const A = "150571003001";
const B = "150571003002";
const t = useTestApp("workers");
let secretaryA: TestSession;
let admin: TestSession;

beforeAll(async () => {
  secretaryA = await t.as(`secretary-${A}`);
  admin = await t.as("admin");
});

const one = async (q: string, params: unknown[] = []) => (await t.sql.query(q, params)).rows[0];
/** The worker's version as stored: every edit names the version it was made against. */
const versionOf = async (id: number): Promise<number> =>
  (await one("select version from worker where id = $1", [id])).version;
const gridOf = async (community: string, offset = 0) =>
  (
    await one("select code from published_grid where community_code = $1 order by code offset $2 limit 1", [
      community,
      offset,
    ])
  ).code as string;
const workerOf = async (community: string, role = "info_worker") =>
  (
    await one(
      "select id from worker where community_code = $1 and role = $2 and retired_on is null order by id limit 1",
      [community, role],
    )
  ).id as number;
const auditCount = async (action: string) =>
  (await one("select count(*)::int as n from audit_event where action = $1", [action])).n as number;

describe("the team of a community", () => {
  it("lists a secretary's workers with their load as the grids' figures add up", async () => {
    const body = await (await secretaryA.request("/api/workers")).json();
    expect(body.view).toBe("full");
    expect(new Set(body.workers.map((w: { community_code: string }) => w.community_code))).toEqual(new Set([A]));
    const expected = await t.sql.query<{ id: number; households: number; entrances: number; grids: number }>(
      `select w.id, coalesce(sum(f.households), 0)::int as households, coalesce(sum(f.entrances), 0)::int as entrances,
         count(f.code)::int as grids
       from worker w left join worker_assignment wa on wa.worker_id = w.id
       left join grid_figure f on f.code = wa.grid_code and f.plan_id = (select id from plan where status = 'published')
       where w.community_code = $1 and w.retired_on is null group by w.id`,
      [A],
    );
    expect(body.workers).toHaveLength(expected.rows.length);
    for (const w of body.workers) {
      const e = expected.rows.find((r) => r.id === w.id)!;
      expect(w.load, `worker ${w.id}`).toEqual({ grids: e.grids, households: e.households, entrances: e.entrances });
    }
    const gw = body.workers.filter((w: { role: string }) => w.role === "grid_worker");
    const avg = Math.round(
      gw.reduce((n: number, w: { load: { households: number } }) => n + w.load.households, 0) / gw.length,
    );
    expect(body.averages[A].grid_worker.households).toBe(avg);
  });

  it("answers another community's list 404, shows a planner no phones and a worker only itself", async () => {
    expect((await secretaryA.request(`/api/workers?community=${B}`)).status).toBe(404);
    const planner = await (await (await signIn(t.app, "planner")).request(`/api/workers?community=${B}`)).json();
    expect(planner.view).toBe("names");
    expect(planner.workers.every((w: object) => !("phone" in w))).toBe(true);
    const worker = await (await (await signIn(t.app, "worker-1")).request("/api/workers")).json();
    expect(worker.workers).toHaveLength(1);
    expect((await (await signIn(t.app, "leader")).request("/api/workers")).status).toBe(403);
  });

  it("adds, edits and retires a worker, each change in the audit trail", async () => {
    const created = await secretaryA.send("POST", "/api/workers", {
      community_code: A,
      role: "info_worker",
      name: " 王晓梅 ",
      phone: "139 0000 1234",
      started_on: "2026-03-01",
    });
    expect(created.status).toBe(201);
    const w = await created.json();
    expect(w).toMatchObject({ name: "王晓梅", phone: "139 0000 1234", grids: [], load: { grids: 0 } });
    const grid = await gridOf(A);
    expect((await secretaryA.send("POST", `/api/workers/${w.id}/assignments`, { grid_code: grid })).status).toBe(201);
    expect((await secretaryA.send("POST", `/api/workers/${w.id}/assignments`, { grid_code: grid })).status).toBe(200);
    const edited = await (
      await secretaryA.send("PATCH", `/api/workers/${w.id}`, {
        phone: "",
        role: "grid_worker",
        version: await versionOf(w.id),
      })
    ).json();
    expect(edited).toMatchObject({ phone: null, role: "grid_worker", grids: [grid] });
    const before = await auditCount("worker_retire");
    const retired = await secretaryA.send("PATCH", `/api/workers/${w.id}`, {
      retired_on: "2026-11-01",
      version: await versionOf(w.id),
    });
    expect(retired.status).toBe(200);
    expect((await retired.json()).grids).toEqual([]);
    expect(await auditCount("worker_retire")).toBe(before + 1);
    const trail = await one("select diff from audit_event where action = 'worker_retire' order by id desc limit 1");
    expect(trail.diff.assignments_ended).toEqual([grid]);
    const refused = await secretaryA.send("POST", `/api/workers/${w.id}/assignments`, { grid_code: grid });
    expect(refused.status).toBe(422);
    const early = { retired_on: "2026-01-01", version: await versionOf(w.id) };
    expect((await secretaryA.send("PATCH", `/api/workers/${w.id}`, early)).status).toBe(422);
  });

  it("refuses an edit without a version (428) and changes nothing", async () => {
    const id = await workerOf(A, "grid_worker");
    const before = await one("select phone, version from worker where id = $1", [id]);
    const blind = await secretaryA.send("PATCH", `/api/workers/${id}`, { phone: "138 0000 0009" });
    expect(blind.status).toBe(428);
    expect((await blind.json()).error).toMatchObject({ code: "version_required", field: "version" });
    expect(await one("select phone, version from worker where id = $1", [id])).toEqual(before);
  });

  it("refuses an edit made on an old version of a worker, naming who changed it, and keeps their change", async () => {
    const id = await workerOf(A, "grid_worker");
    const listed = (await (await secretaryA.request("/api/workers")).json()).workers as {
      id: number;
      phone: string | null;
      version: number;
    }[];
    const { version, phone } = listed.find((w) => w.id === id)!;
    const first = await admin.send("PATCH", `/api/workers/${id}`, { phone: "138 0000 0001", version });
    expect(first.status, await first.clone().text()).toBe(200);
    expect((await first.json()).version).toBe(version + 1);
    const auditBefore = await one("select count(*)::int as n from audit_event");
    const stale = await secretaryA.send("PATCH", `/api/workers/${id}`, { phone: "138 0000 0002", version });
    expect(stale.status).toBe(409);
    const body = await stale.json();
    expect(body.error).toMatchObject({ code: "version_conflict", field: "version" });
    expect(body.error.en).toContain("by admin");
    // The details every version conflict has (plans, cameras, workers): the version in force and who changed it.
    expect(body.error.details).toMatchObject({
      current_version: version + 1,
      changes: [{ actor: "admin", zh: "worker_update", en: "worker_update" }],
    });
    expect(await one("select phone, version from worker where id = $1", [id])).toEqual({
      phone: "138 0000 0001",
      version: version + 1,
    });
    expect(await one("select count(*)::int as n from audit_event")).toEqual(auditBefore);
    const again = await secretaryA.send("PATCH", `/api/workers/${id}`, { phone, version: version + 1 });
    expect(again.status).toBe(200);
  });

  it("keeps a secretary to their community: 404 for B's workers and grids, nothing changed", async () => {
    const workerB = await workerOf(B);
    const workerA = await workerOf(A);
    const before = await one("select count(*)::int as n from worker_assignment");
    const auditBefore = await one("select count(*)::int as n from audit_event");
    expect((await secretaryA.send("PATCH", `/api/workers/${workerB}`, { name: "改名" })).status).toBe(404);
    expect(
      (await secretaryA.send("POST", `/api/workers/${workerB}/assignments`, { grid_code: await gridOf(B) })).status,
    ).toBe(404);
    expect((await secretaryA.send("DELETE", `/api/workers/${workerB}/assignments/${await gridOf(B)}`)).status).toBe(
      404,
    );
    expect(
      (await secretaryA.send("POST", `/api/workers/${workerA}/assignments`, { grid_code: await gridOf(B) })).status,
    ).toBe(404);
    const create = await secretaryA.send("POST", "/api/workers", {
      community_code: B,
      role: "info_worker",
      name: "越界",
      started_on: "2026-01-01",
    });
    expect(create.status).toBe(404);
    // An admin may reach B, but a worker of A still cannot take a grid of B.
    expect(
      (await admin.send("POST", `/api/workers/${workerA}/assignments`, { grid_code: await gridOf(B) })).status,
    ).toBe(422);
    expect(await one("select count(*)::int as n from worker_assignment")).toEqual(before);
    expect(await one("select count(*)::int as n from audit_event")).toEqual(auditBefore);
  });

  it("refuses a leader's and a worker's writes with 403", async () => {
    const workerA = await workerOf(A);
    for (const who of ["leader", "worker-1", "planner"]) {
      const s = await signIn(t.app, who);
      expect((await s.send("PATCH", `/api/workers/${workerA}`, { name: "改名" })).status, who).toBe(403);
      expect(
        (await s.send("POST", `/api/workers/${workerA}/assignments`, { grid_code: await gridOf(A) })).status,
        who,
      ).toBe(403);
    }
  });

  it("moves a worker from one grid to another, and the grid's team follows", async () => {
    const workerA = await workerOf(A, "grid_worker");
    const from = (
      await one("select grid_code from worker_assignment where worker_id = $1 order by 1 limit 1", [workerA])
    ).grid_code as string;
    const res = await secretaryA.send("DELETE", `/api/workers/${workerA}/assignments/${from}`);
    expect(res.status).toBe(200);
    expect((await res.json()).grids).not.toContain(from);
    const status = await (await secretaryA.request(`/api/grids/${from}/status`)).json();
    const left = await one(
      `select count(*)::int as n from worker_assignment wa join worker w on w.id = wa.worker_id
       where wa.grid_code = $1 and w.role = 'grid_worker' and w.retired_on is null`,
      [from],
    );
    expect(status.grid.workers.grid_worker).toBe(left.n);
    expect((await secretaryA.send("DELETE", `/api/workers/${workerA}/assignments/${from}`)).status).toBe(404);
  });

  it("refuses bad names, phones and dates with a bilingual 400", async () => {
    for (const bad of [
      { name: "" },
      { name: "x".repeat(41) },
      { name: "a\u202Eb" },
      { phone: "call me" },
      { started_on: "2026-02-30" },
      {},
    ]) {
      const res = await secretaryA.send("PATCH", `/api/workers/${await workerOf(A)}`, bad);
      expect(res.status, JSON.stringify(bad)).toBe(400);
      const body = await res.json();
      expect(body.error.zh && body.error.en).toBeTruthy();
    }
  });
});
