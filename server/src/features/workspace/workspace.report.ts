import ExcelJS from "exceljs";
import { sql } from "kysely";
import type { Db } from "../../db/db.ts";
import { csvText } from "../../http/csv.ts";
import type { Range } from "./workspace.input.ts";
import { endOfDay, hazardStatusAt, startOfDay } from "./workspace.queries.ts";

export type ReportGrid = {
  code: string;
  name: string;
  entrances: number;
  visits: number;
  entrances_reached: number;
  share: number | null;
  last_visit_on: string | null;
};
export type ReportWorker = {
  id: number;
  name: string;
  role: string;
  grids: string[];
  visits: number;
  entrances_reached: number;
  entrances_in_grids: number;
  share: number | null;
  grids_not_visited: string[];
};
export type Report = {
  community: { code: string; name: string };
  from: string;
  to: string;
  totals: {
    grids: number;
    entrances: number;
    visits: number;
    entrances_reached: number;
    share: number | null;
    grids_never_visited: string[];
  };
  grids: ReportGrid[];
  workers: ReportWorker[];
};

const share = (n: number, d: number) => (d > 0 ? Math.round((n / d) * 1000) / 1000 : null);

/**
 * The coverage report of a community over a range of days: per grid and per worker, the visits, the share of
 * entrances with households reached (a visit to a building reaches all its entrances) and the grids no one
 * visited. A worker's share is of the entrances of the grids assigned to them now, reached by them.
 */
