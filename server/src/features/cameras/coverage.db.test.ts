import { beforeAll, describe, expect, it } from "vitest";
import { bruteForce } from "../../../test-support/coverage.ts";
import { useTestApp } from "../../../test-support/test-app.ts";
import type { TestSession } from "../../../test-support/test-session.ts";
import { DEFAULT_KEY_CATEGORIES, inCoverageTransaction } from "./coverage.queries.ts";
import { chooseSites, coveringInstance } from "./coverage.suggest.ts";
import { refreshViews } from "./coverage.views.ts";

const A = "150571003001";
const B = "150571003002";

const t = useTestApp("coverage");
let planner: TestSession;
let leader: TestSession;
let secretary: TestSession;
let worker: TestSession;

beforeAll(async () => {
  await t.sql.query("set jit = off");
  planner = await t.as("planner");
  leader = await t.as("leader");
  secretary = await t.as(`secretary-${A}`);
  worker = await t.as("worker-1");
});

type ClassFigures = { length_m: number; covered_m: number; covered_share: number | null };
type Figures = {
  road_length_m: number;
  road_covered_m: number;
  road_covered_share: number | null;
  by_class: Record<string, ClassFigures>;
  key_places: number;
  key_places_covered: number;
  cameras: { online: number; offline: number; planned: number };
};
type GridFigures = Figures & { code: string; community_code: string };
type Coverage = { communities: (Figures & { code: string })[]; grids: GridFigures[] };
type Change = {
  camera: { id: number; geometry: { coordinates: [number, number] }; properties: Record<string, unknown> };
  grids: { code: string; current: Figures; planned: Figures }[];
};

async function coverage(session: TestSession, query: string): Promise<Coverage> {
  const res = await session.request(`/api/coverage?${query}`);
  expect(res.status).toBe(200);
  return res.json();
}

/**
 * Covered road length per grid and class computed straight in PostGIS, the way the issue defines it: the roads
 * within half a metre of the grid, intersected with the union of the views of the counting cameras.
 */
async function reference(community: string, statuses: string[]) {
  const r = await t.sql.query<{ code: string; class: string; length_m: number; covered_m: number }>(
    `with g as materialized (
       select pg.id, pg.code, s.metric_srid as srid,
         ST_Buffer(ST_Transform(pg.geom, s.metric_srid), 0.5, 'quad_segs=2') as zone
       from published_grid pg join community c on c.code = pg.community_code
       join subdistrict s on s.code = c.subdistrict_code where pg.community_code = $1),
     gr as materialized (
       select g.id, g.code, r.class, ST_Intersection(ST_Transform(r.geom, g.srid), g.zone) as geom
       from g join road r on ST_Intersects(ST_Transform(r.geom, g.srid), g.zone)),
     v as materialized (
       select g.id, ST_Union(ST_Transform(cv.geom, g.srid)) as geom
       from g join camera_view cv on ST_Intersects(ST_Transform(cv.geom, g.srid), g.zone)
       join camera k on k.id = cv.camera_id where k.status = any($2) group by g.id)
     select gr.code, gr.class, sum(ST_Length(gr.geom)) as length_m,
       sum(coalesce(ST_Length(ST_Intersection(gr.geom, v.geom)), 0)) as covered_m
     from gr left join v on v.id = gr.id group by gr.code, gr.class`,
    [community, statuses],
  );
  return r.rows;
}

/** Largest differences between the API's grid figures and the reference, in metres and in share. */
async function compareWithReference(community: string, scenario: "current" | "planned") {
  const api = await coverage(planner, `community=${community}&scenario=${scenario}`);
  const ref = await reference(community, scenario === "current" ? ["online"] : ["online", "planned"]);
  let lengthDiff = 0;
  let shareDiff = 0;
  const byGrid = new Map(api.grids.map((g) => [g.code, g]));
  for (const row of ref) {
    const g = byGrid.get(row.code)!;
    const cls = g.by_class[row.class]!;
    lengthDiff = Math.max(lengthDiff, Math.abs(cls.length_m - row.length_m));
    const refShare = row.length_m > 0 ? row.covered_m / row.length_m : 0;
    shareDiff = Math.max(shareDiff, Math.abs((cls.covered_share ?? 0) - refShare));
  }
  return { lengthDiff, shareDiff, grids: api.grids.length, rows: ref.length };
}

