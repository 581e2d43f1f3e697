import { beforeAll, describe, expect, it } from "vitest";
import { decodeMvt, type MvtLayer, tileOf } from "../../../test-support/mvt.ts";
import { useTestApp } from "../../../test-support/test-app.ts";
import { signIn, type TestSession } from "../../../test-support/test-session.ts";
import { createApp } from "../../app.ts";

/**
 * Vector tiles (issue 10) against independent SQL: what a tile holds, for whom, and what a change does to its URL.
 * Tiles are decoded here and their features compared with the rows PostGIS finds in the tile's box.
 */

const COMMUNITY_A = "150571003001";
const t = useTestApp("tiles");
const as: Record<string, TestSession> = {};
let workerGrids: string[];
/** A tile at zoom 15 over the middle of community A, and the zoom-14 tile holding it. */
let t15: { x: number; y: number };
let t14: { x: number; y: number };

beforeAll(async () => {
  for (const name of ["admin", "leader", `secretary-${COMMUNITY_A}`, "worker-1"]) as[name] = await t.as(name);
  workerGrids = (
    await t.sql.query<{ grid_code: string }>(
      `select wa.grid_code from account a join account_role r on r.account_id = a.id
       join worker_assignment wa on wa.worker_id = r.worker_id where a.username = 'worker-1' order by 1`,
    )
  ).rows.map((r) => r.grid_code);
  const c = (
    await t.sql.query<{ lng: number; lat: number }>(
      "select ST_X(p) lng, ST_Y(p) lat from (select ST_PointOnSurface(geom) p from community where code = $1) q",
      [COMMUNITY_A],
    )
  ).rows[0]!;
  t15 = tileOf(c.lng, c.lat, 15);
  t14 = tileOf(c.lng, c.lat, 14);
});

async function versions(): Promise<Record<string, number>> {
  const res = await as.leader!.request("/tiles/versions");
  expect(res.status).toBe(200);
  expect(res.headers.get("cache-control")).toBe("no-store");
  return ((await res.json()) as { versions: Record<string, number> }).versions;
}

/** The decoded tile as `who` gets it at the layer's current version. */
async function tile(who: string, layer: string, z: number, x: number, y: number): Promise<MvtLayer[]> {
  const v = (await versions())[layer];
  const res = await as[who]!.request(`/tiles/${layer}/v${v}/${z}/${x}/${y}.pbf`);
  expect([200, 204], `${layer} as ${who}`).toContain(res.status);
  return decodeMvt(new Uint8Array(await res.arrayBuffer()));
}

const features = (layers: MvtLayer[], name: string) => layers.find((l) => l.name === name)?.features ?? [];
const ids = (layers: MvtLayer[], name: string) =>
  features(layers, name)
    .map((f) => Number(f.id))
    .sort((a, b) => a - b);

/** Ids of the rows of `table` whose geometry meets the tile with its 64-unit margin, by PostGIS directly. */
async function idsInTile(table: string, z: number, x: number, y: number, where = "true"): Promise<number[]> {
  const r = await t.sql.query<{ id: number }>(
    `select t.id from ${table} t where ST_Intersects(ST_Transform(t.geom, 3857),
       ST_TileEnvelope($1, $2, $3, margin => 64.0 / 4096)) and ${where} order by t.id`,
    [z, x, y],
  );
  return r.rows.map((row) => row.id);
}

