import { beforeAll, describe, expect, it } from "vitest";
import { useTestApp } from "../../../test-support/test-app.ts";
import type { TestSession } from "../../../test-support/test-session.ts";

/**
 * Issue 16, small places: a visit at an entrance of fewer than 3 households is shown one by one only to the worker
 * who made it, their community's secretary and admins. Leaders, planners and other workers see it only inside grid
 * and building figures. Checked by role on every answer that shows visits one by one: the visit list, a grid's
 * entrances, the field app's entrances and the audit trail.
 */
const t = useTestApp("visit-privacy");

type Place = { grid: string; community: string; entrance_id: number; households: number };
let small: Place;
let big: Place;
let maker: { username: string; worker_id: number };
let colleague: { username: string; worker_id: number };
let today: string;
const NOTE = "入户走访 矛盾纠纷排查";

beforeAll(async () => {
  today = new Date(Date.now() + 8 * 3600_000).toISOString().slice(0, 10);
  // A grid with two worker accounts in post, a small entrance and a big one.
  const [g] = await t.rows<{ grid: string; community: string; workers: { username: string; worker_id: number }[] }>(
    `select wa.grid_code as grid, w.community_code as community,
       json_agg(json_build_object('username', a.username, 'worker_id', w.id) order by w.id) as workers
     from worker_assignment wa join worker w on w.id = wa.worker_id and w.retired_on is null
     join account_role ar on ar.worker_id = w.id and ar.role = 'worker' join account a on a.id = ar.account_id
     where exists (select 1 from published_parcel pp join parcel pa on pa.id = pp.parcel_id
                   join entrance e on e.id = pa.entrance_id where pp.grid_code = wa.grid_code and e.households between 1 and 2)
     group by 1, 2 having count(distinct w.id) >= 2 order by 1 limit 1`,
  );
  if (!g) throw new Error("no grid with two worker accounts and a small entrance");
  [maker, colleague] = g.workers as [typeof maker, typeof colleague];
  const place = (cond: string) =>
    t.rows<Place>(
      `select pp.grid_code as grid, pp.community_code as community, e.id as entrance_id, e.households
       from published_parcel pp join parcel pa on pa.id = pp.parcel_id join entrance e on e.id = pa.entrance_id
       where pp.grid_code = $1 and ${cond} order by e.id limit 1`,
      [g.grid],
    );
  [small] = (await place("e.households between 1 and 2")) as [Place];
  [big] = (await place("e.households >= 3")) as [Place];
  const me = await t.as(maker.username);
  for (const p of [small, big]) {
    const res = await me.send("POST", "/api/visits", { entrance_id: p.entrance_id, visited_on: today, note: NOTE });
    expect([201, 409], await res.clone().text()).toContain(res.status);
  }
});

const lastVisitIn = async (s: TestSession, entranceId: number) => {
  const res = await s.request(`/api/grids/${small.grid}/status?today=${today}`);
  expect(res.status).toBe(200);
  const body = (await res.json()) as {
    grid: unknown;
    entrances: { id: number; last_visit_on: string | null; small_place: boolean; stale: boolean }[];
  };
  const e = body.entrances.find((x) => x.id === entranceId)!;
  return { last: e.last_visit_on, small: e.small_place, stale: e.stale, grid: body.grid };
};

const fieldLast = async (s: TestSession, entranceId: number) => {
  const res = await s.request("/api/me/field");
  expect(res.status).toBe(200);
  const body = (await res.json()) as {
    entrances: { features: { properties: { id: number; last_visit_on: string | null } }[] };
  };
  return body.entrances.features.find((f) => f.properties.id === entranceId)?.properties.last_visit_on;
};

/**
 * The last visit of a small entrance that a reader who sees only `own` workers' visits there may see, by plain SQL:
 * their own visits to it or its building, and visits to its building as a whole when the building is not small.
 */
