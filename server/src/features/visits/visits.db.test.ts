import { beforeAll, describe, expect, it } from "vitest";
import { useTestApp } from "../../../test-support/test-app.ts";
import { signIn, type TestSession } from "../../../test-support/test-session.ts";

const TODAY = "2026-11-20";
const t = useTestApp("visits");
let worker: TestSession;
let me: { id: number; community: string; grids: string[] };
let username: string;

beforeAll(async () => {
  // A worker whose own grids have entrances unvisited for 30 days, so a visit shows in the coverage.
  const r = await t.sql.query(
    `select a.username, w.id, w.community_code, array_agg(wa.grid_code order by wa.grid_code) as grids
     from account a join account_role ar on ar.account_id = a.id join worker w on w.id = ar.worker_id
     join worker_assignment wa on wa.worker_id = w.id
     where ar.role = 'worker' and exists (
       select 1 from worker_assignment x join published_parcel pp on pp.grid_code = x.grid_code
       join parcel pa on pa.id = pp.parcel_id join entrance e on e.id = pa.entrance_id
       where x.worker_id = w.id and e.households > 0
         and not exists (select 1 from visit v where v.entrance_id = e.id and v.visited_on > $1::date - 30))
     group by a.username, w.id order by w.id limit 1`,
    [TODAY],
  );
  username = r.rows[0].username;
  worker = await t.as(username);
  me = { id: r.rows[0].id, community: r.rows[0].community_code, grids: r.rows[0].grids };
});

const count = async () => (await t.sql.query("select count(*)::int as n from visit")).rows[0].n as number;

/** An entrance with households, in one of `grids` (or outside all of them), never visited in the 30 days to TODAY. */
async function staleEntrance(
  inGrids: string[],
  inside = true,
  community?: string,
): Promise<{ id: number; grid: string }> {
  const r = await t.sql.query(
    `select e.id, pp.grid_code as grid from entrance e join parcel pa on pa.entrance_id = e.id
     join published_parcel pp on pp.parcel_id = pa.id
     where e.households > 0 and (pp.grid_code = any($1)) = $2 and ($3::text is null or pp.community_code = $3)
       and not exists (select 1 from visit v where v.entrance_id = e.id and v.visited_on > $4::date - 30)
     order by e.id limit 1`,
    [inGrids, inside, community ?? null, TODAY],
  );
  return r.rows[0];
}

describe("POST /api/visits", () => {
  it("lets a worker record as itself in its own grid, and the grid's coverage goes up", async () => {
    const target = await staleEntrance(me.grids);
    const before = await (await worker.request(`/api/grids/${target.grid}/status?today=${TODAY}`)).json();
    const res = await worker.send("POST", "/api/visits", {
      entrance_id: target.id,
      visited_on: TODAY,
      note: "入户走访",
    });
    expect(res.status).toBe(201);
    expect(await res.json()).toMatchObject({ worker_id: me.id, entrance_id: target.id, visited_on: TODAY });
    const after = await (await worker.request(`/api/grids/${target.grid}/status?today=${TODAY}`)).json();
    const n = after.grid.entrances_with_households;
    expect(after.grid.visit_coverage_30d).toBeCloseTo(before.grid.visit_coverage_30d + 1 / n, 3);
    expect(after.entrances.find((e: { id: number }) => e.id === target.id).stale).toBe(false);
    const trail = await t.sql.query(
      "select actor, entity_id from audit_event where action = 'visit_create' order by id desc limit 1",
    );
    expect(trail.rows[0].actor).toBe(username);
    // The same place, worker and day again is a duplicate.
    expect((await worker.send("POST", "/api/visits", { entrance_id: target.id, visited_on: TODAY })).status).toBe(409);
  });

  it("refuses a worker outside its own grids, for another worker, in the future", async () => {
    const before = await count();
    const elsewhere = await staleEntrance(me.grids, false, me.community);
    expect((await worker.send("POST", "/api/visits", { entrance_id: elsewhere.id, visited_on: TODAY })).status).toBe(
      404,
    );
    const colleague = (
      await t.sql.query("select id from worker where community_code = $1 and id <> $2 order by id limit 1", [
        me.community,
        me.id,
      ])
    ).rows[0].id;
    const own = await staleEntrance(me.grids);
    const asOther = await worker.send("POST", "/api/visits", {
      worker_id: colleague,
      entrance_id: own.id,
      visited_on: TODAY,
    });
    expect(asOther.status).toBe(404);
    const future = await worker.send("POST", "/api/visits", { entrance_id: own.id, visited_on: "2099-01-01" });
    expect(future.status).toBe(422);
    expect((await future.json()).error.field).toBe("visited_on");
    expect(
      (await worker.send("POST", "/api/visits", { entrance_id: own.id, building_id: 1, visited_on: TODAY })).status,
    ).toBe(400);
    expect(await count()).toBe(before);
  });

  it("lets a secretary record for a worker of the community, not of another; a leader not at all", async () => {
    const secretary = await signIn(t.app, `secretary-${me.community}`);
    const building = (
      await t.sql.query(
        "select pa.building_id as id from parcel pa join published_parcel pp on pp.parcel_id = pa.id where pp.grid_code = $1 and pa.building_id is not null limit 1",
        [me.grids[0]],
      )
    ).rows[0].id;
    const res = await secretary.send("POST", "/api/visits", {
      worker_id: me.id,
      building_id: building,
      visited_on: "2026-11-19",
    });
    expect(res.status).toBe(201);
    const otherWorker = (
      await t.sql.query("select id from worker where community_code <> $1 order by id limit 1", [me.community])
    ).rows[0].id;
    expect(
      (
        await secretary.send("POST", "/api/visits", {
          worker_id: otherWorker,
          building_id: building,
          visited_on: TODAY,
        })
      ).status,
    ).toBe(404);
    expect(
      (
        await (
          await signIn(t.app, "leader")
        ).send("POST", "/api/visits", { worker_id: me.id, building_id: building, visited_on: TODAY })
      ).status,
    ).toBe(403);
  });
});

