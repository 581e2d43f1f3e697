import { booleanPointInPolygon } from "@turf/turf";
import { describe, expect, it } from "vitest";
import { gridLabelPoints } from "./grids-layer.ts";

describe("grid label points", () => {
  it("fall inside their grid, even an L-shaped one whose centroid lies outside", () => {
    const lShape: GeoJSON.Polygon = {
      type: "Polygon",
      coordinates: [
        [
          [0, 0],
          [10, 0],
          [10, 1],
          [1, 1],
          [1, 10],
          [0, 10],
          [0, 0],
        ],
      ],
    };
    const grids: GeoJSON.FeatureCollection<GeoJSON.Geometry, { code: string; community_code: string }> = {
      type: "FeatureCollection",
      features: [
        { type: "Feature", geometry: lShape, properties: { code: "150571003001001", community_code: "150571003001" } },
      ],
    };
    const [point] = gridLabelPoints(grids).features;
    expect(point?.properties).toEqual({ code: "150571003001001", community_code: "150571003001" });
    expect(booleanPointInPolygon(point!.geometry, lShape)).toBe(true);
  });
});