async function lastSeenBy(entranceId: number, own: number[]) {
  const [r] = await t.rows<{ d: string | null }>(
    `select max(v.visited_on)::text d from visit v join entrance e on e.id = $1
     where v.visited_on <= $3::date and (
       (v.entrance_id = e.id and v.worker_id = any($2::int[]))
       or (v.building_id = e.building_id and (v.worker_id = any($2::int[])
         or (select sum(x.households) from entrance x where x.building_id = e.building_id) >= 3)))`,
    [entranceId, own, today],
  );
  return r!.d;
}

describe("visits at small places, by role", () => {
  it("the worker who made it and the community's secretary see it one by one", async () => {
    const me = await t.as(maker.username);
    const secretary = await t.as(`secretary-${small.community}`);
    for (const s of [me, secretary]) {
      const list = (await (await s.request(`/api/visits?from=${today}`)).json()) as {
        entrance_id: number;
        note: string;
      }[];
      expect(list.find((v) => v.entrance_id === small.entrance_id)?.note).toBe(NOTE);
    }
    expect(await fieldLast(me, small.entrance_id)).toBe(today);
    expect(await lastVisitIn(secretary, small.entrance_id)).toMatchObject({ last: today, small: true });
  });

  it("another worker of the same grid sees only their own visits there, but the big entrance's last visit", async () => {
    const other = await t.as(colleague.username);
    const seen = await lastSeenBy(small.entrance_id, [colleague.worker_id]);
    expect(seen).not.toBe(today);
    expect(await fieldLast(other, small.entrance_id)).toBe(seen);
    expect(await fieldLast(other, big.entrance_id)).toBe(today);
    const list = (await (await other.request(`/api/visits?from=${today}`)).json()) as { worker_id: number }[];
    expect(list.every((v) => v.worker_id === colleague.worker_id)).toBe(true);
  });

  it("leaders and planners see small places only inside the grid's figures", async () => {
    const secretary = await t.as(`secretary-${small.community}`);
    const full = await lastVisitIn(secretary, small.entrance_id);
    for (const who of ["leader", "planner"]) {
      const s = await t.as(who);
      const seen = await lastSeenBy(small.entrance_id, []);
      expect(seen).not.toBe(today);
      // Nor is it listed as unvisited: that would be guessed from visits they may not see.
      expect(await lastVisitIn(s, small.entrance_id), who).toMatchObject({ last: seen, small: true, stale: false });
      expect((await lastVisitIn(s, big.entrance_id)).last, who).toBe(today);
      // The grid's figures count the small place's visit all the same.
      expect((await lastVisitIn(s, small.entrance_id)).grid, who).toEqual(full.grid);
      expect((await s.request("/api/visits")).status, who).toBe(403);
    }
  });

  it("the audit trail withholds the entry of a visit at a small place from leaders, not from admins", async () => {
    const q = `/api/audit?entity=visit&action=visit_create&limit=500`;
    type Events = { events: { diff: { entrance_id?: number; note?: string; withheld?: string } }[] };
    const leader = (await (await (await t.as("leader")).request(q)).json()) as Events;
    const admin = (await (await (await t.as("admin")).request(q)).json()) as Events;
    expect(admin.events.some((e) => e.diff.entrance_id === small.entrance_id && e.diff.note === NOTE)).toBe(true);
    expect(leader.events.some((e) => e.diff.entrance_id === small.entrance_id)).toBe(false);
    expect(leader.events.some((e) => e.diff.withheld === "small_place")).toBe(true);
    expect(leader.events.some((e) => e.diff.entrance_id === big.entrance_id && e.diff.note === NOTE)).toBe(true);
  });

  it("exports carry no visits: no layer of them, no visit figure of a place, for any role that exports", async () => {
    for (const who of ["leader", "planner", "admin"]) {
      const s = await t.as(who);
      expect((await s.request("/api/exports/visits")).status, who).toBe(400);
      const res = await s.request(`/api/exports/buildings?community=${small.community}`);
      expect(res.status, who).toBe(200);
      const text = await res.text();
      expect(text, who).not.toMatch(/visit/i);
      expect(text, who).not.toContain(NOTE);
    }
  });
});
