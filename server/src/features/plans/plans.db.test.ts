import { beforeAll, describe, expect, it } from "vitest";
import { useTestApp } from "../../../test-support/test-app.ts";
import { signIn, type TestSession } from "../../../test-support/test-session.ts";
import { createApp } from "../../app.ts";

const t = useTestApp("plans");
let planner: TestSession;

beforeAll(async () => {
  planner = await t.as("planner");
});

type Figures = {
  code: string;
  households: number;
  parcels: number;
  contiguous: boolean;
  pieces: number[][];
  status: string;
};
type EditResult = {
  version: number;
  grids: Figures[];
  removed: string[];
  undo_available: boolean;
  redo_available: boolean;
};

async function newDraft(name = "测试草稿"): Promise<{ id: number; version: number }> {
  const res = await planner.send("POST", "/api/plans", { from: "published", name });
  expect(res.status).toBe(201);
  return res.json();
}

/** Households per grid of a plan, computed straight from the tables. */
async function householdsBySql(planId: number): Promise<Map<string, number>> {
  const r = await t.sql.query<{ code: string; n: number }>(
    `select g.code, coalesce(sum(e.households), 0)::int as n from grid g
     left join plan_parcel pp on pp.grid_id = g.id left join parcel pa on pa.id = pp.parcel_id
     left join entrance e on e.id = pa.entrance_id where g.plan_id = $1 group by g.code`,
    [planId],
  );
  return new Map(r.rows.map((x) => [x.code, x.n]));
}

/** Two neighbouring grids of a plan and parcels of the first that touch the second. */
async function borderParcels(planId: number, n: number, skip = 0) {
  const r = await t.sql.query<{ from_code: string; to_code: string; parcels: number[] }>(
    `select ga.code as from_code, gb.code as to_code, array_agg(distinct pa.parcel_id) as parcels
     from parcel_edge e
     join plan_parcel pa on pa.plan_id = $1 and pa.parcel_id = e.a join grid ga on ga.id = pa.grid_id
     join plan_parcel pb on pb.plan_id = $1 and pb.parcel_id = e.b join grid gb on gb.id = pb.grid_id
     where ga.id <> gb.id and not ga.locked and not gb.locked
     group by ga.code, gb.code having count(distinct pa.parcel_id) >= $2
     order by ga.code, gb.code offset $3 limit 1`,
    [planId, n, skip],
  );
  const row = r.rows[0]!;
  return { from: row.from_code, to: row.to_code, parcels: row.parcels.slice(0, n) };
}

async function gridOf(planId: number, parcel: number): Promise<string> {
  const r = await t.sql.query<{ code: string }>(
    "select g.code from plan_parcel pp join grid g on g.id = pp.grid_id where pp.plan_id = $1 and pp.parcel_id = $2",
    [planId, parcel],
  );
  return r.rows[0]!.code;
}

describe("drafts", () => {
  it("copies the published plan: every grid and every parcel assignment", async () => {
    const draft = await newDraft();
    expect(draft.version).toBe(0);
    const published = await t.sql.query<{ id: number }>("select id from plan where status = 'published'");
    const pub = published.rows[0]!.id;
    expect(await householdsBySql(draft.id)).toEqual(await householdsBySql(pub));
    const list = await (await planner.request("/api/plans")).json();
    expect(list.find((p: { id: number }) => p.id === draft.id)).toMatchObject({
      status: "draft",
      owner: "planner",
      grids: 227,
    });
  });

  it("returns every grid with live figures equal to what the tables hold", async () => {
    const draft = await newDraft();
    const fc = await (await planner.request(`/api/plans/${draft.id}/grids`)).json();
    expect(fc.features).toHaveLength(227);
    const expected = await householdsBySql(draft.id);
    for (const f of fc.features) {
      expect(f.properties.households).toBe(expected.get(f.properties.code));
      expect(f.properties.contiguous).toBe(true);
      expect(f.properties.compactness).toBeGreaterThan(0);
      expect(f.properties.compactness).toBeLessThanOrEqual(1);
      expect(f.properties.roads_share).toBeGreaterThanOrEqual(0);
      expect(f.properties.roads_share).toBeLessThanOrEqual(1);
    }
    // The demo draws some grids across compounds, as the 2022 report describes.
    expect(fc.features.some((f: { properties: { compounds_split: number } }) => f.properties.compounds_split > 0)).toBe(
      true,
    );
  });
});

