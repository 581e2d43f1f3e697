import { describe, expect, it } from "vitest";
import { tileUrls } from "./field-tiles.ts";

const TEMPLATE = "http://x/tiles/roads/v3/{z}/{x}/{y}.pbf";
/** About 1 km × 1 km in Xincheng. */
const GRIDS: [number, number, number, number] = [122.26, 43.62, 122.272, 43.629];

describe("tiles cached ahead", () => {
  it("covers the box from zoom 14 to the layer's last zoom, every tile once", () => {
    const urls = tileUrls(TEMPLATE, GRIDS, 16);
    const zooms = new Set(urls.map((u) => u.split("/")[6]));
    expect([...zooms]).toEqual(["14", "15", "16"]);
    expect(new Set(urls).size).toBe(urls.length);
    // Zoom 16 tiles are about 440 m × 320 m at this latitude: 3–4 across, 3–4 down.
    const z16 = urls.filter((u) => u.split("/")[6] === "16");
    expect(z16.length).toBeGreaterThanOrEqual(9);
    expect(z16.length).toBeLessThanOrEqual(16);
  });

  it("stops at zoom 18 when the layer's tiles go deeper", () => {
    const zooms = new Set(tileUrls(TEMPLATE, GRIDS, 22).map((u) => Number(u.split("/")[6])));
    expect(Math.max(...zooms)).toBe(18);
  });

  it("holds the tile a point lies in", () => {
    // 122.265, 43.625 at zoom 14: x = floor((122.265 + 180) / 360 × 2^14), y by the Mercator formula.
    expect(tileUrls(TEMPLATE, [122.265, 43.625, 122.265, 43.625], 14)).toEqual([
      "http://x/tiles/roads/v3/14/13756/5981.pbf",
    ]);
  });
});
