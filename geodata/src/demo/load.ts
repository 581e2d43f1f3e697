import pg from "pg";
import { insertGrids } from "../db.ts";
import { generateDemo } from "./generate.ts";
import { drawPlan, type PlanEdge, type PlanUnit } from "./plan.ts";
import { Rng } from "./random.ts";
import { gridCode, PLAN_VALID_FROM } from "./staff.ts";
import type { DemoDataset } from "./types.ts";
import { buildVisits } from "./visits.ts";

/** The name of the published plan the demo starts with. */
export const DEMO_PLAN_NAME = "2022年网格划分方案";

/**
 * Loads the Xincheng demo in one transaction (all or nothing): territory and buildings, the parcel build in
 * PostGIS (build_territory), the published 2022 plan drawn over the parcels, staff, visits, venues with their
 * inspections, hazards with their histories, and cameras. With `ifEmpty`, does nothing when the database
 * already holds a subdistrict; without it, a database that already holds the Xincheng subdistrict is refused with
 * an error and left as it was. Ids continue after whatever the tables already hold. Logs each step with its time.
 */
export async function loadDemo(
  databaseUrl: string,
  opts: { ifEmpty: boolean; log: (msg: string) => void },
): Promise<void> {
  const { log } = opts;
  const client = new pg.Client({ connectionString: databaseUrl });
  // A dropped connection also fails the query in flight; without a listener it would kill the process instead.
  client.on("error", (err) => log(`database connection lost: ${err.message}`));
  await client.connect();
  try {
    if (opts.ifEmpty) {
      const existing = await client.query<{ code: string }>("select code from subdistrict limit 1");
      if (existing.rows[0]) {
        log(`subdistrict ${existing.rows[0].code} is already loaded: the demo is not loaded again`);
        return;
      }
    }
    const started = performance.now();
    const step = async <T>(label: string, fn: () => Promise<T>): Promise<T> => {
      const t = performance.now();
      const result = await fn();
      log(`${label} (${Math.round(performance.now() - t)} ms)`);
      return result;
    };
    const data = await step("generated the demo", async () => generateDemo());
    await client.query("begin");
    try {
      // The build runs a few large queries whose cost estimates would trigger JIT compilation that costs more
      // than it saves.
      await client.query("set local jit = off");
      await load(client, data, step, log);
      await client.query("commit");
    } catch (err) {
      await client.query("rollback");
      throw err;
    }
    log(`loaded the Xincheng demo in ${((performance.now() - started) / 1000).toFixed(1)} s`);
  } finally {
    await client.end();
  }
}

export type Step = <T>(label: string, fn: () => Promise<T>) => Promise<T>;

async function load(client: pg.Client, data: DemoDataset, step: Step, log: (msg: string) => void): Promise<void> {
  const existing = await client.query("select 1 from subdistrict where code = $1", [data.subdistrict.code]);
  if (existing.rowCount) {
    throw new Error(
      `subdistrict ${data.subdistrict.code} (${data.subdistrict.name}) is already loaded; load the demo into an empty database ` +
        `/ 新城街道示例数据已存在，请在空数据库中加载`,
    );
  }
  const offsets = await maxIds(client, ID_TABLES);
  await insertDataset(client, data, offsets, step, log);
  for (const table of ID_TABLES) {
    await client.query(`select setval(pg_get_serial_sequence('${table}', 'id'), (select max(id) from ${table}))`);
  }
}

/** The tables whose ids a dataset brings, shifted by an offset so that several datasets can share a database. */
export const ID_TABLES = ["compound", "building", "entrance", "worker", "venue", "hazard"] as const;
export type IdOffsets = Record<(typeof ID_TABLES)[number], number>;

/**
 * Inserts one subdistrict's dataset, within the caller's transaction: territory, compounds, buildings and their
 * entrance sections, venues, hazards, cameras, the blocks and parcels PostGIS builds, staff, the published plan and
 * 90 days of visits. The demo loads one; the city loader (geodata/src/city) one per subdistrict, with its own
 * offsets. The caller sets the id sequences afterwards.
 */
