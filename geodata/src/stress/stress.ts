import pg from "pg";
import { addDays } from "../demo/dates.ts";
import { TODAY } from "../demo/generate.ts";
import { Rng } from "../demo/random.ts";

/**
 * A stress set for the leader's map (issue 7): the demo's venues and hazards, `factor` times over. Every demo venue
 * gets `factor - 1` copies at random points of built parcels of its own community, each with the demo venue's
 * inspections shifted by a few days; every demo hazard gets `factor - 1` copies, at the copy of its venue when it
 * has one (else at a random built parcel of its community), with its whole history shifted by the same number of
 * days, never past the demo's last day. Seeded: one seed, one data set (points from ST_GeneratePoints with a seed
 * drawn from the stream). Written in one transaction into a database that holds the demo and no stress set yet.
 */
export type StressOptions = { factor: number; seed: number; log?: (msg: string) => void };
export type StressCounts = { venues: number; inspections: number; hazards: number; transitions: number };

/** Names of copies end with this mark, which also tells a database that already holds a stress set. */
const MARK = "·压测";

/** The first instant after the demo's last day, CST: no copied event may fall after it. */
const DEMO_END_MS = Date.parse(`${addDays(TODAY, 1)}T00:00:00+08:00`);

export async function addStress(databaseUrl: string, opts: StressOptions): Promise<StressCounts> {
  const { factor, seed } = opts;
  const log = opts.log ?? (() => {});
  if (!Number.isInteger(factor) || factor < 2 || factor > 1000) throw new Error("factor must be an integer in 2…1000");
  const client = new pg.Client({ connectionString: databaseUrl });
  client.on("error", (err) => log(`database connection lost: ${err.message}`));
  await client.connect();
  const started = performance.now();
  try {
    await client.query("begin");
    await client.query("set local jit = off");
    const marked = await client.query("select 1 from venue where name like $1 limit 1", [`%${MARK}%`]);
    if (marked.rowCount) throw new Error("this database already holds a stress set / 该数据库已有压测数据");
    const counts = await write(client, factor, new Rng(seed).fork("stress"), log);
    await client.query("commit");
    await client.query("analyze venue, inspection, hazard, hazard_transition");
    log(`stress set ×${factor} written in ${((performance.now() - started) / 1000).toFixed(1)} s`);
    return counts;
  } catch (err) {
    await client.query("rollback").catch(() => {});
    throw err;
  } finally {
    await client.end();
  }
}

type VenueRow = { id: number; community_code: string; category: string; name: string; address: string | null };
type InspectionRow = {
  venue_id: number;
  inspected_on: string;
  inspector_id: number | null;
  result: string;
  note: string | null;
  follow_up: string | null;
  joint_with_police: boolean;
};
type HazardRow = {
  id: number;
  community_code: string;
  venue_id: number | null;
  category: string;
  severity: string;
  status: string;
  title: string;
  note: string | null;
  reported_at: Date;
};
type TransitionRow = {
  hazard_id: number;
  from_status: string | null;
  to_status: string;
  at: Date;
  actor: string;
  note: string | null;
};