export async function coverageReport(db: Db, community: { code: string; name: string }, range: Range): Promise<Report> {
  const places = await sql<{ grid_code: string; grid_name: string; entrance_id: number | null; households: number }>`
    select g.code as grid_code, g.name as grid_name, e.id as entrance_id, coalesce(e.households, 0) as households
    from published_grid g
    left join plan_parcel pp on pp.grid_id = g.id
    left join parcel pa on pa.id = pp.parcel_id and pa.entrance_id is not null
    left join entrance e on e.id = pa.entrance_id
    where g.community_code = ${community.code}
    order by g.code`.execute(db);
  const reach = await sql<{
    visit_id: string;
    visits: number;
    worker_id: number;
    grid_code: string;
    entrance_id: number;
    households: number;
    visited_on: string;
  }>`
    with ent as (
      select g.code as grid_code, e.id as entrance_id, e.building_id, e.households
      from published_grid g
      join plan_parcel pp on pp.grid_id = g.id
      join parcel pa on pa.id = pp.parcel_id
      join entrance e on e.id = pa.entrance_id
      where g.community_code = ${community.code}
    )
    select v.record_id as visit_id, v.visits, v.worker_id, ent.grid_code, ent.entrance_id, ent.households,
      v.visited_on
    from visit_record v join ent on ent.entrance_id = v.entrance_id
    where v.visited_on between ${range.from}::date and ${range.to}::date
    union all
    select v.record_id, v.visits, v.worker_id, ent.grid_code, ent.entrance_id, ent.households, v.visited_on
    from visit_record v join ent on ent.building_id = v.building_id
    where v.entrance_id is null and v.visited_on between ${range.from}::date and ${range.to}::date`.execute(db);
  const workers = await sql<{ id: number; name: string; role: string; grids: string[] }>`
    select w.id, w.name, w.role,
      coalesce(array_agg(wa.grid_code order by wa.grid_code) filter (where wa.grid_code is not null), '{}') as grids
    from worker w left join worker_assignment wa on wa.worker_id = w.id
    where w.community_code = ${community.code}
      and ((w.retired_on is null and w.role <> 'secretary')
        or w.id in (select worker_id from visit_record where visited_on between ${range.from}::date and ${range.to}::date))
    group by w.id
    order by array_position(array['secretary','grid_leader','grid_worker','info_worker'], w.role), w.name, w.id`.execute(
    db,
  );

  const gridNames = new Map<string, string>();
  const householdEntrances = new Map<string, Set<number>>();
  for (const p of places.rows) {
    gridNames.set(p.grid_code, p.grid_name);
    const set = householdEntrances.get(p.grid_code) ?? new Set<number>();
    if (p.entrance_id !== null && p.households > 0) set.add(p.entrance_id);
    householdEntrances.set(p.grid_code, set);
  }
  // Visits by record (a visit, or a month of them once rolled up, see visit_record), so that a building visit that
  // reaches several entrances of a grid counts once.
  const weight = new Map<string, number>();
  const visits = (records: Set<string> | undefined) => [...(records ?? [])].reduce((n, r) => n + weight.get(r)!, 0);
  const gridVisits = new Map<string, Set<string>>();
  const gridReached = new Map<string, Set<number>>();
  const gridLast = new Map<string, string>();
  const workerVisits = new Map<number, Set<string>>();
  const workerReached = new Map<number, Map<string, Set<number>>>();
  const allVisits = new Set<string>();
  for (const r of reach.rows) {
    weight.set(r.visit_id, r.visits);
    allVisits.add(r.visit_id);
    add(gridVisits, r.grid_code, r.visit_id);
    add(workerVisits, r.worker_id, r.visit_id);
    if ((gridLast.get(r.grid_code) ?? "") < r.visited_on) gridLast.set(r.grid_code, r.visited_on);
    if (r.households > 0) {
      add(gridReached, r.grid_code, r.entrance_id);
      const byGrid = workerReached.get(r.worker_id) ?? new Map<string, Set<number>>();
      add(byGrid, r.grid_code, r.entrance_id);
      workerReached.set(r.worker_id, byGrid);
    }
  }

  const grids: ReportGrid[] = [...gridNames.entries()].map(([code, name]) => {
    const entrances = householdEntrances.get(code)?.size ?? 0;
    const reached = gridReached.get(code)?.size ?? 0;
    return {
      code,
      name,
      entrances,
      visits: visits(gridVisits.get(code)),
      entrances_reached: reached,
      share: share(reached, entrances),
      last_visit_on: gridLast.get(code) ?? null,
    };
  });
  const reportWorkers: ReportWorker[] = workers.rows.map((w) => {
    const own = w.grids.filter((g) => gridNames.has(g));
    const byGrid = workerReached.get(w.id) ?? new Map<string, Set<number>>();
    const inGrids = own.reduce((n, g) => n + (householdEntrances.get(g)?.size ?? 0), 0);
    const reachedOwn = own.reduce((n, g) => n + (byGrid.get(g)?.size ?? 0), 0);
    const reachedAll = new Set([...byGrid.values()].flatMap((s) => [...s])).size;
    const visitedGrids = new Set(reach.rows.filter((r) => r.worker_id === w.id).map((r) => r.grid_code));
    return {
      id: w.id,
      name: w.name,
      role: w.role,
      grids: w.grids,
      visits: visits(workerVisits.get(w.id)),
      entrances_reached: reachedAll,
      entrances_in_grids: inGrids,
      share: share(reachedOwn, inGrids),
      grids_not_visited: own.filter((g) => !visitedGrids.has(g)),
    };
  });
  const entrances = grids.reduce((n, g) => n + g.entrances, 0);
  const reached = grids.reduce((n, g) => n + g.entrances_reached, 0);
  return {
    community,
    from: range.from,
    to: range.to,
    totals: {
      grids: grids.length,
      entrances,
      visits: visits(allVisits),
      entrances_reached: reached,
      share: share(reached, entrances),
      grids_never_visited: grids.filter((g) => g.visits === 0).map((g) => g.code),
    },
    grids,
    workers: reportWorkers,
  };
}

function add<K, V>(m: Map<K, Set<V>>, k: K, v: V): void {
  const s = m.get(k);
  if (s) s.add(v);
  else m.set(k, new Set([v]));
}

// ---------------------------------------------------------------- files

