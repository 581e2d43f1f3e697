import { booleanPointInPolygon } from "@turf/turf";
import { describe, expect, it } from "vitest";
import { labelPoints } from "./label-points.ts";

describe("label points", () => {
  it("fall inside their polygon, even an L-shaped one whose centroid lies outside", () => {
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
    const grids: GeoJSON.FeatureCollection<GeoJSON.Geometry, { code: string; households: number }> = {
      type: "FeatureCollection",
      features: [{ type: "Feature", geometry: lShape, properties: { code: "150571003001001", households: 230 } }],
    };
    const [point] = labelPoints(grids, (p) => ({ code: p.code })).features;
    expect(point?.properties).toEqual({ code: "150571003001001" });
    expect(booleanPointInPolygon(point!.geometry, lShape)).toBe(true);
  });
});