describe("POST /api/visits/import", () => {
  it("imports nothing when any row is bad, and says for each row what and why", async () => {
    const own = await staleEntrance(me.grids);
    const elsewhere = await staleEntrance(me.grids, false, me.community);
    const csv = [
      "worker_id,entrance_id,building_id,visited_on,note",
      `${me.id},${own.id},,2026-11-18,"入户走访, 反诈宣传"`,
      `${me.id},${elsewhere.id},,2026-11-18,`,
      `${me.id},${own.id},,2026-13-01,`,
      `${me.id},,,2026-11-18,`,
      `${me.id},${own.id},,2099-01-01,`,
      `${me.id},${own.id},,2026-11-18,`,
      `${me.id},${own.id}`,
    ].join("\r\n");
    const before = await count();
    const res = await worker.send("POST", "/api/visits/import", { csv });
    expect(res.status).toBe(422);
    const { error } = await res.json();
    expect(error.zh).toMatch(/未导入任何记录/);
    const report = error.details.report as { line: number; ok: boolean; errors: { field: string; code: string }[] }[];
    expect(report.map((r) => r.line)).toEqual([2, 3, 4, 5, 6, 7, 8]);
    expect(report.map((r) => r.ok)).toEqual([true, false, false, false, false, false, false]);
    expect(report[1]!.errors[0]).toMatchObject({ field: "entrance_id", code: "no_place" });
    expect(report[2]!.errors[0]).toMatchObject({ field: "visited_on" });
    expect(report[3]!.errors[0]).toMatchObject({ code: "place_required" });
    expect(report[4]!.errors[0]).toMatchObject({ code: "future" });
    expect(report[5]!.errors[0]).toMatchObject({ code: "duplicate" });
    expect(report[6]!.errors[0]).toMatchObject({ code: "columns" });
    expect(await count()).toBe(before);
  });

  it("imports a clean file as text/csv, all of it, once", async () => {
    const entrances = (
      await t.sql.query(
        `select e.id from entrance e join parcel pa on pa.entrance_id = e.id join published_parcel pp on pp.parcel_id = pa.id
         where pp.grid_code = any($1) and e.households > 0 order by e.id limit 3`,
        [me.grids],
      )
    ).rows.map((r) => r.id);
    const csv = `\uFEFF人员编号,单元编号,走访日期,备注\n${entrances.map((e) => `${me.id},${e},2026-11-17,政策宣传`).join("\n")}\n`;
    const before = await count();
    const dry = await worker.request("/api/visits/import?dry_run=true", {
      method: "POST",
      headers: { "content-type": "text/csv" },
      body: csv,
    });
    expect(dry.status).toBe(200);
    expect(await dry.json()).toMatchObject({ dry_run: true, imported: false, rows: 3, accepted: 3, rejected: 0 });
    expect(await count()).toBe(before);
    const res = await worker.request("/api/visits/import", {
      method: "POST",
      headers: { "content-type": "text/csv" },
      body: csv,
    });
    expect(res.status).toBe(201);
    expect(await res.json()).toMatchObject({ imported: true, accepted: 3 });
    expect(await count()).toBe(before + 3);
    const again = await worker.request("/api/visits/import", {
      method: "POST",
      headers: { "content-type": "text/csv" },
      body: csv,
    });
    expect(again.status).toBe(422);
    expect(await count()).toBe(before + 3);
  });

  it("refuses a file it cannot read with a 400 naming the problem", async () => {
    for (const csv of [
      "",
      "who,when\n1,2",
      'worker_id,entrance_id,visited_on\n1,"2,2026-11-01',
      "worker_id,entrance_id,visited_on\n",
    ]) {
      const res = await worker.send("POST", "/api/visits/import", { csv });
      expect(res.status, csv).toBe(400);
    }
    expect((await (await signIn(t.app, "planner")).send("POST", "/api/visits/import", { csv: "x" })).status).toBe(403);
  });
});

describe("GET /api/visits", () => {
  it("gives a worker its own visits and a secretary the community's", async () => {
    const mine = await (await worker.request("/api/visits?limit=50")).json();
    expect(mine.length).toBeGreaterThan(0);
    expect(mine.every((v: { worker_id: number }) => v.worker_id === me.id)).toBe(true);
    const secretary = await signIn(t.app, `secretary-${me.community}`);
    const theirs = await (await secretary.request(`/api/visits?grid=${me.grids[0]}&limit=20`)).json();
    expect(theirs.length).toBe(20);
  });
});
