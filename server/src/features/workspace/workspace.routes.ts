import { z } from "@hono/zod-openapi";
import type { Context } from "hono";
import { forbidden, isAdmin, type Principal, readsEverything, readsGrid } from "../../auth/principal.ts";
import { principalOf } from "../../auth/session.ts";
import { BAND_STATUSES } from "../../db/band.ts";
import { readerOf } from "../../db/db.ts";
import { gridTeam } from "../../db/team.ts";
import { badRequest, noSuchGrid, notFound } from "../../errors.ts";
import type { AppEnv } from "../../http/router.ts";
import { createRouter } from "../../http/router.ts";
import { routesFor } from "../../http/routes.ts";
import { errorsOf, geometry, json } from "../../http/schemas.ts";
import {
  CommunityParam,
  GridParam,
  localToday,
  RangeQuery,
  ReportCsvQuery,
  resolveRange,
  TodayQuery,
} from "./workspace.input.ts";
import {
  allCommunityCodes,
  communityFacts,
  findCommunity,
  findGrid,
  type GridFigureRow,
  gridEntrances,
  gridFigures,
  gridHazards,
  gridTrend,
  gridVenues,
  latestVisitOn,
} from "./workspace.queries.ts";
import { coverageReport, reportCsv, reportXlsx, summaryFigures, summaryText } from "./workspace.report.ts";
import {
  assessCommunity,
  assessGrid,
  COVERAGE_CRITICAL,
  COVERAGE_TARGET,
  HAZARD_STALE_DAYS,
} from "./workspace.status.ts";

const errors = errorsOf({ 403: "Not a role that reads this", 404: "No such community or grid (or not in your scope)" });

const Team = z.object({ grid_leader: z.number(), grid_worker: z.number(), info_worker: z.number() });
const Level = z.enum(["ok", "attention", "critical"]);
const Reason = z
  .object({ code: z.string(), level: z.enum(["attention", "critical"]), zh: z.string(), en: z.string() })
  .openapi("StatusReason");
const HazardsOpen = z.object({
  total: z.number(),
  high: z.number(),
  medium: z.number(),
  low: z.number(),
  oldest_reported_on: z.string().nullable(),
  oldest_days: z.number().nullable(),
});
const Thresholds = z.object({
  coverage_critical: z.number(),
  coverage_target: z.number(),
  hazard_stale_days: z.number(),
});

const GridStatus = z
  .object({
    code: z.string(),
    name: z.string(),
    community_code: z.string(),
    households: z.number(),
    entrances: z.number(),
    buildings: z.number(),
    entrances_with_households: z.number(),
    band: z.object({ min: z.number(), max: z.number(), status: z.enum(BAND_STATUSES) }),
    workers: Team,
    households_per_worker: z.number().nullable(),
    visit_coverage_30d: z
      .number()
      .nullable()
      .openapi({ description: "0–1: entrances with households visited in the 30 days up to today" }),
    visit_coverage_month: z
      .number()
      .nullable()
      .openapi({ description: "0–1: the same since the 1st of today's month" }),
    last_visit_on: z.string().nullable(),
    venues: z.number(),
    inspections_overdue: z.number(),
    inspections_due_7d: z.number(),
    hazards_open: HazardsOpen,
    status: Level,
    reasons: z.array(Reason),
  })
  .openapi("GridStatus");

const CommunityStatus = z
  .object({
    today: z.string(),
    latest_visit_on: z.string().nullable(),
    thresholds: Thresholds,
    community: z.object({ code: z.string(), name: z.string(), name_en: z.string().nullable() }),
    grids: z.array(GridStatus),
  })
  .openapi("CommunityStatus");

