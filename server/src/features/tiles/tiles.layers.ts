import { type Principal, readsEverything } from "../../auth/principal.ts";

/**
 * How a layer is narrowed to what a principal may see, the same rules as its JSON route:
 * - `basemap`: the same for everyone signed in (roads, water, blocks);
 * - `community`: rows of a community (communities, compounds); a worker reaches its community;
 * - `place`: rows located by community and, for a worker, by the parcels of its grids.
 */
export type ScopeKind = "basemap" | "community" | "place";

export type TileLayer = {
  /** The MVT layers a tile of this layer holds, by zoom. */
  vectorLayers: readonly { id: string; minzoom: number; maxzoom: number }[];
  scope: ScopeKind;
};

const Z = 22;

/**
 * The layers served at /tiles/<layer>/…; each is drawn by the SQL function `<layer>_tile` (migrations/R__tiles.sql).
 * The one list of tile layers: the tile_layer rows, the `<layer>_tile` functions and the MVT layers they write, the
 * layers the tile triggers bump (R__tile_versions.sql) and the web's tile sources are checked against it
 * (tiles.layers.test.ts).
 */
export const TILE_LAYERS = {
  grids: {
    scope: "place",
    vectorLayers: [
      { id: "grid_communities", minzoom: 0, maxzoom: 11 },
      { id: "grids", minzoom: 12, maxzoom: Z },
      { id: "grids_label", minzoom: 12, maxzoom: Z },
    ],
  },
  buildings: {
    scope: "place",
    vectorLayers: [
      { id: "buildings", minzoom: 14, maxzoom: Z },
      { id: "buildings_label", minzoom: 16, maxzoom: Z },
      { id: "entrances", minzoom: 16, maxzoom: Z },
    ],
  },
  roads: { scope: "basemap", vectorLayers: [{ id: "roads", minzoom: 0, maxzoom: Z }] },
  water: { scope: "basemap", vectorLayers: [{ id: "water", minzoom: 0, maxzoom: Z }] },
  blocks: { scope: "basemap", vectorLayers: [{ id: "blocks", minzoom: 12, maxzoom: Z }] },
  compounds: { scope: "community", vectorLayers: [{ id: "compounds", minzoom: 13, maxzoom: Z }] },
  communities: {
    scope: "community",
    vectorLayers: [
      { id: "communities", minzoom: 0, maxzoom: Z },
      { id: "communities_label", minzoom: 0, maxzoom: Z },
    ],
  },
} as const satisfies Record<string, TileLayer>;

export type LayerName = keyof typeof TILE_LAYERS;
export const LAYER_NAMES = Object.keys(TILE_LAYERS) as LayerName[];

/**
 * The scope arguments of `<layer>_tile(z, x, y, p_communities, p_grids)`: `communities` null reads everything;
 * otherwise rows of those communities, and (`grids`) rows on the parcels of those grids. Basemap layers take no
 * scope.
 */
export type TileScope = { communities: string[] | null; grids: string[] | null };

export function tileScope(layer: LayerName, p: Principal): TileScope {
  const kind: ScopeKind = TILE_LAYERS[layer].scope;
  if (kind === "basemap" || readsEverything(p)) return { communities: null, grids: null };
  if (kind === "community") {
    return { communities: [...new Set([...p.communities, ...p.workerCommunities])].sort(), grids: null };
  }
  return { communities: [...p.communities], grids: p.workerGrids.length ? [...p.workerGrids] : null };
}

/** A short, stable name of a scope for cache keys and ETags: tiles of the same scope are the same bytes. */
export function scopeKey(scope: TileScope): string {
  if (scope.communities === null) return "all";
  return `c${scope.communities.join(".")}g${(scope.grids ?? []).join(".")}`;
}
