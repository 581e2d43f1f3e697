import { beforeAll, describe, expect, it } from "vitest";
import { useTestApp } from "../../../test-support/test-app.ts";
import { signIn, type TestSession } from "../../../test-support/test-session.ts";
import { todayCst } from "./venues.input.ts";

const t = useTestApp("venues");
let worker: TestSession;
let workerId: number;
let workerGrids: string[];
/** A venue in worker-1's grids, and one of the same community outside them. */
let own: { id: number; community_code: string; grid_code: string };
let elsewhere: { id: number };

beforeAll(async () => {
  worker = await t.as("worker-1");
  const w = await t.sql.query<{ worker_id: number; grid_code: string }>(
    `select r.worker_id, wa.grid_code from account a join account_role r on r.account_id = a.id
     join worker_assignment wa on wa.worker_id = r.worker_id where a.username = 'worker-1' order by 2`,
  );
  workerId = w.rows[0]!.worker_id;
  workerGrids = w.rows.map((r) => r.grid_code);
  // worker-1's grids may hold no venue in the demo; then one is placed there for these tests.
  let v = await t.sql.query<{ id: number; community_code: string; grid_code: string }>(
    `select v.id, v.community_code, pp.grid_code from venue v join published_parcel pp on pp.parcel_id = v.parcel_id
     where pp.grid_code = any($1) order by v.id limit 1`,
    [workerGrids],
  );
  if (!v.rows[0]) {
    await t.sql.query(
      `insert into venue (community_code, parcel_id, category, name, address, geom)
       select pa.community_code, pa.id, 'health_shop', '测试养生馆', '测试路1号', ST_PointOnSurface(pa.geom)
       from parcel pa join published_parcel pp on pp.parcel_id = pa.id where pp.grid_code = $1 order by pa.id limit 1`,
      [workerGrids[0]],
    );
    v = await t.sql.query(
      `select v.id, v.community_code, pp.grid_code from venue v join published_parcel pp on pp.parcel_id = v.parcel_id
       where pp.grid_code = any($1) order by v.id limit 1`,
      [workerGrids],
    );
  }
  own = v.rows[0]!;
  const e = await t.sql.query<{ id: number }>(
    `select v.id from venue v join published_parcel pp on pp.parcel_id = v.parcel_id
     where v.community_code = $1 and pp.grid_code <> all($2) order by v.id limit 1`,
    [own.community_code, workerGrids],
  );
  elsewhere = e.rows[0]!;
});

type VenueCard = {
  properties: {
    inspection_status: string;
    last_inspected_on: string | null;
    due_on: string | null;
    inspection_interval_days: number;
    inspections: { id: number; inspected_on: string; inspector_id: number | null; result: string }[];
    hazards: { id: number; status: string }[];
    may_inspect: boolean;
  };
};

describe("a venue's card", () => {
  it("carries every inspection, newest first, and the last one with its due date", async () => {
    const busiest = await t.sql.query<{ venue_id: number; n: number }>(
      "select venue_id, count(*)::int n from inspection group by 1 order by 2 desc, 1 limit 1",
    );
    const { venue_id, n } = busiest.rows[0]!;
    const leader = await signIn(t.app, "leader");
    const res = await leader.request(`/api/venues/${venue_id}`);
    expect(res.status).toBe(200);
    const card = (await res.json()) as VenueCard;
    expect(card.properties.inspections).toHaveLength(n);
    const dates = card.properties.inspections.map((i) => i.inspected_on);
    expect([...dates].sort().reverse()).toEqual(dates);
    expect(card.properties.last_inspected_on).toBe(dates[0]);
    const due = new Date(`${dates[0]}T00:00:00Z`);
    due.setUTCDate(due.getUTCDate() + card.properties.inspection_interval_days);
    expect(card.properties.due_on).toBe(due.toISOString().slice(0, 10));
    expect(card.properties.may_inspect).toBe(false);
  });

  it("is not found outside the reader's scope", async () => {
    expect((await worker.request(`/api/venues/${elsewhere.id}`)).status).toBe(404);
    expect((await worker.request(`/api/venues/${own.id}`)).status).toBe(200);
  });
});

