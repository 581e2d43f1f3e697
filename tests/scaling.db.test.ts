import { createApp } from "@gridatlas/server/app.ts";
import { createDb, type Db } from "@gridatlas/server/db/db.ts";
import { applyRepeatables } from "@gridatlas/server/db/migrate.ts";
import { decodeMvt } from "@gridatlas/server/test-support/mvt.ts";
import { createTestDatabase, type TestDatabase } from "@gridatlas/server/test-support/test-database.ts";
import { signIn, type TestSession } from "@gridatlas/server/test-support/test-session.ts";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

/**
 * Past one machine (issue 10, docs/scaling.md): the demo with its per-community tables partitioned by community
 * code — parcel, plan_parcel and parcel_edge, hash-partitioned 8 ways the way Citus would distribute them — answers
 * the routes a user calls exactly as the plain schema does, a community's query reads one partition, and edits
 * keep working through the composite keys the partitioning needs.
 */

const PARTITIONS = 8;

/**
 * Rebuilds parcel, plan_parcel and parcel_edge as tables hash-partitioned by community_code. Keys gain the
 * partition column (a partitioned table's unique keys must hold it), foreign keys to parcel become composite
 * (parcel_id, community_code), parcel ids come from a sequence (PostgreSQL 15 has no identity on partitioned
 * tables), and the views and triggers on them are made again by the repeatable files.
 */
async function partitionByCommunity(c: pg.Client): Promise<void> {
  const q = (text: string) => c.query(text);
  await q("begin");
  const parts = (t: string) =>
    Array.from(
      { length: PARTITIONS },
      (_, i) =>
        `create table ${t}_p${i} partition of ${t}_new for values with (modulus ${PARTITIONS}, remainder ${i});`,
    ).join("\n");
  for (const fk of ["venue_parcel_id_fkey", "hazard_parcel_id_fkey", "camera_parcel_id_fkey"]) {
    await q(`alter table ${fk.split("_")[0]} drop constraint ${fk}`);
  }

  await q(`create sequence parcel_id_seq_p;
    select setval('parcel_id_seq_p', (select coalesce(max(id), 1) from parcel));
    create table parcel_new (like parcel including defaults) partition by hash (community_code);
    alter table parcel_new alter column id set default nextval('parcel_id_seq_p');
    ${parts("parcel")}
    insert into parcel_new select * from parcel;`);
  await q(`create table plan_parcel_new (like plan_parcel including defaults) partition by hash (community_code);
    ${parts("plan_parcel")}
    insert into plan_parcel_new select * from plan_parcel;`);
  await q(`create table parcel_edge_new (like parcel_edge including defaults) partition by hash (community_code);
    ${parts("parcel_edge")}
    insert into parcel_edge_new select * from parcel_edge;`);
  // Drops the views over them (published_parcel, grid_figure and what reads those) and their triggers too.
  await q("drop table parcel_edge, plan_parcel, parcel cascade");
  await q(`alter table parcel_new rename to parcel;
    alter table plan_parcel_new rename to plan_parcel;
    alter table parcel_edge_new rename to parcel_edge;
    alter sequence parcel_id_seq_p owned by parcel.id;
    alter table parcel add primary key (id, community_code);
    create unique index on parcel (entrance_id, community_code);
    create index on parcel using gist (geom);
    create index on parcel (community_code);
    create index on parcel (building_id);
    create index on parcel (compound_id);
    create index on parcel (block_id);
    alter table parcel add foreign key (block_id) references block (id),
      add foreign key (building_id) references building (id),
      add foreign key (compound_id) references compound (id),
      add foreign key (community_code) references community (code),
      add foreign key (entrance_id) references entrance (id);
    alter table plan_parcel add primary key (plan_id, parcel_id, community_code),
      add foreign key (plan_id) references plan (id) on delete cascade,
      add foreign key (parcel_id, community_code) references parcel (id, community_code),
      add foreign key (grid_id, plan_id, community_code) references grid (id, plan_id, community_code) on delete cascade;
    create index on plan_parcel (grid_id);
    alter table parcel_edge add primary key (a, b, community_code),
      add foreign key (a, community_code) references parcel (id, community_code) on delete cascade,
      add foreign key (b, community_code) references parcel (id, community_code) on delete cascade,
      add foreign key (community_code) references community (code);
    create index on parcel_edge (b);
    create index on parcel_edge (community_code);
    alter table venue add foreign key (parcel_id, community_code) references parcel (id, community_code);
    alter table hazard add foreign key (parcel_id, community_code) references parcel (id, community_code);
    alter table camera add foreign key (parcel_id, community_code) references parcel (id, community_code);`);
  await applyRepeatables(c);
  await q("commit");
  await q("analyze");
}

const COMMUNITY = "150571003001";

/** Sums over partitions add in another order: figures agree to 10 significant digits, not to the last bit. */
function rounded(v: unknown): unknown {
  if (typeof v === "number") return Number(v.toPrecision(10));
  if (Array.isArray(v)) return v.map(rounded);
  if (v && typeof v === "object") return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, rounded(x)]));
  return v;
}
type Side = { database: TestDatabase; db: Db; sql: pg.Client; app: ReturnType<typeof createApp>; as: TestSession };
let plain: Side;
let part: Side;

