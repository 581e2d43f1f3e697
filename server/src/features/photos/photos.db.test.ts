import { beforeAll, describe, expect, it } from "vitest";
import { useTestApp } from "../../../test-support/test-app.ts";
import { signIn, type TestSession } from "../../../test-support/test-session.ts";

/** Tiny real images: a 1×1 PNG, a 1×1 lossless WebP and a baseline JPEG. */
const PNG = Buffer.from(
  "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==",
  "base64",
);
const WEBP = Buffer.from("UklGRhoAAABXRUJQVlA4TA0AAAAvAAAAEAcQERGIiP4HAA==", "base64");
const JPEG = Buffer.concat([
  Buffer.from(
    "/9j/4AAQSkZJRgABAQEASABIAAD/2wBDAP//////////////////////////////////////////////////////////////////////////////////////wgALCAABAAEBAREA/8QAFBABAAAAAAAAAAAAAAAAAAAAAP/aAAgBAQABPxA=",
    "base64",
  ),
  Buffer.from([0xff, 0xd9]),
]);

const t = useTestApp("photos");
let worker: TestSession;
/** A hazard in worker-1's grids, one in another grid of the same community, an inspection in worker-1's grids. */
let mine: number;
let foreign: number;
let inspection: number;
let community: string;

beforeAll(async () => {
  worker = await signIn(t.app, "worker-1");
  const me = await t.sql.query(
    `select w.community_code, array_agg(wa.grid_code) grids from account a join account_role ar on ar.account_id = a.id
     join worker w on w.id = ar.worker_id join worker_assignment wa on wa.worker_id = w.id
     where a.username = 'worker-1' group by w.community_code`,
  );
  community = me.rows[0].community_code;
  const grids: string[] = me.rows[0].grids;
  const place = (inside: boolean) =>
    t.sql.query(
      `select pa.id, pa.community_code, ST_PointOnSurface(pa.geom) g from published_parcel pp
       join parcel pa on pa.id = pp.parcel_id where pp.community_code = $1 and (pp.grid_code = any($2)) = $3
       order by pa.id limit 1`,
      [community, grids, inside],
    );
  const report = async (inside: boolean) => {
    const p = (await place(inside)).rows[0];
    return (
      await t.sql.query(
        `select report_hazard(ST_PointOnSurface(pa.geom), pa.id, pa.community_code, null, 'fire', 'high', '测试', null,
           '测试', 'test') id from parcel pa where pa.id = $1`,
        [p.id],
      )
    ).rows[0].id as number;
  };
  mine = await report(true);
  foreign = await report(false);
  const venue = await t.sql.query(
    `select v.id from venue v join published_parcel pp on pp.parcel_id = v.parcel_id where pp.grid_code = any($1) limit 1`,
    [grids],
  );
  inspection = (
    await t.sql.query(
      "insert into inspection (venue_id, inspected_on, result) values ($1, current_date, 'ok') returning id",
      [venue.rows[0].id],
    )
  ).rows[0].id;
});

const upload = (s: TestSession, path: string, type: string, bytes: Buffer, lang = "zh") =>
  s.request(path, {
    method: "POST",
    headers: { "content-type": type, "accept-language": lang },
    body: new Uint8Array(bytes),
  });