describe("recording an inspection", () => {
  it("records it in the worker's name, raises the hazards found at the venue and audits all of it", async () => {
    const res = await worker.send("POST", `/api/venues/${own.id}/inspections`, {
      inspected_on: todayCst(),
      result: "issues_found",
      note: "店内张贴夸大功效宣传",
      follow_up: "责令当日撤除",
      hazards: [
        { category: "fraud_ads", severity: "medium", title: "张贴夸大功效宣传单" },
        { category: "fire", severity: "high", title: "灭火器过期未更换", note: "两具" },
      ],
    });
    expect(res.status, await res.clone().text()).toBe(201);
    const body = (await res.json()) as { inspection_id: number; hazards: number[]; venue: VenueCard };
    expect(body.hazards).toHaveLength(2);
    const card = body.venue.properties;
    expect(card.inspections[0]).toMatchObject({
      id: body.inspection_id,
      inspector_id: workerId,
      result: "issues_found",
    });
    expect(card.last_inspected_on).toBe(todayCst());
    expect(card.inspection_status).toBe("ok");
    expect(card.hazards.map((h) => h.id).sort()).toEqual([...body.hazards].sort());
    const raised = await t.sql.query(
      `select h.venue_id, h.status, h.parcel_id = v.parcel_id as same_parcel, ST_Equals(h.geom, v.geom) as at_venue,
         (select count(*)::int from hazard_transition t where t.hazard_id = h.id) as history
       from hazard h join venue v on v.id = h.venue_id where h.id = any($1)`,
      [body.hazards],
    );
    for (const r of raised.rows) {
      expect(r).toEqual({ venue_id: own.id, status: "reported", same_parcel: true, at_venue: true, history: 1 });
    }
    const audit = await t.sql.query<{ action: string }>(
      `select action from audit_event where actor = 'worker-1' and action in ('inspection_create', 'hazard_create')
       order by id`,
    );
    expect(audit.rows.map((a) => a.action)).toEqual(["hazard_create", "hazard_create", "inspection_create"]);
  });

  it("lets a worker record only in their own grids, in their own name", async () => {
    const body = { inspected_on: "2026-01-05", result: "ok" };
    expect((await worker.send("POST", `/api/venues/${elsewhere.id}/inspections`, body)).status).toBe(404);
    const other = await t.sql.query<{ id: number }>("select id from worker where id <> $1 order by id limit 1", [
      workerId,
    ]);
    const res = await worker.send("POST", `/api/venues/${own.id}/inspections`, {
      ...body,
      inspector_id: other.rows[0]!.id,
    });
    expect(res.status).toBe(403);
    expect((await res.json()).error.field).toBe("inspector_id");
  });

  it("stands a secretary in as the community's secretary and checks a named inspector's community", async () => {
    const secretary = await signIn(t.app, `secretary-${own.community_code}`);
    const res = await secretary.send("POST", `/api/venues/${elsewhere.id}/inspections`, {
      inspected_on: "2026-02-01",
      result: "ok",
      joint_with_police: true,
    });
    expect(res.status).toBe(201);
    const { inspection_id } = await res.json();
    const row = await t.sql.query(
      "select w.role, w.community_code, i.joint_with_police from inspection i join worker w on w.id = i.inspector_id where i.id = $1",
      [inspection_id],
    );
    expect(row.rows[0]).toEqual({ role: "secretary", community_code: own.community_code, joint_with_police: true });
    const stranger = await t.sql.query<{ id: number }>(
      "select id from worker where community_code <> $1 order by id limit 1",
      [own.community_code],
    );
    const refused = await secretary.send("POST", `/api/venues/${elsewhere.id}/inspections`, {
      inspected_on: "2026-02-01",
      result: "ok",
      inspector_id: stranger.rows[0]!.id,
    });
    expect(refused.status).toBe(422);
  });

  it("refuses a date in the future, a bad result and a leader", async () => {
    const tomorrow = new Date(Date.now() + 2 * 86_400_000).toISOString().slice(0, 10);
    const before = await t.sql.query("select count(*)::int n from inspection");
    const future = await worker.send("POST", `/api/venues/${own.id}/inspections`, {
      inspected_on: tomorrow,
      result: "ok",
    });
    expect(future.status).toBe(400);
    expect((await future.json()).error.field).toBe("inspected_on");
    const bad = await worker.send("POST", `/api/venues/${own.id}/inspections`, {
      inspected_on: "2026-01-05",
      result: "fine",
    });
    expect(bad.status).toBe(400);
    const leader = await signIn(t.app, "leader");
    const refused = await leader.send("POST", `/api/venues/${own.id}/inspections`, {
      inspected_on: "2026-01-05",
      result: "ok",
    });
    expect(refused.status).toBe(403);
    expect((await t.sql.query("select count(*)::int n from inspection")).rows[0].n).toBe(before.rows[0].n);
  });
});

describe("inspection intervals", () => {
  it("are set by admins and planners, audited, and every due date follows at once", async () => {
    const overdue = async () =>
      (
        await t.sql.query<{ n: number }>(
          "select count(*)::int n from venue_inspection_status s join venue v on v.id = s.venue_id where v.category = 'restaurant' and s.status = 'overdue'",
        )
      ).rows[0]!.n;
    const planner = await signIn(t.app, "planner");
    const leader = await signIn(t.app, "leader");
    expect(
      (await leader.send("PATCH", "/api/venue-categories/restaurant", { inspection_interval_days: 1 })).status,
    ).toBe(403);
    const res = await planner.send("PATCH", "/api/venue-categories/restaurant", {
      inspection_interval_days: 1,
      version: 1,
    });
    expect(res.status).toBe(200);
    expect((await res.json()).inspection_interval_days).toBe(1);
    const strict = await overdue();
    const list = await (await leader.request("/api/venues?category=restaurant&status=overdue")).json();
    expect(list.features).toHaveLength(strict);
    await planner.send("PATCH", "/api/venue-categories/restaurant", { inspection_interval_days: 3650, version: 2 });
    expect(await overdue()).toBe(0);
    expect(strict).toBeGreaterThan(0);
    const audit = await t.sql.query(
      "select diff from audit_event where action = 'venue_category_update' and entity_id = 'restaurant' order by id",
    );
    expect(audit.rows.map((r) => r.diff.inspection_interval_days.to)).toEqual([1, 3650]);
    expect(
      (await planner.send("PATCH", "/api/venue-categories/no_such", { inspection_interval_days: 5, version: 1 }))
        .status,
    ).toBe(404);
    expect(
      (await planner.send("PATCH", "/api/venue-categories/restaurant", { inspection_interval_days: 0 })).status,
    ).toBe(400);
  });
});