const ROLE_NAMES: Record<string, [string, string]> = {
  secretary: ["社区书记", "secretary"],
  grid_leader: ["网格长", "grid leader"],
  grid_worker: ["网格员", "grid worker"],
  info_worker: ["网情员", "information worker"],
};

const WORKER_COLUMNS = [
  ["工号 ID", 8],
  ["姓名 Name", 12],
  ["角色 Role", 16],
  ["负责网格 Grids", 40],
  ["走访次数 Visits", 12],
  ["走访单元 Entrances reached", 16],
  ["所负责网格单元 Entrances in grids", 18],
  ["覆盖率 Share", 12],
  ["未走访网格 Grids not visited", 40],
] as const;
const GRID_COLUMNS = [
  ["网格编码 Grid code", 18],
  ["网格名称 Grid name", 24],
  ["有户单元 Entrances with households", 18],
  ["走访次数 Visits", 12],
  ["走访单元 Entrances reached", 16],
  ["覆盖率 Share", 12],
  ["最近走访 Last visit", 14],
] as const;

function workerRow(w: ReportWorker): (string | number | null)[] {
  const role = ROLE_NAMES[w.role] ?? [w.role, w.role];
  return [
    w.id,
    w.name,
    `${role[0]} ${role[1]}`,
    w.grids.join(" "),
    w.visits,
    w.entrances_reached,
    w.entrances_in_grids,
    w.share,
    w.grids_not_visited.join(" "),
  ];
}
function gridRow(g: ReportGrid): (string | number | null)[] {
  return [g.code, g.name, g.entrances, g.visits, g.entrances_reached, g.share, g.last_visit_on];
}

/** One table of the report as CSV. */
export function reportCsv(report: Report, part: "workers" | "grids"): string {
  const [columns, rows] =
    part === "workers" ? [WORKER_COLUMNS, report.workers.map(workerRow)] : [GRID_COLUMNS, report.grids.map(gridRow)];
  return csvText([columns.map(([h]) => h), ...rows]);
}

/** The report as a workbook: a summary sheet, the grids and the workers, shares formatted as percentages. */
export async function reportXlsx(report: Report): Promise<Uint8Array> {
  const wb = new ExcelJS.Workbook();
  wb.creator = "GridAtlas 网格一张图";
  wb.created = new Date(`${report.to}T00:00:00Z`);
  const summary = wb.addWorksheet("概况 Summary");
  summary.columns = [{ width: 36 }, { width: 60 }];
  const t = report.totals;
  summary.addRows([
    ["社区 Community", `${report.community.name} (${report.community.code})`],
    ["期间 Period", `${report.from} – ${report.to}`],
    ["网格 Grids", t.grids],
    ["有户单元 Entrances with households", t.entrances],
    ["走访次数 Visits", t.visits],
    ["走访单元 Entrances reached", t.entrances_reached],
    ["覆盖率 Share", t.share],
    ["未走访网格 Grids never visited", t.grids_never_visited.join(" ") || "—"],
  ]);
  summary.getCell("B7").numFmt = "0.0%";
  summary.getColumn(1).font = { bold: true };

  const sheet = (
    name: string,
    columns: readonly (readonly [string, number])[],
    rows: (string | number | null)[][],
    pctCol: number,
  ) => {
    const ws = wb.addWorksheet(name, { views: [{ state: "frozen", ySplit: 1 }] });
    ws.columns = columns.map(([header, width]) => ({ header, width }));
    ws.getRow(1).font = { bold: true };
    ws.addRows(rows);
    ws.getColumn(pctCol).numFmt = "0.0%";
    ws.autoFilter = { from: { row: 1, column: 1 }, to: { row: 1, column: columns.length } };
  };
  sheet("网格 Grids", GRID_COLUMNS, report.grids.map(gridRow), 6);
  sheet("人员 Workers", WORKER_COLUMNS, report.workers.map(workerRow), 8);
  return new Uint8Array(await wb.xlsx.writeBuffer());
}

// ---------------------------------------------------------------- the paragraph

