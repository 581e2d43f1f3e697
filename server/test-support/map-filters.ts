import fc from "fast-check";
import { expect } from "vitest";
import type { TestApp } from "./test-app.ts";
import type { TestSession } from "./test-session.ts";

/** The roles that read the leader's map, each with its own scope. */
export type Role = "leader" | "secretary" | "worker";

/** worker-1's grids (in code order) and the community they lie in. */
export async function workerOnePlace(t: TestApp): Promise<{ grids: string[]; community: string }> {
  const rows = await t.rows<{ grid_code: string; community_code: string }>(
    `select wa.grid_code, w.community_code from account a join account_role r on r.account_id = a.id
     join worker w on w.id = r.worker_id join worker_assignment wa on wa.worker_id = w.id
     where a.username = 'worker-1' order by 1`,
  );
  return { grids: rows.map((r) => r.grid_code), community: rows[0]!.community_code };
}

export type MapReaders = {
  /** The leader, the secretary of worker-1's community and worker-1. */
  sessions: Map<Role, TestSession>;
  secretaryCommunity: string;
  workerGrids: string[];
  /** Every community's code, in order. */
  communities: string[];
};

/** A session for each role reading the leader's map, and the scopes the independent SQL narrows them to. */
export async function mapReaders(t: TestApp): Promise<MapReaders> {
  const { grids, community } = await workerOnePlace(t);
  const sessions = new Map<Role, TestSession>();
  sessions.set("leader", await t.as("leader"));
  sessions.set("secretary", await t.as(`secretary-${community}`));
  sessions.set("worker", await t.as("worker-1"));
  const communities = (await t.rows<{ code: string }>("select code from community order by code")).map((r) => r.code);
  return { sessions, secretaryCommunity: community, workerGrids: grids, communities };
}

/** The last two parameters of a filter's independent SQL: the secretary's community and the worker's grids. */
export function scopeParams(role: Role, readers: MapReaders): [string | null, string[] | null] {
  return [role === "secretary" ? readers.secretaryCommunity : null, role === "worker" ? readers.workerGrids : null];
}

/** Every code of a category table, in order. */
export async function codesOf(t: TestApp, table: "hazard_category" | "venue_category"): Promise<string[]> {
  return (await t.rows<{ code: string }>(`select code from ${table} order by code`)).map((r) => r.code);
}

/** `bbox` parameters for boxes cut from the subdistrict's extent (`[w, s, e, n]` and the middle `mx`, `my`). */
export async function subdistrictBoxes(
  t: TestApp,
  cut: (e: { x0: number; y0: number; x1: number; y1: number; mx: number; my: number }) => number[][],
): Promise<string[]> {
  const [ext] = await t.rows<{ w: number; s: number; e: number; n: number }>(
    "select ST_XMin(geom) w, ST_YMin(geom) s, ST_XMax(geom) e, ST_YMax(geom) n from subdistrict",
  );
  const { w: x0, s: y0, e: x1, n: y1 } = ext!;
  return cut({ x0, y0, x1, y1, mx: (x0 + x1) / 2, my: (y0 + y1) / 2 }).map((b) => b.map((v) => v.toFixed(6)).join(","));
}

/** Days (`YYYY-MM-DD`) from a first day (an SQL date expression) to today, `step_days` apart. */
export async function daysFrom(t: TestApp, first: string, step_days: number): Promise<string[]> {
  const rows = await t.rows<{ d: string }>(
    `select to_char(d, 'YYYY-MM-DD') d from generate_series((${first}), current_date, interval '${step_days} days') d`,
  );
  return rows.map((r) => r.d);
}

/** Left out `weight` times as often as not, so that combinations of two or three filters are common. */
export const sometimes = <T>(arb: fc.Arbitrary<T>, weight: number) =>
  fc.oneof({ arbitrary: fc.constant(undefined), weight }, { arbitrary: arb, weight: 1 });

/** A filter as a query string, lists joined by commas, with extra parameters. */
export function filterQuery(f: Record<string, string | string[] | undefined>, extra: Record<string, string> = {}) {
  const params = new URLSearchParams(extra);
  for (const [k, v] of Object.entries(f)) {
    if (v !== undefined) params.set(k, Array.isArray(v) ? v.join(",") : v);
  }
  return params.toString();
}

export type Fc = { features: { id?: number; properties: Record<string, unknown> }[] };

/** The clusters a session is answered at a zoom under a filter. */
export async function clustersOf(
  s: TestSession,
  path: string,
  f: Record<string, string | string[] | undefined>,
  zoom: number,
): Promise<Fc["features"]> {
  return ((await (await s.request(`${path}?${filterQuery(f, { zoom: String(zoom) })}`)).json()) as Fc).features;
}

/** The grids a filter test draws from: the worker's, some `more`, and the six holding the most rows of `table`. */
export async function filterGrids(
  t: TestApp,
  readers: MapReaders,
  table: "hazard" | "venue",
  more: string[] = [],
): Promise<string[]> {
  const busy = await t.rows<{ grid_code: string }>(
    `select pp.grid_code from ${table} x join published_parcel pp on pp.parcel_id = x.parcel_id
     group by 1 order by count(*) desc, 1 limit 6`,
  );
  return [...new Set([...readers.workerGrids, ...more, ...busy.map((r) => r.grid_code)])];
}

/**
 * The property of a map noun's filters (`path`: its list; `path/clusters`: its cells): as every role, under
 * every filter and zoom, the list returns exactly the ids the independent SQL `expected` returns, in its order, a
 * `from` after `to` is refused naming `from`, and the clusters hold as many rows. `check` compares what else the
 * noun answers. Returns how many runs found rows, for the caller to require that the property was not vacuous.
 */
export async function everyFilterCombination<F extends Record<string, string | string[] | undefined>, W>(o: {
  readers: MapReaders;
  path: string;
  filter: fc.Arbitrary<F>;
  zooms: number[];
  expected: (role: Role, f: F) => Promise<(W & { id: number })[]>;
  check: (c: {
    s: TestSession;
    f: F;
    want: (W & { id: number })[];
    got: Fc["features"];
    clusters: Fc["features"];
  }) => Promise<void>;
  seed: number;
}): Promise<number> {
  let nonEmpty = 0;
  await fc.assert(
    fc.asyncProperty(
      fc.constantFrom<Role>("leader", "leader", "secretary", "worker"),
      o.filter,
      fc.constantFrom(...o.zooms),
      async (role, f, zoom) => {
        const s = o.readers.sessions.get(role)!;
        const list = await s.request(`${o.path}?${filterQuery(f)}`);
        if (f.from && f.to && f.from > f.to) {
          expect(list.status).toBe(400);
          expect((await list.json()).error.field).toBe("from");
          return;
        }
        expect(list.status, await list.clone().text()).toBe(200);
        const want = await o.expected(role, f);
        if (want.length) nonEmpty += 1;
        const got = ((await list.json()) as Fc).features;
        expect(got.map((x) => x.properties.id)).toEqual(want.map((x) => x.id));
        const clusters = await clustersOf(s, `${o.path}/clusters`, f, zoom);
        expect(clusters.reduce((n, c) => n + (c.properties.count as number), 0)).toBe(want.length);
        await o.check({ s, f, want, got, clusters });
      },
    ),
    { numRuns: 150, seed: o.seed },
  );
  return nonEmpty;
}