export async function insertDataset(
  client: pg.Client,
  data: DemoDataset,
  offsets: IdOffsets,
  step: Step,
  log: (msg: string) => void,
): Promise<{ buildings: number; households: number; parcels: number; grids: number; visits: number }> {
  const q = (sql: string, values: unknown[] = []) => client.query(sql, values);
  const json = (g: unknown) => JSON.stringify(g);
  const srid = data.subdistrict.metricSrid;
  const code = data.subdistrict.code;

  await step("territory: subdistrict, communities, roads, water", async () => {
    const s = data.subdistrict;
    await q(
      `insert into subdistrict (code, name, name_en, metric_srid, attribution, geom)
       values ($1, $2, $3, $4, $5, ST_SetSRID(ST_GeomFromGeoJSON($6), 4326))`,
      [s.code, s.name, s.nameEn, s.metricSrid, s.attribution, json(s.geom)],
    );
    const c = data.communities;
    await q(
      `insert into community (code, subdistrict_code, name, name_en, geom)
       select u.code, $1, u.name, u.name_en, ST_SetSRID(ST_GeomFromGeoJSON(u.g), 4326)
       from unnest($2::text[], $3::text[], $4::text[], $5::text[]) u(code, name, name_en, g)`,
      [code, c.map((x) => x.code), c.map((x) => x.name), c.map((x) => x.nameEn), c.map((x) => json(x.geom))],
    );
    const r = data.roads;
    await q(
      `insert into road (subdistrict_code, class, name, geom)
       select $1, u.class, u.name, ST_SetSRID(ST_GeomFromGeoJSON(u.g), 4326)
       from unnest($2::text[], $3::text[], $4::text[]) with ordinality u(class, name, g, n) order by u.n`,
      [code, r.map((x) => x.class), r.map((x) => x.name), r.map((x) => json(x.geom))],
    );
    const w = data.water;
    await q(
      `insert into water (subdistrict_code, kind, name, geom)
       select $1, u.kind, u.name, ST_SetSRID(ST_GeomFromGeoJSON(u.g), 4326)
       from unnest($2::text[], $3::text[], $4::text[]) with ordinality u(kind, name, g, n) order by u.n`,
      [code, w.map((x) => x.kind), w.map((x) => x.name), w.map((x) => json(x.geom))],
    );
  });

  await step(`compounds, ${data.buildings.length} buildings, ${data.entrances.length} entrances`, async () => {
    const c = data.compounds;
    await q(
      `insert into compound (id, community_code, name, kind, geom, gates) overriding system value
       select u.id + $1, u.community_code, u.name, u.kind,
         ST_SetSRID(ST_GeomFromGeoJSON(u.g), 4326), ST_SetSRID(ST_GeomFromGeoJSON(u.gates), 4326)
       from unnest($2::int[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[])
         u(id, community_code, name, kind, g, gates)`,
      [
        offsets.compound,
        c.map((x) => x.id),
        c.map((x) => x.communityCode),
        c.map((x) => x.name),
        c.map((x) => x.kind),
        c.map((x) => json(x.geom)),
        c.map((x) => json(x.gates)),
      ],
    );
    const b = data.buildings;
    await q(
      `insert into building (id, community_code, compound_id, kind, name, floors, geom) overriding system value
       select u.id + $1, u.community_code, u.compound_id + $2, u.kind, u.name, u.floors,
         ST_SetSRID(ST_GeomFromGeoJSON(u.g), 4326)
       from unnest($3::int[], $4::text[], $5::int[], $6::text[], $7::text[], $8::int[], $9::text[])
         u(id, community_code, compound_id, kind, name, floors, g)`,
      [
        offsets.building,
        offsets.compound,
        b.map((x) => x.id),
        b.map((x) => x.communityCode),
        b.map((x) => x.compoundId),
        b.map((x) => x.kind),
        b.map((x) => x.name),
        b.map((x) => x.floors),
        b.map((x) => json(x.geom)),
      ],
    );
    // Sections are cut by building_sections(); each entrance takes the section its door stands in.
    const e = data.entrances;
    const inserted = await q(
      `with u as (
         select * from unnest($3::int[], $4::int[], $5::int[], $6::int[], $7::float8[], $8::float8[])
           u(id, building_id, seq, households, lng, lat)
       ), s as materialized (
         select n.building_id, s.geom
         from (select building_id, count(*)::int n from u group by building_id) n
         join building b on b.id = n.building_id + $2
         cross join lateral building_sections(b.geom, n.n, $1) s
       )
       insert into entrance (id, building_id, seq, households, geom, section) overriding system value
       select u.id + $9, u.building_id + $2, u.seq, u.households, d.geom, s.geom
       from u
       cross join lateral (select ST_SetSRID(ST_MakePoint(u.lng, u.lat), 4326) geom) d
       join s on s.building_id = u.building_id and ST_Contains(s.geom, d.geom)`,
      [
        srid,
        offsets.building,
        e.map((x) => x.id),
        e.map((x) => x.buildingId),
        e.map((x) => x.seq),
        e.map((x) => x.households),
        e.map((x) => x.geom.coordinates[0]),
        e.map((x) => x.geom.coordinates[1]),
        offsets.entrance,
      ],
    );
    if (inserted.rowCount !== e.length) {
      throw new Error(
        `only ${inserted.rowCount} of ${e.length} entrance doors fall inside a section of their building`,
      );
    }
  });

  await step(
    `${data.venues.length} venues, ${data.hazards.length} hazards, ${data.cameras.length} cameras`,
    async () => {
      const v = data.venues;
      await q(
        `insert into venue (id, community_code, category, name, address, geom) overriding system value
       select u.id + $1, u.community_code, u.category, u.name, u.address, ST_SetSRID(ST_MakePoint(u.lng, u.lat), 4326)
       from unnest($2::int[], $3::text[], $4::text[], $5::text[], $6::text[], $7::float8[], $8::float8[])
         u(id, community_code, category, name, address, lng, lat)`,
        [
          offsets.venue,
          v.map((x) => x.id),
          v.map((x) => x.communityCode),
          v.map((x) => x.category),
          v.map((x) => x.name),
          v.map((x) => x.address),
          v.map((x) => x.geom.coordinates[0]),
          v.map((x) => x.geom.coordinates[1]),
        ],
      );
      const h = data.hazards;
      await q(
        `insert into hazard (id, community_code, venue_id, category, severity, status, title, note, geom, reported_at)
       overriding system value
       select u.id + $1, u.community_code, u.venue_id + $2, u.category, u.severity, u.status, u.title, u.note,
         ST_SetSRID(ST_MakePoint(u.lng, u.lat), 4326), u.reported_at
       from unnest($3::int[], $4::text[], $5::int[], $6::text[], $7::text[], $8::text[], $9::text[], $10::text[],
         $11::float8[], $12::float8[], $13::timestamptz[])
         u(id, community_code, venue_id, category, severity, status, title, note, lng, lat, reported_at)`,
        [
          offsets.hazard,
          offsets.venue,
          h.map((x) => x.id),
          h.map((x) => x.communityCode),
          h.map((x) => x.venueId),
          h.map((x) => x.category),
          h.map((x) => x.severity),
          h.map((x) => x.status),
          h.map((x) => x.title),
          h.map((x) => x.note),
          h.map((x) => x.geom.coordinates[0]),
          h.map((x) => x.geom.coordinates[1]),
          h.map((x) => x.reportedAt),
        ],
      );
      const t = data.hazardTransitions;
      await q(
        `insert into hazard_transition (hazard_id, from_status, to_status, at, actor, note)
       select u.hazard_id + $1, u.from_status, u.to_status, u.at, u.actor, u.note
       from unnest($2::int[], $3::text[], $4::text[], $5::timestamptz[], $6::text[], $7::text[]) with ordinality
         u(hazard_id, from_status, to_status, at, actor, note, n) order by u.n`,
        [
          offsets.hazard,
          t.map((x) => x.hazardId),
          t.map((x) => x.fromStatus),
          t.map((x) => x.toStatus),
          t.map((x) => x.at),
          t.map((x) => x.actor),
          t.map((x) => x.note),
        ],
      );
      const c = data.cameras;
      await q(
        `insert into camera (community_code, name, type, status, bearing_deg, view_width_deg, range_m, mount_height_m,
         defaulted, site, geom)
       select u.community_code, u.name, u.type, u.status, u.bearing, u.width, u.range, u.height,
         coalesce(string_to_array(nullif(u.defaulted, ''), ','), '{}'), u.site, ST_SetSRID(ST_MakePoint(u.lng, u.lat), 4326)
       from unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::float8[], $6::float8[], $7::float8[],
         $8::float8[], $9::text[], $10::text[], $11::float8[], $12::float8[]) with ordinality
         u(community_code, name, type, status, bearing, width, range, height, defaulted, site, lng, lat, n)
       order by u.n`,
        [
          c.map((x) => x.communityCode),
          c.map((x) => x.name),
          c.map((x) => x.type),
          c.map((x) => x.status),
          c.map((x) => x.bearingDeg),
          c.map((x) => x.viewWidthDeg),
          c.map((x) => x.rangeM),
          c.map((x) => x.mountHeightM),
          c.map((x) => x.defaulted.join(",")),
          c.map((x) => x.site),
          c.map((x) => x.geom.coordinates[0]),
          c.map((x) => x.geom.coordinates[1]),
        ],
      );
    },
  );

  const built = await step("built blocks, parcels and their adjacency in PostGIS", async () => {
    const r = await q("select build_territory($1) as summary", [code]);
    return r.rows[0].summary as { blocks: number; parcels: number; pieces_merged: number };
  });
  log(`  ${built.blocks} blocks, ${built.parcels} parcels, ${built.pieces_merged} cut-off pieces merged`);

  await step(`${data.workers.length} workers, assignments, inspections`, async () => {
    const w = data.workers;
    await q(
      `insert into worker (id, community_code, role, name, phone, started_on) overriding system value
       select u.id + $1, u.community_code, u.role, u.name, u.phone, u.started_on
       from unnest($2::int[], $3::text[], $4::text[], $5::text[], $6::text[], $7::date[])
         u(id, community_code, role, name, phone, started_on)`,
      [
        offsets.worker,
        w.map((x) => x.id),
        w.map((x) => x.communityCode),
        w.map((x) => x.role),
        w.map((x) => x.name),
        w.map((x) => x.phone),
        w.map((x) => x.startedOn),
      ],
    );
    const a = data.assignments;
    await q(
      `insert into worker_assignment (worker_id, grid_code, assigned_on)
       select u.worker_id + $1, u.grid_code, u.assigned_on
       from unnest($2::int[], $3::text[], $4::date[]) u(worker_id, grid_code, assigned_on)`,
      [offsets.worker, a.map((x) => x.workerId), a.map((x) => x.gridCode), a.map((x) => x.assignedOn)],
    );
    const i = data.inspections;
    await q(
      `insert into inspection (venue_id, inspected_on, inspector_id, result, note, follow_up, joint_with_police)
       select u.venue_id + $1, u.inspected_on, u.inspector_id + $2, u.result, u.note, u.follow_up, u.joint
       from unnest($3::int[], $4::date[], $5::int[], $6::text[], $7::text[], $8::text[], $9::bool[]) with ordinality
         u(venue_id, inspected_on, inspector_id, result, note, follow_up, joint, n) order by u.n`,
      [
        offsets.venue,
        offsets.worker,
        i.map((x) => x.venueId),
        i.map((x) => x.inspectedOn),
        i.map((x) => x.inspectorId),
        i.map((x) => x.result),
        i.map((x) => x.note),
        i.map((x) => x.followUp),
        i.map((x) => x.jointWithPolice),
      ],
    );
  });

  const gridEntrances = await step("drew the published 2022 plan", async () => {
    const units = await q(
      `select p.id, p.community_code, coalesce(e.households, 0) households, p.entrance_id, p.building_id,
         p.compound_id, p.block_id, ST_X(c.g) x, ST_Y(c.g) y
       from parcel p
       join community cm on cm.code = p.community_code and cm.subdistrict_code = $1
       left join entrance e on e.id = p.entrance_id
       cross join lateral (select ST_Transform(ST_Centroid(p.geom), $2::int) g) c
       order by p.id`,
      [code, srid],
    );
    const edges = await q(
      `select e.a, e.b, e.length_m from parcel_edge e
       join community cm on cm.code = e.community_code and cm.subdistrict_code = $1`,
      [code],
    );
    const planUnits: PlanUnit[] = units.rows.map((r) => ({
      id: r.id,
      communityCode: r.community_code,
      households: r.households,
      buildingId: r.building_id,
      compoundId: r.compound_id,
      blockId: r.block_id,
      x: r.x,
      y: r.y,
    }));
    const planEdges: PlanEdge[] = edges.rows.map((r) => ({ a: r.a, b: r.b, sharedM: r.length_m }));
    const seqs = drawPlan(
      planUnits,
      planEdges,
      new Map(data.communities.map((c) => [c.code, c.grids])),
      new Rng(data.seed).fork("plan"),
    );
    const plan = await q(
      `insert into plan (subdistrict_code, name, status, owner, created_at, updated_at, valid_from)
       values ($1, $2, 'published', $3, $4, $4, $4) returning id`,
      [code, DEMO_PLAN_NAME, `${data.subdistrict.name}综治中心`, `${PLAN_VALID_FROM}T09:00:00+08:00`],
    );
    const planId: number = plan.rows[0].id;
    const grids = data.communities.flatMap((c) =>
      Array.from({ length: c.grids }, (_, k) => ({
        code: gridCode(c.code, k + 1),
        community: c.code,
        name: `${c.name}第${k + 1}网格`,
      })),
    );
    const rows = units.rows.map((r) => ({ ...r, grid: gridCode(r.community_code, seqs.get(r.id)!) }));
    await insertGrids(client, planId, grids, rows);
    const byGrid = new Map<string, number[]>();
    for (const r of rows) {
      if (r.entrance_id === null || r.households === 0) continue;
      byGrid.set(r.grid, [...(byGrid.get(r.grid) ?? []), r.entrance_id]);
    }
    return byGrid;
  });

  const visitCount = await step("90 days of visits", async () => {
    const visits = buildVisits(
      data.workers,
      data.assignments,
      gridEntrances,
      data.today,
      new Rng(data.seed).fork("visits"),
    );
    await q(
      `insert into visit (worker_id, entrance_id, visited_on, note)
       select u.worker_id + $1, u.entrance_id, u.visited_on, u.note
       from unnest($2::int[], $3::int[], $4::date[], $5::text[]) with ordinality
         u(worker_id, entrance_id, visited_on, note, n) order by u.n`,
      [
        offsets.worker,
        visits.map((v) => v.workerId),
        visits.map((v) => v.entranceId),
        visits.map((v) => v.visitedOn),
        visits.map((v) => v.note),
      ],
    );
    return visits.length;
  });
  return {
    buildings: data.buildings.length,
    households: data.entrances.reduce((sum, x) => sum + x.households, 0),
    parcels: built.parcels,
    grids: data.communities.reduce((sum, c) => sum + c.grids, 0),
    visits: visitCount,
  };
}

/** The largest id each table holds now (0 when empty): the demo's own ids are added to it. */
async function maxIds<T extends string>(client: pg.Client, tables: readonly T[]): Promise<Record<T, number>> {
  const out = {} as Record<T, number>;
  for (const t of tables) {
    const r = await client.query(`select coalesce(max(id), 0)::int as max from ${t}`);
    out[t] = r.rows[0].max;
  }
  return out;
}
