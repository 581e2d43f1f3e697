import ExcelJS from "exceljs";
import { beforeAll, describe, expect, it } from "vitest";
import { useTestApp } from "../../../test-support/test-app.ts";
import { signIn, type TestSession } from "../../../test-support/test-session.ts";
import { assessCommunity, assessGrid } from "./workspace.status.ts";

/**
 * Every figure of the workspace computed again here in plain SQL, written differently from the feature's queries
 * (NOT EXISTS windows instead of last dates, DISTINCT ON instead of correlated subqueries), and compared.
 */

const TODAY = "2026-11-20";
const t = useTestApp("workspace");
let admin: TestSession;
let largest: string;

beforeAll(async () => {
  admin = await t.as("admin");
  largest = (
    await t.sql.query<{ c: string }>(
      "select community_code as c from published_grid group by 1 order by count(*) desc, 1 limit 1",
    )
  ).rows[0]!.c;
});

type Expected = Record<string, number | string | null>;

/** Per published grid of a community: every figure of the status row, independently. */
async function expectedGrids(community: string, today: string): Promise<Map<string, Expected>> {
  const r = await t.sql.query(
    `with pg as (
       select g.id, g.code from grid g join plan p on p.id = g.plan_id
       where p.status = 'published' and g.community_code = $1),
     ent as (
       select pg.code, pa.building_id, e.id as entrance_id, e.households
       from pg join plan_parcel pp on pp.grid_id = pg.id join parcel pa on pa.id = pp.parcel_id
       left join entrance e on e.id = pa.entrance_id),
     visited as (
       select ent.*, exists (select 1 from visit v where (v.entrance_id = ent.entrance_id or v.building_id = ent.building_id)
           and v.visited_on between $2::date - 29 and $2::date) as in30,
         exists (select 1 from visit v where (v.entrance_id = ent.entrance_id or v.building_id = ent.building_id)
           and v.visited_on between date_trunc('month', $2::date)::date and $2::date) as inmonth
       from ent where ent.entrance_id is not null),
     last_t as (
       select distinct on (hazard_id) hazard_id, to_status from hazard_transition
       where at < ($2::date + 1)::timestamp at time zone 'Asia/Shanghai' order by hazard_id, at desc, id desc)
     select pg.code,
       (select coalesce(sum(households), 0) from ent where ent.code = pg.code)::int as households,
       (select count(entrance_id) from ent where ent.code = pg.code)::int as entrances,
       (select count(distinct building_id) from ent where ent.code = pg.code)::int as buildings,
       (select count(*) from visited where code = pg.code and households > 0)::int as with_households,
       (select count(*) from visited where code = pg.code and households > 0 and in30)::int as v30,
       (select count(*) from visited where code = pg.code and households > 0 and inmonth)::int as vmonth,
       (select count(*) from worker_assignment wa join worker w on w.id = wa.worker_id
         where wa.grid_code = pg.code and w.retired_on is null and w.role = 'grid_leader')::int as grid_leader,
       (select count(*) from worker_assignment wa join worker w on w.id = wa.worker_id
         where wa.grid_code = pg.code and w.retired_on is null and w.role = 'grid_worker')::int as grid_worker,
       (select count(*) from worker_assignment wa join worker w on w.id = wa.worker_id
         where wa.grid_code = pg.code and w.retired_on is null and w.role = 'info_worker')::int as info_worker,
       (select count(*) from venue v join plan_parcel pp on pp.parcel_id = v.parcel_id where pp.grid_id = pg.id)::int as venues,
       (select count(*) from venue v join plan_parcel pp on pp.parcel_id = v.parcel_id
         join venue_category vc on vc.code = v.category
         where pp.grid_id = pg.id and not exists (select 1 from inspection i where i.venue_id = v.id
           and i.inspected_on between $2::date - vc.inspection_interval_days and $2::date))::int as overdue,
       (select count(*) from hazard h join plan_parcel pp on pp.parcel_id = h.parcel_id
         left join last_t on last_t.hazard_id = h.id
         where pp.grid_id = pg.id and h.reported_at < ($2::date + 1)::timestamp at time zone 'Asia/Shanghai'
           and coalesce(last_t.to_status, 'reported') in ('reported', 'assigned', 'in_progress'))::int as hazards_open,
       (select count(*) from hazard h join plan_parcel pp on pp.parcel_id = h.parcel_id
         left join last_t on last_t.hazard_id = h.id
         where pp.grid_id = pg.id and h.severity = 'high' and h.reported_at < ($2::date + 1)::timestamp at time zone 'Asia/Shanghai'
           and coalesce(last_t.to_status, 'reported') in ('reported', 'assigned', 'in_progress'))::int as hazards_high
     from pg order by pg.code`,
    [community, today],
  );
  return new Map(r.rows.map((row) => [row.code, row]));
}

