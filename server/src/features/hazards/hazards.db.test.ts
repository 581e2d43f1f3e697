import { beforeAll, describe, expect, it } from "vitest";
import { workerOnePlace } from "../../../test-support/map-filters.ts";
import { useTestApp } from "../../../test-support/test-app.ts";
import { signIn, type TestSession } from "../../../test-support/test-session.ts";

const t = useTestApp("hazards");
let admin: TestSession;
let worker: TestSession;
let secretary: TestSession;
let otherSecretary: TestSession;
/** worker-1's grids and community, and a point in the first of its grids. */
let workerGrids: string[];
let workerCommunity: string;
let inOwnGrid: [number, number];
/** A point in a grid of worker-1's community that is not worker-1's. */
let inOtherGrid: { at: [number, number]; grid: string };

const STATUSES = ["reported", "assigned", "in_progress", "resolved", "verified"] as const;
type Status = (typeof STATUSES)[number];
/** The lifecycle, written out again here rather than imported: the test states the rule on its own. */
const ALLOWED: Record<Status, Status[]> = {
  reported: ["assigned"],
  assigned: ["in_progress"],
  in_progress: ["resolved"],
  resolved: ["verified", "assigned"],
  verified: ["assigned"],
};
/** The shortest way from a new hazard to each status. */
const PATH: Record<Status, Status[]> = {
  reported: [],
  assigned: ["assigned"],
  in_progress: ["assigned", "in_progress"],
  resolved: ["assigned", "in_progress", "resolved"],
  verified: ["assigned", "in_progress", "resolved", "verified"],
};

/** A point inside a parcel of a grid of the published plan, well inside it. */
async function pointInGrid(grid: string): Promise<[number, number]> {
  const r = await t.sql.query<{ lng: number; lat: number }>(
    `select ST_X(pt) lng, ST_Y(pt) lat from (
       select ST_PointOnSurface(pa.geom) pt from parcel pa
       join published_parcel pp on pp.parcel_id = pa.id
       where pp.grid_code = $1 order by ST_Area(pa.geom) desc limit 1) x`,
    [grid],
  );
  return [r.rows[0]!.lng, r.rows[0]!.lat];
}

beforeAll(async () => {
  admin = await t.as("admin");
  worker = await t.as("worker-1");
  ({ grids: workerGrids, community: workerCommunity } = await workerOnePlace(t));
  secretary = await t.as(`secretary-${workerCommunity}`);
  const other = await t.sql.query<{ code: string }>(
    "select code from community where code <> $1 order by code limit 1",
    [workerCommunity],
  );
  otherSecretary = await t.as(`secretary-${other.rows[0]!.code}`);
  inOwnGrid = await pointInGrid(workerGrids[0]!);
  const g = await t.sql.query<{ code: string }>(
    "select code from published_grid where community_code = $1 and code <> all($2) order by code limit 1",
    [workerCommunity, workerGrids],
  );
  inOtherGrid = { grid: g.rows[0]!.code, at: await pointInGrid(g.rows[0]!.code) };
});

const point = (at: [number, number]) => ({ type: "Point", coordinates: at });

type Hazard = {
  id: number;
  properties: {
    status: Status;
    grid_code: string | null;
    community_code: string | null;
    team: { id: number; name: string; role: string }[];
    allowed_transitions: Status[];
    venue_id: number | null;
  };
};

async function report(as: TestSession, at: [number, number], extra: object = {}): Promise<Response> {
  return as.send("POST", "/api/hazards", {
    geometry: point(at),
    category: "fire",
    severity: "high",
    title: "楼道堆放易燃杂物",
    ...extra,
  });
}

async function reported(as: TestSession = admin, at: [number, number] = inOwnGrid): Promise<Hazard> {
  const res = await report(as, at);
  expect(res.status, await res.clone().text()).toBe(201);
  return res.json();
}

const move = (as: TestSession, id: number, to: Status, extra: object = {}) =>
  as.send("POST", `/api/hazards/${id}/transitions`, { to, note: "测试", ...extra });

async function walk(id: number, to: Status): Promise<void> {
  for (const step of PATH[to]) {
    const res = await move(admin, id, step);
    expect(res.status, await res.clone().text()).toBe(200);
  }
}