export type SummaryFigures = {
  grids: number;
  households: number;
  buildings: number;
  entrances: number;
  secretary: number;
  grid_leader: number;
  grid_worker: number;
  info_worker: number;
  visits: number;
  entrances_with_households: number;
  entrances_reached: number;
  grids_never_visited: number;
  venues: number;
  inspections: number;
  venues_inspected: number;
  inspections_joint: number;
  inspections_issues: number;
  hazards_reported: number;
  hazards_resolved: number;
  hazards_open: number;
};

/**
 * The figures of the annual-report paragraph for a community and range: the territory and team as they stand,
 * the visits, inspections and hazards of the range (hazards open at the end of its last day).
 */
export async function summaryFigures(db: Db, community: string, range: Range): Promise<SummaryFigures> {
  const r = await sql<SummaryFigures>`
    with g as (select id, code from published_grid where community_code = ${community}),
    pp as (select pp.parcel_id, pa.building_id, pa.entrance_id from plan_parcel pp
      join g on g.id = pp.grid_id join parcel pa on pa.id = pp.parcel_id),
    ent as (select e.id, e.building_id, e.households, gg.code as grid_code from g gg
      join plan_parcel p on p.grid_id = gg.id join parcel pa on pa.id = p.parcel_id join entrance e on e.id = pa.entrance_id),
    vis as (
      select v.record_id, v.visits, v.entrance_id, v.building_id from visit_record v
      where v.visited_on between ${range.from}::date and ${range.to}::date
        and (v.entrance_id in (select id from ent) or v.building_id in (select building_id from ent))
    ),
    reached as (
      select ent.id, ent.grid_code, ent.households from vis join ent on ent.id = vis.entrance_id
      union
      select ent.id, ent.grid_code, ent.households from vis join ent on ent.building_id = vis.building_id and vis.entrance_id is null
    ),
    ven as (select v.id from venue v where v.parcel_id in (select parcel_id from pp)),
    ins as (select i.* from inspection i where i.venue_id in (select id from ven)
      and i.inspected_on between ${range.from}::date and ${range.to}::date),
    haz as (select h.* from hazard h where h.parcel_id in (select parcel_id from pp))
    select
      (select count(*) from g)::int as grids,
      (select coalesce(sum(households), 0) from ent)::int as households,
      (select count(distinct building_id) from pp where building_id is not null)::int as buildings,
      (select count(*) from ent)::int as entrances,
      (select count(*) from worker w where w.community_code = ${community} and w.retired_on is null and w.role = 'secretary')::int as secretary,
      (select count(*) from worker w where w.community_code = ${community} and w.retired_on is null and w.role = 'grid_leader')::int as grid_leader,
      (select count(*) from worker w where w.community_code = ${community} and w.retired_on is null and w.role = 'grid_worker')::int as grid_worker,
      (select count(*) from worker w where w.community_code = ${community} and w.retired_on is null and w.role = 'info_worker')::int as info_worker,
      (select coalesce(sum(visits), 0) from vis)::int as visits,
      (select count(*) from ent where households > 0)::int as entrances_with_households,
      (select count(distinct id) from reached where households > 0)::int as entrances_reached,
      (select count(*) from g where g.code not in (select grid_code from reached))::int as grids_never_visited,
      (select count(*) from ven)::int as venues,
      (select count(*) from ins)::int as inspections,
      (select count(distinct venue_id) from ins)::int as venues_inspected,
      (select count(*) from ins where joint_with_police)::int as inspections_joint,
      (select count(*) from ins where result <> 'ok')::int as inspections_issues,
      (select count(*) from haz where reported_at >= ${startOfDay(range.from)}
        and reported_at < ${endOfDay(range.to)})::int as hazards_reported,
      (select count(distinct t.hazard_id) from hazard_transition t where t.hazard_id in (select id from haz)
        and t.to_status = 'resolved' and t.at >= ${startOfDay(range.from)}
        and t.at < ${endOfDay(range.to)})::int as hazards_resolved,
      (select count(*) from haz h where h.reported_at < ${endOfDay(range.to)} and ${hazardStatusAt("h", range.to)} in ('reported', 'assigned', 'in_progress'))::int as hazards_open
  `.execute(db);
  const row = r.rows[0];
  if (!row) throw new Error("summary query returned no row");
  return row;
}