describe("painting parcels", () => {
  it("moves parcels, bumps the version, returns the changed grids' figures and audits who moved what", async () => {
    const draft = await newDraft();
    const { from, to, parcels } = await borderParcels(draft.id, 3);
    const before = await householdsBySql(draft.id);
    const res = await planner.send("POST", `/api/plans/${draft.id}/assign`, { version: 0, parcels, grid: to });
    expect(res.status).toBe(200);
    const body: EditResult = await res.json();
    expect(body.version).toBe(1);
    expect(body.grids.map((g) => g.code).sort()).toEqual([from, to].sort());
    const after = await householdsBySql(draft.id);
    for (const g of body.grids) expect(g.households).toBe(after.get(g.code));
    expect(after.get(from)! + after.get(to)!).toBe(before.get(from)! + before.get(to)!);
    for (const p of parcels) expect(await gridOf(draft.id, p)).toBe(to);
    const logged = await t.sql.query<{ diff: { moves: unknown[] } }>(
      "select diff from audit_event where entity = 'plan' and entity_id = $1 and action = 'plan_assign'",
      [String(draft.id)],
    );
    expect(logged.rows[0]!.diff.moves).toHaveLength(3);
  });

  it("refuses a stale version with 409 naming who changed what, and changes nothing", async () => {
    const draft = await newDraft();
    const a = await borderParcels(draft.id, 1);
    expect(
      (await planner.send("POST", `/api/plans/${draft.id}/assign`, { version: 0, parcels: a.parcels, grid: a.to }))
        .status,
    ).toBe(200);
    const other = await borderParcels(draft.id, 1, 5);
    const before = await householdsBySql(draft.id);
    const stale = await planner.send("POST", `/api/plans/${draft.id}/assign`, {
      version: 0,
      parcels: other.parcels,
      grid: other.to,
    });
    expect(stale.status).toBe(409);
    const { error } = await stale.json();
    expect(error.details.current_version).toBe(1);
    expect(error.details.changes).toEqual([
      expect.objectContaining({ actor: "planner", en: expect.stringContaining("moved 1 parcels") }),
    ]);
    expect(error.zh).toContain("planner");
    expect(error.en).toContain("moved 1 parcels");
    expect(await householdsBySql(draft.id)).toEqual(before);
  });

  it("refuses parcels of two communities, unknown grids and parcels, published plans and locked grids", async () => {
    const draft = await newDraft();
    const two = await t.sql.query<{ id: number }>(
      "select distinct on (community_code) id from parcel order by community_code, id limit 2",
    );
    const target = await gridOf(draft.id, two.rows[0]!.id);
    const post = (b: object) => planner.send("POST", `/api/plans/${draft.id}/assign`, { version: 0, ...b });
    const cases: [object, number, string][] = [
      [{ parcels: two.rows.map((r) => r.id), grid: target }, 422, "several_communities"],
      [{ parcels: [two.rows[1]!.id], grid: target }, 422, "other_community"],
      [{ parcels: [two.rows[0]!.id], grid: "150571003001999" }, 422, "unknown_grid"],
      [{ parcels: [999_999_999], grid: target }, 422, "unknown_parcels"],
      [{ parcels: [], grid: target }, 400, "bad_request"],
      [{ parcels: [1.5], grid: target }, 400, "bad_request"],
    ];
    for (const [b, status, code] of cases) {
      const res = await post(b);
      expect(res.status, JSON.stringify(b)).toBe(status);
      expect((await res.json()).error.code).toBe(code);
    }
    const pub = (await t.sql.query<{ id: number }>("select id from plan where status = 'published'")).rows[0]!.id;
    const onPublished = await planner.send("POST", `/api/plans/${pub}/assign`, {
      version: 0,
      parcels: [two.rows[0]!.id],
      grid: target,
    });
    expect(onPublished.status).toBe(422);
    expect((await onPublished.json()).error.code).toBe("not_a_draft");

    const { to, parcels } = await borderParcels(draft.id, 1);
    expect(
      (await planner.send("POST", `/api/plans/${draft.id}/grids/${to}/lock`, { version: 0, locked: true })).status,
    ).toBe(200);
    const locked = await planner.send("POST", `/api/plans/${draft.id}/assign`, { version: 1, parcels, grid: to });
    expect(locked.status).toBe(422);
    expect((await locked.json()).error.code).toBe("grid_locked");
    const version = (await t.sql.query<{ version: number }>("select version from plan where id = $1", [draft.id]))
      .rows[0]!.version;
    expect(version).toBe(1);
  });

  it("creates a new grid with the next code never used in the community", async () => {
    const draft = await newDraft();
    const { from, parcels } = await borderParcels(draft.id, 2);
    const community = from.slice(0, 12);
    const max = await t.sql.query<{ n: number }>(
      "select max(right(code, 3)::int) as n from grid where community_code = $1",
      [community],
    );
    const res = await planner.send("POST", `/api/plans/${draft.id}/assign`, { version: 0, parcels, grid: "new" });
    expect(res.status).toBe(200);
    const body: EditResult = await res.json();
    const created = body.grids.find((g) => g.code !== from)!;
    expect(created.code).toBe(`${community}${String(max.rows[0]!.n + 1).padStart(3, "0")}`);
    expect(created.parcels).toBe(2);
  });
});

