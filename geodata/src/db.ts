import type pg from "pg";

/** One database connection, as pg.Client has it; the server adapts a Kysely connection to it. */
export interface SqlClient {
  query<R extends pg.QueryResultRow = Record<string, unknown>>(
    text: string,
    values?: unknown[],
  ): Promise<{ rows: R[]; rowCount: number | null }>;
}

/**
 * Writes a plan's grids, in the order given, and the parcels of each (`grid` is its code); each grid's polygon is
 * the union of its parcels.
 */
export async function insertGrids(
  client: SqlClient,
  planId: number,
  grids: readonly { code: string; community: string; name: string }[],
  parcels: readonly { id: number; grid: string }[],
): Promise<void> {
  await client.query(
    `insert into grid (plan_id, code, community_code, name)
     select $1, u.code, u.community_code, u.name
     from unnest($2::text[], $3::text[], $4::text[]) with ordinality u(code, community_code, name, n) order by u.n`,
    [planId, grids.map((g) => g.code), grids.map((g) => g.community), grids.map((g) => g.name)],
  );
  await client.query(
    `insert into plan_parcel (plan_id, parcel_id, grid_id, community_code)
     select $1, u.parcel_id, g.id, g.community_code
     from unnest($2::int[], $3::text[]) u(parcel_id, grid_code)
     join grid g on g.plan_id = $1 and g.code = u.grid_code`,
    [planId, parcels.map((p) => p.id), parcels.map((p) => p.grid)],
  );
  await client.query(
    `update grid g set geom = u.geom
     from (
       select pp.grid_id, ST_Multi(ST_Union(p.geom)) geom
       from plan_parcel pp join parcel p on p.id = pp.parcel_id
       where pp.plan_id = $1 group by pp.grid_id
     ) u
     where u.grid_id = g.id`,
    [planId],
  );
}
