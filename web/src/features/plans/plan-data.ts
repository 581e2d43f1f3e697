import { bbox as bboxOf } from "@turf/turf";
import {
  fetchParcelEdges,
  fetchParcels,
  fetchPlanGrids,
  fetchPlanParcels,
  type GridFigures,
  type ParcelEdges,
  type Parcels,
} from "../../api.ts";
import type { BBox, LngLat } from "../../map/geo.ts";
import type { Edge, ParcelInfo } from "./plan-model.ts";
import { parcelInfo } from "./plan-model.ts";

/** A community's parcels and their shared boundaries: static, so loaded once per community and kept. */
export type Territory = {
  parcels: Parcels;
  edges: ParcelEdges;
  info: Map<number, ParcelInfo>;
  edgeList: Edge[];
  bbox: BBox;
};

const territories = new Map<string, Promise<Territory>>();

export function loadTerritory(community: string): Promise<Territory> {
  let pending = territories.get(community);
  if (!pending) {
    pending = Promise.all([fetchParcels(community), fetchParcelEdges(community)]).then(([parcels, edges]) => ({
      parcels,
      edges,
      info: new Map(parcels.features.map((f) => [f.properties.id, parcelInfo(f)])),
      edgeList: edges.features.map((f, i) => ({ id: Number(f.id ?? i + 1), a: f.properties.a, b: f.properties.b })),
      bbox: bboxOf(parcels) as BBox,
    }));
    pending.catch(() => territories.delete(community));
    territories.set(community, pending);
  }
  return pending;
}

/** A plan's state over one community: which grid every parcel is in, the grids' live figures, the version. */
export type PlanState = {
  version: number;
  gridOf: Map<number, string>;
  figures: Map<string, GridFigures>;
};

export async function loadPlanState(planId: number, community: string): Promise<PlanState> {
  const [grids, parcels] = await Promise.all([fetchPlanGrids(planId, community), fetchPlanParcels(planId, community)]);
  return {
    version: grids.version,
    gridOf: new Map(parcels.map((p) => [p.id, p.grid])),
    figures: new Map(grids.features.map((f) => [f.properties.code, f.properties])),
  };
}

/** Which grid every parcel of a community is in, in some plan (the eraser's "previous grid"). */
export async function loadAssignment(planId: number, community: string): Promise<Map<number, string>> {
  const parcels = await fetchPlanParcels(planId, community);
  return new Map(parcels.map((p) => [p.id, p.grid]));
}

/** The label points of a plan's grids: the sequence number and households with the band symbol. */
export function labelCollection(
  points: Map<string, LngLat>,
  figures: ReadonlyMap<string, GridFigures>,
): GeoJSON.FeatureCollection<GeoJSON.Point> {
  return {
    type: "FeatureCollection",
    features: [...points].map(([code, at]) => {
      const f = figures.get(code);
      const symbol = f ? { under: "▼", ok: "✓", over: "▲" }[f.status] : "";
      return {
        type: "Feature",
        id: code,
        geometry: { type: "Point", coordinates: at },
        properties: { code, seq: code.slice(-3), figure: f ? `${symbol}${f.households}` : "" },
      };
    }),
  };
}