const CommunityRow = z
  .object({
    code: z.string(),
    name: z.string(),
    name_en: z.string().nullable(),
    grids: z.number(),
    households: z.number(),
    entrances: z.number(),
    buildings: z.number(),
    workers: Team,
    households_per_worker: z.number().nullable(),
    visit_coverage_30d: z.number().nullable(),
    visit_coverage_month: z.number().nullable(),
    venues: z.number(),
    inspections_overdue: z.number(),
    hazards_open: HazardsOpen,
    grids_by_status: z.object({ ok: z.number(), attention: z.number(), critical: z.number() }),
    status: Level,
    reasons: z.array(Reason),
  })
  .openapi("CommunityStatusRow");

const point = <T extends z.ZodRawShape>(shape: T) => z.object({ ...shape, geometry });

const GridCard = z
  .object({
    today: z.string(),
    grid: GridStatus,
    /** What the reader may see of the team: see `staffView`. */
    team_view: z.enum(["full", "names", "counts"]),
    team: z.array(
      z.object({
        id: z.number(),
        role: z.string(),
        name: z.string().optional(),
        phone: z.string().nullable().optional(),
        started_on: z.string().optional(),
      }),
    ),
    entrances: z.array(
      point({
        id: z.number(),
        building_id: z.number(),
        building_name: z.string(),
        seq: z.number(),
        households: z.number(),
        small_place: z.boolean().openapi({
          description:
            "Fewer than 3 households: last_visit_on counts only visits the reader may see one by one (docs/privacy.md)",
        }),
        last_visit_on: z.string().nullable(),
        stale: z.boolean(),
      }),
    ),
    venues: z.array(
      point({
        id: z.number(),
        name: z.string(),
        category: z.string(),
        category_zh: z.string(),
        category_en: z.string(),
        interval_days: z.number(),
        last_inspected_on: z.string().nullable(),
        due_on: z.string().nullable(),
        overdue: z.boolean(),
      }),
    ),
    hazards: z.array(
      point({
        id: z.number(),
        title: z.string(),
        category: z.string(),
        severity: z.string(),
        status: z.string(),
        reported_on: z.string(),
        days_open: z.number(),
      }),
    ),
    trend: z.array(
      z.object({
        week_start: z.string(),
        week_end: z.string(),
        visits: z.number(),
        hazards_reported: z.number(),
        hazards_resolved: z.number(),
      }),
    ),
  })
  .openapi("GridCard");

const ReportSchema = z
  .object({
    community: z.object({ code: z.string(), name: z.string() }),
    from: z.string(),
    to: z.string(),
    totals: z.object({
      grids: z.number(),
      entrances: z.number(),
      visits: z.number(),
      entrances_reached: z.number(),
      share: z.number().nullable(),
      grids_never_visited: z.array(z.string()),
    }),
    grids: z.array(
      z.object({
        code: z.string(),
        name: z.string(),
        entrances: z.number(),
        visits: z.number(),
        entrances_reached: z.number(),
        share: z.number().nullable(),
        last_visit_on: z.string().nullable(),
      }),
    ),
    workers: z.array(
      z.object({
        id: z.number(),
        name: z.string(),
        role: z.string(),
        grids: z.array(z.string()),
        visits: z.number(),
        entrances_reached: z.number(),
        entrances_in_grids: z.number(),
        share: z.number().nullable(),
        grids_not_visited: z.array(z.string()),
      }),
    ),
  })
  .openapi("CoverageReport");

const Summary = z
  .object({
    community: z.object({ code: z.string(), name: z.string() }),
    from: z.string(),
    to: z.string(),
    zh: z.string(),
    en: z.string(),
    figures: z.record(z.string(), z.number()),
  })
  .openapi("CommunitySummary");

