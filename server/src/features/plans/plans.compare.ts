import { sql } from "kysely";
import type { Db } from "../../db/db.ts";
import { gridFigures } from "./plans.queries.ts";

export type Transfer = {
  parcel_id: number;
  community_code: string;
  building: string | null;
  compound: string | null;
  entrance: number | null;
  households: number;
  from_grid: string | null;
  to_grid: string | null;
};

/** Every parcel whose grid differs between plan a and plan b: the 划转清单. */
export async function transfers(db: Db, a: number, b: number): Promise<Transfer[]> {
  const r = await sql<Transfer>`
    select pa.id as parcel_id, pa.community_code, bu.name as building, k.name as compound, e.seq as entrance,
      coalesce(e.households, 0)::int as households, ga.code as from_grid, gb.code as to_grid
    from parcel pa
    left join plan_parcel xa on xa.plan_id = ${a} and xa.parcel_id = pa.id left join grid ga on ga.id = xa.grid_id
    left join plan_parcel xb on xb.plan_id = ${b} and xb.parcel_id = pa.id left join grid gb on gb.id = xb.grid_id
    left join entrance e on e.id = pa.entrance_id
    left join building bu on bu.id = pa.building_id
    left join compound k on k.id = pa.compound_id
    where (xa.parcel_id is not null or xb.parcel_id is not null) and ga.code is distinct from gb.code
    order by ga.code, gb.code, k.name, bu.name, e.seq, pa.id`.execute(db);
  return r.rows;
}

export async function comparePlans(db: Db, a: number, b: number) {
  const rows = await transfers(db, a, b);
  const [ga, gb] = await Promise.all([gridFigures(db, a), gridFigures(db, b)]);
  const codesA = new Map(ga.map((g) => [g.code, g]));
  const codesB = new Map(gb.map((g) => [g.code, g]));
  const flows = new Map<
    string,
    { from: string | null; to: string | null; parcels: number; households: number; buildings: Set<string> }
  >();
  for (const t of rows) {
    const key = `${t.from_grid}>${t.to_grid}`;
    const f = flows.get(key) ?? {
      from: t.from_grid,
      to: t.to_grid,
      parcels: 0,
      households: 0,
      buildings: new Set<string>(),
    };
    f.parcels++;
    f.households += t.households;
    if (t.building) f.buildings.add(`${t.compound ?? ""}${t.building}`);
    flows.set(key, f);
  }
  const changed = new Set(rows.flatMap((t) => [t.from_grid, t.to_grid]).filter((c): c is string => !!c));
  return {
    a,
    b,
    grids: {
      added: [...codesB.keys()].filter((c) => !codesA.has(c)),
      removed: [...codesA.keys()].filter((c) => !codesB.has(c)),
      changed: [...changed]
        .filter((c) => codesA.has(c) && codesB.has(c))
        .sort()
        .map((c) => ({ code: c, households_a: codesA.get(c)!.households, households_b: codesB.get(c)!.households })),
    },
    flows: [...flows.values()].map((f) => ({
      from: f.from,
      to: f.to,
      parcels: f.parcels,
      households: f.households,
      buildings: f.buildings.size,
    })),
    parcels: rows.map((t) => t.parcel_id),
    totals: {
      parcels: rows.length,
      households: rows.reduce((n, t) => n + t.households, 0),
      buildings: new Set(rows.filter((t) => t.building).map((t) => `${t.compound ?? ""}${t.building}`)).size,
    },
  };
}
