import { beforeAll, describe, expect, it } from "vitest";
import { useTestApp } from "../../test-support/test-app.ts";
import { signIn, type TestSession } from "../../test-support/test-session.ts";

const t = useTestApp("idempotency");
let worker: TestSession;
let today: string;

beforeAll(async () => {
  worker = await signIn(t.app, "worker-1");
  today = (await t.sql.query("select (now() at time zone 'Asia/Shanghai')::date::text d")).rows[0].d;
});

/** Entrances of worker-1's grids not yet visited by worker-1 today, one per call. */
async function freshEntrance(): Promise<number> {
  const r = await t.sql.query(
    `select pa.entrance_id as id from account a join account_role ar on ar.account_id = a.id
     join worker_assignment wa on wa.worker_id = ar.worker_id
     join published_parcel pp on pp.grid_code = wa.grid_code join parcel pa on pa.id = pp.parcel_id
     where a.username = 'worker-1' and pa.entrance_id is not null
       and not exists (select 1 from visit v where v.entrance_id = pa.entrance_id and v.worker_id = ar.worker_id
         and v.visited_on = $1)
     order by pa.entrance_id limit 1`,
    [today],
  );
  return r.rows[0].id;
}

const post = (path: string, body: unknown, key?: string) =>
  worker.request(path, {
    method: "POST",
    headers: { "content-type": "application/json", ...(key ? { "idempotency-key": key } : {}) },
    body: JSON.stringify(body),
  });

const visitsOf = async (entrance: number) =>
  (await t.sql.query("select count(*)::int n from visit where entrance_id = $1 and visited_on = $2", [entrance, today]))
    .rows[0].n as number;

describe("Idempotency-Key", () => {
  it("makes 10 concurrent POSTs with one key one row, and each gets the first answer", async () => {
    const entrance = await freshEntrance();
    const body = { entrance_id: entrance, visited_on: today, note: "入户走访" };
    const answers = await Promise.all(Array.from({ length: 10 }, () => post("/api/visits", body, "visit-key-1")));
    expect(await visitsOf(entrance)).toBe(1);
    const bodies = await Promise.all(answers.map((r) => r.json()));
    expect(answers.map((r) => r.status)).toEqual(Array(10).fill(201));
    expect(new Set(bodies.map((b) => b.id)).size).toBe(1);
    expect(answers.filter((r) => r.headers.get("idempotent-replayed") === "true").length).toBe(9);
  });

  it("replays the first answer to a later repeat, and creates nothing", async () => {
    const hazards = async () => (await t.sql.query("select count(*)::int n from hazard")).rows[0].n as number;
    const point = await t.sql.query(
      `select ST_AsGeoJSON(ST_PointOnSurface(pa.geom))::json g from account a
       join account_role ar on ar.account_id = a.id join worker_assignment wa on wa.worker_id = ar.worker_id
       join published_parcel pp on pp.grid_code = wa.grid_code join parcel pa on pa.id = pp.parcel_id
       where a.username = 'worker-1' order by pa.id limit 1`,
    );
    const body = { geometry: point.rows[0].g, category: "fire", severity: "high", title: "楼道堆放杂物" };
    const before = await hazards();
    const first = await post("/api/hazards", body, '"hazard-key-1"');
    expect(first.status).toBe(201);
    const again = await post("/api/hazards", body, '"hazard-key-1"');
    expect(again.status).toBe(201);
    expect(again.headers.get("idempotent-replayed")).toBe("true");
    expect(await again.json()).toEqual(await first.json());
    expect(await hazards()).toBe(before + 1);
  });

  it("refuses the same key with another body (422, in both languages)", async () => {
    const entrance = await freshEntrance();
    expect((await post("/api/visits", { entrance_id: entrance, visited_on: today }, "visit-key-2")).status).toBe(201);
    const other = await post(
      "/api/visits",
      { entrance_id: entrance, visited_on: today, note: "另一条" },
      "visit-key-2",
    );
    expect(other.status).toBe(422);
    const { error } = await other.json();
    expect(error).toMatchObject({ code: "idempotency_key_reused", field: "Idempotency-Key" });
    expect(error.zh).toMatch(/Idempotency-Key/);
    expect(error.en).toMatch(/different request/);
    expect(await visitsOf(entrance)).toBe(1);
  });

  it("keeps keys per account: another account's same key is another key", async () => {
    const entrance = await freshEntrance();
    const admin = await signIn(t.app, "admin");
    const workerId = (
      await t.sql.query(
        "select ar.worker_id from account a join account_role ar on ar.account_id = a.id where a.username = 'worker-1'",
      )
    ).rows[0].worker_id;
    const res = await admin.request("/api/visits", {
      method: "POST",
      headers: { "content-type": "application/json", "idempotency-key": "visit-key-1" },
      body: JSON.stringify({ worker_id: workerId, entrance_id: entrance, visited_on: today }),
    });
    expect(res.status).toBe(201);
    expect(res.headers.get("idempotent-replayed")).toBeNull();
  });

  it("replays a refusal too, and refuses a malformed key", async () => {
    const bad = { entrance_id: 1, visited_on: "2099-01-01" };
    const first = await post("/api/visits", bad, "visit-key-3");
    const again = await post("/api/visits", bad, "visit-key-3");
    expect(again.status).toBe(first.status);
    expect(again.headers.get("idempotent-replayed")).toBe("true");
    expect((await post("/api/visits", bad, "x".repeat(256))).status).toBe(400);
    const { error } = await (await post("/api/visits", bad, "\u00e9")).json();
    expect(error.code).toBe("idempotency_key_invalid");
  });

  it("keeps the key's record in the database, with the request's hash and the first answer", async () => {
    const r = await t.sql.query(
      `select k.method, k.path, k.status, length(k.fingerprint) fp from idempotency_key k
       join account a on a.id = k.account_id where a.username = 'worker-1' and k.key = 'visit-key-1'`,
    );
    expect(r.rows).toEqual([{ method: "POST", path: "/api/visits", status: 201, fp: 64 }]);
  });
});

describe("one visit per worker, entrance and day", () => {
  it("stores one row for 10 concurrent identical visits without a key; the others get 409 with the stored visit", async () => {
    const entrance = await freshEntrance();
    const body = { entrance_id: entrance, visited_on: today };
    const answers = await Promise.all(Array.from({ length: 10 }, () => post("/api/visits", body)));
    expect(await visitsOf(entrance)).toBe(1);
    const statuses = answers.map((r) => r.status).sort();
    expect(statuses).toEqual([201, ...Array(9).fill(409)]);
    const created = await answers.find((r) => r.status === 201)!.json();
    for (const r of answers.filter((x) => x.status === 409)) {
      const { error } = await r.json();
      expect(error.code).toBe("duplicate");
      expect(error.details.visit).toMatchObject({ id: created.id, entrance_id: entrance, visited_on: today });
    }
  });

  it("holds the rule in the database, whatever the route checks", async () => {
    const entrance = await freshEntrance();
    const w = (
      await t.sql.query(
        "select ar.worker_id from account a join account_role ar on ar.account_id = a.id where a.username = 'worker-1'",
      )
    ).rows[0].worker_id;
    const insert = "insert into visit (worker_id, entrance_id, visited_on) values ($1, $2, $3)";
    await t.sql.query(insert, [w, entrance, today]);
    await expect(t.sql.query(insert, [w, entrance, today])).rejects.toThrow(/visit_entrance_once_idx/);
  });
});
