import { addStress } from "@gridatlas/geodata/stress/stress.ts";
import fc from "fast-check";
import { beforeAll, describe, expect, it } from "vitest";
import {
  codesOf,
  daysFrom,
  everyFilterCombination,
  filterGrids,
  filterQuery,
  type MapReaders,
  mapReaders,
  type Role,
  scopeParams,
  sometimes,
  subdistrictBoxes,
} from "../../../test-support/map-filters.ts";
import { useTestApp } from "../../../test-support/test-app.ts";

/**
 * Every combination of the hazard filters, as three roles, against an independent SQL query written here from
 * the rules (not from the route's code): the list returns exactly its rows, the clusters hold exactly as many
 * hazards, and the statistics count them the same way. The demo's 110 hazards are tripled with the stress set's
 * generator, so that most combinations of two or three filters still find some.
 */

const FACTOR = 3;

const t = useTestApp("hazardfilters");
let readers: MapReaders;
let grids: string[];
let categories: string[];
let boxes: string[];
let days: string[];

beforeAll(async () => {
  await addStress(t.url, { factor: FACTOR, seed: 11 });
  readers = await mapReaders(t);
  const { secretaryCommunity, workerGrids } = readers;
  // The worker's grids, two more of its community and the grids holding the most hazards elsewhere.
  const near = await t.rows<{ code: string }>(
    "select code from published_grid where community_code = $1 and code <> all($2) order by code limit 2",
    [secretaryCommunity, workerGrids],
  );
  grids = await filterGrids(
    t,
    readers,
    "hazard",
    near.map((r) => r.code),
  );
  categories = await codesOf(t, "hazard_category");
  boxes = await subdistrictBoxes(t, ({ x0, y0, x1, y1, mx, my }) => [
    [x0, y0, mx, my],
    [mx, my, x1, y1],
    [x0, my, x1, y1],
    [x0 + (x1 - x0) / 3, y0 + (y1 - y0) / 3, x1 - (x1 - x0) / 3, y1 - (y1 - y0) / 3],
  ]);
  days = await daysFrom(t, "select min(reported_at at time zone 'Asia/Shanghai')::date - 3 from hazard", 23);
});

type Filter = {
  category?: string[];
  status?: string[];
  severity?: string[];
  community?: string;
  grid?: string;
  bbox?: string;
  from?: string;
  to?: string;
  q?: string;
  as_of?: string;
};

const maybe = <T>(arb: fc.Arbitrary<T>) => sometimes(arb, 4);

const filterArb = (): fc.Arbitrary<Filter> =>
  fc.record({
    category: maybe(fc.subarray(categories, { minLength: 1, maxLength: 3 })),
    status: maybe(fc.subarray(["reported", "assigned", "in_progress", "resolved", "verified"], { minLength: 1 })),
    severity: maybe(fc.subarray(["low", "medium", "high"], { minLength: 1 })),
    community: maybe(fc.constantFrom(...readers.communities)),
    grid: maybe(fc.constantFrom(...grids)),
    bbox: maybe(fc.constantFrom(...boxes)),
    from: maybe(fc.constantFrom(...days)),
    to: maybe(fc.constantFrom(...days)),
    // Substrings of the demo's titles and addresses, and pattern characters that must be taken literally.
    q: maybe(fc.constantFrom("电动车", "楼道", "单元", "消防", "大街", "保健", "交叉口", "%", "_", "\\", "zz")),
    as_of: maybe(fc.constantFrom(...days)),
  });

/** The rule, written out as plain SQL: which hazard ids a role may see under a filter, and their statuses. */
async function expected(role: Role, f: Filter): Promise<{ id: number; status: string }[]> {
  const box = f.bbox?.split(",").map(Number) ?? null;
  const r = await t.sql.query<{ id: number; status: string }>(
    `with pub as (
       select pp.parcel_id, g.code as grid_code
       from plan_parcel pp join plan p on p.id = pp.plan_id and p.status = 'published' join grid g on g.id = pp.grid_id
     ),
     replay as (
       select h.id,
         case when $10::date is null then h.status else coalesce((
           select x.to_status from (
             select t.to_status, row_number() over (order by t.at desc, t.id desc) as rn
             from hazard_transition t
             where t.hazard_id = h.id and (t.at at time zone 'Asia/Shanghai')::date <= $10::date) x
           where x.rn = 1), 'reported') end as status
       from hazard h
     )
     select h.id, rp.status
     from hazard h
     join replay rp on rp.id = h.id
     left join pub on pub.parcel_id = h.parcel_id
     left join venue v on v.id = h.venue_id
     where ($1::text[] is null or h.category = any($1))
       and ($2::text[] is null or rp.status = any($2))
       and ($3::text[] is null or h.severity = any($3))
       and ($4::text is null or h.community_code = $4)
       and ($5::text is null or pub.grid_code = $5)
       and ($6::float8[] is null or (ST_X(h.geom) between $6[1] and $6[3] and ST_Y(h.geom) between $6[2] and $6[4]))
       and ($7::date is null or (h.reported_at at time zone 'Asia/Shanghai')::date >= $7)
       and ($8::date is null or (h.reported_at at time zone 'Asia/Shanghai')::date <= $8)
       and ($9::text is null or strpos(lower(h.title), lower($9)) > 0 or strpos(lower(coalesce(h.note, '')), lower($9)) > 0
            or strpos(lower(coalesce(v.name, '')), lower($9)) > 0 or strpos(lower(coalesce(v.address, '')), lower($9)) > 0)
       and ($10::date is null or (h.reported_at at time zone 'Asia/Shanghai')::date <= $10)
       and ($11::text is null or h.community_code = $11)
       and ($12::text[] is null or pub.grid_code = any($12))
     order by h.id`,
    [
      f.category ?? null,
      f.status ?? null,
      f.severity ?? null,
      f.community ?? null,
      f.grid ?? null,
      box,
      f.from ?? null,
      f.to ?? null,
      f.q ?? null,
      f.as_of ?? null,
      ...scopeParams(role, readers),
    ],
  );
  return r.rows;
}