const tags = ["workspace"];
const route = routesFor(tags, errors);
const routes = {
  community: route("get /communities/{code}/status", {
    summary: "The status of every grid of a community: figures, team, visits, venues, hazards, ok/attention/critical",
    request: { params: CommunityParam, query: TodayQuery },
    responses: { 200: json(CommunityStatus, "One row per grid of the published plan") },
  }),
  subdistrict: route("get /subdistrict/status", {
    summary: "The same status one level up: the subdistrict's communities side by side (planners, leaders, admins)",
    request: { query: TodayQuery },
    responses: {
      200: json(
        z.object({
          today: z.string(),
          latest_visit_on: z.string().nullable(),
          thresholds: Thresholds,
          communities: z.array(CommunityRow),
        }),
        "One row per community",
      ),
    },
  }),
  grid: route("get /grids/{code}/status", {
    summary: "One grid in depth: its status, team, entrances with their last visit, venues, open hazards, 12 weeks",
    request: { params: GridParam, query: TodayQuery },
    responses: { 200: json(GridCard, "The grid's card") },
  }),
  report: route("get /communities/{code}/report", {
    summary: "Coverage report of a community per grid and per worker (default: the month of today)",
    request: { params: CommunityParam, query: RangeQuery },
    responses: { 200: json(ReportSchema, "The report") },
  }),
  reportCsv: route("get /communities/{code}/report.csv", {
    summary: "One table of the coverage report (workers or grids) as CSV (UTF-8 with BOM)",
    request: { params: CommunityParam, query: ReportCsvQuery },
    responses: { 200: { description: "CSV", content: { "text/csv": { schema: z.string() } } } },
  }),
  reportXlsx: route("get /communities/{code}/report.xlsx", {
    summary: "The coverage report as an Excel workbook (summary, grids, workers)",
    request: { params: CommunityParam, query: RangeQuery },
    responses: {
      200: {
        description: "XLSX",
        content: {
          "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": {
            schema: z.string().openapi({ format: "binary" }),
          },
        },
      },
    },
  }),
  summary: route("get /communities/{code}/summary", {
    summary: "A paragraph in the style of the annual work report with the real figures of a date range (zh, en)",
    request: { params: CommunityParam, query: RangeQuery },
    responses: { 200: json(Summary, "The paragraph and its figures") },
  }),
};

const THRESHOLDS = {
  coverage_critical: COVERAGE_CRITICAL,
  coverage_target: COVERAGE_TARGET,
  hazard_stale_days: HAZARD_STALE_DAYS,
};

/**
 * What a reader may see of staff, who are the only people GridAtlas keeps records of. Those who manage them (an
 * admin, the community's secretary) see everything; planners and field workers see names and roles, planners to
 * know whom a boundary change affects, workers to know their team; leaders see counts.
 */
export function staffView(p: Principal, community: string): "full" | "names" | "counts" {
  if (isAdmin(p) || p.communities.includes(community)) return "full";
  if (p.roles.includes("planner") || p.workerCommunities.includes(community)) return "names";
  return "counts";
}

/** Community-level readers: everyone who reads everything, and the community's secretary; workers are refused. */
async function communityFor(c: Context<AppEnv>, code: string, who: "readers" | "managers") {
  const p = principalOf(c);
  const allowed =
    who === "managers"
      ? isAdmin(p) || p.roles.includes("secretary")
      : readsEverything(p) || p.roles.includes("secretary");
  if (!allowed) throw forbidden();
  const ownOnly = who === "managers" ? !isAdmin(p) : !readsEverything(p);
  const community = await findCommunity(c.get("db"), code);
  // Another community's code answers like a missing one, so codes cannot be probed.
  if (!community || (ownOnly && !p.communities.includes(code))) {
    throw notFound("没有这个社区，或不在您的范围内", "no such community within your reach");
  }
  return community;
}

function statusRow(row: GridFigureRow) {
  const a = assessGrid(row);
  return {
    code: row.code,
    name: row.name,
    community_code: row.community_code,
    households: row.households,
    entrances: row.entrances,
    buildings: row.buildings,
    entrances_with_households: row.entrances_with_households,
    band: { min: row.band_min, max: row.band_max, status: row.band_status },
    workers: row.workers,
    households_per_worker: a.households_per_worker,
    visit_coverage_30d: a.visit_coverage_30d,
    visit_coverage_month: a.visit_coverage_month,
    last_visit_on: row.last_visit_on,
    venues: row.venues,
    inspections_overdue: row.inspections_overdue,
    inspections_due_7d: row.inspections_due_7d,
    hazards_open: row.hazards_open,
    status: a.status,
    reasons: a.reasons,
  };
}