describe("GET /api/communities/:code/status", () => {
  it("gives every grid of the largest community the figures an independent SQL computes", async () => {
    const res = await admin.request(`/api/communities/${largest}/status?today=${TODAY}`);
    expect(res.status).toBe(200);
    const body = await res.json();
    expect(body.today).toBe(TODAY);
    expect(body.latest_visit_on).toBe(TODAY);
    const expected = await expectedGrids(largest, TODAY);
    expect(body.grids.map((g: { code: string }) => g.code)).toEqual([...expected.keys()]);
    for (const g of body.grids) {
      const e = expected.get(g.code)!;
      const got = {
        households: g.households,
        entrances: g.entrances,
        buildings: g.buildings,
        with_households: g.entrances_with_households,
        grid_leader: g.workers.grid_leader,
        grid_worker: g.workers.grid_worker,
        info_worker: g.workers.info_worker,
        venues: g.venues,
        overdue: g.inspections_overdue,
        hazards_open: g.hazards_open.total,
        hazards_high: g.hazards_open.high,
      };
      const want = Object.fromEntries(Object.keys(got).map((k) => [k, e[k]]));
      expect(got, g.code).toEqual(want);
      const n = Number(e.with_households);
      expect(g.visit_coverage_30d, g.code).toBeCloseTo(n ? Number(e.v30) / n : Number.NaN, 3);
      expect(g.visit_coverage_month, g.code).toBeCloseTo(n ? Number(e.vmonth) / n : Number.NaN, 3);
      const field = g.workers.grid_worker + g.workers.info_worker;
      expect(g.households_per_worker).toBe(field ? Math.round(g.households / field) : null);
      expect(["ok", "attention", "critical"]).toContain(g.status);
      for (const r of g.reasons) expect(r.zh && r.en).toBeTruthy();
    }
    // The demo is meant to show a mix, not all green or all red.
    const statuses = new Set(body.grids.map((g: { status: string }) => g.status));
    expect(statuses.size).toBeGreaterThan(1);
  });

  it("moves the windows with `today`: a day before any visit has no coverage", async () => {
    const body = await (await admin.request(`/api/communities/${largest}/status?today=2026-01-01`)).json();
    expect(body.grids.every((g: { visit_coverage_30d: number }) => g.visit_coverage_30d === 0)).toBe(true);
    expect(
      body.grids.some((g: { reasons: { code: string }[] }) => g.reasons.some((r) => r.code === "coverage_low")),
    ).toBe(true);
  });

  it("refuses a date that does not exist, naming the field in both languages", async () => {
    const res = await admin.request(`/api/communities/${largest}/status?today=2026-02-30`);
    expect(res.status).toBe(400);
    const body = await res.json();
    expect(body.error.field).toBe("today");
    expect(body.error.zh).toMatch(/日期/);
  });

  it("answers a secretary of another community 404 and a worker 403", async () => {
    const other = (await t.sql.query("select code from community where code <> $1 order by code limit 1", [largest]))
      .rows[0]!.code;
    const secretary = await signIn(t.app, `secretary-${other}`);
    expect((await secretary.request(`/api/communities/${largest}/status`)).status).toBe(404);
    expect((await secretary.request(`/api/communities/${other}/status`)).status).toBe(200);
    expect((await (await signIn(t.app, "worker-1")).request(`/api/communities/${other}/status`)).status).toBe(403);
  });
});

describe("GET /api/subdistrict/status", () => {
  it("adds up to the grids' figures and counts each community's people once", async () => {
    const body = await (await (await signIn(t.app, "leader")).request(`/api/subdistrict/status?today=${TODAY}`)).json();
    expect(body.communities).toHaveLength(11);
    expect(body.communities.reduce((n: number, c: { grids: number }) => n + c.grids, 0)).toBe(227);
    const people = await t.sql.query<{ c: string; role: string; n: number }>(
      "select community_code as c, role, count(*)::int as n from worker where retired_on is null group by 1, 2",
    );
    for (const c of body.communities) {
      const grids = await expectedGrids(c.code, TODAY);
      const sum = (k: string) => [...grids.values()].reduce((n, g) => n + Number(g[k]), 0);
      expect(c.households, c.code).toBe(sum("households"));
      expect(c.venues, c.code).toBe(sum("venues"));
      expect(c.inspections_overdue, c.code).toBe(sum("overdue"));
      expect(c.hazards_open.total, c.code).toBe(sum("hazards_open"));
      expect(c.visit_coverage_30d, c.code).toBeCloseTo(sum("v30") / sum("with_households"), 3);
      for (const role of ["grid_leader", "grid_worker", "info_worker"]) {
        const n = people.rows.find((r) => r.c === c.code && r.role === role)?.n ?? 0;
        expect(c.workers[role], `${c.code} ${role}`).toBe(n);
      }
      expect(c.grids_by_status.ok + c.grids_by_status.attention + c.grids_by_status.critical).toBe(c.grids);
    }
    const total = (role: string) =>
      body.communities.reduce((n: number, c: { workers: Record<string, number> }) => n + c.workers[role]!, 0);
    // The report's team sizes.
    expect(total("grid_worker")).toBe(122);
    expect(total("info_worker")).toBe(434);
  });

  it("is for planners, leaders and admins", async () => {
    expect((await (await signIn(t.app, "planner")).request("/api/subdistrict/status")).status).toBe(200);
    const secretary = await signIn(t.app, `secretary-${largest}`);
    expect((await secretary.request("/api/subdistrict/status")).status).toBe(403);
  });
});