describe("tile content, decoded, against SQL", () => {
  it("buildings carry every building in the tile with its households", async () => {
    const layers = await tile("leader", "buildings", 15, t15.x, t15.y);
    expect(features(layers, "buildings").length).toBeGreaterThan(10);
    expect(ids(layers, "buildings")).toEqual(await idsInTile("building", 15, t15.x, t15.y));
    const some = features(layers, "buildings")[0]!;
    const hh = await t.sql.query<{ n: number }>(
      "select coalesce(sum(households), 0)::int n from entrance where building_id = $1",
      [some.id],
    );
    expect(some.properties.households).toBe(hh.rows[0]!.n);
    expect(ids(await tile("leader", "buildings", 13, t15.x >> 2, t15.y >> 2), "buildings")).toEqual([]);
  });

  it("grids are the published grids in the tile with the figures of grid_figure", async () => {
    const layers = await tile("leader", "grids", 14, t14.x, t14.y);
    const got = features(layers, "grids");
    expect(got.length).toBeGreaterThan(5);
    const r = await t.sql.query<{ code: string; households: number }>(
      `select g.code, f.households from published_grid g join grid_figure f on f.grid_id = g.id
       where ST_Intersects(ST_Transform(g.geom, 3857), ST_TileEnvelope(14, $1, $2, margin => 64.0 / 4096))
       order by g.code`,
      [t14.x, t14.y],
    );
    expect(got.map((f) => f.properties.code).sort()).toEqual(r.rows.map((x) => x.code));
    const byCode = new Map(got.map((f) => [f.properties.code, f.properties.households]));
    for (const row of r.rows) expect(byCode.get(row.code), row.code).toBe(row.households);
    expect(features(layers, "grids_label").length).toBeGreaterThan(0);
  });

  it("below zoom 12 grids are one feature per community with its totals", async () => {
    const t10 = { x: t14.x >> 4, y: t14.y >> 4 };
    const layers = await tile("leader", "grids", 10, t10.x, t10.y);
    expect(features(layers, "grids")).toHaveLength(0);
    const communities = features(layers, "grid_communities");
    expect(communities).toHaveLength(11);
    const totals = await t.sql.query<{ code: string; grids: number; households: number }>(
      `select c.code, (select count(*)::int from published_grid g where g.community_code = c.code) grids,
         (select coalesce(sum(e.households), 0)::int from entrance e join building b on b.id = e.building_id
          where b.community_code = c.code) households
       from community c order by c.code`,
    );
    for (const row of totals.rows) {
      const f = communities.find((x) => x.properties.community_code === row.code)!;
      expect(f.properties.grids, row.code).toBe(row.grids);
      expect(f.properties.households, row.code).toBe(row.households);
    }
  });

  it("the base map, compounds and communities hold the rows in the tile", async () => {
    const z = 15;
    const { x, y } = t15;
    expect(ids(await tile("leader", "roads", z, x, y), "roads")).toEqual(await idsInTile("road", z, x, y));
    expect(ids(await tile("leader", "blocks", z, x, y), "blocks")).toEqual(await idsInTile("block", z, x, y));
    expect(ids(await tile("leader", "compounds", z, x, y), "compounds")).toEqual(await idsInTile("compound", z, x, y));
    const communities = await tile("leader", "communities", z, x, y);
    expect(features(communities, "communities").length).toBeGreaterThan(0);
  });
});

describe("a tile never carries what the role may not see", () => {
  it("a secretary's tiles hold only their community", async () => {
    const who = `secretary-${COMMUNITY_A}`;
    for (const [layer, name, key] of [
      ["grids", "grids", "community_code"],
      ["buildings", "buildings", "community_code"],
      ["compounds", "compounds", "community_code"],
      ["communities", "communities", "code"],
    ] as const) {
      const z = layer === "grids" ? 14 : 15;
      const t = z === 14 ? t14 : t15;
      const got = features(await tile(who, layer, z, t.x, t.y), name);
      const all = features(await tile("leader", layer, z, t.x, t.y), name);
      expect(new Set(got.map((f) => f.properties[key])), layer).toEqual(new Set([COMMUNITY_A]));
      expect(got.length, layer).toBe(all.filter((f) => f.properties[key] === COMMUNITY_A).length);
    }
    const low = features(await tile(who, "grids", 10, t14.x >> 4, t14.y >> 4), "grid_communities");
    expect(low.map((f) => f.properties.community_code)).toEqual([COMMUNITY_A]);
  });

  it("a worker gets only their grids and the buildings on them", async () => {
    const grids = new Set<string>();
    const r = await t.sql.query<{ x: number; y: number }>(
      `select distinct t.x, t.y from published_grid g
       cross join lateral (select ST_PointOnSurface(g.geom) p) c
       cross join lateral (select floor((ST_X(c.p) + 180) / 360 * 16384)::int x,
         floor((1 - ln(tan(radians(ST_Y(c.p))) + 1 / cos(radians(ST_Y(c.p)))) / pi()) / 2 * 16384)::int y) t
       where g.code = any($1)`,
      [workerGrids],
    );
    for (const { x, y } of r.rows) {
      for (const f of features(await tile("worker-1", "grids", 14, x, y), "grids"))
        grids.add(String(f.properties.code));
      const buildings = ids(await tile("worker-1", "buildings", 14, x, y), "buildings");
      const mine = await idsInTile(
        "building",
        14,
        x,
        y,
        `t.id in (select pa.building_id from parcel pa join published_parcel pp on pp.parcel_id = pa.id
          where pp.grid_code = any('{${workerGrids.join(",")}}'))`,
      );
      expect(buildings).toEqual(mine);
    }
    expect([...grids].sort()).toEqual(workerGrids);
    expect(features(await tile("worker-1", "grids", 10, t14.x >> 4, t14.y >> 4), "grid_communities")).toHaveLength(0);
  });

  it("without a session there are no tiles", async () => {
    expect((await t.app.request(`/tiles/roads/v1/15/${t15.x}/${t15.y}.pbf`)).status).toBe(401);
    expect((await t.app.request("/tiles/versions")).status).toBe(401);
  });
});