describe("undo and redo", () => {
  it("undo and redo without limit, surviving a new server (the page reload)", async () => {
    const draft = await newDraft();
    const original = await householdsBySql(draft.id);
    let version = 0;
    const states: Map<string, number>[] = [original];
    for (let i = 0; i < 4; i++) {
      const { to, parcels } = await borderParcels(draft.id, 1, i * 3);
      const res: EditResult = await (
        await planner.send("POST", `/api/plans/${draft.id}/assign`, { version, parcels, grid: to })
      ).json();
      version = res.version;
      states.push(await householdsBySql(draft.id));
    }
    // A fresh app over the same database is what a reload sees.
    const reloaded = createApp({ db: t.db });
    const again = await signIn(reloaded, "planner");
    for (let i = 3; i >= 0; i--) {
      const res = await again.send("POST", `/api/plans/${draft.id}/undo`, { version });
      expect(res.status).toBe(200);
      version = (await res.json()).version;
      expect(await householdsBySql(draft.id)).toEqual(states[i]);
    }
    expect((await again.send("POST", `/api/plans/${draft.id}/undo`, { version })).status).toBe(422);
    for (let i = 1; i <= 4; i++) {
      const res: EditResult = await (await again.send("POST", `/api/plans/${draft.id}/redo`, { version })).json();
      version = res.version;
      expect(await householdsBySql(draft.id)).toEqual(states[i]);
    }
    // An edit after an undo discards the redo stack.
    version = (await (await again.send("POST", `/api/plans/${draft.id}/undo`, { version })).json()).version;
    const { to, parcels } = await borderParcels(draft.id, 1, 20);
    const res: EditResult = await (
      await again.send("POST", `/api/plans/${draft.id}/assign`, { version, parcels, grid: to })
    ).json();
    expect(res.redo_available).toBe(false);
  });
});

