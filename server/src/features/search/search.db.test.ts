import { describe, expect, it } from "vitest";
import { useTestApp } from "../../../test-support/test-app.ts";
import { entranceQuery } from "./search.queries.ts";

const t = useTestApp("search");

type Hit = { kind: string; id: string; name: string; compound_name: string | null; bbox: number[] };
type Answer = { groups: { kind: string; results: Hit[] }[] };

/** `raw`: `q` is already percent-encoded (bytes no string holds, such as a lone surrogate's). */
async function search(as: string, q: string, raw = false) {
  const res = await (await t.as(as)).request(`/api/search?q=${raw ? q : encodeURIComponent(q)}`);
  return {
    status: res.status,
    body: (await res.json()) as Answer & { error?: { code: string; zh: string; en: string } },
  };
}
const group = (a: Answer, kind: string) => a.groups.find((g) => g.kind === kind)?.results ?? [];

describe("GET /api/search", () => {
  it("finds a grid by its full code and by its 3-digit sequence, the exact code first", async () => {
    const [g] = await t.rows<{ code: string; name: string }>(
      "select code, name from published_grid where code like '%010' order by code limit 1",
    );
    const full = await search("planner", g!.code);
    expect(full.status).toBe(200);
    expect(group(full.body, "grid")[0]).toMatchObject({ id: g!.code, name: g!.name });
    const bySeq = await search("planner", "010");
    const grids = group(bySeq.body, "grid");
    expect(grids.length).toBeGreaterThan(0);
    expect(grids.every((h) => h.id.endsWith("010"))).toBe(true);
  });

  it("finds a building by name with its compound, and one entrance of it by '<building> N单元'", async () => {
    const [b] = await t.rows<{ id: number; name: string; compound: string; seq: number }>(
      `select b.id, b.name, k.name as compound, max(e.seq) as seq from building b
       join compound k on k.id = b.compound_id join entrance e on e.building_id = b.id
       where b.name ~ '^\\d+号楼$' group by b.id, k.name having count(*) >= 2 order by b.id limit 1`,
    );
    const both = await search("planner", `${b!.compound} ${b!.name}`);
    const buildings = group(both.body, "building");
    expect(buildings[0]).toMatchObject({ id: String(b!.id), name: b!.name, compound_name: b!.compound });
    expect(buildings.every((h) => h.compound_name === b!.compound && h.name.includes(b!.name))).toBe(true);
    const [w, s, e, n] = buildings[0]!.bbox as [number, number, number, number];
    expect(w < e && s < n).toBe(true);

    const entrance = await search("planner", `${b!.compound}${b!.name}${b!.seq}单元`);
    expect(group(entrance.body, "entrance")[0]).toMatchObject({ name: `${b!.name} ${b!.seq}单元` });
  });

  it("ranks an exact name before names that only contain it", async () => {
    const [k] = await t.rows<{ name: string }>(
      `select k.name from compound k where exists (select 1 from compound o where o.id <> k.id and o.name like '%' || k.name || '%')
       order by k.id limit 1`,
    );
    if (!k) {
      // The demo always has one ("…花园" inside "…花园二期" and the like); without it this test proves nothing.
      throw new Error("the demo has no compound whose name another contains");
    }
    const hits = group((await search("planner", k.name)).body, "compound");
    expect(hits.length).toBeGreaterThan(1);
    expect(hits[0]!.name).toBe(k.name);
  });

  it("finds venues by address and communities by name", async () => {
    const [v] = await t.rows<{ id: number; address: string }>(
      "select id, address from venue where address is not null order by id limit 1",
    );
    const venues = group((await search("leader", v!.address)).body, "venue");
    expect(venues.map((h) => h.id)).toContain(String(v!.id));
    const communities = group((await search("leader", "龙兴")).body, "community");
    expect(communities.map((h) => h.name)).toEqual(["龙兴社区"]);
  });

  it("keeps a secretary inside their community and a worker inside their grids", async () => {
    const [c] = await t.rows<{ code: string }>("select code from community order by code limit 1");
    const secretary = await search(`secretary-${c!.code}`, "网格");
    const grids = group(secretary.body, "grid");
    expect(grids.length).toBeGreaterThan(0);
    expect(grids.every((h) => h.id.startsWith(c!.code))).toBe(true);
    // A building name that exists in other communities too is found only in the secretary's.
    const outside = await t.rows<{ id: number }>(
      "select id from building where name = '3号楼' and community_code <> $1",
      [c!.code],
    );
    expect(outside.length).toBeGreaterThan(0);
    const buildings = group((await search(`secretary-${c!.code}`, "3号楼")).body, "building");
    expect(buildings.map((h) => Number(h.id)).filter((id) => outside.some((o) => o.id === id))).toEqual([]);

    const own = (
      await t.rows<{ grid_code: string }>(
        `select wa.grid_code from account a join account_role r on r.account_id = a.id
         join worker_assignment wa on wa.worker_id = r.worker_id where a.username = 'worker-1'`,
      )
    ).map((r) => r.grid_code);
    const worker = group((await search("worker-1", "网格")).body, "grid");
    expect(worker.length).toBeGreaterThan(0);
    expect(worker.every((h) => own.includes(h.id))).toBe(true);
  });

  it("finds a draft's grids with ?plan= (a new grid's code, outlined by its parcels now), for those who read plans", async () => {
    const planner = await t.as("planner");
    const draft = await (await planner.send("POST", "/api/plans", { from: "published", name: "搜索草稿" })).json();
    const [parcel] = await t.rows<{ id: number; bbox: number[] }>(
      `select pa.id, array[ST_XMin(pa.geom), ST_YMin(pa.geom), ST_XMax(pa.geom), ST_YMax(pa.geom)] as bbox
       from parcel pa where pa.building_id is not null order by pa.id limit 1`,
    );
    const painted = await planner.send("POST", `/api/plans/${draft.id}/assign`, {
      version: 0,
      parcels: [parcel!.id],
      grid: "new",
    });
    expect(painted.status).toBe(200);
    const [created] = await t.rows<{ code: string }>(
      "select g.code from grid g where g.plan_id = $1 and not exists (select 1 from published_grid p where p.code = g.code)",
      [draft.id],
    );
    expect(created).toBeDefined();

    const inDraft = await (await t.as("planner")).request(`/api/search?q=${created!.code}&plan=${draft.id}`);
    expect(inDraft.status).toBe(200);
    const hits = group((await inDraft.json()) as Answer, "grid");
    expect(hits[0]).toMatchObject({ id: created!.code });
    // Its outline is the one parcel it holds in the draft.
    const [w, s, e, n] = hits[0]!.bbox as [number, number, number, number];
    const [pw, ps, pe, pn] = parcel!.bbox as [number, number, number, number];
    expect([w, s, e, n].map((x, i) => Math.abs(x - [pw, ps, pe, pn][i]!))).toEqual(
      [0, 0, 0, 0].map(() => expect.closeTo(0, 6)),
    );
    // The published plan has no such grid.
    expect(group((await search("planner", created!.code)).body, "grid").map((h) => h.id)).not.toContain(created!.code);

    const secretary = await (await t.as("secretary-150571003011")).request(`/api/search?q=010&plan=${draft.id}`);
    expect(secretary.status).toBe(403);
    const missing = await (await t.as("planner")).request("/api/search?q=010&plan=999999");
    expect(missing.status).toBe(404);
    const body = await missing.json();
    expect(body.error.zh).toContain("999999");
  });

  it("takes % and _ literally, refuses empty, long and non-text queries in both languages, and needs a session", async () => {
    expect((await search("planner", "%")).body.groups).toEqual([]);
    expect((await search("planner", "_")).body.groups).toEqual([]);
    for (const q of ["%20%20%20", encodeURIComponent("楼".repeat(101)), "a%00b", "%ED%A0%80"]) {
      const r = await search("planner", q, true);
      expect(r.status).toBe(400);
      expect(r.body.error?.zh).toMatch(/[\u4e00-\u9fff]/);
      expect(r.body.error?.en).toMatch(/[a-z]/);
    }
    expect((await t.app.request("/api/search?q=3")).status).toBe(401);
  });
});

describe("entranceQuery", () => {
  it("reads a building and an entrance number from '…N单元'", () => {
    expect(entranceQuery("3号楼2单元")).toEqual({ building: "3号楼", seq: 2 });
    expect(entranceQuery("金色新城 3号楼 12 单元")).toEqual({ building: "金色新城 3号楼", seq: 12 });
    expect(entranceQuery("3号楼")).toBeNull();
  });
});