describe("versions and caching", () => {
  it("serves immutable, versioned URLs with an ETag; the unversioned URL redirects to them", async () => {
    const v = (await versions()).buildings;
    const url = `/tiles/buildings/v${v}/15/${t15.x}/${t15.y}.pbf`;
    const res = await as.leader!.request(url);
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toBe("application/vnd.mapbox-vector-tile");
    expect(res.headers.get("cache-control")).toBe("private, max-age=31536000, immutable");
    const etag = res.headers.get("etag")!;
    expect(etag).toMatch(/^W\//);
    expect((await as.leader!.request(url, { headers: { "if-none-match": etag } })).status).toBe(304);
    // Another scope at the same URL is another tile: the ETag differs.
    const other = await as[`secretary-${COMMUNITY_A}`]!.request(url);
    expect(other.headers.get("etag")).not.toBe(etag);
    const latest = await as.leader!.request(`/tiles/buildings/15/${t15.x}/${t15.y}.pbf`);
    expect(latest.status).toBe(302);
    expect(latest.headers.get("location")).toBe(url);
    const json = await (await as.leader!.request("/tiles/buildings/tile.json")).json();
    expect(json.tiles[0]).toMatch(new RegExp(`/tiles/buildings/v${v}/\\{z\\}/\\{x\\}/\\{y\\}\\.pbf$`));
  });

  it("an edit bumps the version in its transaction: the new URL has the change, the old one redirects", async () => {
    const before = await versions();
    const url = (v: number) => `/tiles/grids/v${v}/14/${t14.x}/${t14.y}.pbf`;
    const old = decodeMvt(new Uint8Array(await (await as.leader!.request(url(before.grids!))).arrayBuffer()));
    const grid = features(old, "grids").find((f) => f.properties.community_code === COMMUNITY_A)!;
    const entrance = (
      await t.sql.query<{ id: number }>(
        `select e.id from entrance e join parcel pa on pa.entrance_id = e.id
         join published_parcel pp on pp.parcel_id = pa.id where pp.grid_code = $1 order by e.id limit 1`,
        [grid.properties.code],
      )
    ).rows[0]!.id;
    await t.sql.query("begin");
    await t.sql.query("update entrance set households = households + 500 where id = $1", [entrance]);
    // Not committed: nobody sees a new version yet.
    expect((await versions()).grids).toBe(before.grids);
    await t.sql.query("commit");
    const after = await versions();
    expect(after.grids).toBeGreaterThan(before.grids!);
    expect(after.buildings).toBeGreaterThan(before.buildings!);
    expect(after.roads).toBe(before.roads);

    const stale = await as.leader!.request(url(before.grids!));
    expect(stale.status).toBe(302);
    expect(stale.headers.get("location")).toBe(url(after.grids!));
    const fresh = decodeMvt(new Uint8Array(await (await as.leader!.request(url(after.grids!))).arrayBuffer()));
    const changed = features(fresh, "grids").find((f) => f.properties.code === grid.properties.code)!;
    expect(changed.properties.households).toBe(Number(grid.properties.households) + 500);
    expect(changed.properties.status).toBe("over");
  });

  it("a draft plan's edits do not touch the published layers", async () => {
    const before = await versions();
    const res = await as.admin!.send("POST", "/api/plans", { from: "published", name: "草稿" });
    expect(res.status).toBe(201);
    await t.sql.query(
      `update plan_parcel set grid_id = grid_id where plan_id = (select max(id) from plan where status = 'draft')`,
    );
    const after = await versions();
    expect(after).toEqual(before);
  });

  it("places are not drawn from tiles: a hazard reported changes no layer's version", async () => {
    const before = await versions();
    const p = await t.sql.query<{ lng: number; lat: number }>(
      "select ST_X(ST_PointOnSurface(geom)) lng, ST_Y(ST_PointOnSurface(geom)) lat from parcel where community_code = $1 order by id limit 1",
      [COMMUNITY_A],
    );
    const { lng, lat } = p.rows[0]!;
    await t.sql.query(
      `insert into hazard (community_code, category, severity, title, geom)
       values ($1, 'fire', 'high', '瓦片测试', ST_SetSRID(ST_MakePoint($2, $3), 4326))`,
      [COMMUNITY_A, lng, lat],
    );
    expect(await versions()).toEqual(before);
  });

  it("tiles remember a session's principal for the TTL: after signing out they answer 401 once it has passed", async () => {
    // Two apps over one database share its tile state (the remembered principals); only their TTLs differ.
    const remembering = createApp({ db: t.db, auth: { tilePrincipalTtlMs: 60_000 } });
    const forgetting = createApp({ db: t.db, auth: { tilePrincipalTtlMs: 0 } });
    const session = await signIn(remembering, "leader");
    const v = (await versions()).grids;
    const path = `/tiles/grids/v${v}/15/${t15.x}/${t15.y}.pbf`;
    expect((await session.request(path)).status).toBe(200);
    expect((await session.send("DELETE", "/api/session")).status).toBeLessThan(300);
    expect((await session.request("/api/session")).status).toBe(401);
    // Within the TTL the tile is still answered from the remembered principal; past it, the sign-out reaches it.
    expect((await session.request(path)).status).toBe(200);
    const cookie = { headers: { cookie: session.cookie } };
    expect((await forgetting.request(path, cookie)).status).toBe(401);
  });
});
