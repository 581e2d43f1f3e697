import pg from "pg";
import { ID_TABLES, type IdOffsets, insertDataset, type Step } from "../demo/load.ts";
import type { DemoDataset } from "../demo/types.ts";
import { type CitySubdistrict, readManifest, readSubdistrict } from "./generate.ts";

/**
 * Ids of subdistrict i are i × stride + the demo's own id, so parallel loaders never collide and a rerun of one
 * subdistrict writes the same ids. The strides hold several times what one demo subdistrict has.
 */
const STRIDE: IdOffsets = {
  compound: 1_000,
  building: 10_000,
  entrance: 20_000,
  worker: 2_000,
  venue: 2_000,
  hazard: 1_000,
};
type Offsets = IdOffsets;

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
      for (const table of ID_TABLES) {
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
    // bumped (tile_bump in migrations/R__tile_versions.sql). The load-city command bumps every layer at the end.
    await client.query("set local gridatlas.tile_bump = off");
    const summary = await insertSubdistrict(client, data, offsets);
    await client.query("commit");
    return summary;
  } catch (err) {
    await client.query("rollback");
    throw new Error(`${entry.code}: ${(err as Error).message}`);
  }
}

/** One subdistrict, quietly (the caller logs one line per subdistrict), with the demo loader's own insertion. */
async function insertSubdistrict(client: pg.Client, data: DemoDataset, off: Offsets): Promise<string> {
  const quiet: Step = (_label, fn) => fn();
  const r = await insertDataset(client, data, off, quiet, () => {});
  return `${r.buildings} buildings, ${r.households} households, ${r.parcels} parcels, ${r.grids} grids, ${r.visits} visits`;
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
