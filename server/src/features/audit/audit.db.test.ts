import { describe, expect, it } from "vitest";
import { useTestApp } from "../../../test-support/test-app.ts";

const t = useTestApp("audit");

type Events = { events: { id: number; actor: string; action: string; entity: string; entity_id: string | null }[] };

describe("GET /api/audit", () => {
  it("shows admins and leaders the trail newest first, a change made through the API on top", async () => {
    const admin = await t.as("admin");
    const [worker] = await t.rows<{ id: number }>("select id from account where username = 'worker-2'");
    expect(
      (await admin.send("PATCH", `/api/accounts/${worker!.id}`, { display_name: "审计测试", version: 1 })).status,
    ).toBe(200);
    for (const who of ["admin", "leader"]) {
      const res = await (await t.as(who)).request("/api/audit?limit=5");
      expect(res.status, who).toBe(200);
      const { events } = (await res.json()) as Events;
      const newest = await t.rows<{ id: number }>("select id from audit_event order by id desc limit 5");
      expect(events.map((e) => e.id)).toEqual(newest.map((r) => r.id));
      expect(events.find((e) => e.action === "account_update")).toMatchObject({
        actor: "admin",
        entity: "account",
        entity_id: String(worker!.id),
      });
    }
  });

  it("filters by actor and action and pages with `before`", async () => {
    const leader = await t.as("leader");
    const { events } = (await (await leader.request("/api/audit?action=sign_in&limit=500")).json()) as Events;
    const rows = await t.rows<{ id: number }>(
      "select id from audit_event where action = 'sign_in' order by id desc limit 500",
    );
    expect(rows.length).toBeGreaterThan(1);
    expect(events.map((e) => e.id)).toEqual(rows.map((r) => r.id));
    const older = (await (await leader.request(`/api/audit?action=sign_in&before=${rows[0]!.id}`)).json()) as Events;
    expect(older.events.map((e) => e.id)).toEqual(rows.slice(1).map((r) => r.id));
    const mine = (await (await leader.request("/api/audit?actor=nobody-at-all")).json()) as Events;
    expect(mine.events).toEqual([]);
  });

  it("names the object and the actor, and filters by every kind of object", async () => {
    const planner = await t.as("planner");
    const [camera] = await t.rows<{ id: number; name: string; version: number; range_m: number }>(
      "select id, name, version, range_m from camera where status = 'online' order by id limit 1",
    );
    const res = await planner.send("PATCH", `/api/cameras/${camera!.id}`, { version: camera!.version, range_m: 41 });
    expect(res.status).toBe(200);
    const admin = await t.as("admin");
    const { events } = (await (await admin.request("/api/audit?entity=camera&limit=5")).json()) as {
      events: { entity: string; entity_name: string | null; actor_name: string | null; diff: unknown }[];
    };
    expect(events[0]).toMatchObject({
      entity: "camera",
      entity_name: camera!.name,
      actor_name: expect.any(String),
      diff: { range_m: { before: camera!.range_m, after: 41 } },
    });
    expect(events.every((e) => e.entity === "camera")).toBe(true);
    const bad = await admin.request("/api/audit?entity=nothing_of_the_kind");
    expect(bad.status).toBe(400);
  });

  it("is not for planners, secretaries or workers", async () => {
    for (const who of ["planner", "secretary-150571003001", "worker-1"]) {
      expect((await (await t.as(who)).request("/api/audit")).status, who).toBe(403);
    }
  });
});
