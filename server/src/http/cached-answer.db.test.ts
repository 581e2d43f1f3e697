import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { useTestApp } from "../../test-support/test-app.ts";
import type { TestSession } from "../../test-support/test-session.ts";
import { createApp } from "../app.ts";
import { createDb } from "../db/db.ts";

/**
 * The server's cache of whole-area answers (issue 16): after every kind of write, through the API or straight into
 * the tables as imports, publishing and jobs do, each cached route answers exactly what an app with an empty cache
 * answers; one scope's answer never reaches another; If-None-Match gets 304; personal answers stay no-store.
 */

const A = "150571003001";
const B = "150571003003";
const t = useTestApp("cached_answers");
const who = ["admin", "leader", `secretary-${A}`, `secretary-${B}`, "worker-1"] as const;
const as: Record<string, TestSession> = {};
let gridA: string;
let routes: string[];
let fresh: ReturnType<typeof createApp>;
let freshDb: ReturnType<typeof createDb>;

beforeAll(async () => {
  for (const name of who) as[name] = await t.as(name);
  gridA = (
    await t.rows<{ code: string }>("select code from published_grid where community_code = $1 order by code", [A])
  )[0]!.code;
  const [box] = await Promise.all([t.boxIn(A, 0.004)]);
  routes = [
    `/api/grids?community=${A}`,
    "/api/grids",
    `/api/grids/${gridA}`,
    `/api/buildings?community=${A}`,
    `/api/buildings?bbox=${box.join(",")}`,
    `/api/venues?community=${A}`,
    "/api/venues",
    `/api/hazards?community=${A}`,
    "/api/hazards",
  ];
  // An app over its own pool has its own, empty cache: what the routes answer with no cache at all.
  freshDb = createDb({ databaseUrl: t.url });
  fresh = createApp({ db: freshDb });
});
afterAll(async () => {
  await freshDb?.destroy();
});

/** The answer of an app that has never cached anything, with the same session (sessions live in the database). */
async function uncached(name: string, path: string): Promise<{ status: number; body: string }> {
  const db = createDb({ databaseUrl: t.url });
  try {
    const res = await createApp({ db }).request(path, { headers: { cookie: as[name]!.cookie } });
    return { status: res.status, body: await res.text() };
  } finally {
    await db.destroy();
  }
}

async function cached(name: string, path: string): Promise<{ status: number; body: string }> {
  const res = await as[name]!.request(path);
  return { status: res.status, body: await res.text() };
}

/** Every route as every account, from the suite's (warm) app: the answers, keyed by account and route. */
async function answers(): Promise<Map<string, { status: number; body: string }>> {
  const out = new Map<string, { status: number; body: string }>();
  for (const name of who) for (const path of routes) out.set(`${name} ${path}`, await cached(name, path));
  return out;
}

/** Checks that the warm app answers every route as an empty cache does, and returns how many answers changed. */
async function expectFresh(before: Map<string, { status: number; body: string }>, write: string): Promise<number> {
  const after = await answers();
  let changed = 0;
  for (const [key, answer] of after) {
    const [name, path] = key.split(" ") as [string, string];
    const truth = await uncached(name, path);
    expect(answer, `${write}: ${key}`).toEqual(truth);
    if (before.get(key)?.body !== answer.body) changed++;
  }
  return changed;
}

describe("after a write, no route answers from before it", () => {
  const writes: [string, () => Promise<void>][] = [
    [
      "a hazard reported (API)",
      async () => {
        const [p] = await t.rows<{ lng: number; lat: number }>(
          `select ST_X(pt) lng, ST_Y(pt) lat from (select ST_PointOnSurface(pa.geom) pt from parcel pa
           join published_parcel pp on pp.parcel_id = pa.id where pp.grid_code = $1 limit 1) q`,
          [gridA],
        );
        const res = await as[`secretary-${A}`]!.send("POST", "/api/hazards", {
          geometry: { type: "Point", coordinates: [p!.lng, p!.lat] },
          category: "fire",
          severity: "high",
          title: "缓存测试：楼道堆放杂物",
        });
        expect(res.status, await res.clone().text()).toBe(201);
      },
    ],
    [
      "an inspection recorded (API)",
      async () => {
        const [v] = await t.rows<{ id: number }>("select id from venue where community_code = $1 order by id", [A]);
        const res = await as[`secretary-${A}`]!.send("POST", `/api/venues/${v!.id}/inspections`, {
          inspected_on: new Date(Date.now() + 8 * 3600_000).toISOString().slice(0, 10),
          result: "issues_found",
          note: "缓存测试",
        });
        expect(res.status, await res.clone().text()).toBe(201);
      },
    ],
    [
      "a worker renamed (API)",
      async () => {
        const [w] = await t.rows<{ id: number; version: number }>(
          `select w.id, w.version from worker w join worker_assignment wa on wa.worker_id = w.id
           where wa.grid_code = $1 order by w.id limit 1`,
          [gridA],
        );
        const res = await as.admin!.send("PATCH", `/api/workers/${w!.id}`, { name: "缓存测试员", version: w!.version });
        expect(res.status, await res.clone().text()).toBe(200);
      },
    ],
    [
      "households changed by an import (SQL)",
      async () => {
        await t.sql.query(
          `update entrance set households = households + 41 where id = (select e.id from entrance e
           join building b on b.id = e.building_id where b.community_code = $1 order by e.id limit 1)`,
          [A],
        );
      },
    ],
    [
      "a grid renamed by publishing (SQL)",
      async () => {
        await t.sql.query(
          "update grid set name = name || '（新）' where code = $1 and id in (select id from published_grid)",
          [gridA],
        );
      },
    ],
    [
      "a hazard resolved by a job (SQL)",
      async () => {
        await t.sql.query(
          "update hazard set title = title || '·' where id = (select min(id) from hazard where community_code = $1)",
          [A],
        );
      },
    ],
  ];

  for (const [write, run] of writes) {
    it(write, async () => {
      const before = await answers();
      await run();
      expect(await expectFresh(before, write), `${write} changed some answer`).toBeGreaterThan(0);
    });
  }
});