/** A point of free ground: the front of a building of the community towards its nearest road, `out_m` out. */
async function freeSpot(community: string, out: number) {
  const r = await t.sql.query<{ lng: number; lat: number; c_lng: number; c_lat: number; b_lng: number; b_lat: number }>(
    `with b as (
       select b.id, b.geom, ST_Transform(b.geom, 4550) as m,
         (select ST_Transform(r.geom, 4550) from road r order by r.geom <-> b.geom limit 1) as road
       from building b where b.community_code = $1 order by b.id),
     p as (select b.*, building_front(b.m, b.road, $2) as at, ST_Centroid(b.m) as c from b)
     select ST_X(ST_Transform(at, 4326)) as lng, ST_Y(ST_Transform(at, 4326)) as lat,
       ST_X(ST_Transform(c, 4326)) as c_lng, ST_Y(ST_Transform(c, 4326)) as c_lat,
       ST_X(ST_Transform(beyond, 4326)) as b_lng, ST_Y(ST_Transform(beyond, 4326)) as b_lat
     from p cross join lateral (select ST_Translate(c, ST_X(c) - ST_X(at), ST_Y(c) - ST_Y(at)) as beyond) t
     where not exists (select 1 from building o where o.id <> p.id and ST_DWithin(ST_Transform(o.geom, 4550), p.at, 6))
       and exists (select 1 from parcel pa where ST_Intersects(pa.geom, ST_Transform(p.at, 4326)))
     limit 1`,
    [community, out],
  );
  return r.rows[0]!;
}

/** A road intersection with no building within `clear_m`, in the community. */
async function openJunction(community: string, clear: number): Promise<[number, number]> {
  const r = await t.sql.query<{ lng: number; lat: number }>(
    `select ST_X(d.geom) as lng, ST_Y(d.geom) as lat
     from road a join road b on a.id < b.id and a.geom && b.geom
     cross join lateral ST_Dump(ST_Intersection(a.geom, b.geom)) d
     join community c on c.code = $1 and ST_Intersects(c.geom, d.geom)
     where GeometryType(d.geom) = 'POINT'
       and not exists (select 1 from building o
         where ST_DWithin(ST_Transform(o.geom, 4550), ST_Transform(d.geom, 4550), $2))
       and exists (select 1 from parcel pa where ST_Intersects(pa.geom, d.geom))
     order by a.id, b.id limit 1`,
    [community, clear],
  );
  const j = r.rows[0]!;
  return [j.lng, j.lat];
}

/** A PATCH of a camera made against its stored version, as the cameras page sends it. */
async function changeCamera(session: TestSession, id: number, body: object): Promise<Response> {
  const { version } = (await t.sql.query<{ version: number }>("select version from camera where id = $1", [id]))
    .rows[0]!;
  return session.send("PATCH", `/api/cameras/${id}`, { version, ...body });
}

const place = async (session: TestSession, body: object) => {
  const res = await session.send("POST", "/api/cameras", body);
  expect(res.status, await res.clone().text()).toBe(201);
  return (await res.json()) as Change;
};

/** Whether the stored view of a camera contains a point (lng, lat). */
async function sees(cameraId: number, lng: number, lat: number): Promise<boolean> {
  const r = await t.sql.query<{ in: boolean }>(
    "select ST_Contains(geom, ST_SetSRID(ST_MakePoint($2, $3), 4326)) as in from camera_view where camera_id = $1",
    [cameraId, lng, lat],
  );
  return r.rows[0]!.in;
}