describe("split, merge, delete, renumber", () => {
  it("splits a grid along a line across it, and merges it back", async () => {
    const draft = await newDraft();
    const g = await t.sql.query<{ code: string; x0: number; x1: number; y: number }>(
      `select g.code, ST_XMin(g.geom) - 0.001 as x0, ST_XMax(g.geom) + 0.001 as x1, ST_Y(ST_Centroid(g.geom)) as y
       from grid g join plan p on p.id = g.plan_id where p.id = $1 order by g.code limit 1`,
      [draft.id],
    );
    const { code, x0, x1, y } = g.rows[0]!;
    const before = await householdsBySql(draft.id);
    const line = {
      type: "LineString",
      coordinates: [
        [x0, y],
        [x1, y],
      ],
    };
    const res = await planner.send("POST", `/api/plans/${draft.id}/grids/${code}/split`, { version: 0, line });
    expect(res.status).toBe(200);
    const split: EditResult = await res.json();
    expect(split.grids).toHaveLength(2);
    const [kept, created] = [split.grids.find((x) => x.code === code)!, split.grids.find((x) => x.code !== code)!];
    expect(kept.households + created.households).toBe(before.get(code));
    expect(kept.parcels).toBeGreaterThan(0);
    expect(created.parcels).toBeGreaterThan(0);

    const miss = await planner.send("POST", `/api/plans/${draft.id}/grids/${code}/split`, {
      version: 1,
      line: {
        type: "LineString",
        coordinates: [
          [x0 - 1, y],
          [x0 - 0.5, y],
        ],
      },
    });
    expect(miss.status).toBe(422);
    expect((await miss.json()).error.code).toBe("line_does_not_split");

    const merged = await planner.send("POST", `/api/plans/${draft.id}/merge`, {
      version: 1,
      grids: [code, created.code],
    });
    expect(merged.status).toBe(200);
    const m: EditResult = await merged.json();
    expect(m.removed).toEqual([created.code]);
    expect(m.grids.find((x) => x.code === code)!.households).toBe(before.get(code));
  });

  it("refuses to merge grids that do not touch", async () => {
    const draft = await newDraft();
    const far = await t.sql.query<{ a: string; b: string }>(
      `select a.code as a, b.code as b from grid a join grid b on b.plan_id = a.plan_id and a.community_code = b.community_code
       and a.code < b.code and not ST_Intersects(a.geom, b.geom) where a.plan_id = $1 limit 1`,
      [draft.id],
    );
    const res = await planner.send("POST", `/api/plans/${draft.id}/merge`, {
      version: 0,
      grids: [far.rows[0]!.a, far.rows[0]!.b],
    });
    expect(res.status).toBe(422);
    expect((await res.json()).error.code).toBe("not_adjacent");
  });

  it("deletes a grid and gives its parcels to its neighbours, keeping every household", async () => {
    const draft = await newDraft();
    const { from } = await borderParcels(draft.id, 1);
    const before = await householdsBySql(draft.id);
    const total = [...before.values()].reduce((a, b) => a + b, 0);
    const res = await planner.send("POST", `/api/plans/${draft.id}/grids/${from}/delete`, { version: 0 });
    expect(res.status).toBe(200);
    const body: EditResult = await res.json();
    expect(body.removed).toEqual([from]);
    const after = await householdsBySql(draft.id);
    expect(after.has(from)).toBe(false);
    expect([...after.values()].reduce((a, b) => a + b, 0)).toBe(total);
    const undo = await planner.send("POST", `/api/plans/${draft.id}/undo`, { version: 1 });
    expect(undo.status).toBe(200);
    expect(await householdsBySql(draft.id)).toEqual(before);
  });

  it("renumbers a community in reading order with a code-change table, and undoes it", async () => {
    const draft = await newDraft();
    const { from, parcels } = await borderParcels(draft.id, 1);
    const community = from.slice(0, 12);
    // A new grid gets a high code; renumbering closes the order again.
    const v1: EditResult = await (
      await planner.send("POST", `/api/plans/${draft.id}/assign`, { version: 0, parcels, grid: "new" })
    ).json();
    const before = await householdsBySql(draft.id);
    const res = await planner.send("POST", `/api/plans/${draft.id}/renumber`, { version: v1.version, community });
    expect(res.status).toBe(200);
    const body = await res.json();
    expect(body.changes.length).toBeGreaterThan(0);
    const codes = await t.sql.query<{ code: string }>(
      "select code from grid where plan_id = $1 and community_code = $2 order by code",
      [draft.id, community],
    );
    expect(codes.rows.map((r) => Number(r.code.slice(12)))).toEqual(codes.rows.map((_, i) => i + 1));
    const first = await t.sql.query<{ y: number; ymax: number }>(
      `select ST_Y(ST_Centroid(ST_Union(pa.geom))) as y, (select max(ST_Y(ST_Centroid(g2.geom))) from grid g2 where g2.plan_id = $1 and g2.community_code = $2) as ymax
       from grid g join plan_parcel pp on pp.grid_id = g.id join parcel pa on pa.id = pp.parcel_id
       where g.plan_id = $1 and g.code = $3`,
      [draft.id, community, `${community}001`],
    );
    expect(first.rows[0]!.y).toBeGreaterThan(first.rows[0]!.ymax - 0.01);
    const undo = await planner.send("POST", `/api/plans/${draft.id}/undo`, { version: body.version });
    expect(undo.status).toBe(200);
    expect(await householdsBySql(draft.id)).toEqual(before);
  });
});