describe("scopes", () => {
  it("never hands one scope's answer to another, whoever asked first", async () => {
    for (const path of ["/api/hazards", "/api/venues", "/api/grids", `/api/grids/${gridA}`]) {
      const bodies = new Map<string, string>();
      for (const name of who) {
        const answer = await cached(name, path);
        expect(answer, `${name} ${path}`).toEqual(await uncached(name, path));
        bodies.set(name, answer.body);
      }
      // Secretary B, asked after the admin and secretary A filled the cache, sees no place of community A.
      expect(bodies.get(`secretary-${B}`), path).not.toContain(`"community_code":"${A}"`);
    }
  });
});

describe("HTTP caching", () => {
  it("answers 304 to the ETag it sent, and a new ETag once the data changed", async () => {
    const path = `/api/hazards?community=${A}`;
    const first = await as.admin!.request(path);
    const etag = first.headers.get("etag")!;
    expect(etag).toMatch(/^"[\w-]{32}"$/);
    expect(first.headers.get("cache-control")).toBe("private, no-cache");
    expect(first.headers.get("vary")).toMatch(/cookie/i);

    const again = await as.admin!.request(path, { headers: { "if-none-match": etag } });
    expect(again.status).toBe(304);
    expect(await again.text()).toBe("");
    // Another scope with the admin's tag: its answer differs, so it gets the body.
    const other = await as[`secretary-${B}`]!.request(path, { headers: { "if-none-match": etag } });
    expect(other.status).not.toBe(304);

    await t.sql.query("update hazard set severity = 'low' where community_code = $1", [A]);
    const changed = await as.admin!.request(path, { headers: { "if-none-match": etag } });
    expect(changed.status).toBe(200);
    expect(changed.headers.get("etag")).not.toBe(etag);
  });

  it("keeps answers naming staff out of every cache but its own: the grid card is no-store", async () => {
    const card = await as[`secretary-${A}`]!.request(`/api/grids/${gridA}`);
    expect(card.status).toBe(200);
    expect(card.headers.get("cache-control")).toBe("no-store");
    const etag = card.headers.get("etag")!;
    expect(
      (await as[`secretary-${A}`]!.request(`/api/grids/${gridA}`, { headers: { "if-none-match": etag } })).status,
    ).toBe(304);
  });

  it("the fresh app and the warm app agree on every route for everyone", async () => {
    for (const name of who) {
      for (const path of routes) {
        const res = await fresh.request(path, { headers: { cookie: as[name]!.cookie } });
        expect({ status: res.status, body: await res.text() }, `${name} ${path}`).toEqual(await cached(name, path));
      }
    }
  });
});

describe("the data version", () => {
  it("every table but the exempt ones carries the trigger that moves it", async () => {
    const missing = await t.rows<{ relname: string }>(
      `select c.relname from pg_class c join pg_namespace n on n.oid = c.relnamespace
       where n.nspname = 'public' and c.relkind in ('r', 'p') and not c.relispartition
         and c.relname <> all (data_version_exempt())
         and not exists (select from pg_depend d where d.objid = c.oid and d.deptype = 'e')
         and not exists (select from pg_trigger g where g.tgrelid = c.oid and g.tgname = 'data_touch')`,
    );
    expect(missing.map((r) => r.relname)).toEqual([]);
  });

  it("stands still in the city loader's side-by-side transactions, and moves once when the load refreshes", async () => {
    const version = async () => (await t.rows<{ v: string }>("select sum(version)::text v from data_version"))[0]!.v;
    const before = await version();
    await t.sql.query("begin");
    await t.sql.query("set local gridatlas.tile_bump = off");
    await t.sql.query("update venue set name = name where false");
    await t.sql.query("commit");
    expect(await version()).toBe(before);
    // refreshTileLayers, which load-city runs at the end, calls it.
    await t.sql.query("select data_bump_all()");
    expect(await version()).not.toBe(before);
  });

  it("moves on a write to any of those tables, and only when the write commits", async () => {
    const version = async () => (await t.rows<{ v: string }>("select sum(version)::text v from data_version"))[0]!.v;
    const tables = await t.rows<{ source: string }>("select source from data_version order by source");
    expect(tables.length).toBeGreaterThan(20);
    for (const { source } of tables) {
      const before = await version();
      await t.sql.query("begin");
      await t.sql.query(`delete from ${source} where false`);
      await t.sql.query("rollback");
      expect(await version(), `${source}, rolled back`).toBe(before);
      await t.sql.query(`delete from ${source} where false`);
      expect(await version(), source).not.toBe(before);
    }
  });
});