describe("what a camera sees", () => {
  it("stops at the wall it faces: nothing inside or beyond the building is seen", async () => {
    const s = await freeSpot(A, 4);
    const bearing =
      (Math.atan2((s.c_lng - s.lng) * Math.cos((s.lat * Math.PI) / 180), s.c_lat - s.lat) * 180) / Math.PI;
    const { camera } = await place(planner, {
      name: "对墙",
      type: "fixed",
      geometry: { type: "Point", coordinates: [s.lng, s.lat] },
      bearing_deg: (bearing + 360) % 360,
      view_width_deg: 20,
      range_m: 80,
    });
    const t = 0.25;
    expect(await sees(camera.id, s.lng + (s.c_lng - s.lng) * t * 0.5, s.lat + (s.c_lat - s.lat) * t * 0.5)).toBe(true);
    expect(await sees(camera.id, s.c_lng, s.c_lat)).toBe(false);
    expect(await sees(camera.id, s.b_lng, s.b_lat)).toBe(false);
  });

  it("of a dome with nothing around is the disc of its range", async () => {
    const [lng, lat] = await openJunction(A, 15);
    const { camera } = await place(planner, {
      name: "空旷球机",
      type: "dome",
      geometry: { type: "Point", coordinates: [lng, lat] },
      range_m: 12,
    });
    expect(camera.properties.view_area_m2).toBeCloseTo(Math.PI * 144, -0.5);
    const r = await t.sql.query<{ off: number }>(
      `select ST_Area(ST_SymDifference(ST_Transform(v.geom, 4550),
         ST_Buffer(ST_Transform(k.geom, 4550), 12, 64))) as off
       from camera_view v join camera k on k.id = v.camera_id where k.id = $1`,
      [camera.id],
    );
    expect(r.rows[0]!.off / (Math.PI * 144)).toBeLessThan(0.005);
  });

  it("never reaches inside a building, for any camera of the demo", async () => {
    await inCoverageTransaction(t.db, (trx) => refreshViews(trx));
    const r = await t.sql.query<{ views: number; inside_m2: number; invalid: number }>(
      `select count(distinct v.camera_id)::int as views,
         coalesce(max(ST_Area(ST_Intersection(ST_Transform(v.geom, 4550), ST_Transform(b.geom, 4550)))), 0) as inside_m2,
         (select count(*)::int from camera_view where not ST_IsValid(geom)) as invalid
       from camera_view v left join building b on ST_Intersects(v.geom, b.geom)`,
    );
    expect(r.rows[0]!.views).toBeGreaterThan(400);
    expect(r.rows[0]!.invalid).toBe(0);
    expect(r.rows[0]!.inside_m2).toBeLessThan(0.05);
  });
});