function range(q: { today?: string | undefined; from?: string | undefined; to?: string | undefined }) {
  const r = resolveRange(q);
  if (!r.ok) throw badRequest("from", r.zh, r.en);
  return r.range;
}

const share = (n: number, d: number) => (d > 0 ? Math.round((n / d) * 1000) / 1000 : null);

export const workspaceRoutes = createRouter()
  .openapi(routes.community, async (c) => {
    const { code } = c.req.valid("param");
    const today = c.req.valid("query").today ?? localToday();
    const community = await communityFor(c, code, "readers");
    // The status boards read from the replica when there is one (docs/scaling.md): they are the heaviest reads
    // many people make at once, they change nothing, and a visit or hazard recorded a moment ago showing up a
    // fraction of a second later is harmless here. The grid card, opened right after recording, stays on the primary.
    const db = readerOf(c.get("db"));
    const [rows, latest] = await Promise.all([
      gridFigures(db, { communities: [code] }, today),
      latestVisitOn(db, [code]),
    ]);
    return c.json(
      {
        today,
        latest_visit_on: latest,
        thresholds: THRESHOLDS,
        community: { code: community.code, name: community.name, name_en: community.name_en },
        grids: rows.map(statusRow),
      },
      200,
    );
  })
  .openapi(routes.subdistrict, async (c) => {
    const p = principalOf(c);
    if (!readsEverything(p)) throw forbidden();
    const today = c.req.valid("query").today ?? localToday();
    // On the replica, as the community status above.
    const db = readerOf(c.get("db"));
    const codes = await allCommunityCodes(db);
    const [rows, facts, latest] = await Promise.all([
      gridFigures(db, { communities: codes }, today),
      communityFacts(db, codes),
      latestVisitOn(db, codes),
    ]);
    const communities = facts.map((f) => {
      const grids = rows.filter((r) => r.community_code === f.code);
      const statuses = grids.map(statusRow);
      const sum = (pick: (r: GridFigureRow) => number) => grids.reduce((n, r) => n + pick(r), 0);
      const households = sum((r) => r.households);
      const withHouseholds = sum((r) => r.entrances_with_households);
      const fieldWorkers = f.grid_worker + f.info_worker;
      const open = grids.map((r) => r.hazards_open);
      const oldest = open
        .map((h) => h.oldest_reported_on)
        .filter((d): d is string => d !== null)
        .sort()[0];
      const oldestDays = open.reduce<number | null>(
        (m, h) => (h.oldest_days === null ? m : Math.max(m ?? 0, h.oldest_days)),
        null,
      );
      return {
        code: f.code,
        name: f.name,
        name_en: f.name_en,
        grids: grids.length,
        households,
        entrances: sum((r) => r.entrances),
        buildings: sum((r) => r.buildings),
        workers: { grid_leader: f.grid_leader, grid_worker: f.grid_worker, info_worker: f.info_worker },
        households_per_worker: fieldWorkers > 0 ? Math.round(households / fieldWorkers) : null,
        visit_coverage_30d: share(
          sum((r) => r.entrances_visited_30d),
          withHouseholds,
        ),
        visit_coverage_month: share(
          sum((r) => r.entrances_visited_month),
          withHouseholds,
        ),
        venues: sum((r) => r.venues),
        inspections_overdue: sum((r) => r.inspections_overdue),
        hazards_open: {
          total: sum((r) => r.hazards_open.total),
          high: sum((r) => r.hazards_open.high),
          medium: sum((r) => r.hazards_open.medium),
          low: sum((r) => r.hazards_open.low),
          oldest_reported_on: oldest ?? null,
          oldest_days: oldestDays,
        },
        ...assessCommunity(statuses),
      };
    });
    return c.json({ today, latest_visit_on: latest, thresholds: THRESHOLDS, communities }, 200);
  })
  .openapi(routes.grid, async (c) => {
    const p = principalOf(c);
    const { code } = c.req.valid("param");
    const today = c.req.valid("query").today ?? localToday();
    const db = c.get("db");
    const grid = await findGrid(db, code);
    if (!grid || !readsGrid(p, grid)) throw noSuchGrid();
    const [rows, team, entrances, venues, hazards, trend] = await Promise.all([
      gridFigures(db, { grid: code }, today),
      gridTeam(db, grid, ["w.id", "w.name", "w.role", "w.phone", "w.started_on"]),
      gridEntrances(db, p, grid.id, today),
      gridVenues(db, grid.id, today),
      gridHazards(db, grid.id, today),
      gridTrend(db, grid.id, today),
    ]);
    const row = rows[0];
    if (!row) throw noSuchGrid();
    const view = staffView(p, grid.community_code);
    const seesAllVisits = isAdmin(p) || p.communities.includes(grid.community_code);
    const staleBefore = addDays(today, -29);
    return c.json(
      {
        today,
        grid: statusRow(row),
        team_view: view,
        team: team.map((w) =>
          view === "full"
            ? w
            : view === "names"
              ? { id: w.id, role: w.role, name: w.name }
              : { id: w.id, role: w.role },
        ),
        // A small place's staleness would be guessed from visits the reader may not see (docs/privacy.md): it is
        // told only to those who see them all, and counted for everyone in the grid's coverage.
        entrances: entrances.map((e) => ({
          ...e,
          stale:
            e.households > 0 &&
            (!e.small_place || seesAllVisits) &&
            (e.last_visit_on === null || e.last_visit_on < staleBefore),
        })),
        venues: venues.map((v) => ({
          ...v,
          overdue: v.due_on === null || v.due_on < today,
        })),
        hazards,
        trend,
      },
      200,
    );
  })
  .openapi(routes.report, async (c) => {
    const { code } = c.req.valid("param");
    const community = await communityFor(c, code, "managers");
    return c.json(
      await coverageReport(c.get("db"), { code: community.code, name: community.name }, range(c.req.valid("query"))),
      200,
    );
  })
  .openapi(routes.reportCsv, async (c) => {
    const { code } = c.req.valid("param");
    const q = c.req.valid("query");
    const community = await communityFor(c, code, "managers");
    const r = range(q);
    const report = await coverageReport(c.get("db"), { code: community.code, name: community.name }, r);
    c.header("content-disposition", `attachment; filename="coverage-${code}-${r.from}-${r.to}-${q.part}.csv"`);
    return c.body(reportCsv(report, q.part), 200, { "content-type": "text/csv; charset=utf-8" });
  })
  .openapi(routes.reportXlsx, async (c) => {
    const { code } = c.req.valid("param");
    const community = await communityFor(c, code, "managers");
    const r = range(c.req.valid("query"));
    const report = await coverageReport(c.get("db"), { code: community.code, name: community.name }, r);
    c.header("content-disposition", `attachment; filename="coverage-${code}-${r.from}-${r.to}.xlsx"`);
    return c.body((await reportXlsx(report)) as unknown as ArrayBuffer, 200, {
      "content-type": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    });
  })
  .openapi(routes.summary, async (c) => {
    const { code } = c.req.valid("param");
    const community = await communityFor(c, code, "readers");
    const r = range(c.req.valid("query"));
    const figures = await summaryFigures(c.get("db"), code, r);
    const text = summaryText(figures, r, community.name_en ?? community.name);
    return c.json({ community: { code, name: community.name }, from: r.from, to: r.to, ...text, figures }, 200);
  });

function addDays(day: string, n: number): string {
  const d = new Date(`${day}T00:00:00Z`);
  d.setUTCDate(d.getUTCDate() + n);
  return d.toISOString().slice(0, 10);
}
