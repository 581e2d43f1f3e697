import { beforeAll, describe, expect, it } from "vitest";
import { useTestApp } from "../../../test-support/test-app.ts";
import { signIn, type TestSession } from "../../../test-support/test-session.ts";

const t = useTestApp("cameras");
let planner: TestSession;
/** A point on a road of the first community. */
let spot: [number, number];

beforeAll(async () => {
  planner = await t.as("planner");
  spot = await roadPoint("150571003001");
});

/** A point on a road of a community, away from its ends: on parcels, clear of buildings. */
async function roadPoint(community: string): Promise<[number, number]> {
  const r = await t.sql.query<{ lng: number; lat: number }>(
    `select ST_X(p) as lng, ST_Y(p) as lat from road r
     cross join lateral (select ST_LineInterpolatePoint(r.geom, f) as p from generate_series(0.1, 0.9, 0.1) f) x
     join community c on c.code = $1 and ST_Within(x.p, ST_Buffer(c.geom, -0.0003))
     order by r.id limit 1`,
    [community],
  );
  return [r.rows[0]!.lng, r.rows[0]!.lat];
}

type Props = {
  type: string;
  status: string;
  bearing_deg: number;
  view_width_deg: number;
  range_m: number;
  mount_height_m: number;
  defaulted: string[];
  community_code: string;
  view?: { type: string; coordinates: number[][][] } | null;
  view_area_m2?: number | null;
};
type Change = { camera: { id: number; properties: Props }; grids: { code: string }[] };

const point = (at: [number, number] = spot) => ({ type: "Point", coordinates: at });

async function create(body: object): Promise<Change> {
  const res = await planner.send("POST", "/api/cameras", { name: "测试点位", geometry: point(), ...body });
  expect(res.status, await res.clone().text()).toBe(201);
  return res.json();
}

/** The camera's version as stored: every change must name the version it was made against. */
async function versionOf(id: number): Promise<number> {
  return (await t.sql.query<{ version: number }>("select version from camera where id = $1", [id])).rows[0]!.version;
}

async function patch(id: number, body: object): Promise<Change> {
  const res = await planner.send("PATCH", `/api/cameras/${id}`, { version: await versionOf(id), ...body });
  expect(res.status, await res.clone().text()).toBe(200);
  return res.json();
}

describe("listing cameras", () => {
  it("gives each camera its view polygon on request, and none otherwise", async () => {
    const plain = await (await planner.request("/api/cameras?community=150571003001")).json();
    expect(plain.features.length).toBeGreaterThan(20);
    expect(plain.features[0].properties).not.toHaveProperty("view");
    const fc = await (await planner.request("/api/cameras?community=150571003001&views=true")).json();
    expect(fc.features).toHaveLength(plain.features.length);
    for (const f of fc.features) {
      expect(f.properties.view.type).toBe("Polygon");
      expect(f.properties.view_area_m2).toBeGreaterThan(0);
    }
  });
});

describe("placing a planned camera", () => {
  it("takes the type's defaults for what it is not told, and marks them", async () => {
    const { camera, grids } = await create({ type: "fixed", bearing_deg: 90 });
    expect(camera.properties).toMatchObject({
      type: "fixed",
      status: "planned",
      bearing_deg: 90,
      view_width_deg: 60,
      range_m: 60,
      mount_height_m: 5,
      defaulted: ["view_width_deg", "range_m", "mount_height_m"],
      community_code: "150571003001",
    });
    expect(camera.properties.view?.type).toBe("Polygon");
    expect(grids.length).toBeGreaterThan(0);
  });

  it("counts a dome and a PTZ camera all round", async () => {
    const dome = await create({ type: "dome", range_m: 30 });
    expect(dome.camera.properties.view_width_deg).toBe(360);
    expect(dome.camera.properties.defaulted).toEqual(["bearing_deg", "mount_height_m"]);
    const wrong = await planner.send("POST", "/api/cameras", {
      name: "x",
      type: "ptz",
      geometry: point(),
      view_width_deg: 90,
    });
    expect(wrong.status).toBe(400);
    expect((await wrong.json()).error.field).toBe("view_width_deg");
  });

  it("refuses a position off the subdistrict and impossible values, naming the field in both languages", async () => {
    const cases: [object, string][] = [
      [{ type: "dome", geometry: point([0, 0]) }, "geometry"],
      [{ type: "dome", geometry: point([200, 0]) }, "geometry.coordinates"],
      [{ type: "fixed", bearing_deg: 360 }, "bearing_deg"],
      [{ type: "fixed", range_m: 900 }, "range_m"],
      [{ type: "fixed", view_width_deg: 0.5 }, "view_width_deg"],
      [{ type: "fixed", range_m: Number.MIN_VALUE }, "range_m"],
      [{ type: "laser" }, "type"],
      [{ type: "fixed", status: "online" }, "status"],
    ];
    for (const [body, field] of cases) {
      const res = await planner.send("POST", "/api/cameras", { name: "x", geometry: point(), ...body });
      expect(res.status, JSON.stringify(body)).toBe(400);
      const { error } = await res.json();
      expect(`${error.field} ${error.en}`, JSON.stringify(body)).toContain(field);
      expect(error.zh).not.toEqual(error.en);
    }
  });
});

