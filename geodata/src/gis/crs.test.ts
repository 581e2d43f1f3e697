import { spawnSync } from "node:child_process";
import { describe, expect, it } from "vitest";
import { crsChoices, fromChineseWebMap, gk3Srid, guessCrs, reproject, toChineseWebMap, type XY } from "./crs.ts";

/** Meridian arc length from the equator (m) on the CGCS2000 ellipsoid, by Helmert's series: an independent check. */
function meridianArc(latDeg: number): number {
  const a = 6378137;
  const f = 1 / 298.257222101;
  const n = f / (2 - f);
  const phi = (latDeg * Math.PI) / 180;
  const A = (a / (1 + n)) * (1 + n ** 2 / 4 + n ** 4 / 64);
  const b1 = (3 / 2) * n - (9 / 16) * n ** 3;
  const b2 = (15 / 16) * n ** 2 - (15 / 32) * n ** 4;
  const b3 = (35 / 48) * n ** 3;
  const b4 = (315 / 512) * n ** 4;
  return A * (phi - b1 * Math.sin(2 * phi) + b2 * Math.sin(4 * phi) - b3 * Math.sin(6 * phi) + b4 * Math.sin(8 * phi));
}

/**
 * GDAL is a system package that `npm test` and `npm start` install; `npm run test:unit` installs nothing of the
 * system, so on a machine without GDAL it skips the one check that needs it.
 */
const hasGdal = spawnSync("sh", ["-c", "command -v gdaltransform"], { stdio: "ignore" }).status === 0;

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

  it.skipIf(!hasGdal)(
    "projects onto Gauss-Krüger zones: the central meridian at easting 500 000 and the meridian arc as northing",
    async () => {
      const [noPrefix] = await reproject([[123, 43.6]], 4490, 4550);
      close(noPrefix!, [500_000, meridianArc(43.6)], 0.01);
      const [prefixed] = await reproject([[123, 43.6]], 4326, 4529);
      close(prefixed!, [41_500_000, meridianArc(43.6)], 0.01);
      const [equator] = await reproject([[117, 0]], 4490, 4548);
      close(equator!, [500_000, 0], 0.001);
      // And back, within a millimetre, in lng/lat order although EPSG:4490 lists latitude first.
      const [back] = await reproject([[500_000, meridianArc(43.6)]], 4550, 4490);
      close(back!, [123, 43.6], 1e-8);
    },
  );

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