describe("GET /api/grids/:code/status", () => {
  it("lists the entrances not visited for 30 days, the open hazards and 12 weeks of visits as SQL finds them", async () => {
    const { rows } = await t.sql.query<{ code: string; id: number }>(
      `select g.code, g.id from published_grid g where g.community_code = $1 order by g.code limit 1 offset 3`,
      [largest],
    );
    const grid = rows[0]!;
    const body = await (await admin.request(`/api/grids/${grid.code}/status?today=${TODAY}`)).json();
    const stale = await t.sql.query<{ id: number }>(
      `select e.id from plan_parcel pp join parcel pa on pa.id = pp.parcel_id join entrance e on e.id = pa.entrance_id
       where pp.grid_id = $1 and e.households > 0 and not exists (select 1 from visit v
         where (v.entrance_id = e.id or v.building_id = e.building_id) and v.visited_on between $2::date - 29 and $2::date)
       order by e.id`,
      [grid.id, TODAY],
    );
    expect(
      body.entrances
        .filter((e: { stale: boolean }) => e.stale)
        .map((e: { id: number }) => e.id)
        .sort((a: number, b: number) => a - b),
    ).toEqual(stale.rows.map((r) => r.id));
    expect(body.hazards).toHaveLength(body.grid.hazards_open.total);
    expect(body.trend).toHaveLength(12);
    expect(body.trend[11].week_end).toBe(TODAY);
    const visits = await t.sql.query<{ n: number }>(
      `select count(*)::int as n from visit v where v.visited_on between $2::date - 83 and $2::date and (
         v.entrance_id in (select pa.entrance_id from plan_parcel pp join parcel pa on pa.id = pp.parcel_id where pp.grid_id = $1)
         or v.building_id in (select pa.building_id from plan_parcel pp join parcel pa on pa.id = pp.parcel_id where pp.grid_id = $1))`,
      [grid.id, TODAY],
    );
    expect(body.trend.reduce((n: number, w: { visits: number }) => n + w.visits, 0)).toBe(visits.rows[0]!.n);
    expect(body.team_view).toBe("full");
    expect(body.team.some((w: { phone?: string }) => w.phone)).toBe(true);
  });

  it("shows a leader the team as counts, a planner names without phones", async () => {
    const code = (await t.sql.query("select code from published_grid where community_code = $1 limit 1", [largest]))
      .rows[0]!.code;
    const leader = await (await (await signIn(t.app, "leader")).request(`/api/grids/${code}/status`)).json();
    expect(leader.team_view).toBe("counts");
    expect(leader.team.every((w: object) => !("name" in w) && !("phone" in w))).toBe(true);
    const planner = await (await (await signIn(t.app, "planner")).request(`/api/grids/${code}/status`)).json();
    expect(planner.team_view).toBe("names");
    expect(planner.team.every((w: object) => "name" in w && !("phone" in w))).toBe(true);
  });
});