describe("changing a camera", () => {
  it("turns, widens and lengthens its view, and a null goes back to the default", async () => {
    const { camera } = await create({ type: "fixed" });
    const turned = await patch(camera.id, { bearing_deg: 180, view_width_deg: 90, range_m: 40 });
    expect(turned.camera.properties).toMatchObject({ bearing_deg: 180, view_width_deg: 90, range_m: 40 });
    expect(turned.camera.properties.defaulted).toEqual(["mount_height_m"]);
    expect(turned.camera.properties.view_area_m2).toBeLessThan((Math.PI * 40 * 40) / 4 + 1);
    const reset = await patch(camera.id, { range_m: null });
    expect(reset.camera.properties.range_m).toBe(60);
    expect(reset.camera.properties.defaulted).toEqual(["range_m", "mount_height_m"]);
  });

  it("gives a new type's defaults to the values that were defaults", async () => {
    const { camera } = await create({ type: "fixed", range_m: 70 });
    const dome = await patch(camera.id, { type: "dome" });
    expect(dome.camera.properties).toMatchObject({ type: "dome", view_width_deg: 360, range_m: 70, mount_height_m: 6 });
    const back = await patch(camera.id, { type: "half_dome" });
    expect(back.camera.properties).toMatchObject({ view_width_deg: 110, range_m: 70, mount_height_m: 3 });
    expect(back.camera.properties.defaulted).toContain("view_width_deg");
  });

  it("moves a camera and gives it the community and grid of where it now stands", async () => {
    const { camera } = await create({ type: "dome" });
    const moved = await patch(camera.id, { geometry: point(await roadPoint("150571003002")) });
    expect(moved.camera.properties.community_code).toBe("150571003002");
    const codes = moved.grids.map((g) => g.code.slice(0, 12));
    expect(codes).toContain("150571003001");
    expect(codes).toContain("150571003002");
  });

  it("refuses an empty change and a width for a dome", async () => {
    const { camera } = await create({ type: "dome" });
    expect((await planner.send("PATCH", `/api/cameras/${camera.id}`, {})).status).toBe(400);
    const version = await versionOf(camera.id);
    expect((await planner.send("PATCH", `/api/cameras/${camera.id}`, { view_width_deg: 120, version })).status).toBe(
      400,
    );
    expect((await planner.send("PATCH", "/api/cameras/999999999", { range_m: 10 })).status).toBe(404);
  });
});

describe("two people changing one camera", () => {
  it("refuses a change made against an old version, naming who changed it, and changes nothing", async () => {
    const { camera } = await create({ type: "fixed", bearing_deg: 10 });
    const read = (await (await planner.request(`/api/cameras?community=${camera.properties.community_code}`)).json())
      .features as { id: number; properties: { version: number } }[];
    const version = read.find((f) => f.id === camera.id)!.properties.version;
    // An admin turns it first, from the version both of them read.
    const admin = await signIn(t.app, "admin");
    const first = await admin.send("PATCH", `/api/cameras/${camera.id}`, { bearing_deg: 90, version });
    expect(first.status, await first.clone().text()).toBe(200);
    expect(((await first.json()) as { camera: { properties: { version: number } } }).camera.properties.version).toBe(
      version + 1,
    );
    // The planner's change, made on what it read before, must not overwrite the admin's turn.
    const auditBefore = Number((await t.sql.query("select count(*) from audit_event")).rows[0].count);
    const stale = await planner.send("PATCH", `/api/cameras/${camera.id}`, { bearing_deg: 200, version });
    expect(stale.status).toBe(409);
    const body = (await stale.json()) as { error: { code: string; zh: string; en: string; field: string } };
    expect(body.error.code).toBe("version_conflict");
    expect(body.error.field).toBe("version");
    expect(body.error.en).toContain("by admin");
    expect(body.error.zh).toContain("admin");
    const row = await t.sql.query("select bearing_deg, version from camera where id = $1", [camera.id]);
    expect(row.rows[0]).toEqual({ bearing_deg: 90, version: version + 1 });
    expect(Number((await t.sql.query("select count(*) from audit_event")).rows[0].count)).toBe(auditBefore);
    // Reloaded, the planner's change goes through.
    expect((await patch(camera.id, { bearing_deg: 200, version: version + 1 })).camera.properties.bearing_deg).toBe(
      200,
    );
  });

  it("refuses a change without a version (428), changing nothing; a version alone is not a change", async () => {
    const { camera } = await create({ type: "fixed" });
    const blind = await planner.send("PATCH", `/api/cameras/${camera.id}`, { range_m: 40 });
    expect(blind.status).toBe(428);
    expect((await blind.json()).error).toMatchObject({ code: "version_required", field: "version" });
    expect(await versionOf(camera.id)).toBe(1);
    expect((await patch(camera.id, { range_m: 40 })).camera.properties.range_m).toBe(40);
    expect((await planner.send("PATCH", `/api/cameras/${camera.id}`, { version: 1 })).status).toBe(400);
  });
});

describe("removing a camera", () => {
  it("removes planned cameras only; a built camera is set offline instead", async () => {
    const { camera } = await create({ type: "dome" });
    const blind = await planner.send("DELETE", `/api/cameras/${camera.id}`);
    expect(blind.status).toBe(428);
    expect((await blind.json()).error).toMatchObject({ code: "version_required", field: "version" });
    expect((await planner.send("DELETE", `/api/cameras/${camera.id}?version=7`)).status).toBe(409);
    const res = await planner.send("DELETE", `/api/cameras/${camera.id}?version=1`);
    expect(res.status).toBe(200);
    expect((await t.sql.query("select 1 from camera_view where camera_id = $1", [camera.id])).rowCount).toBe(0);
    const built = await t.sql.query<{ id: number }>(
      "select id from camera where status = 'online' order by id limit 1",
    );
    const refused = await planner.send("DELETE", `/api/cameras/${built.rows[0]!.id}`);
    expect(refused.status).toBe(409);
    expect((await refused.json()).error.code).toBe("not_planned");
  });
});
