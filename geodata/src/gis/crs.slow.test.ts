import { describe, expect, it } from "vitest";
import { reproject, type XY } from "./crs.ts";

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

const close = (p: XY, q: XY, tolerance: number) => {
  expect(Math.abs(p[0] - q[0])).toBeLessThan(tolerance);
  expect(Math.abs(p[1] - q[1])).toBeLessThan(tolerance);
};

// reproject runs GDAL's gdaltransform, a system package that `npm test` and `npm start` install (crs.test.ts has
// the checks that need no process).
describe("coordinate systems, through GDAL", () => {
  it("projects onto Gauss-Krüger zones: the central meridian at easting 500 000 and the meridian arc as northing", async () => {
    const [noPrefix] = await reproject([[123, 43.6]], 4490, 4550);
    close(noPrefix!, [500_000, meridianArc(43.6)], 0.01);
    const [prefixed] = await reproject([[123, 43.6]], 4326, 4529);
    close(prefixed!, [41_500_000, meridianArc(43.6)], 0.01);
    const [equator] = await reproject([[117, 0]], 4490, 4548);
    close(equator!, [500_000, 0], 0.001);
    // And back, within a millimetre, in lng/lat order although EPSG:4490 lists latitude first.
    const [back] = await reproject([[500_000, meridianArc(43.6)]], 4550, 4490);
    close(back!, [123, 43.6], 1e-8);
  });
});
