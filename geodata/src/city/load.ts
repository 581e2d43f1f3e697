import pg from "pg";
import { DEMO_PLAN_NAME } from "../demo/load.ts";
import { drawPlan, type PlanEdge, type PlanUnit } from "../demo/plan.ts";
import { Rng } from "../demo/random.ts";
import { gridCode, PLAN_VALID_FROM } from "../demo/staff.ts";
import type { DemoDataset } from "../demo/types.ts";
import { buildVisits } from "../demo/visits.ts";
import { type CitySubdistrict, readManifest, readSubdistrict } from "./generate.ts";

/**
 * Ids of subdistrict i are i × stride + the demo's own id, so parallel loaders never collide and a rerun of one
 * subdistrict writes the same ids. The strides hold several times what one demo subdistrict has.
 */
const STRIDE = { compound: 1_000, building: 10_000, entrance: 20_000, worker: 2_000, venue: 2_000, hazard: 1_000 };
type Offsets = { [K in keyof typeof STRIDE]: number };

export type LoadCityOptions = {
  dir: string;
  /** Connections loading subdistricts side by side (each subdistrict is one transaction on one connection). */
  parallel: number;
  log: (msg: string) => void;
};

/**
 * Loads a city written by `writeCity` into `databaseUrl` (migrated, holding nothing or part of this city):
 * subdistricts already there are skipped, so an interrupted load goes on where it stopped. Each subdistrict is
 * one transaction — territory, buildings, entrance sections, places, `build_territory`, staff, the published plan
 * drawn over its parcels, 90 days of visits — and `parallel` of them run at once. Logs progress with an ETA.
 */
export async function loadCity(databaseUrl: string, opts: LoadCityOptions): Promise<{ loaded: number; s: number }> {
  const manifest = readManifest(opts.dir);
  const admin = new pg.Client({ connectionString: databaseUrl });
  await admin.connect();
  const present = new Set(
    (await admin.query<{ code: string }>("select code from subdistrict")).rows.map((r) => r.code),
  );
  await admin.end();
  const todo = manifest.subdistricts.filter((s) => !present.has(s.code));
  opts.log(`${manifest.subdistricts.length} subdistricts in ${opts.dir}; ${present.size} loaded, ${todo.length} to go`);
  const started = performance.now();
  let next = 0;
  let done = 0;
  const worker = async () => {
    const client = new pg.Client({ connectionString: databaseUrl });
    client.on("error", (err) => opts.log(`database connection lost: ${err.message}`));
    await client.connect();
    try {
      for (;;) {
        const entry = todo[next++];
        if (!entry) return;
        const t = performance.now();
        const summary = await loadSubdistrict(client, readSubdistrict(opts.dir, entry), entry);
        done++;
        const elapsed = (performance.now() - started) / 1000;
        const eta = (elapsed / done) * (todo.length - done);
        opts.log(
          `${entry.code}: ${summary} in ${((performance.now() - t) / 1000).toFixed(1)} s — ${done}/${todo.length}, ` +
            `${elapsed.toFixed(0)} s so far, about ${eta.toFixed(0)} s to go`,
        );
      }
    } finally {
      await client.end();
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, opts.parallel) }, worker));
  const s = (performance.now() - started) / 1000;
  if (todo.length) {
    const client = new pg.Client({ connectionString: databaseUrl });
    await client.connect();
    try {
      for (const table of ["compound", "building", "entrance", "worker", "venue", "hazard"]) {
        await client.query(`select setval(pg_get_serial_sequence('${table}', 'id'), (select max(id) from ${table}))`);
      }
      await client.query("analyze");
    } finally {
      await client.end();
    }
  }
  return { loaded: todo.length, s };
}