async function write(client: pg.Client, factor: number, rng: Rng, log: (msg: string) => void): Promise<StressCounts> {
  const q = <R extends pg.QueryResultRow>(text: string, values: unknown[] = []) => client.query<R>(text, values);
  const venues = (await q<VenueRow>("select id, community_code, category, name, address from venue order by id")).rows;
  const inspections = (
    await q<InspectionRow>(
      `select venue_id, inspected_on::text, inspector_id, result, note, follow_up, joint_with_police
       from inspection order by venue_id, inspected_on, id`,
    )
  ).rows;
  const hazards = (
    await q<HazardRow>(
      `select id, community_code, venue_id, category, severity, status, title, note, reported_at
       from hazard order by id`,
    )
  ).rows;
  const transitions = (
    await q<TransitionRow>(
      "select hazard_id, from_status, to_status, at, actor, note from hazard_transition order by hazard_id, at, id",
    )
  ).rows;
  const parcels = new Map<string, number[]>();
  for (const r of (
    await q<{ id: number; community_code: string }>(
      "select id, community_code from parcel where building_id is not null order by id",
    )
  ).rows) {
    parcels.set(r.community_code, [...(parcels.get(r.community_code) ?? []), r.id]);
  }
  const byVenue = groupBy(inspections, (i) => i.venue_id);
  const byHazard = groupBy(transitions, (t) => t.hazard_id);
  const copies = factor - 1;
  const ids = async (table: string, n: number) =>
    (
      await q<{ id: number }>(
        `select nextval(pg_get_serial_sequence('${table}', 'id'))::int as id from generate_series(1, $1)`,
        [n],
      )
    ).rows.map((r) => r.id);

  // Venues: copy k of demo venue i has id venueIds[k * venues.length + i].
  const venueIds = await ids("venue", venues.length * copies);
  const v = {
    id: [] as number[],
    community: [] as string[],
    parcel: [] as number[],
    category: [] as string[],
    name: [] as string[],
    address: [] as (string | null)[],
    seed: [] as number[],
  };
  const copyOfVenue = new Map<string, number>();
  for (let k = 0; k < copies; k++) {
    for (const [i, t] of venues.entries()) {
      const id = venueIds[k * venues.length + i]!;
      copyOfVenue.set(`${t.id}:${k}`, id);
      v.id.push(id);
      v.community.push(t.community_code);
      v.parcel.push(rng.pick(parcels.get(t.community_code) ?? []));
      v.category.push(t.category);
      v.name.push(`${t.name}${MARK}${k + 1}`);
      v.address.push(t.address);
      v.seed.push(rng.int(1, 2_000_000_000));
    }
  }
  await q(
    `insert into venue (id, community_code, parcel_id, category, name, address, geom) overriding system value
     select u.id, u.community, u.parcel, u.category, u.name, u.address,
       coalesce(ST_GeometryN(ST_GeneratePoints(pa.geom, 1, u.seed), 1), ST_PointOnSurface(pa.geom))
     from unnest($1::int[], $2::text[], $3::int[], $4::text[], $5::text[], $6::text[], $7::int[])
       u(id, community, parcel, category, name, address, seed)
     join parcel pa on pa.id = u.parcel
     order by u.id`,
    [v.id, v.community, v.parcel, v.category, v.name, v.address, v.seed],
  );
  log(`${v.id.length} venues`);

  const ins = {
    venue: [] as number[],
    on: [] as string[],
    inspector: [] as (number | null)[],
    result: [] as string[],
    note: [] as (string | null)[],
    followUp: [] as (string | null)[],
    joint: [] as boolean[],
  };
  for (let k = 0; k < copies; k++) {
    for (const t of venues) {
      const shift = rng.int(-15, 15);
      for (const i of byVenue.get(t.id) ?? []) {
        const on = addDays(i.inspected_on, shift);
        ins.venue.push(copyOfVenue.get(`${t.id}:${k}`)!);
        // biome-ignore lint/complexity/useMathMinMax: days as YYYY-MM-DD text, compared as text.
        ins.on.push(on > TODAY ? TODAY : on);
        ins.inspector.push(i.inspector_id);
        ins.result.push(i.result);
        ins.note.push(i.note);
        ins.followUp.push(i.follow_up);
        ins.joint.push(i.joint_with_police);
      }
    }
  }
  await q(
    `insert into inspection (venue_id, inspected_on, inspector_id, result, note, follow_up, joint_with_police)
     select * from unnest($1::int[], $2::date[], $3::int[], $4::text[], $5::text[], $6::text[], $7::bool[])`,
    [ins.venue, ins.on, ins.inspector, ins.result, ins.note, ins.followUp, ins.joint],
  );
  log(`${ins.venue.length} inspections`);

  const hazardIds = await ids("hazard", hazards.length * copies);
  const h = {
    id: [] as number[],
    community: [] as string[],
    parcel: [] as (number | null)[],
    venue: [] as (number | null)[],
    category: [] as string[],
    severity: [] as string[],
    status: [] as string[],
    title: [] as string[],
    note: [] as (string | null)[],
    reportedAt: [] as string[],
    seed: [] as number[],
  };
  const tr = {
    hazard: [] as number[],
    from: [] as (string | null)[],
    to: [] as string[],
    at: [] as string[],
    actor: [] as string[],
    note: [] as (string | null)[],
  };
  const DAY_MS = 86_400_000;
  for (let k = 0; k < copies; k++) {
    for (const [i, t] of hazards.entries()) {
      const id = hazardIds[k * hazards.length + i]!;
      const history = byHazard.get(t.id) ?? [];
      const last = Math.max(t.reported_at.getTime(), ...history.map((x) => x.at.getTime()));
      // Shifted by whole days, earlier or later, but never past the demo's last day.
      const latest = Math.floor((DEMO_END_MS - 1 - last) / DAY_MS);
      const shiftMs = Math.min(rng.int(-30, 30), latest) * DAY_MS;
      const venue = t.venue_id === null ? null : (copyOfVenue.get(`${t.venue_id}:${k}`) ?? null);
      h.id.push(id);
      h.community.push(t.community_code);
      h.parcel.push(venue === null ? rng.pick(parcels.get(t.community_code) ?? []) : null);
      h.venue.push(venue);
      h.category.push(t.category);
      h.severity.push(t.severity);
      h.status.push(t.status);
      h.title.push(t.title);
      h.note.push(t.note);
      h.reportedAt.push(new Date(t.reported_at.getTime() + shiftMs).toISOString());
      h.seed.push(rng.int(1, 2_000_000_000));
      for (const x of history) {
        tr.hazard.push(id);
        tr.from.push(x.from_status);
        tr.to.push(x.to_status);
        tr.at.push(new Date(x.at.getTime() + shiftMs).toISOString());
        tr.actor.push(x.actor);
        tr.note.push(x.note);
      }
    }
  }
  // A hazard found at a venue stands at the venue's copy, on its parcel; the others at a point of their parcel.
  await q(
    `insert into hazard (id, community_code, parcel_id, venue_id, category, severity, status, title, note, geom, reported_at)
     overriding system value
     select u.id, u.community, coalesce(v.parcel_id, u.parcel), u.venue, u.category, u.severity, u.status, u.title, u.note,
       coalesce(v.geom, ST_GeometryN(ST_GeneratePoints(pa.geom, 1, u.seed), 1), ST_PointOnSurface(pa.geom)), u.reported_at
     from unnest($1::int[], $2::text[], $3::int[], $4::int[], $5::text[], $6::text[], $7::text[], $8::text[], $9::text[],
                 $10::timestamptz[], $11::int[])
       u(id, community, parcel, venue, category, severity, status, title, note, reported_at, seed)
     left join venue v on v.id = u.venue
     left join parcel pa on pa.id = u.parcel
     order by u.id`,
    [h.id, h.community, h.parcel, h.venue, h.category, h.severity, h.status, h.title, h.note, h.reportedAt, h.seed],
  );
  await q(
    `insert into hazard_transition (hazard_id, from_status, to_status, at, actor, note)
     select * from unnest($1::int[], $2::text[], $3::text[], $4::timestamptz[], $5::text[], $6::text[])`,
    [tr.hazard, tr.from, tr.to, tr.at, tr.actor, tr.note],
  );
  log(`${h.id.length} hazards, ${tr.hazard.length} transitions`);
  return { venues: v.id.length, inspections: ins.venue.length, hazards: h.id.length, transitions: tr.hazard.length };
}

function groupBy<T, K>(items: readonly T[], key: (item: T) => K): Map<K, T[]> {
  const out = new Map<K, T[]>();
  for (const item of items) {
    const k = key(item);
    const list = out.get(k);
    if (list) list.push(item);
    else out.set(k, [item]);
  }
  return out;
}