describe("photos", () => {
  it("stores JPEG, PNG and WebP for a hazard and gives them back to those who may see it", async () => {
    for (const [type, bytes] of [
      ["image/jpeg", JPEG],
      ["image/png", PNG],
      ["image/webp", WEBP],
    ] as const) {
      const res = await upload(worker, `/api/hazards/${mine}/photos`, type, bytes);
      expect(res.status).toBe(201);
      const photo = await res.json();
      expect(photo).toMatchObject({ url: `/api/photos/${photo.id}`, content_type: type, bytes: bytes.length });
      const got = await worker.request(photo.url);
      expect(got.status).toBe(200);
      expect(got.headers.get("content-type")).toBe(type);
      expect(got.headers.get("cache-control")).toMatch(/private.*immutable/);
      expect(Buffer.from(await got.arrayBuffer()).equals(bytes)).toBe(true);
    }
    const card = await (await worker.request(`/api/hazards/${mine}`)).json();
    expect(card.properties.photos).toHaveLength(3);
  });

  it("allows at most 3 photos per report, saying so", async () => {
    const res = await upload(worker, `/api/hazards/${mine}/photos`, "image/png", PNG, "en");
    expect(res.status).toBe(422);
    const { error } = await res.json();
    expect(error).toMatchObject({ code: "too_many_photos" });
    expect(error.en).toMatch(/at most 3 photos/);
    expect(error.zh).toMatch(/最多 3 张照片/);
  });

  it("attaches a photo to a move of the hazard with ?transition_id=", async () => {
    const move = (await t.sql.query("select id from hazard_transition where hazard_id = $1", [mine])).rows[0].id;
    const res = await upload(worker, `/api/hazards/${mine}/photos?transition_id=${move}`, "image/jpeg", JPEG);
    expect(res.status).toBe(201);
    const history = await (await worker.request(`/api/hazards/${mine}/history`)).json();
    expect(history.find((h: { id: number }) => h.id === move).photos).toHaveLength(1);
    expect((await upload(worker, `/api/hazards/${mine}/photos?transition_id=999999`, "image/jpeg", JPEG)).status).toBe(
      404,
    );
  });

  it("stores photos of an inspection", async () => {
    const res = await upload(worker, `/api/inspections/${inspection}/photos`, "image/webp", WEBP);
    expect(res.status).toBe(201);
    expect((await worker.request((await res.json()).url)).status).toBe(200);
  });

  it("refuses what is not a JPEG, PNG or WebP (415) and what is over 2 MB (413), in both languages", async () => {
    const gif = Buffer.from("R0lGODlhAQABAAAAACw=", "base64");
    const asGif = await upload(worker, `/api/hazards/${mine}/photos`, "image/gif", gif, "en");
    expect(asGif.status).toBe(415);
    expect((await asGif.json()).error).toMatchObject({ code: "photo_type" });
    const lying = await upload(worker, `/api/hazards/${mine}/photos`, "image/jpeg", PNG);
    expect(lying.status).toBe(415);
    expect((await lying.json()).error.zh).toMatch(/PNG/);
    const script = await upload(worker, `/api/hazards/${mine}/photos`, "image/png", Buffer.from("<script>1</script>"));
    expect(script.status).toBe(415);
    const big = Buffer.concat([JPEG.subarray(0, -2), Buffer.alloc(2 * 1024 * 1024), Buffer.from([0xff, 0xd9])]);
    const tooBig = await upload(worker, `/api/hazards/${foreign}/photos`, "image/jpeg", big);
    expect(tooBig.status).toBe(413);
    const { error } = await tooBig.json();
    expect(error.code).toBe("photo_too_large");
    expect(error.zh).toMatch(/2 MB/);
    expect(error.en).toMatch(/2 MB/);
  });

  it("keeps other grids' hazards and photos out of a worker's reach (404)", async () => {
    const secretary = await signIn(t.app, `secretary-${community}`);
    const res = await upload(secretary, `/api/hazards/${foreign}/photos`, "image/png", PNG);
    expect(res.status).toBe(201);
    const { url } = await res.json();
    expect((await secretary.request(url)).status).toBe(200);
    expect((await worker.request(url)).status).toBe(404);
    expect((await upload(worker, `/api/hazards/${foreign}/photos`, "image/png", PNG)).status).toBe(404);
    const leader = await signIn(t.app, "leader");
    expect((await leader.request(url)).status).toBe(200);
    expect((await upload(leader, `/api/hazards/${foreign}/photos`, "image/png", PNG)).status).toBe(403);
  });

  it("makes an upload sent twice with one Idempotency-Key one photo", async () => {
    const count = async () =>
      (await t.sql.query("select count(*)::int n from photo where inspection_id = $1", [inspection])).rows[0].n;
    const before = await count();
    const send = () =>
      worker.request(`/api/inspections/${inspection}/photos`, {
        method: "POST",
        headers: { "content-type": "image/png", "idempotency-key": "photo-1" },
        body: new Uint8Array(PNG),
      });
    const [a, b] = await Promise.all([send(), send()]);
    expect([a.status, b.status]).toEqual([201, 201]);
    expect(await count()).toBe(before + 1);
  });
});
