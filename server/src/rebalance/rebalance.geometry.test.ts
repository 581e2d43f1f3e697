import { describe, expect, it } from "vitest";
import { buildAdjacency, createLocalProjection, validateGeometry } from "./rebalance.geometry.ts";
import type { UnitGeometry } from "./rebalance.input.ts";

const projection = createLocalProjection(122.25, 43.6);

/** A rectangle given in metres east and north of the projection's origin. */
function rect(x0: number, y0: number, x1: number, y1: number): UnitGeometry {
  const p = (x: number, y: number) => [122.25 + x / projection.kx, 43.6 + y / projection.ky];
  return { type: "Polygon", coordinates: [[p(x0, y0), p(x1, y0), p(x1, y1), p(x0, y1), p(x0, y0)]] };
}

function shared(geometries: UnitGeometry[], tolerance_m = 0.1) {
  return buildAdjacency(geometries, projection, tolerance_m).pairs.map((p) => ({
    a: p.a,
    b: p.b,
    length_m: Math.round(p.length_m * 100) / 100,
  }));
}

describe("adjacency", () => {
  it("measures an edge two units share exactly", () => {
    expect(shared([rect(0, 0, 100, 50), rect(100, 0, 200, 50)])).toEqual([{ a: 0, b: 1, length_m: 50 }]);
  });

  it("finds a long edge shared with several short ones (T-junctions, no common vertices)", () => {
    const pairs = shared([rect(0, 0, 90, 30), rect(0, 30, 25, 60), rect(25, 30, 70, 60), rect(70, 30, 90, 60)]);
    expect(pairs.filter((p) => p.a === 0)).toEqual([
      { a: 0, b: 1, length_m: 25 },
      { a: 0, b: 2, length_m: 45 },
      { a: 0, b: 3, length_m: 20 },
    ]);
  });

  it("does not count touching at a corner as adjacency", () => {
    expect(shared([rect(0, 0, 10, 10), rect(10, 10, 20, 20)])).toEqual([]);
  });

  it("accepts boundaries a few centimetres apart, within the tolerance", () => {
    expect(shared([rect(0, 0, 40, 40), rect(40.05, 5, 80, 35)])).toEqual([{ a: 0, b: 1, length_m: 30 }]);
    expect(shared([rect(0, 0, 40, 40), rect(40.5, 5, 80, 35)])).toEqual([]);
  });

  it("measures lengths in metres, a kilometre-long edge to within a millimetre per metre", () => {
    const [pair] = buildAdjacency([rect(0, 0, 10, 1000), rect(10, 0, 20, 1000)], projection).pairs;
    expect(pair!.length_m).toBeCloseTo(1000, 0);
  });

  it("gives perimeters and centroids", () => {
    const adjacency = buildAdjacency([rect(0, 0, 30, 10)], projection);
    expect(adjacency.perimeter_m[0]).toBeCloseTo(80, 3);
    expect(adjacency.centroidX[0]).toBeCloseTo(15, 3);
    expect(adjacency.area_m2[0]).toBeCloseTo(300, 1);
  });
});

describe("polygon validation", () => {
  it("accepts a plain rectangle", () => {
    expect(validateGeometry(rect(0, 0, 10, 10), projection)).toEqual({ valid: true });
  });

  it("refuses a bow tie", () => {
    const p = (x: number, y: number) => [122.25 + x / projection.kx, 43.6 + y / projection.ky];
    const bowTie: UnitGeometry = { type: "Polygon", coordinates: [[p(0, 0), p(20, 10), p(20, 0), p(0, 4), p(0, 0)]] };
    const v = validateGeometry(bowTie, projection);
    expect(v.valid).toBe(false);
    if (!v.valid) expect(v.en).toMatch(/intersects itself/);
  });

  it("refuses NaN, unclosed rings and rings too short", () => {
    const nan: UnitGeometry = {
      type: "Polygon",
      coordinates: [
        [
          [0, 0],
          [Number.NaN, 1],
          [1, 1],
          [0, 0],
        ],
      ],
    };
    const open: UnitGeometry = {
      type: "Polygon",
      coordinates: [
        [
          [122, 43],
          [122.001, 43],
          [122.001, 43.001],
          [122, 43.001],
        ],
      ],
    };
    const short: UnitGeometry = {
      type: "Polygon",
      coordinates: [
        [
          [122, 43],
          [122.001, 43],
          [122, 43],
        ],
      ],
    };
    expect(validateGeometry(nan, projection)).toMatchObject({
      valid: false,
      en: "a coordinate is not a finite number",
    });
    expect(validateGeometry(open, projection)).toMatchObject({ valid: false, en: "a ring is not closed" });
    expect(validateGeometry(short, projection)).toMatchObject({
      valid: false,
      en: "a ring has fewer than 4 positions",
    });
  });
});