describe("coverage of grids and communities", () => {
  it("agrees with PostGIS intersecting each grid's roads with the union of the views", async () => {
    for (const scenario of ["current", "planned"] as const) {
      const d = await compareWithReference(A, scenario);
      expect(d.rows).toBeGreaterThan(20);
      expect(d.lengthDiff).toBeLessThan(0.5);
      expect(d.shareDiff).toBeLessThan(0.001);
    }
  });

  it("counts a stretch seen by two cameras once", async () => {
    const spots = await (await planner.request(`/api/coverage/blind-spots?community=${B}&min_length_m=100`)).json();
    const mid = await t.sql.query<{ lng: number; lat: number }>(
      `select ST_X(p) as lng, ST_Y(p) as lat
       from ST_LineInterpolatePoint(ST_SetSRID(ST_GeomFromGeoJSON($1), 4326), 0.5) as p`,
      [JSON.stringify(spots.features[0].geometry)],
    );
    const { lng, lat } = mid.rows[0]!;
    const before = await coverage(planner, `community=${B}&scenario=planned`);
    const first = await place(planner, {
      name: "一号",
      type: "dome",
      geometry: { type: "Point", coordinates: [lng, lat] },
      range_m: 30,
    });
    const second = await place(planner, {
      name: "二号",
      type: "dome",
      geometry: { type: "Point", coordinates: [lng + 0.00001, lat] },
      range_m: 30,
    });
    const codes = new Set(first.grids.map((g) => g.code));
    expect(codes.size).toBeGreaterThan(0);
    const byCode = (c: Change) => new Map(c.grids.map((g) => [g.code, g.planned]));
    const once = byCode(first);
    const twice = byCode(second);
    for (const code of codes) {
      const g1 = once.get(code)!;
      const g2 = twice.get(code)!;
      expect(g2.road_covered_m).toBeLessThanOrEqual(g2.road_length_m + 0.1);
      // The second camera stands a metre away and sees the same stretches, give or take that metre.
      expect(Math.abs(g2.road_covered_m - g1.road_covered_m)).toBeLessThan(3);
    }
    const after = await coverage(planner, `community=${B}&scenario=planned`);
    expect(after.communities[0]!.road_covered_m).toBeGreaterThan(before.communities[0]!.road_covered_m);
    expect(after.communities[0]!.road_covered_m).toBeLessThanOrEqual(after.communities[0]!.road_length_m + 0.1);
    const d = await compareWithReference(B, "planned");
    expect(d.shareDiff).toBeLessThan(0.001);
    // Planned cameras count only in the planning scenario.
    const current = await coverage(planner, `community=${B}`);
    expect(current.communities[0]!.road_covered_m).toBe(before.communities[0]!.road_covered_m);
  });

  it("gives a community its grids' roads once, and counts its cameras by status", async () => {
    const cov = await coverage(planner, `community=${A}`);
    const community = cov.communities[0]!;
    const sum = cov.grids.reduce((s, g) => s + g.road_length_m, 0);
    // Roads along grid edges belong to both grids but to the community once.
    expect(community.road_length_m).toBeLessThan(sum);
    const counts = await t.sql.query<{ status: string; n: number }>(
      `select k.status, count(*)::int as n from camera k join published_parcel pp on pp.parcel_id = k.parcel_id
       where pp.community_code = $1 group by k.status`,
      [A],
    );
    for (const row of counts.rows) {
      expect(community.cameras[row.status as "online"]).toBe(row.n);
    }
    expect(community.key_places).toBeGreaterThan(0);
    expect(community.key_places_covered).toBeLessThanOrEqual(community.key_places);
  });

  it("drops an offline camera's view from the figures and returns the changed grids at once", async () => {
    const r = await t.sql.query<{ id: number }>(
      `select k.id from camera k join camera_view_road v on v.camera_id = k.id
       where k.status = 'online' and k.community_code = $1 order by multirange_length(v.seen) desc limit 1`,
      [A],
    );
    const id = r.rows[0]!.id;
    const res = await changeCamera(planner, id, { status: "offline" });
    expect(res.status).toBe(200);
    const change: Change = await res.json();
    expect(change.camera.properties.status).toBe("offline");
    expect(change.grids.length).toBeGreaterThan(0);
    const now = await coverage(planner, `community=${A}`);
    for (const g of change.grids.filter((x) => x.code.startsWith(A))) {
      const listed = now.grids.find((x) => x.code === g.code)!;
      expect(listed.road_covered_m).toBe(g.current.road_covered_m);
    }
    const d = await compareWithReference(A, "current");
    expect(d.shareDiff).toBeLessThan(0.001);
    await changeCamera(planner, id, { status: "online" });
  });

  it("redraws a camera's view when it turns, and its grids' coverage follows", async () => {
    const s = await freeSpot(B, 3);
    const created = await place(planner, {
      name: "转向",
      type: "fixed",
      geometry: { type: "Point", coordinates: [s.lng, s.lat] },
      bearing_deg: 0,
    });
    const views: unknown[] = [created.camera.properties.view];
    for (const bearing of [90, 180, 270]) {
      const res = await changeCamera(planner, created.camera.id, { bearing_deg: bearing });
      expect(res.status).toBe(200);
      const change: Change = await res.json();
      expect(change.camera.properties.bearing_deg).toBe(bearing);
      expect(change.camera.properties.defaulted).not.toContain("bearing_deg");
      views.push(change.camera.properties.view);
      const listed = await coverage(planner, `community=${B}&scenario=planned`);
      for (const g of change.grids.filter((x) => x.code.startsWith(B))) {
        expect(listed.grids.find((x) => x.code === g.code)!.road_covered_m).toBe(g.planned.road_covered_m);
      }
    }
    expect(new Set(views.map((v) => JSON.stringify(v))).size).toBe(4);
  });

  it("recomputes the views near a building that appears", async () => {
    const s = await freeSpot(A, 5);
    const created = await place(planner, {
      name: "新楼前",
      type: "dome",
      geometry: { type: "Point", coordinates: [s.lng, s.lat] },
      range_m: 40,
    });
    const area = created.camera.properties.view_area_m2 as number;
    await t.sql.query(
      `insert into building (community_code, kind, name, floors, geom)
       select $1, 'lowrise', '新建', 2, ST_Transform(ST_Buffer(ST_Transform(ST_SetSRID(ST_MakePoint($2, $3), 4326), 4550), 8, 1), 4326)`,
      [A, s.lng + 0.00015, s.lat],
    );
    const fc = await (await planner.request(`/api/cameras?views=true&community=${A}`)).json();
    const f = fc.features.find((x: { id: number }) => x.id === created.camera.id);
    expect(f.properties.view_area_m2).toBeLessThan(area - 10);
  });
});

