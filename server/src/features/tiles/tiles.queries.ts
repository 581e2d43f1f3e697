import { sql } from "kysely";
import { type Db, poolOf } from "../../db/db.ts";
import { type LayerName, TILE_LAYERS, type TileScope } from "./tiles.layers.ts";

/** The version of every tile layer, as the database holds it now. */
export async function readVersions(db: Db): Promise<Record<LayerName, number>> {
  const rows = await db.selectFrom("tile_layer").select(["layer", "version"]).execute();
  return Object.fromEntries(rows.map((r) => [r.layer, Number(r.version)])) as Record<LayerName, number>;
}

/**
 * Renders one tile and reads the layer's version in the same statement, so the version says exactly which data
 * the tile was drawn from (on a replica too, where both may lag the primary together). The layer name comes from
 * the allow-list `TILE_LAYERS`, never from the request as such. A prepared statement per layer, sent on the pool
 * itself (Kysely prepares nothing): PostgreSQL parses and plans it once per connection instead of for every tile.
 */
export async function renderTile(
  db: Db,
  layer: LayerName,
  z: number,
  x: number,
  y: number,
  scope: TileScope,
): Promise<{ version: number; tile: Uint8Array }> {
  if (!(layer in TILE_LAYERS)) throw new Error(`no tile layer ${layer}`);
  const basemap = TILE_LAYERS[layer].scope === "basemap";
  const call = basemap
    ? `${layer}_tile($2::int, $3::int, $4::int)`
    : `${layer}_tile($2::int, $3::int, $4::int, $5::text[], $6::text[])`;
  const r = await poolOf(db).query<{ version: number; tile: Buffer }>({
    name: `tile_${layer}`,
    text: `select (select version from tile_layer where layer = $1) as version, ${call} as tile`,
    values: basemap ? [layer, z, x, y] : [layer, z, x, y, scope.communities, scope.grids],
  });
  const row = r.rows[0];
  if (!row) throw new Error(`tile layer ${layer} has no version row`);
  return {
    version: Number(row.version),
    tile: new Uint8Array(row.tile.buffer, row.tile.byteOffset, row.tile.byteLength),
  };
}

/**
 * Recomputes the low-zoom summaries (per grid of the published plan, per community) of every community. The
 * triggers keep them in step with every change; this is for bulk loads that bypass nothing but want them fresh.
 * It also moves the data version of the answer cache, which loads with `gridatlas.tile_bump = off` skipped too.
 */
export async function refreshTileLayers(db: Db): Promise<void> {
  await sql`select tile_refresh(array(select code from community))`.execute(db);
  await sql`select tile_bump(array(select layer from tile_layer))`.execute(db);
  await sql`select data_bump_all()`.execute(db);
}