describe("comparing and publishing", () => {
  it("compares a draft with the published plan and exports the change list", async () => {
    const draft = await newDraft();
    const { from, to, parcels } = await borderParcels(draft.id, 4);
    await planner.send("POST", `/api/plans/${draft.id}/assign`, { version: 0, parcels, grid: to });
    const pub = (await t.sql.query<{ id: number }>("select id from plan where status = 'published'")).rows[0]!.id;
    const cmp = await (await planner.request(`/api/plans/${pub}/compare/${draft.id}`)).json();
    expect(cmp.parcels.sort()).toEqual([...parcels].sort());
    expect(cmp.flows).toHaveLength(1);
    expect(cmp.flows[0]).toMatchObject({ from, to, parcels: 4 });
    expect(cmp.grids.changed.map((g: { code: string }) => g.code).sort()).toEqual([from, to].sort());
    const csv = await planner.request(`/api/plans/${pub}/compare/${draft.id}/transfers.csv`);
    expect(csv.headers.get("content-type")).toContain("text/csv");
    const lines = (await csv.text()).trim().split("\r\n");
    expect(lines[0]).toContain("原网格");
    expect(lines).toHaveLength(5);
  });

  it("compares warnings with the plan in force by community and asks to confirm only what got worse", async () => {
    const draft = await newDraft();
    // A grid over the band in force takes a neighbouring parcel with households: its warning gets worse.
    const candidates = await t.sql.query<{ parcel: number; code: string; households: number }>(
      `select pa.id as parcel, ga.code, e.households from grid ga
       join grid_figure gf on gf.grid_id = ga.id and gf.status = 'over'
       join plan_parcel pa_in on pa_in.plan_id = $1 and pa_in.grid_id = ga.id
       join parcel_edge pe on pe.a = pa_in.parcel_id or pe.b = pa_in.parcel_id
       join parcel pa on pa.id = case when pe.a = pa_in.parcel_id then pe.b else pe.a end
       join entrance e on e.id = pa.entrance_id and e.households > 0
       join plan_parcel pp on pp.plan_id = $1 and pp.parcel_id = pa.id and pp.grid_id <> ga.id
       where ga.plan_id = $1 order by gf.households desc, pa.id limit 40`,
      [draft.id],
    );
    let version = 0;
    let moved: { code: string } | null = null;
    for (const c of candidates.rows) {
      const res = await planner.send("POST", `/api/plans/${draft.id}/assign`, {
        version,
        parcels: [c.parcel],
        grid: c.code,
      });
      if (res.status !== 200) continue;
      version = (await res.json()).version;
      const v = await (await planner.request(`/api/plans/${draft.id}/validation`)).json();
      if (v.errors.length === 0) {
        moved = c;
        break;
      }
      version = (await (await planner.send("POST", `/api/plans/${draft.id}/undo`, { version })).json()).version;
    }
    expect(moved).not.toBeNull();
    type W = { code: string; grid: string; change: string; community_code: string; community_zh: string };
    const v: { warnings: W[] } = await (await planner.request(`/api/plans/${draft.id}/validation`)).json();
    expect(v.warnings.find((w) => w.code === "out_of_band" && w.grid === moved!.code)?.change).toBe("worse");
    const names = await t.rows<{ code: string; name: string }>("select code, name from community");
    for (const w of v.warnings) {
      expect(w.community_code).toBe(w.grid.slice(0, 12));
      expect(w.community_zh).toBe(names.find((c) => c.code === w.community_code)!.name);
    }
    // Only the grids the move touched can change; the other communities' warnings stand as they were.
    const touched = v.warnings.filter((w) => w.change !== "unchanged");
    expect(touched.every((w) => w.community_code === moved!.code.slice(0, 12))).toBe(true);
    const unconfirmed = await planner.send("POST", `/api/plans/${draft.id}/publish`, { version });
    expect(unconfirmed.status).toBe(422);
    const refusal = await unconfirmed.json();
    expect(refusal.error.code).toBe("confirmation_required");
    const worse = v.warnings.filter((w) => w.change === "new" || w.change === "worse").length;
    expect(refusal.error.zh).toContain(`${worse} 项新增或变差`);
  });

  it("blocks publishing a broken plan, asks for a reason on warnings, then publishes atomically", async () => {
    const draft = await newDraft("2026年调整方案");
    // A parcel painted into a far grid of its community breaks that grid in two.
    const far = await t.sql.query<{ parcel: number; code: string }>(
      `select pa.id as parcel, g.code from parcel pa join grid g on g.plan_id = $1 and g.community_code = pa.community_code
       join plan_parcel pp on pp.plan_id = $1 and pp.parcel_id = pa.id
       where pp.grid_id <> g.id and not ST_Intersects(pa.geom, g.geom) and pa.entrance_id is not null limit 1`,
      [draft.id],
    );
    const broken: EditResult = await (
      await planner.send("POST", `/api/plans/${draft.id}/assign`, {
        version: 0,
        parcels: [far.rows[0]!.parcel],
        grid: far.rows[0]!.code,
      })
    ).json();
    expect(broken.grids.find((g) => g.code === far.rows[0]!.code)!.contiguous).toBe(false);
    const refused = await planner.send("POST", `/api/plans/${draft.id}/publish`, {
      version: 1,
      confirm: true,
      reason: "试",
    });
    expect(refused.status).toBe(422);
    const refusal = await refused.json();
    expect(refusal.error.code).toBe("invalid_plan");
    expect(refusal.error.details.errors.some((e: { code: string }) => e.code === "not_contiguous")).toBe(true);

    await planner.send("POST", `/api/plans/${draft.id}/undo`, { version: 1 });
    // Back to the plan in force: every warning is as it was, so none needs confirming.
    const same: { warnings: { change: string }[] } = await (
      await planner.request(`/api/plans/${draft.id}/validation`)
    ).json();
    expect(same.warnings.length).toBeGreaterThan(0);
    expect(new Set(same.warnings.map((w) => w.change))).toEqual(new Set(["unchanged"]));

    const oldPublished = (await t.sql.query<{ id: number }>("select id from plan where status = 'published'")).rows[0]!
      .id;
    const leader = await signIn(t.app, "leader");
    expect(
      (await leader.send("POST", `/api/plans/${draft.id}/publish`, { version: 2, confirm: true, reason: "x" })).status,
    ).toBe(403);
    const ok = await planner.send("POST", `/api/plans/${draft.id}/publish`, {
      version: 2,
      confirm: true,
      reason: "按2022年标准先行发布，后续调整",
    });
    expect(ok.status).toBe(200);
    const plans = await t.sql.query<{ id: number; status: string; valid_to: Date | null; valid_from: Date | null }>(
      "select id, status, valid_from, valid_to from plan where id = any($1) order by id",
      [[oldPublished, draft.id]],
    );
    expect(plans.rows.find((p) => p.id === oldPublished)).toMatchObject({ status: "archived" });
    expect(plans.rows.find((p) => p.id === oldPublished)!.valid_to).not.toBeNull();
    expect(plans.rows.find((p) => p.id === draft.id)).toMatchObject({ status: "published", valid_to: null });
    const reason = await t.sql.query(
      "select 1 from audit_event where action = 'plan_publish' and diff->>'reason' like '按2022%'",
    );
    expect(reason.rowCount).toBe(1);
    const grids = await (await planner.request("/api/grids")).json();
    expect(grids.features).toHaveLength(227);

    // The earlier plan can be republished.
    const back = await planner.send("POST", `/api/plans/${oldPublished}/publish`, {
      version: 0,
      confirm: true,
      reason: "恢复原方案",
    });
    expect(back.status).toBe(200);
  });
});