describe("the hazard lifecycle", () => {
  for (const from of STATUSES) {
    for (const to of STATUSES) {
      const allowed = ALLOWED[from].includes(to);
      it(`${from} → ${to}: ${allowed ? "allowed" : "refused with the allowed moves named"}`, async () => {
        const h = await reported();
        await walk(h.id, from);
        const before = await t.sql.query("select count(*)::int n from hazard_transition where hazard_id = $1", [h.id]);
        const res = await move(admin, h.id, to);
        const body = await res.json();
        const after = await t.sql.query<{ status: string }>("select status from hazard where id = $1", [h.id]);
        const history = await t.sql.query("select count(*)::int n from hazard_transition where hazard_id = $1", [h.id]);
        if (allowed) {
          expect(res.status).toBe(200);
          expect(body.hazard.properties.status).toBe(to);
          expect(after.rows[0]!.status).toBe(to);
          expect(history.rows[0]!.n).toBe(before.rows[0]!.n + 1);
          expect(body.history.at(-1)).toMatchObject({ from_status: from, to_status: to, actor_username: "admin" });
        } else {
          expect(res.status).toBe(422);
          expect(body.error.code).toBe("transition_not_allowed");
          expect(body.error.field).toBe("to");
          expect(body.error.details).toEqual({ from, allowed: ALLOWED[from] });
          // The message names the allowed moves, in both languages.
          expect(body.error.zh).toContain("可改为");
          expect(body.error.en).toContain("allowed:");
          expect(after.rows[0]!.status).toBe(from);
          expect(history.rows[0]!.n).toBe(before.rows[0]!.n);
        }
      });
    }
  }

  it("keeps the whole history, timestamped in order and attributed, and audits every move", async () => {
    const h = await reported(secretary);
    await walk(h.id, "verified");
    expect((await move(secretary, h.id, "assigned", { note: "复查未通过" })).status).toBe(200);
    const res = await admin.request(`/api/hazards/${h.id}/history`);
    expect(res.status).toBe(200);
    const history = (await res.json()) as {
      from_status: string | null;
      to_status: string;
      at: string;
      actor: string;
    }[];
    expect(history.map((t) => t.to_status)).toEqual([
      "reported",
      "assigned",
      "in_progress",
      "resolved",
      "verified",
      "assigned",
    ]);
    expect(history[0]!.from_status).toBeNull();
    expect(history[0]!.actor).toBe(
      (await t.sql.query("select display_name from account where username = $1", [`secretary-${workerCommunity}`]))
        .rows[0].display_name,
    );
    const times = history.map((t) => Date.parse(t.at));
    expect([...times].sort((a, b) => a - b)).toEqual(times);
    const audit = await t.sql.query<{ action: string; actor: string }>(
      "select action, actor from audit_event where entity = 'hazard' and entity_id = $1 order by id",
      [String(h.id)],
    );
    expect(audit.rows.map((a) => a.action)).toEqual(["hazard_create", ...Array(5).fill("hazard_transition")]);
    expect(audit.rows.at(-1)!.actor).toBe(`secretary-${workerCommunity}`);
  });

  it("asks for a reason to reopen", async () => {
    const h = await reported();
    await walk(h.id, "resolved");
    const res = await admin.send("POST", `/api/hazards/${h.id}/transitions`, { to: "assigned" });
    expect(res.status).toBe(400);
    expect((await res.json()).error.field).toBe("note");
  });

  it("refuses a move made against a status that has changed meanwhile (409)", async () => {
    const h = await reported();
    expect((await move(admin, h.id, "assigned", { from: "reported" })).status).toBe(200);
    const res = await move(admin, h.id, "in_progress", { from: "reported" });
    expect(res.status).toBe(409);
    expect((await res.json()).error.details).toEqual({ current: "assigned" });
  });

  it("lets workers start and finish the remediation in their grids, and leaves assigning and verifying to the office", async () => {
    const h = await reported(worker);
    expect(h.properties.allowed_transitions).toEqual([]);
    const refused = await move(worker, h.id, "assigned");
    expect(refused.status).toBe(403);
    expect((await refused.json()).error.code).toBe("office_move");
    const bySecretary = (await (await secretary.request(`/api/hazards/${h.id}`)).json()) as Hazard;
    expect(bySecretary.properties.allowed_transitions).toEqual(["assigned"]);
    expect((await move(secretary, h.id, "assigned")).status).toBe(200);
    expect((await move(worker, h.id, "in_progress")).status).toBe(200);
    expect((await move(worker, h.id, "resolved")).status).toBe(200);
    expect((await move(worker, h.id, "verified")).status).toBe(403);
    expect((await move(secretary, h.id, "verified")).status).toBe(200);
  });

  it("answers 404 to a secretary of another community and 403 to leaders and planners", async () => {
    const h = await reported();
    expect((await move(otherSecretary, h.id, "assigned")).status).toBe(404);
    expect((await otherSecretary.request(`/api/hazards/${h.id}`)).status).toBe(404);
    expect((await otherSecretary.request(`/api/hazards/${h.id}/history`)).status).toBe(404);
    for (const who of ["leader", "planner"]) {
      const s = await signIn(t.app, who);
      expect((await move(s, h.id, "assigned")).status).toBe(403);
      expect((await report(s, inOwnGrid)).status).toBe(403);
      expect((await s.request(`/api/hazards/${h.id}`)).status).toBe(200);
    }
    const status = await t.sql.query("select status from hazard where id = $1", [h.id]);
    expect(status.rows[0].status).toBe("reported");
  });
});