async function side(label: string, partitioned: boolean): Promise<Side> {
  const database = await createTestDatabase(label);
  const sql = new pg.Client({ connectionString: database.url });
  await sql.connect();
  if (partitioned) await partitionByCommunity(sql);
  const db = createDb({ databaseUrl: database.url });
  const app = createApp({ db });
  return { database, db, sql, app, as: await signIn(app, "planner") };
}

beforeAll(async () => {
  [plain, part] = await Promise.all([side("scaling_plain", false), side("scaling_part", true)]);
}, 240_000);

afterAll(async () => {
  for (const s of [plain, part]) {
    if (!s) continue;
    await s.sql.end();
    await s.db.destroy();
    await s.database.drop();
  }
});

describe("the schema partitioned by community code", () => {
  it("holds the per-community tables in hash partitions, and a community's query reads one of them", async () => {
    const r = await part.sql.query<{ parent: string; n: number }>(
      `select parent.relname parent, count(*)::int n from pg_inherits i
       join pg_class parent on parent.oid = i.inhparent where parent.relkind = 'p' group by 1 order by 1`,
    );
    expect(r.rows).toEqual([
      { parent: "parcel", n: PARTITIONS },
      { parent: "parcel_edge", n: PARTITIONS },
      { parent: "plan_parcel", n: PARTITIONS },
    ]);
    for (const query of [
      `select * from parcel where community_code = '${COMMUNITY}'`,
      `select * from plan_parcel where community_code = '${COMMUNITY}' and plan_id = 1`,
      `select * from parcel_edge where community_code = '${COMMUNITY}'`,
    ]) {
      const plan = (await part.sql.query(`explain (costs off) ${query}`)).rows.map((x) => x["QUERY PLAN"]).join("\n");
      expect(new Set(plan.match(/\b(parcel|plan_parcel|parcel_edge)_p\d\b/g)).size, plan).toBe(1);
    }
    const rows = await Promise.all(
      [plain, part].map(async (s) => (await s.sql.query("select count(*)::int n from parcel")).rows[0]!.n),
    );
    expect(rows[1]).toBe(rows[0]);
  });

  it("answers the routes a user calls exactly as the plain schema does", async () => {
    const plan = (await plain.sql.query<{ id: number }>("select id from plan where status = 'published'")).rows[0]!.id;
    for (const path of [
      `/api/grids?community=${COMMUNITY}`,
      `/api/parcels?community=${COMMUNITY}`,
      `/api/buildings?community=${COMMUNITY}`,
      "/api/communities",
      `/api/communities/${COMMUNITY}/status?today=2026-11-20`,
      `/api/plans/${plan}/grids?community=${COMMUNITY}`,
      `/api/plans/${plan}/validation`,
      `/api/venues?community=${COMMUNITY}`,
    ]) {
      const [a, b] = await Promise.all([plain, part].map((s) => s.as.request(path)));
      expect(b!.status, path).toBe(a!.status);
      expect(rounded(await b!.json()), path).toEqual(rounded(await a!.json()));
    }
    const v = ((await (await part.as.request("/tiles/versions")).json()) as { versions: Record<string, number> })
      .versions;
    for (const [layer, z, x, y] of [
      ["grids", 14, 13755, 5983],
      ["buildings", 15, 27511, 11966],
      ["grids", 10, 859, 373],
    ] as const) {
      const tiles = await Promise.all(
        [plain, part].map(async (s) => {
          const res = await s.as.request(`/tiles/${layer}/v${v[layer]}/${z}/${x}/${y}.pbf`);
          return decodeMvt(new Uint8Array(await res.arrayBuffer()));
        }),
      );
      const ids = (t: (typeof tiles)[number]) =>
        t.flatMap((l) => l.features.map((f) => `${l.name}:${f.id ?? f.properties.code}`)).sort();
      expect(ids(tiles[1]!), `${layer} ${z}`).toEqual(ids(tiles[0]!));
    }
  });

  it("edits a draft through the composite keys: assign, recount, undo", async () => {
    const results = [];
    for (const s of [plain, part]) {
      const draft = (await (await s.as.send("POST", "/api/plans", { from: "published", name: "分区" })).json()) as {
        id: number;
        version: number;
      };
      const target = (
        await s.sql.query<{ id: number; code: string }>(
          "select id, code from grid where plan_id = $1 and community_code = $2 order by code limit 1",
          [draft.id, COMMUNITY],
        )
      ).rows[0]!;
      const parcels = (
        await s.sql.query<{ p: number }>(
          `select distinct e.b p from parcel_edge e
           join plan_parcel a on a.plan_id = $1 and a.parcel_id = e.a and a.grid_id = $2
           join plan_parcel b on b.plan_id = $1 and b.parcel_id = e.b and b.grid_id <> $2
           order by 1 limit 5`,
          [draft.id, target.id],
        )
      ).rows.map((r) => r.p);
      expect(parcels.length).toBeGreaterThan(0);
      const res = await s.as.send("POST", `/api/plans/${draft.id}/assign`, {
        version: draft.version ?? 0,
        parcels,
        grid: target.code,
      });
      expect(res.status).toBe(200);
      const edit = (await res.json()) as { version: number; grids: unknown };
      const undo = await s.as.send("POST", `/api/plans/${draft.id}/undo`, { version: edit.version });
      expect(undo.status).toBe(200);
      results.push(edit.grids);
    }
    expect(rounded(results[1])).toEqual(rounded(results[0]));
  });
});