describe("two planners on one draft", () => {
  it("lets exactly one of two simultaneous edits of a version win; the other gets 409", async () => {
    const draft = await newDraft();
    const other = await signIn(t.app, "admin");
    const a = await borderParcels(draft.id, 2, 0);
    const b = await borderParcels(draft.id, 2, 7);
    const [ra, rb] = await Promise.all([
      planner.send("POST", `/api/plans/${draft.id}/assign`, { version: 0, parcels: a.parcels, grid: a.to }),
      other.send("POST", `/api/plans/${draft.id}/assign`, { version: 0, parcels: b.parcels, grid: b.to }),
    ]);
    expect([ra.status, rb.status].sort()).toEqual([200, 409]);
    const winner = ra.status === 200 ? a : b;
    const loser = ra.status === 200 ? b : a;
    for (const p of winner.parcels) expect(await gridOf(draft.id, p)).toBe(winner.to);
    for (const p of loser.parcels) expect(await gridOf(draft.id, p)).toBe(loser.from);
    const version = (await t.sql.query<{ version: number }>("select version from plan where id = $1", [draft.id]))
      .rows[0]!.version;
    expect(version).toBe(1);
  });
});

describe("rebalancing in the editor", () => {
  async function waitFor(planId: number, job: string) {
    for (;;) {
      const res = await planner.request(`/api/plans/${planId}/rebalance/${job}`);
      expect(res.status).toBe(200);
      const body = await res.json();
      if (body.state !== "running") return body;
      await new Promise((r) => setTimeout(r, 100));
    }
  }

  it("repairs a community into the band as one undoable edit, keeping locked grids as they are", async () => {
    const draft = await newDraft();
    const worst = await t.sql.query<{ community_code: string }>(
      `select community_code from grid_figure f where f.plan_id = $1 and f.status <> 'ok'
       group by 1 order by count(*) desc limit 1`,
      [draft.id],
    );
    const community = worst.rows[0]!.community_code;
    const lockedCode = (
      await t.sql.query<{ code: string }>(
        "select code from grid where plan_id = $1 and community_code = $2 order by code limit 1",
        [draft.id, community],
      )
    ).rows[0]!.code;
    await planner.send("POST", `/api/plans/${draft.id}/grids/${lockedCode}/lock`, { version: 0, locked: true });
    const lockedBefore = await t.sql.query<{ parcel_id: number }>(
      "select pp.parcel_id from plan_parcel pp join grid g on g.id = pp.grid_id where g.plan_id = $1 and g.code = $2 order by 1",
      [draft.id, lockedCode],
    );
    const before = await householdsBySql(draft.id);

    const started = await planner.send("POST", `/api/plans/${draft.id}/rebalance`, {
      version: 1,
      community,
      mode: "repair",
    });
    expect(started.status).toBe(202);
    const job = await waitFor(draft.id, (await started.json()).job);
    expect(job.state, JSON.stringify(job.error)).toBe("done");
    expect(job.result.edit.version).toBe(2);
    expect(job.result.metrics.non_contiguous).toBe(0);

    const fc = await (await planner.request(`/api/plans/${draft.id}/grids?community=${community}`)).json();
    for (const f of fc.features) {
      expect(f.properties.contiguous, f.properties.code).toBe(true);
      if (f.properties.code !== lockedCode) expect(f.properties.status, f.properties.code).toBe("ok");
    }
    const lockedAfter = await t.sql.query<{ parcel_id: number }>(
      "select pp.parcel_id from plan_parcel pp join grid g on g.id = pp.grid_id where g.plan_id = $1 and g.code = $2 order by 1",
      [draft.id, lockedCode],
    );
    expect(lockedAfter.rows).toEqual(lockedBefore.rows);

    const undo = await planner.send("POST", `/api/plans/${draft.id}/undo`, { version: 2 });
    expect(undo.status).toBe(200);
    expect(await householdsBySql(draft.id)).toEqual(before);
  });

  it("stops a search to the limit on request and applies the best plan it had, as one edit", async () => {
    const draft = await newDraft();
    const t0 = Date.now();
    const started = await planner.send("POST", `/api/plans/${draft.id}/rebalance`, {
      version: 0,
      community: "150571003001",
      mode: "full",
      budget_s: 90,
    });
    expect(started.status).toBe(202);
    const { job } = await started.json();
    // Past the fast answer: the search has spent some of its budget.
    for (;;) {
      const body = await (await planner.request(`/api/plans/${draft.id}/rebalance/${job}`)).json();
      expect(body.state).toBe("running");
      expect(body.budget_s).toBe(90);
      if (body.progress.stage === "solve" && body.progress.done > 0) break;
      await new Promise((r) => setTimeout(r, 100));
    }
    const worker = await signIn(t.app, "worker-1");
    expect((await worker.send("POST", `/api/plans/${draft.id}/rebalance/${job}/stop`, {})).status).toBe(403);
    const stop = await planner.send("POST", `/api/plans/${draft.id}/rebalance/${job}/stop`, {});
    expect(stop.status).toBe(200);
    expect((await stop.json()).stopping).toBe(true);
    const done = await waitFor(draft.id, job);
    // Well inside the 90 s it was given: the stop ended it, and its plan is in the draft.
    expect(Date.now() - t0).toBeLessThan(90_000);
    expect(done.state, JSON.stringify(done.error)).toBe("done");
    expect(done.result.edit.version).toBe(1);
    expect(done.result.metrics.non_contiguous).toBe(0);
    expect("out_of_band_lower_bound" in done.result.metrics).toBe(true);
    const edits = await t.sql.query("select action from plan_edit where plan_id = $1", [draft.id]);
    expect(edits.rows).toEqual([{ action: "rebalance" }]);
    // Stopping a finished job changes nothing; a job that does not exist is 404.
    const again = await planner.send("POST", `/api/plans/${draft.id}/rebalance/${job}/stop`, {});
    expect(again.status).toBe(200);
    expect((await again.json()).state).toBe("done");
    const unknown = "00000000-0000-4000-8000-000000000000";
    expect((await planner.send("POST", `/api/plans/${draft.id}/rebalance/${unknown}/stop`, {})).status).toBe(404);
  }, 180_000);

  it("refuses to apply a result when the draft changed while it was computed", async () => {
    const draft = await newDraft();
    const started = await planner.send("POST", `/api/plans/${draft.id}/rebalance`, {
      version: 0,
      community: "150571003001",
      mode: "full",
    });
    const { job } = await started.json();
    const { to, parcels } = await borderParcels(draft.id, 1, 40);
    expect(
      (await planner.send("POST", `/api/plans/${draft.id}/assign`, { version: 0, parcels, grid: to })).status,
    ).toBe(200);
    const done = await waitFor(draft.id, job);
    expect(done.state).toBe("failed");
    expect(done.error.code).toBe("version_conflict");
  });
});