const zhDate = (d: string) => `${Number(d.slice(0, 4))}年${Number(d.slice(5, 7))}月${Number(d.slice(8, 10))}日`;
const enDate = (d: string) =>
  new Date(`${d}T00:00:00Z`).toLocaleDateString("en-GB", {
    day: "numeric",
    month: "long",
    year: "numeric",
    timeZone: "UTC",
  });
const pct1 = (n: number, d: number) => (d > 0 ? `${(Math.round((n / d) * 1000) / 10).toFixed(1)}%` : "—");

/**
 * The paragraph in the style of the community's annual work report, with the real figures. "截至目前" when the
 * range ends today, else the end date.
 */
export function summaryText(f: SummaryFigures, range: Range, communityName: string): { zh: string; en: string } {
  const asOfZh = range.to === range.today ? "截至目前" : `截至${zhDate(range.to)}`;
  const asOfEn = range.to === range.today ? "As of today" : `As of ${enDate(range.to)}`;
  const perWorker = f.grid_worker > 0 ? Math.round(f.households / f.grid_worker) : 0;
  const zh = [
    `${asOfZh}，我社区共有网格${f.grids}个，覆盖居民${f.households}户、楼栋${f.buildings}栋、单元${f.entrances}个；`,
    `按照“社区书记+社区干部+网格员”模式配齐网格团队，现有网格长${f.grid_leader}名、网格员${f.grid_worker}名、网情员${f.info_worker}名，`,
    `平均每名网格员联系居民${perWorker}户。`,
    `${zhDate(range.from)}至${zhDate(range.to)}，网格员、网情员累计入户走访${f.visits}次，`,
    `走访到户单元${f.entrances_reached}个，占有户单元的${pct1(f.entrances_reached, f.entrances_with_households)}`,
    f.grids_never_visited > 0 ? `，仍有${f.grids_never_visited}个网格期间未开展走访；` : "，各网格均开展了走访；",
    `排查各类场所${f.venues_inspected}处、${f.inspections}次（辖区共有场所${f.venues}处），其中联合公安开展${f.inspections_joint}次，`,
    `发现问题${f.inspections_issues}处；新发现安全隐患点${f.hazards_reported}处，整改${f.hazards_resolved}处，`,
    f.hazards_open > 0 ? `目前尚有${f.hazards_open}处正在整改。` : "隐患点已全部整改。",
  ].join("");
  const en = [
    `${asOfEn}, ${communityName} has ${f.grids} grids covering ${f.households} households in ${f.buildings} buildings `,
    `and ${f.entrances} entrances. Every grid has a team on the pattern "community secretary + community cadre + grid worker": `,
    `${f.grid_leader} grid leaders, ${f.grid_worker} grid workers and ${f.info_worker} information workers, `,
    `each grid worker keeping in touch with ${perWorker} households on average. `,
    `From ${enDate(range.from)} to ${enDate(range.to)}, grid and information workers made ${f.visits} door-to-door visits, `,
    `reaching ${f.entrances_reached} entrances, ${pct1(f.entrances_reached, f.entrances_with_households)} of those with households`,
    f.grids_never_visited > 0
      ? `; ${f.grids_never_visited} grids had no visit in the period. `
      : `; every grid was visited. `,
    `They inspected ${f.venues_inspected} of the area's ${f.venues} venues (${f.inspections} inspections, ${f.inspections_joint} jointly with the police) `,
    `and found issues in ${f.inspections_issues}; ${f.hazards_reported} new hazard points were reported and ${f.hazards_resolved} remediated`,
    f.hazards_open > 0 ? `, with ${f.hazards_open} still being dealt with.` : ", and none remain open.",
  ].join("");
  return { zh, en };
}