async function loadSubdistrict(client: pg.Client, data: DemoDataset, entry: CitySubdistrict): Promise<string> {
  const offsets = Object.fromEntries(Object.entries(STRIDE).map(([k, stride]) => [k, entry.index * stride])) as Offsets;
  const sizes: Offsets = {
    compound: data.compounds.length,
    building: data.buildings.length,
    entrance: data.entrances.length,
    worker: data.workers.length,
    venue: data.venues.length,
    hazard: data.hazards.length,
  };
  for (const [k, n] of Object.entries(sizes)) {
    if (n >= STRIDE[k as keyof Offsets]) throw new Error(`${entry.code}: ${n} ${k} rows overflow the id stride`);
  }
  await client.query("begin");
  try {
    // Large one-off queries whose JIT compilation costs more than it saves (as in the demo loader).
    await client.query("set local jit = off");
    // Subdistricts load side by side: without this every one would wait on the tile_layer rows the one before
    // bumped (migrations/20261127010300_tile_bump_bulk.sql). The load-city command bumps every layer at the end.
    await client.query("set local gridatlas.tile_bump = off");
    const summary = await insertSubdistrict(client, data, offsets);
    await client.query("commit");
    return summary;
  } catch (err) {
    await client.query("rollback");
    throw new Error(`${entry.code}: ${(err as Error).message}`);
  }
}

