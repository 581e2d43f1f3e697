import fc from "fast-check";
import { beforeAll, describe, expect, it } from "vitest";
import {
  codesOf,
  daysFrom,
  everyFilterCombination,
  type Fc,
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
 * Every combination of the venue filters, as three roles, against plain SQL written here from the rules: the last
 * inspection of a venue, its due day (last + the category's interval) and its status are computed again without
 * the view the routes read.
 */

const t = useTestApp("venuefilters");
let readers: MapReaders;
let grids: string[];
let categories: string[];
let boxes: string[];
let days: string[];

beforeAll(async () => {
  readers = await mapReaders(t);
  grids = await filterGrids(t, readers, "venue");
  categories = await codesOf(t, "venue_category");
  boxes = await subdistrictBoxes(t, ({ x0, y0, x1, y1, mx, my }) => [
    [x0, y0, mx, my],
    [mx, y0, x1, y1],
    [x0 + (x1 - x0) / 4, y0 + (y1 - y0) / 4, x1 - (x1 - x0) / 4, y1 - (y1 - y0) / 4],
  ]);
  days = await daysFrom(t, "select min(inspected_on) - 2 from inspection", 19);
});

type Filter = {
  category?: string[];
  status?: string[];
  community?: string;
  grid?: string;
  bbox?: string;
  from?: string;
  to?: string;
  q?: string;
};

const maybe = <T>(arb: fc.Arbitrary<T>) => sometimes(arb, 3);

const filterArb = (): fc.Arbitrary<Filter> =>
  fc.record({
    category: maybe(fc.subarray(categories, { minLength: 1, maxLength: 4 })),
    status: maybe(fc.subarray(["never", "overdue", "due", "ok", "closed"], { minLength: 1 })),
    community: maybe(fc.constantFrom(...readers.communities)),
    grid: maybe(fc.constantFrom(...grids)),
    bbox: maybe(fc.constantFrom(...boxes)),
    from: maybe(fc.constantFrom(...days)),
    to: maybe(fc.constantFrom(...days)),
    q: maybe(fc.constantFrom("药", "大街", "路", "社区", "号", "%", "_", "zz")),
  });

/** The rule as plain SQL: the venues a role may see under a filter, with the status of their inspections. */
async function expected(role: Role, f: Filter): Promise<{ id: number; status: string; due_on: string | null }[]> {
  const box = f.bbox?.split(",").map(Number) ?? null;
  const r = await t.sql.query<{ id: number; status: string; due_on: string | null }>(
    `with last as (
       select distinct on (i.venue_id) i.venue_id, i.inspected_on, i.result
       from inspection i order by i.venue_id, i.inspected_on desc, i.id desc
     ),
     pub as (
       select pp.parcel_id, g.code as grid_code
       from plan_parcel pp join plan p on p.id = pp.plan_id and p.status = 'published' join grid g on g.id = pp.grid_id
     ),
     v as (
       select v.*, l.inspected_on as last_on, to_char(l.inspected_on + c.inspection_interval_days, 'YYYY-MM-DD') as due_on,
         case
           when l.venue_id is null then 'never'
           when l.result = 'closed_down' then 'closed'
           when l.inspected_on + c.inspection_interval_days < current_date then 'overdue'
           when l.inspected_on + c.inspection_interval_days - current_date < 7 then 'due'
           else 'ok' end as status,
         pub.grid_code
       from venue v join venue_category c on c.code = v.category
       left join last l on l.venue_id = v.id
       left join pub on pub.parcel_id = v.parcel_id
     )
     select v.id, v.status, v.due_on from v
     where ($1::text[] is null or v.category = any($1))
       and ($2::text[] is null or v.status = any($2))
       and ($3::text is null or v.community_code = $3)
       and ($4::text is null or v.grid_code = $4)
       and ($5::float8[] is null or (ST_X(v.geom) between $5[1] and $5[3] and ST_Y(v.geom) between $5[2] and $5[4]))
       and ($6::date is null or v.last_on >= $6)
       and ($7::date is null or v.last_on <= $7)
       and ($8::text is null or strpos(lower(v.name), lower($8)) > 0 or strpos(lower(coalesce(v.address, '')), lower($8)) > 0)
       and ($9::text is null or v.community_code = $9)
       and ($10::text[] is null or v.grid_code = any($10))
     order by v.id`,
    [
      f.category ?? null,
      f.status ?? null,
      f.community ?? null,
      f.grid ?? null,
      box,
      f.from ?? null,
      f.to ?? null,
      f.q ?? null,
      ...scopeParams(role, readers),
    ],
  );
  return r.rows;
}

describe("venue filters, every combination", () => {
  it("returns from the list, the clusters and the overdue figures exactly what the plain SQL returns", async () => {
    const nonEmpty = await everyFilterCombination({
      readers,
      path: "/api/venues",
      filter: filterArb(),
      zooms: [12, 14.5, 16, 18],
      expected,
      seed: 3003,
      check: async ({ s, f, want, got, clusters }) => {
        expect(got.map((x) => x.properties.inspection_status)).toEqual(want.map((x) => x.status));
        expect(got.map((x) => x.properties.due_on)).toEqual(want.map((x) => x.due_on));
        const overdue = want.filter((x) => x.status === "overdue" || x.status === "never").length;
        expect(clusters.reduce((n, c) => n + (c.properties.overdue as number), 0)).toBe(overdue);

        // The statistics' overdue figures read place, text and category from the same filter (no dates, no status).
        if (!f.from && !f.to && !f.status) {
          const { category, ...rest } = f;
          const stats = await (
            await s.request(
              `/api/stats/hazards?${filterQuery(rest, category ? { venue_category: category.join(",") } : {})}`,
            )
          ).json();
          const sum = (k: string) => stats.venues.reduce((n: number, v: Record<string, number>) => n + v[k]!, 0);
          expect(sum("venues")).toBe(want.length);
          expect(sum("overdue")).toBe(want.filter((x) => x.status === "overdue").length);
          expect(sum("never")).toBe(want.filter((x) => x.status === "never").length);
        }
      },
    });
    expect(nonEmpty).toBeGreaterThan(60);
  }, 300_000);

  it("counts the report's figures: 368 venues of which 315 inspected", async () => {
    const leader = readers.sessions.get("leader")!;
    const all = ((await (await leader.request("/api/venues")).json()) as Fc).features;
    expect(all).toHaveLength(368);
    expect(all.filter((v) => v.properties.inspection_status !== "never")).toHaveLength(315);
  });
});