describe("blind spots", () => {
  it("are unseen stretches at least the threshold long, class first then longest", async () => {
    const res = await planner.request(`/api/coverage/blind-spots?community=${A}&min_length_m=40`);
    expect(res.status).toBe(200);
    const fc = await res.json();
    expect(fc.features.length).toBeGreaterThan(0);
    const order = ["arterial", "secondary", "local"];
    let prev: { cls: number; len: number } | null = null;
    for (const f of fc.features) {
      const p = f.properties;
      expect(p.length_m).toBeGreaterThanOrEqual(40);
      expect(p.grid_codes.every((c: string) => c.startsWith(A))).toBe(true);
      const cur = { cls: order.indexOf(p.class), len: p.length_m };
      if (prev) expect(prev.cls < cur.cls || (prev.cls === cur.cls && prev.len >= cur.len)).toBe(true);
      prev = cur;
    }
    const seen = await t.sql.query<{ m: number }>(
      `with s as (select ST_Transform(ST_SetSRID(ST_GeomFromGeoJSON(x), 4326), 4550) as g from unnest($1::text[]) x),
       v as (select ST_Union(ST_Transform(cv.geom, 4550)) as g from camera_view cv join camera k on k.id = cv.camera_id
         where k.status = 'online')
       select max(ST_Length(ST_Intersection(s.g, v.g))) as m from s, v`,
      [fc.features.map((f: { geometry: unknown }) => JSON.stringify(f.geometry))],
    );
    expect(seen.rows[0]!.m).toBeLessThan(0.05);
    const byLength = await (await planner.request(`/api/coverage/blind-spots?community=${A}&sort=length`)).json();
    const lengths = byLength.features.map((f: { properties: { length_m: number } }) => f.properties.length_m);
    expect(lengths).toEqual([...lengths].sort((a: number, b: number) => b - a));
  });
});

describe("first reads at once", () => {
  it("compute a grid's road stretches once when coverage and blind spots are asked for together", async () => {
    await t.sql.query("delete from coverage_grid");
    const [figures, spots] = await Promise.all([
      planner.request(`/api/coverage?community=${B}`),
      planner.request(`/api/coverage/blind-spots?community=${B}`),
    ]);
    expect([figures.status, spots.status]).toEqual([200, 200]);
    const grids = await t.sql.query<{ n: number }>(
      "select count(*)::int n from coverage_grid cg join published_grid g on g.id = cg.grid_id where g.community_code = $1",
      [B],
    );
    expect(grids.rows[0]!.n).toBe((await figures.json()).grids.length);
  });
});

describe("suggested sites", () => {
  const weights = { arterial: 3, secondary: 2, local: 1, key_place: 100 };
  const base = {
    community: "150571003003",
    include_planned: true,
    min_length_m: 50,
    weights,
    key_categories: [...DEFAULT_KEY_CATEGORIES],
  };

  it("match brute force on the demo community's candidates", async () => {
    for (const [type, k] of [
      ["dome", 3],
      ["fixed", 2],
    ] as const) {
      const inst = await inCoverageTransaction(t.db, async (trx) => {
        await refreshViews(trx);
        return coveringInstance(trx, { ...base, type, k });
      });
      expect(inst.candidates.length).toBeGreaterThan(20);
      const best = bruteForce(inst.sets, inst.weights, k);
      const choice = chooseSites(inst.sets, inst.weights, k);
      expect(choice.value).toBeGreaterThanOrEqual(best * 0.98);
      expect(choice.value).toBeLessThanOrEqual(best + 1e-6);
    }
  });

  it("add what they promise when placed as planned cameras", async () => {
    const res = await planner.send("POST", "/api/coverage/suggest", { community: base.community, k: 3 });
    expect(res.status).toBe(200);
    const s = await res.json();
    expect(s.sites).toHaveLength(3);
    expect(s.gain).toBeGreaterThan(0);
    for (let i = 1; i < s.sites.length; i++) expect(s.sites[i].gain).toBeLessThanOrEqual(s.sites[i - 1].gain);
    expect(s.after.road_covered_share).toBeGreaterThan(s.before.road_covered_share);
    for (const site of s.sites) {
      await place(planner, {
        name: `建议${site.rank}`,
        type: site.type,
        geometry: site.geometry,
        bearing_deg: site.bearing_deg,
        range_m: site.range_m,
      });
    }
    const cov = await coverage(planner, `community=${base.community}&scenario=planned`);
    expect(cov.communities[0]!.road_covered_share!).toBeCloseTo(s.after.road_covered_share, 3);
  });
});