describe("reporting a hazard places it by point in parcel", () => {
  it("fills in the parcel, community and grid of the published plan and names the grid's team", async () => {
    const h = await reported(worker, inOwnGrid);
    const expected = await t.sql.query<{ parcel_id: number; community_code: string; grid_code: string }>(
      `select pa.id parcel_id, pa.community_code, g.code grid_code
       from parcel pa join plan_parcel pp on pp.parcel_id = pa.id
       join plan p on p.id = pp.plan_id and p.status = 'published' join grid g on g.id = pp.grid_id
       where ST_Contains(pa.geom, ST_SetSRID(ST_MakePoint($1, $2), 4326))`,
      inOwnGrid,
    );
    expect(expected.rows).toHaveLength(1);
    const row = expected.rows[0]!;
    expect(h.properties.grid_code).toBe(row.grid_code);
    expect(h.properties.community_code).toBe(row.community_code);
    expect(workerGrids).toContain(h.properties.grid_code);
    const stored = await t.sql.query("select parcel_id, status from hazard where id = $1", [h.id]);
    expect(stored.rows[0]).toEqual({ parcel_id: row.parcel_id, status: "reported" });
    // The team: the community's secretary and the workers assigned to the grid, worker-1 among them.
    const team = await t.sql.query<{ id: number }>(
      `select w.id from worker w where w.retired_on is null and (w.id in (select worker_id from worker_assignment
       where grid_code = $1) or (w.role = 'secretary' and w.community_code = $2)) order by w.id`,
      [row.grid_code, row.community_code],
    );
    expect(h.properties.team.map((m) => m.id).sort((a, b) => a - b)).toEqual(team.rows.map((t) => t.id));
    const me = await t.sql.query(
      "select worker_id from account a join account_role r on r.account_id = a.id where username = 'worker-1'",
    );
    expect(h.properties.team.map((m) => m.id)).toContain(me.rows[0].worker_id);
    expect(h.properties.team[0]!.role).toBe("secretary");
  });

  it("refuses a point outside the subdistrict with a clear 422 and writes nothing", async () => {
    const before = await t.sql.query("select count(*)::int n from hazard");
    const res = await report(admin, [122.0, 43.0]);
    expect(res.status).toBe(422);
    const body = await res.json();
    expect(body.error).toMatchObject({ code: "outside_subdistrict", field: "geometry" });
    expect(body.error.zh).toContain("不在街道范围内");
    expect(body.error.en).toContain("outside the subdistrict");
    expect((await t.sql.query("select count(*)::int n from hazard")).rows[0].n).toBe(before.rows[0].n);
  });

  it("lets a worker report only in their own grids (403 that names no grid, so refusals map nothing)", async () => {
    const res = await report(worker, inOtherGrid.at);
    expect(res.status).toBe(403);
    const body = await res.json();
    expect(body.error.en).toContain("outside your grids");
    expect(JSON.stringify(body)).not.toContain(inOtherGrid.grid);
    expect(JSON.stringify(body)).not.toMatch(/\d{12}/);
    expect(body.error.field).toBe("geometry");
  });

  it("lets a secretary report in their community only", async () => {
    expect((await report(secretary, inOtherGrid.at)).status).toBe(201);
    expect((await report(otherSecretary, inOtherGrid.at)).status).toBe(403);
  });

  it("checks the point, the category and the venue", async () => {
    const cases: [object, string][] = [
      [{ geometry: point([200, 43.6]) }, "geometry.coordinates"],
      [{ geometry: { type: "Point", coordinates: ["NaN", 43.6] } }, "geometry.coordinates.0"],
      [{ geometry: { type: "LineString", coordinates: [inOwnGrid, inOwnGrid] } }, "geometry.type"],
      [{ category: "no_such" }, "category"],
      [{ severity: "extreme" }, "severity"],
      [{ title: "" }, "title"],
      [{ venue_id: 999999 }, "venue_id"],
    ];
    for (const [extra, field] of cases) {
      const res = await report(admin, inOwnGrid, extra);
      expect(res.status, JSON.stringify(extra)).toBe(400);
      expect((await res.json()).error.field, JSON.stringify(extra)).toBe(field);
    }
  });

  it("links a hazard to a venue", async () => {
    const v = await t.sql.query<{ id: number; lng: number; lat: number }>(
      `select v.id, ST_X(v.geom) lng, ST_Y(v.geom) lat from venue v
       join published_parcel pp on pp.parcel_id = v.parcel_id where pp.grid_code = any($1) order by v.id limit 1`,
      [workerGrids],
    );
    const venue = v.rows[0];
    if (!venue) return;
    const res = await report(worker, [venue.lng, venue.lat], { venue_id: venue.id });
    expect(res.status).toBe(201);
    expect(((await res.json()) as Hazard).properties.venue_id).toBe(venue.id);
  });
});
