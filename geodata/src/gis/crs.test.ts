import { describe, expect, it } from "vitest";
import { crsChoices, fromChineseWebMap, gk3Srid, guessCrs, toChineseWebMap, type XY } from "./crs.ts";

const close = (p: XY, q: XY, tolerance: number) => {
  expect(Math.abs(p[0] - q[0])).toBeLessThan(tolerance);
  expect(Math.abs(p[1] - q[1])).toBeLessThan(tolerance);
};

describe("coordinate systems", () => {
  it("numbers the CGCS2000 3-degree zones with and without zone prefix", () => {
    expect(gk3Srid(75, true)).toBe(4513);
    expect(gk3Srid(123, true)).toBe(4529);
    expect(gk3Srid(135, true)).toBe(4533);
    expect(gk3Srid(75, false)).toBe(4534);
    expect(gk3Srid(123, false)).toBe(4550);
    expect(gk3Srid(135, false)).toBe(4554);
    expect(() => gk3Srid(124, false)).toThrow();
    expect(crsChoices()).toHaveLength(4 + 2 * 21);
  });

  it("converts GCJ-02 and BD-09 like the reference implementations do", () => {
    // Reference values of coordtransform (wandergis) and the Baidu formula for the point 116.404, 39.915.
    close(toChineseWebMap([116.404, 39.915], "GCJ02"), [116.41024449916938, 39.91640428150164], 1e-7);
    close(
      fromChineseWebMap([116.41036949371029, 39.92133699351021], "BD09"),
      fromChineseWebMap([116.404, 39.915], "GCJ02"),
      1e-6,
    );
    close(toChineseWebMap([116.0, 40.0], "GCJ02"), [116.006141221789, 40.001213650174], 1e-7);
    // The offset is a few hundred metres; the inverse is exact to well under a millimetre (1e-8° ≈ 1 mm).
    for (const p of [
      [122.25, 43.6],
      [116.4, 39.9],
      [113.3, 23.1],
    ] as XY[]) {
      const gcj = toChineseWebMap(p, "GCJ02");
      expect(Math.hypot(gcj[0] - p[0], gcj[1] - p[1]) * 111_000).toBeGreaterThan(100);
      close(fromChineseWebMap(gcj, "GCJ02"), p, 1e-8);
      close(fromChineseWebMap(toChineseWebMap(p, "BD09"), "BD09"), p, 1e-8);
    }
  });

  it("guesses the CRS from magnitudes, swapped axes included", () => {
    expect(guessCrs([[122.25, 43.6]], 122.25)).toEqual({ kind: "lnglat", swapped: false });
    expect(guessCrs([[43.6, 122.25]], 122.25)).toEqual({ kind: "lnglat", swapped: true });
    expect(guessCrs([[41_480_000, 4_829_000]], 122.25)).toEqual({
      kind: "gk3",
      srid: 4529,
      swapped: false,
      withZonePrefix: true,
    });
    expect(guessCrs([[4_829_000, 41_480_000]], 122.25)).toEqual({
      kind: "gk3",
      srid: 4529,
      swapped: true,
      withZonePrefix: true,
    });
    expect(guessCrs([[480_000, 4_829_000]], 122.25)).toEqual({
      kind: "gk3",
      srid: 4550,
      swapped: false,
      withZonePrefix: false,
    });
    expect(guessCrs([[4_829_000, 480_000]], 122.25)).toEqual({
      kind: "gk3",
      srid: 4550,
      swapped: true,
      withZonePrefix: false,
    });
    expect(guessCrs([[7.42, 43.73]], 7.42)).toEqual({ kind: "unknown" });
  });
});
