import { describe, expect, it } from "vitest";
import { useTestApp } from "../../../test-support/test-app.ts";
import { rollUpVisits } from "./visits.retention.ts";

/**
 * Issue 16, retention: visit details older than the period are rolled up into monthly counts per place and worker
 * and deleted, by a job whose clock is injected here. The figures of the past (the coverage report of a month, a
 * grid's status at a month's end) read the rollup with the details, so they do not move.
 */
const t = useTestApp("visit-retention");

/** The month ranges of the demo's visits, oldest first, and a community with visits in the oldest. */
async function history() {
  const [row] = await t.rows<{ community: string; first: string; last: string }>(
    `select w.community_code as community, min(v.visited_on)::text as first, max(v.visited_on)::text as last
     from visit v join worker w on w.id = v.worker_id group by 1 order by count(*) desc limit 1`,
  );
  return row!;
}

const monthEnd = (month: string) => {
  const d = new Date(`${month}-01T00:00:00Z`);
  d.setUTCMonth(d.getUTCMonth() + 1, 0);
  return d.toISOString().slice(0, 10);
};
const addMonths = (day: string, k: number) => {
  const d = new Date(`${day}T12:00:00Z`);
  d.setUTCMonth(d.getUTCMonth() + k, 1);
  return d.toISOString().slice(0, 10);
};

describe("the retention of visit details", () => {
  it("rolls up old months into counts, deletes the details, keeps the past figures, and repeats safely", async () => {
    const admin = await t.as("admin");
    const h = await history();
    const secretary = await t.as(`secretary-${h.community}`);
    // A visit recorded now for an old day, so its audit entry carries details the job must blank.
    const [place] = await t.rows<{ worker_id: number; entrance_id: number }>(
      `select w.id as worker_id, e.id as entrance_id from worker w
       join worker_assignment wa on wa.worker_id = w.id join published_parcel pp on pp.grid_code = wa.grid_code
       join parcel pa on pa.id = pp.parcel_id join entrance e on e.id = pa.entrance_id
       where w.community_code = $1 and w.retired_on is null and w.started_on <= $2::date
         and not exists (select 1 from visit v where v.worker_id = w.id and v.entrance_id = e.id and v.visited_on = $2::date)
       order by w.id, e.id limit 1`,
      [h.community, h.first],
    );
    const old = await secretary.send("POST", "/api/visits", {
      worker_id: place!.worker_id,
      entrance_id: place!.entrance_id,
      visited_on: h.first,
      note: "入户走访",
    });
    expect(old.status, await old.clone().text()).toBe(201);
    const visitId = (await old.json()).id as number;

    // Every month of the history but the last two is rolled up by a clock 13 months after the third-last one.
    const months: string[] = [];
    for (let m = h.first.slice(0, 7); m <= h.last.slice(0, 7); m = addMonths(`${m}-01`, 1).slice(0, 7)) months.push(m);
    expect(months.length).toBeGreaterThanOrEqual(3);
    const rolled = months.slice(0, -2);
    const keptFrom = `${months.at(-2)}-01`;
    const now = new Date(`${addMonths(keptFrom, 13)}T10:00:00+08:00`);

    const figures = async () => {
      const out: Record<string, unknown> = {};
      for (const m of rolled) {
        const report = await admin.request(
          `/api/communities/${h.community}/report?from=${m}-01&to=${monthEnd(m)}&today=${h.last}`,
        );
        expect(report.status).toBe(200);
        out[`report ${m}`] = await report.json();
        const status = await admin.request(`/api/communities/${h.community}/status?today=${monthEnd(m)}`);
        const grids = (await status.json()).grids as { code: string; visit_coverage_month: number | null }[];
        out[`status ${m}`] = grids.map((g) => [g.code, g.visit_coverage_month]);
      }
      return out;
    };
    const before = await figures();
    const count = async (where: string) =>
      Number((await t.rows<{ n: string }>(`select count(*) n from visit where ${where}`, [keptFrom]))[0]!.n);
    const oldVisits = await count("visited_on < $1::date");
    const newVisits = await count("visited_on >= $1::date");
    expect(oldVisits).toBeGreaterThan(0);

    const run = await rollUpVisits(t.db, now, 13);
    expect(run).toEqual({ kept_from: keptFrom, rolled_up: oldVisits });
    expect(await count("visited_on < $1::date")).toBe(0);
    expect(await count("visited_on >= $1::date")).toBe(newVisits);
    const [rollup] = await t.rows<{ visits: string }>(
      "select sum(visits) visits from visit_month where month < $1::date",
      [keptFrom],
    );
    expect(Number(rollup!.visits)).toBe(oldVisits);
    expect(await figures()).toEqual(before);

    // The audit entry of the old visit keeps who and when, not where, which day or what was noted.
    const [entry] = await t.rows<{ diff: unknown; actor: string }>(
      "select diff, actor from audit_event where entity = 'visit' and entity_id = $1",
      [String(visitId)],
    );
    expect(entry).toEqual({ diff: { rolled_up: h.first.slice(0, 7) }, actor: `secretary-${h.community}` });

    // Again, and again a day later: nothing more to do, nothing changes.
    const snapshot = await t.rows("select * from visit_month order by id");
    expect(await rollUpVisits(t.db, now, 13)).toEqual({ kept_from: keptFrom, rolled_up: 0 });
    expect(await rollUpVisits(t.db, new Date(now.getTime() + 86_400_000), 13)).toMatchObject({ rolled_up: 0 });
    expect(await t.rows("select * from visit_month order by id")).toEqual(snapshot);
    expect(await figures()).toEqual(before);
  }, 300_000);

  it("is one transaction: a run that fails half-way leaves every visit in place", async () => {
    const h = await history();
    const total = async () => Number((await t.rows<{ n: string }>("select count(*) n from visit"))[0]!.n);
    const before = await total();
    await t.sql.query(`create function fail_rollup() returns trigger language plpgsql as $$
      begin raise exception 'disk full'; end $$`);
    await t.sql.query(
      "create trigger fail_rollup before insert on visit_month for each row execute function fail_rollup()",
    );
    try {
      await expect(rollUpVisits(t.db, new Date(`${addMonths(h.last, 20)}T00:00:00Z`), 13)).rejects.toThrow(/disk full/);
      expect(await total()).toBe(before);
    } finally {
      await t.sql.query("drop trigger fail_rollup on visit_month; drop function fail_rollup()");
    }
  });

  it("keeps 13 months by default, counted in whole months before today", async () => {
    const { kept_from } = await rollUpVisits(t.db, new Date("2026-12-07T01:00:00+08:00"), 13);
    expect(kept_from).toBe("2025-11-01");
  });
});