async function insertSubdistrict(client: pg.Client, data: DemoDataset, off: Offsets): Promise<string> {
  const q = (text: string, values: unknown[] = []) => client.query(text, values);
  const json = (g: unknown) => JSON.stringify(g);
  const code = data.subdistrict.code;
  const srid = data.subdistrict.metricSrid;
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
  await q(
    `insert into road (subdistrict_code, class, name, geom)
     select $1, u.class, u.name, ST_SetSRID(ST_GeomFromGeoJSON(u.g), 4326)
     from unnest($2::text[], $3::text[], $4::text[]) with ordinality u(class, name, g, n) order by u.n`,
    [code, data.roads.map((x) => x.class), data.roads.map((x) => x.name), data.roads.map((x) => json(x.geom))],
  );
  await q(
    `insert into water (subdistrict_code, kind, name, geom)
     select $1, u.kind, u.name, ST_SetSRID(ST_GeomFromGeoJSON(u.g), 4326)
     from unnest($2::text[], $3::text[], $4::text[]) u(kind, name, g)`,
    [code, data.water.map((x) => x.kind), data.water.map((x) => x.name), data.water.map((x) => json(x.geom))],
  );
  const k = data.compounds;
  await q(
    `insert into compound (id, community_code, name, kind, geom, gates) overriding system value
     select u.id + $1, u.community_code, u.name, u.kind,
       ST_SetSRID(ST_GeomFromGeoJSON(u.g), 4326), ST_SetSRID(ST_GeomFromGeoJSON(u.gates), 4326)
     from unnest($2::int[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[])
       u(id, community_code, name, kind, g, gates)`,
    [
      off.compound,
      k.map((x) => x.id),
      k.map((x) => x.communityCode),
      k.map((x) => x.name),
      k.map((x) => x.kind),
      k.map((x) => json(x.geom)),
      k.map((x) => json(x.gates)),
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
      off.building,
      off.compound,
      b.map((x) => x.id),
      b.map((x) => x.communityCode),
      b.map((x) => x.compoundId),
      b.map((x) => x.kind),
      b.map((x) => x.name),
      b.map((x) => x.floors),
      b.map((x) => json(x.geom)),
    ],
  );
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
      off.building,
      e.map((x) => x.id),
      e.map((x) => x.buildingId),
      e.map((x) => x.seq),
      e.map((x) => x.households),
      e.map((x) => x.geom.coordinates[0]),
      e.map((x) => x.geom.coordinates[1]),
      off.entrance,
    ],
  );
  if (inserted.rowCount !== e.length) {
    throw new Error(`only ${inserted.rowCount} of ${e.length} entrance doors fall inside a section of their building`);
  }
  const v = data.venues;
  await q(
    `insert into venue (id, community_code, category, name, address, geom) overriding system value
     select u.id + $1, u.community_code, u.category, u.name, u.address, ST_SetSRID(ST_MakePoint(u.lng, u.lat), 4326)
     from unnest($2::int[], $3::text[], $4::text[], $5::text[], $6::text[], $7::float8[], $8::float8[])
       u(id, community_code, category, name, address, lng, lat)`,
    [
      off.venue,
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
      off.hazard,
      off.venue,
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
      off.hazard,
      t.map((x) => x.hazardId),
      t.map((x) => x.fromStatus),
      t.map((x) => x.toStatus),
      t.map((x) => x.at),
      t.map((x) => x.actor),
      t.map((x) => x.note),
    ],
  );
  const cam = data.cameras;
  await q(
    `insert into camera (community_code, name, type, status, bearing_deg, view_width_deg, range_m, mount_height_m,
       defaulted, site, geom)
     select null, u.name, u.type, u.status, u.bearing, u.width, u.range, u.height,
       coalesce(string_to_array(nullif(u.defaulted, ''), ','), '{}'), u.site, ST_SetSRID(ST_MakePoint(u.lng, u.lat), 4326)
     from unnest($1::text[], $2::text[], $3::text[], $4::float8[], $5::float8[], $6::float8[], $7::float8[],
       $8::text[], $9::text[], $10::float8[], $11::float8[]) with ordinality
       u(name, type, status, bearing, width, range, height, defaulted, site, lng, lat, n)
     order by u.n`,
    [
      cam.map((x) => x.name),
      cam.map((x) => x.type),
      cam.map((x) => x.status),
      cam.map((x) => x.bearingDeg),
      cam.map((x) => x.viewWidthDeg),
      cam.map((x) => x.rangeM),
      cam.map((x) => x.mountHeightM),
      cam.map((x) => x.defaulted.join(",")),
      cam.map((x) => x.site),
      cam.map((x) => x.geom.coordinates[0]),
      cam.map((x) => x.geom.coordinates[1]),
    ],
  );

  const built = (await q("select build_territory($1) as summary", [code])).rows[0].summary as { parcels: number };

  const w = data.workers;
  await q(
    `insert into worker (id, community_code, role, name, phone, started_on) overriding system value
     select u.id + $1, u.community_code, u.role, u.name, u.phone, u.started_on
     from unnest($2::int[], $3::text[], $4::text[], $5::text[], $6::text[], $7::date[])
       u(id, community_code, role, name, phone, started_on)`,
    [
      off.worker,
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
    [off.worker, a.map((x) => x.workerId), a.map((x) => x.gridCode), a.map((x) => x.assignedOn)],
  );
  const i = data.inspections;
  await q(
    `insert into inspection (venue_id, inspected_on, inspector_id, result, note, follow_up, joint_with_police)
     select u.venue_id + $1, u.inspected_on, u.inspector_id + $2, u.result, u.note, u.follow_up, u.joint
     from unnest($3::int[], $4::date[], $5::int[], $6::text[], $7::text[], $8::text[], $9::bool[]) with ordinality
       u(venue_id, inspected_on, inspector_id, result, note, follow_up, joint, n) order by u.n`,
    [
      off.venue,
      off.worker,
      i.map((x) => x.venueId),
      i.map((x) => x.inspectedOn),
      i.map((x) => x.inspectorId),
      i.map((x) => x.result),
      i.map((x) => x.note),
      i.map((x) => x.followUp),
      i.map((x) => x.jointWithPolice),
    ],
  );

  // The published plan, drawn over the parcels PostGIS just built (as the demo loader does).
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
  const grids = data.communities.flatMap((cm) =>
    Array.from({ length: cm.grids }, (_, n) => ({
      code: gridCode(cm.code, n + 1),
      community: cm.code,
      name: `${cm.name}第${n + 1}网格`,
    })),
  );
  await q(
    `insert into grid (plan_id, code, community_code, name)
     select $1, u.code, u.community_code, u.name
     from unnest($2::text[], $3::text[], $4::text[]) with ordinality u(code, community_code, name, n) order by u.n`,
    [planId, grids.map((g) => g.code), grids.map((g) => g.community), grids.map((g) => g.name)],
  );
  const rows = units.rows.map((r) => ({ ...r, grid: gridCode(r.community_code, seqs.get(r.id)!) }));
  await q(
    `insert into plan_parcel (plan_id, parcel_id, grid_id, community_code)
     select $1, u.parcel_id, g.id, g.community_code
     from unnest($2::int[], $3::text[]) u(parcel_id, grid_code)
     join grid g on g.plan_id = $1 and g.code = u.grid_code`,
    [planId, rows.map((r) => r.id), rows.map((r) => r.grid)],
  );
  await q(
    `update grid g set geom = u.geom
     from (
       select pp.grid_id, ST_Multi(ST_Union(p.geom)) geom
       from plan_parcel pp join parcel p on p.id = pp.parcel_id
       where pp.plan_id = $1 group by pp.grid_id
     ) u
     where u.grid_id = g.id`,
    [planId],
  );
  const byGrid = new Map<string, number[]>();
  for (const r of rows) {
    if (r.entrance_id === null || r.households === 0) continue;
    byGrid.set(r.grid, [...(byGrid.get(r.grid) ?? []), r.entrance_id]);
  }
  const visits = buildVisits(data.workers, data.assignments, byGrid, data.today, new Rng(data.seed).fork("visits"));
  await q(
    `insert into visit (worker_id, entrance_id, visited_on, note)
     select u.worker_id + $1, u.entrance_id, u.visited_on, u.note
     from unnest($2::int[], $3::int[], $4::date[], $5::text[]) with ordinality
       u(worker_id, entrance_id, visited_on, note, n) order by u.n`,
    [
      off.worker,
      visits.map((x) => x.workerId),
      visits.map((x) => x.entranceId),
      visits.map((x) => x.visitedOn),
      visits.map((x) => x.note),
    ],
  );
  const households = e.reduce((sum, x) => sum + x.households, 0);
  return `${b.length} buildings, ${households} households, ${built.parcels} parcels, ${grids.length} grids, ${visits.length} visits`;
}

