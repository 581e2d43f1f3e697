import { useMemo } from "react";
import type { BlindSpots, CameraFeature, Cameras, Coverage, CoverageSuggestion, Grids } from "../../api.ts";
import { shareBin } from "../../map/coverage-scale.ts";
import type { LngLat } from "../../map/geo.ts";
import { spotKey } from "./blind-spots-list.tsx";
import { fullSweep } from "./camera-card.tsx";
import type { Drag, Preview } from "./camera-drag.ts";
import { destination, sector } from "./cameras-geometry.ts";
import { shapeOf } from "./cameras-layers.ts";

const EMPTY: GeoJSON.FeatureCollection = { type: "FeatureCollection", features: [] };

/**
 * What the cameras page draws over the base map: the community's grids binned by the share of road seen, the
 * cameras as symbols (turned by their bearing) and their views — while one is dragged or previewed, its view is the
 * sector it would see with nothing in the way — the selected camera's turning handle, the blind spots and the
 * suggested sites. `spots` come back keyed, for the list and the map to agree on which is selected.
 */
export function useCamerasMapData(input: {
  community: string | null;
  grids: Grids | null;
  coverage: Coverage | null;
  cameras: Cameras | null;
  live: (f: CameraFeature) => CameraFeature;
  drag: Drag | null;
  preview: Preview | null;
  /** The selected camera, when it may be turned by its handle. */
  turnable: CameraFeature | undefined;
  spots: BlindSpots | null;
  suggestion: CoverageSuggestion | null;
}) {
  const { community, grids, coverage, cameras, live, drag, preview, turnable, spots, suggestion } = input;

  const rows = useMemo(() => new Map((coverage?.grids ?? []).map((g) => [g.code, g])), [coverage]);
  const gridFeatures = useMemo(
    () =>
      grids && {
        type: "FeatureCollection" as const,
        features: grids.features
          .filter((f) => f.properties.community_code === community)
          .map((f) => ({
            ...f,
            properties: {
              code: f.properties.code,
              bin: rows.has(f.properties.code) ? shareBin(rows.get(f.properties.code)!.road_covered_share) : "none",
            },
          })),
      },
    [grids, rows, community],
  );

  const cameraData = useMemo(
    () =>
      cameras && {
        type: "FeatureCollection" as const,
        features: cameras.features.map((raw) => {
          const f = live(raw as CameraFeature);
          const p = f.properties;
          return {
            type: "Feature" as const,
            id: p.id,
            geometry: f.geometry,
            properties: {
              id: p.id,
              status: p.status,
              bearing_deg: p.bearing_deg,
              icon: `camera-${shapeOf(p.type)}-${p.status}`,
            },
          };
        }),
      },
    [cameras, live],
  );

  const viewData = useMemo(
    () =>
      cameras && {
        type: "FeatureCollection" as const,
        features: cameras.features.flatMap((raw) => {
          const f = raw as CameraFeature;
          const p = f.properties;
          const moving = drag?.id === p.id || preview?.id === p.id;
          if (moving) {
            const l = live(f).properties;
            const at = live(f).geometry.coordinates as LngLat;
            const geometry = sector(at, l.bearing_deg, fullSweep(l.type) ? 360 : l.view_width_deg, l.range_m);
            return [{ type: "Feature" as const, geometry, properties: { id: p.id, status: p.status, preview: true } }];
          }
          const view = p.view as GeoJSON.Geometry | null | undefined;
          if (!view || p.status === "offline") return [];
          return [
            { type: "Feature" as const, geometry: view, properties: { id: p.id, status: p.status, preview: false } },
          ];
        }),
      },
    [cameras, drag, preview, live],
  );

  const handleData = useMemo(() => {
    if (!turnable) return EMPTY;
    const f = live(turnable);
    const at = f.geometry.coordinates as LngLat;
    const tip = destination(at, f.properties.bearing_deg, Math.max(20, f.properties.range_m * 0.8));
    return {
      type: "FeatureCollection" as const,
      features: [
        { type: "Feature" as const, geometry: { type: "LineString" as const, coordinates: [at, tip] }, properties: {} },
        {
          type: "Feature" as const,
          geometry: { type: "Point" as const, coordinates: tip },
          properties: { handle: true },
        },
      ],
    };
  }, [turnable, live]);

  const spotData = useMemo(
    () =>
      spots && {
        ...spots,
        features: spots.features.map((f) => ({ ...f, properties: { ...f.properties, key: spotKey(f.properties) } })),
      },
    [spots],
  );

  const suggestionData = useMemo(
    () =>
      suggestion
        ? {
            type: "FeatureCollection" as const,
            features: suggestion.sites.flatMap((s) => [
              { type: "Feature" as const, geometry: s.view as GeoJSON.Geometry, properties: { rank: s.rank } },
              { type: "Feature" as const, geometry: s.geometry as GeoJSON.Geometry, properties: { rank: s.rank } },
            ]),
          }
        : EMPTY,
    [suggestion],
  );

  const data = useMemo(
    () => ({
      "cameras-grids": gridFeatures ?? undefined,
      "cameras-views": viewData ?? undefined,
      "cameras-blind-spots": spotData ?? undefined,
      "cameras-suggestions": suggestionData,
      "cameras-handle": handleData,
      cameras: cameraData ?? undefined,
    }),
    [gridFeatures, viewData, spotData, suggestionData, handleData, cameraData],
  );
  return { data, spotData };
}