describe("who sees and changes what", () => {
  it("keeps cameras and blind spots from workers", async () => {
    for (const path of ["/api/coverage", "/api/coverage/blind-spots", `/api/cameras?views=true`]) {
      expect((await worker.request(path)).status, path).toBe(403);
    }
    expect((await worker.send("POST", "/api/coverage/suggest", { community: A, k: 1 })).status).toBe(403);
    expect((await worker.send("PATCH", "/api/cameras/1", { bearing_deg: 10 })).status).toBe(403);
  });

  it("shows a secretary only their own community and nothing of another", async () => {
    const own = await coverage(secretary, "");
    expect(own.communities.map((c) => c.code)).toEqual([A]);
    expect(own.grids.every((g) => g.community_code === A)).toBe(true);
    expect((await secretary.request(`/api/coverage?community=${B}`)).status).toBe(404);
    expect((await secretary.request(`/api/coverage/blind-spots?community=${B}`)).status).toBe(404);
    expect((await secretary.send("POST", "/api/coverage/suggest", { community: B, k: 1 })).status).toBe(404);
    const spots = await (await secretary.request("/api/coverage/blind-spots")).json();
    for (const f of spots.features) expect(f.properties.community_codes).toEqual([A]);
    const cams = await (await secretary.request("/api/cameras?views=true")).json();
    expect(
      cams.features.every((f: { properties: { community_code: string } }) => f.properties.community_code === A),
    ).toBe(true);
  });

  it("lets a secretary plan cameras in their own community only, and a leader change nothing", async () => {
    const other = await t.sql.query<{ id: number }>(
      "select id from camera where community_code = $1 and status = 'online' order by id limit 1",
      [B],
    );
    const ownOnline = await t.sql.query<{ id: number }>(
      "select id from camera where community_code = $1 and status = 'online' order by id limit 1",
      [A],
    );
    expect((await changeCamera(secretary, other.rows[0]!.id, { bearing_deg: 10 })).status).toBe(404);
    expect((await changeCamera(secretary, ownOnline.rows[0]!.id, { bearing_deg: 10 })).status).toBe(403);
    const inA = await freeSpot(A, 3);
    const inB = await freeSpot(B, 3);
    const point = (s: { lng: number; lat: number }) => ({ type: "Point", coordinates: [s.lng, s.lat] });
    expect(
      (await secretary.send("POST", "/api/cameras", { name: "外社区", type: "dome", geometry: point(inB) })).status,
    ).toBe(403);
    const mine = await place(secretary, { name: "本社区", type: "dome", geometry: point(inA) });
    expect(mine.camera.properties.status).toBe("planned");
    expect((await changeCamera(secretary, mine.camera.id, { range_m: 50 })).status).toBe(200);
    expect((await changeCamera(secretary, mine.camera.id, { status: "online" })).status).toBe(403);
    expect((await changeCamera(secretary, mine.camera.id, { geometry: point(inB) })).status).toBe(403);
    expect((await changeCamera(leader, mine.camera.id, { range_m: 40 })).status).toBe(403);
    expect((await leader.send("DELETE", `/api/cameras/${mine.camera.id}`)).status).toBe(403);
    expect((await leader.request(`/api/coverage?community=${B}`)).status).toBe(200);
    expect((await secretary.send("DELETE", `/api/cameras/${mine.camera.id}?version=2`)).status).toBe(200);
  });
});

describe("the audit trail", () => {
  it("records who placed, changed and removed a camera, with what changed", async () => {
    const s = await freeSpot(B, 3);
    const { camera } = await place(planner, {
      name: "审计",
      type: "half_dome",
      geometry: { type: "Point", coordinates: [s.lng, s.lat] },
    });
    await changeCamera(planner, camera.id, { bearing_deg: 45, range_m: null });
    await planner.send("DELETE", `/api/cameras/${camera.id}?version=2`);
    const rows = await t.sql.query<{
      action: string;
      actor: string;
      community_code: string;
      diff: Record<string, unknown>;
    }>(
      "select action, actor, community_code, diff from audit_event where entity = 'camera' and entity_id = $1 order by id",
      [String(camera.id)],
    );
    expect(rows.rows.map((r) => r.action)).toEqual(["camera_create", "camera_update", "camera_delete"]);
    expect(rows.rows.every((r) => r.actor === "planner" && r.community_code === B)).toBe(true);
    expect(rows.rows[1]!.diff).toMatchObject({ bearing_deg: { before: 0, after: 45 } });
    const refused = await planner.send("DELETE", `/api/cameras/${camera.id}`);
    expect(refused.status).toBe(404);
  });
});