describe("hazard filters, every combination", () => {
  it("returns from the list, the clusters and the statistics exactly what the plain SQL returns", async () => {
    const nonEmpty = await everyFilterCombination({
      readers,
      path: "/api/hazards",
      filter: filterArb(),
      zooms: [12, 14, 15.5, 17, 18.5],
      expected,
      seed: 7007,
      check: async ({ s, f, want, got, clusters }) => {
        expect(got.map((x) => x.properties.status)).toEqual(want.map((x) => x.status));
        const ids = new Set(want.map((x) => x.id));
        for (const c of clusters) if (c.properties.count === 1) expect(ids.has(c.properties.id as number)).toBe(true);

        const stats = await (await s.request(`/api/stats/hazards?${filterQuery(f)}`)).json();
        expect(stats.total).toBe(want.length);
        const byStatus: Record<string, number> = {};
        for (const c of stats.counts) byStatus[c.status] = (byStatus[c.status] ?? 0) + c.count;
        const wantByStatus: Record<string, number> = {};
        for (const x of want) wantByStatus[x.status] = (wantByStatus[x.status] ?? 0) + 1;
        expect(byStatus).toEqual(wantByStatus);
        expect(stats.months.reduce((n: number, m: { opened: number }) => n + m.opened, 0)).toBe(want.length);
        expect(stats.remediation.count).toBe(
          want.filter((x) => x.status === "resolved" || x.status === "verified").length,
        );
      },
    });
    // The property means little if every combination came out empty.
    expect(nonEmpty).toBeGreaterThan(50);
  }, 300_000);

  it("computes the time to remediate from the history: median and longest", async () => {
    const leader = readers.sessions.get("leader")!;
    const stats = await (await leader.request("/api/stats/hazards")).json();
    const r = await t.sql.query<{ median: number; longest: number; n: number }>(
      `with fixed as (
         select h.id, extract(epoch from (select max(t.at) from hazard_transition t
           where t.hazard_id = h.id and t.to_status = 'resolved') - h.reported_at) / 86400 as days
         from hazard h where h.status in ('resolved', 'verified'))
       select percentile_cont(0.5) within group (order by days) median, max(days) longest, count(*)::int n from fixed`,
    );
    const want = r.rows[0]!;
    expect(stats.remediation.count).toBe(want.n);
    expect(stats.remediation.median_days).toBeCloseTo(want.median, 1);
    expect(stats.remediation.longest_days).toBeCloseTo(want.longest, 1);
    // 30 resolved and 10 verified in the demo, each copied.
    expect(want.n).toBe(40 * FACTOR);
  });

  it("counts hazards reported, resolved and verified per month, every month from the first to the last", async () => {
    const leader = readers.sessions.get("leader")!;
    const stats = await (await leader.request("/api/stats/hazards")).json();
    const months = stats.months as { month: string; opened: number; resolved: number; verified: number }[];
    const r = await t.sql.query<{ month: string; n: number }>(
      `select to_char(reported_at at time zone 'Asia/Shanghai', 'YYYY-MM') as month, count(*)::int n from hazard group by 1`,
    );
    for (const row of r.rows) expect(months.find((m) => m.month === row.month)?.opened).toBe(row.n);
    for (let i = 1; i < months.length; i++) {
      const [y, m] = months[i - 1]!.month.split("-").map(Number) as [number, number];
      const next = m === 12 ? `${y + 1}-01` : `${y}-${String(m + 1).padStart(2, "0")}`;
      expect(months[i]!.month).toBe(next);
    }
    expect(months.reduce((n, m) => n + m.verified, 0)).toBe(10 * FACTOR);
  });

  it("refuses unknown values, naming the field", async () => {
    const leader = readers.sessions.get("leader")!;
    for (const [q, field] of [
      ["category=no_such", "category"],
      ["status=closed", "status"],
      ["severity=extreme", "severity"],
      ["from=2026-13-01", "from"],
      ["as_of=yesterday", "as_of"],
      ["community=1", "community"],
      ["bbox=1,2,3", "bbox"],
    ] as const) {
      const res = await leader.request(`/api/hazards?${q}`);
      expect(res.status, q).toBe(400);
      expect((await res.json()).error.field, q).toBe(field);
    }
    const res = await leader.request("/api/hazards/clusters?zoom=99");
    expect(res.status).toBe(400);
  });
});
