import { describe, expect, it } from "vitest";
import {
  insideRing,
  intersectIntervals,
  lengthOf,
  measureLine,
  stretchesInside,
  unionIntervals,
  visibilityPolygon,
  type Wall,
  type XY,
} from "./coverage.geometry.ts";

/** Shoelace area; positive for a counter-clockwise ring. */
function area(ring: readonly XY[]): number {
  let s = 0;
  for (let i = 0; i + 1 < ring.length; i++) s += ring[i]![0] * ring[i + 1]![1] - ring[i + 1]![0] * ring[i]![1];
  return s / 2;
}

/** The four walls of an axis-aligned footprint. */
function box(x0: number, y0: number, x1: number, y1: number): Wall[] {
  return [
    [x0, y0, x1, y0],
    [x1, y0, x1, y1],
    [x1, y1, x0, y1],
    [x0, y1, x0, y0],
  ];
}

describe("a camera's view", () => {
  it("of a dome with nothing in the way is the disc of its range", () => {
    const ring = visibilityPolygon({ x: 100, y: 200, bearingDeg: 0, widthDeg: 360, rangeM: 80 }, []);
    expect(area(ring)).toBeGreaterThan(0);
    expect(area(ring)).toBeCloseTo(Math.PI * 80 * 80, -2);
    expect(Math.abs(area(ring) / (Math.PI * 6400) - 1)).toBeLessThan(0.001);
    expect(ring[0]).toEqual(ring[ring.length - 1]);
    for (const [x, y] of ring) expect(Math.hypot(x - 100, y - 200)).toBeCloseTo(80, 6);
  });

  it("of a fixed camera is a sector of its width around its bearing", () => {
    const ring = visibilityPolygon({ x: 0, y: 0, bearingDeg: 90, widthDeg: 60, rangeM: 50 }, []);
    expect(area(ring)).toBeCloseTo((Math.PI * 2500) / 6, -1);
    expect(insideRing(ring, 40, 0)).toBe(true);
    expect(insideRing(ring, -40, 0)).toBe(false);
    expect(insideRing(ring, 0, 40)).toBe(false);
    expect(insideRing(ring, 40, 20)).toBe(true);
    expect(insideRing(ring, 40, 25)).toBe(false);
  });

  it("stops at a wall it faces: nothing beyond it is seen", () => {
    const wall: Wall = [-100, 10, 100, 10];
    const ring = visibilityPolygon({ x: 0, y: 0, bearingDeg: 0, widthDeg: 60, rangeM: 50 }, [wall]);
    // A triangle from the camera to the wall: height 10, base 2·10·tan 30°.
    expect(area(ring)).toBeCloseTo(10 * 10 * Math.tan(Math.PI / 6), 6);
    expect(insideRing(ring, 0, 9)).toBe(true);
    expect(insideRing(ring, 0, 11)).toBe(false);
    expect(insideRing(ring, 0, 45)).toBe(false);
  });

  it("leaves the shadow of a building and sees past its sides", () => {
    const ring = visibilityPolygon({ x: 0, y: 0, bearingDeg: 0, widthDeg: 360, rangeM: 100 }, box(-10, 20, 10, 30));
    expect(insideRing(ring, 0, 15)).toBe(true);
    expect(insideRing(ring, 0, 25)).toBe(false);
    expect(insideRing(ring, 0, 60)).toBe(false);
    // The shadow widens along the rays through the near corners (±10, 20): at y = 60 it reaches x = ±30.
    expect(insideRing(ring, 32, 60)).toBe(true);
    expect(insideRing(ring, 28, 60)).toBe(false);
    expect(insideRing(ring, -28, 60)).toBe(false);
    expect(insideRing(ring, 0, -60)).toBe(true);
    // The disc less the shadow, which is the region between those rays beyond the near wall.
    const shadow = (100 * 100 * Math.atan(0.5) * 2) / 2 - (20 * 20 * 0.5 * 2) / 2;
    expect(area(ring)).toBeCloseTo(Math.PI * 100 * 100 - shadow, -2);
  });

  it("ignores walls beyond its range", () => {
    const ring = visibilityPolygon({ x: 0, y: 0, bearingDeg: 0, widthDeg: 360, rangeM: 30 }, box(-10, 40, 10, 50));
    expect(area(ring)).toBeCloseTo(Math.PI * 900, -1);
  });

  it("of a camera right next to a wall looks away from it", () => {
    const ring = visibilityPolygon({ x: 0, y: -0.3, bearingDeg: 180, widthDeg: 110, rangeM: 25 }, box(-20, 0, 20, 20));
    expect(insideRing(ring, 0, -20)).toBe(true);
    expect(insideRing(ring, 0, 5)).toBe(false);
  });
});

describe("stretches of a road inside a view", () => {
  it("is the chord of a line through a disc", () => {
    const ring = visibilityPolygon({ x: 0, y: 0, bearingDeg: 0, widthDeg: 360, rangeM: 50 }, []);
    const road = measureLine([
      [-200, 30],
      [0, 30],
      [200, 30],
    ]);
    const seen = stretchesInside(road, ring);
    expect(seen).toHaveLength(1);
    expect(lengthOf(seen)).toBeCloseTo(2 * Math.sqrt(50 * 50 - 30 * 30), 0);
    expect(seen[0]![0]).toBeCloseTo(200 - 40, 0);
  });

  it("is empty behind a wall", () => {
    const ring = visibilityPolygon({ x: 0, y: 0, bearingDeg: 0, widthDeg: 60, rangeM: 80 }, [[-100, 10, 100, 10]]);
    const road = measureLine([
      [-100, 30],
      [100, 30],
    ]);
    expect(stretchesInside(road, ring)).toEqual([]);
  });
});

describe("stretches", () => {
  it("unite and intersect", () => {
    const u = unionIntervals([
      [5, 10],
      [0, 3],
      [2, 4],
      [10, 12],
    ]);
    expect(u).toEqual([
      [0, 4],
      [5, 12],
    ]);
    expect(
      intersectIntervals(u, [
        [3, 6],
        [11, 30],
      ]),
    ).toEqual([
      [3, 4],
      [5, 6],
      [11, 12],
    ]);
    expect(lengthOf(u)).toBe(11);
  });
});