describe("the coverage report and the paragraph", () => {
  it("counts the month's visits per grid and per worker as SQL does", async () => {
    const res = await admin.request(`/api/communities/${largest}/report?today=${TODAY}`);
    expect(res.status).toBe(200);
    const body = await res.json();
    expect([body.from, body.to]).toEqual(["2026-11-01", TODAY]);
    const visits = await t.sql.query<{ worker_id: number; n: number }>(
      `select v.worker_id, count(distinct v.id)::int as n from visit v
       join entrance e on e.id = v.entrance_id join parcel pa on pa.entrance_id = e.id
       join published_parcel pp on pp.parcel_id = pa.id
       where pp.community_code = $1 and v.visited_on between '2026-11-01' and $2 group by 1`,
      [largest, TODAY],
    );
    const total = visits.rows.reduce((n, r) => n + r.n, 0);
    expect(body.totals.visits).toBe(total);
    for (const w of body.workers) {
      expect(w.visits, `worker ${w.id}`).toBe(visits.rows.find((r) => r.worker_id === w.id)?.n ?? 0);
    }
    const never = body.grids.filter((g: { visits: number }) => g.visits === 0).map((g: { code: string }) => g.code);
    expect(body.totals.grids_never_visited).toEqual(never);
  });

  it("writes the CSV with a BOM and the XLSX with three sheets", async () => {
    const csv = await admin.request(`/api/communities/${largest}/report.csv?today=${TODAY}&part=grids`);
    expect(csv.headers.get("content-type")).toMatch(/text\/csv/);
    const bytes = new Uint8Array(await csv.arrayBuffer());
    expect([...bytes.slice(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
    const text = new TextDecoder().decode(bytes);
    expect(text.startsWith("网格编码")).toBe(true);
    expect(text.trim().split("\r\n")).toHaveLength(1 + (await expectedGrids(largest, TODAY)).size);
    const xlsx = await admin.request(`/api/communities/${largest}/report.xlsx?today=${TODAY}`);
    expect(xlsx.status).toBe(200);
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.load(await xlsx.arrayBuffer());
    expect(wb.worksheets.map((s) => s.name)).toEqual(["概况 Summary", "网格 Grids", "人员 Workers"]);
    expect(wb.getWorksheet("概况 Summary")!.getCell("B1").value).toContain(largest);
  });

  it("writes the paragraph with the real figures of the range", async () => {
    const res = await admin.request(`/api/communities/${largest}/summary?from=2026-09-01&to=${TODAY}&today=${TODAY}`);
    const body = await res.json();
    const grids = (
      await t.sql.query("select count(*)::int as n from published_grid where community_code = $1", [largest])
    ).rows[0]!.n;
    expect(body.zh).toMatch(new RegExp(`^截至目前，我社区共有网格${grids}个`));
    const gw = (
      await t.sql.query(
        "select count(*)::int as n from worker where community_code = $1 and role = 'grid_worker' and retired_on is null",
        [largest],
      )
    ).rows[0]!.n;
    expect(body.zh).toContain(`网格员${gw}名`);
    expect(body.zh).toContain(`累计入户走访${body.figures.visits}次`);
    expect(body.en).toMatch(/^As of today, /);
    const past = await (
      await admin.request(`/api/communities/${largest}/summary?from=2026-09-01&to=2026-10-31`)
    ).json();
    expect(past.zh).toMatch(/^截至2026年10月31日/);
    expect((await admin.request(`/api/communities/${largest}/summary?from=2026-10-01&to=2026-09-01`)).status).toBe(400);
  });
});

describe("the status rules", () => {
  const base = {
    households: 250,
    band_min: 200,
    band_max: 300,
    band_status: "ok" as const,
    entrances_with_households: 10,
    entrances_visited_30d: 10,
    entrances_visited_month: 8,
    workers: { grid_leader: 1, grid_worker: 1, info_worker: 2 },
    inspections_overdue: 0,
    inspections_overdue_long: 0,
    hazards_open: { total: 0, high: 0, medium: 0, low: 0, oldest_reported_on: null, oldest_days: null },
  };

  it("is ok with nothing to say", () => {
    expect(assessGrid(base)).toMatchObject({
      status: "ok",
      reasons: [],
      visit_coverage_30d: 1,
      households_per_worker: 83,
    });
  });

  it("names each reason, the critical ones first", () => {
    const a = assessGrid({
      ...base,
      households: 320,
      band_status: "over",
      entrances_visited_30d: 4,
      workers: { grid_leader: 0, grid_worker: 0, info_worker: 1 },
      hazards_open: { total: 2, high: 1, medium: 1, low: 0, oldest_reported_on: "2026-09-01", oldest_days: 80 },
    });
    expect(a.status).toBe("critical");
    expect(a.reasons.map((r) => r.code)).toEqual([
      "no_grid_worker",
      "coverage_low",
      "hazards_high_open",
      "households_over",
      "no_grid_leader",
      "hazard_open_long",
    ]);
    expect(a.reasons.find((r) => r.code === "coverage_low")?.zh).toBe("近30天走访覆盖 40%（低于 50%）");
  });

  it("rates a community by the share of its grids, not by its worst one", () => {
    const ok = { status: "ok" as const, reasons: [] };
    const bad = assessGrid({ ...base, workers: { grid_leader: 1, grid_worker: 0, info_worker: 1 } });
    expect(assessCommunity([bad, ok, ok, ok, ok]).status).toBe("attention");
    expect(assessCommunity([bad, bad, ok, ok]).status).toBe("critical");
    expect(assessCommunity([ok, ok]).status).toBe("ok");
    expect(assessCommunity([bad, bad, ok, ok]).reasons[0]).toMatchObject({
      code: "no_grid_worker",
      zh: "2 个网格：未配备网格员",
    });
  });
});