/**
 * One account per role for the city, all with the same password hash (hashed once by the caller: scrypt for
 * thousands of accounts would take minutes): admin, planner, leader, secretary-<community code> for every
 * community, worker-<n> for every grid worker. Does nothing when any account exists.
 */
export async function createCityAccounts(databaseUrl: string, passwordHash: string): Promise<number> {
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    if ((await client.query("select 1 from account limit 1")).rowCount) return 0;
    await client.query("begin");
    await client.query(
      `with a as (
         select username, display_name, role, community_code, worker_id from (
           values ('admin', '系统管理员', 'admin', null::text, null::int),
                  ('planner', '规划员', 'planner', null, null),
                  ('leader', '领导', 'leader', null, null)
         ) v(username, display_name, role, community_code, worker_id)
         union all
         select 'secretary-' || code, name || '书记', 'secretary', code, null from community
         union all
         select 'worker-' || row_number() over (order by id), name, 'worker', null, id
         from worker where role = 'grid_worker' and retired_on is null
       ), ins as (
         insert into account (username, display_name, password_hash, must_change_password)
         select username, display_name, $1, false from a
         returning id, username
       )
       insert into account_role (account_id, role, community_code, worker_id)
       select ins.id, a.role, a.community_code, a.worker_id from ins join a using (username)`,
      [passwordHash],
    );
    const n = (await client.query("select count(*)::int n from account")).rows[0].n as number;
    await client.query("commit");
    return n;
  } catch (err) {
    await client.query("rollback");
    throw err;
  } finally {
    await client.end();
  }
}
