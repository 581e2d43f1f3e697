import { describe, expect, it } from "vitest";
import { MAX_TILES_PER_SOURCE, tileUrls } from "./field-tiles.ts";

const TEMPLATE = "http://x/tiles/roads/v3/{z}/{x}/{y}.pbf";
/** About 1 km × 1 km in Xincheng. */
const GRIDS: [number, number, number, number] = [122.26, 43.62, 122.272, 43.629];
const zoomOf = (url: string) => Number(url.split("/")[6]);

describe("tiles cached ahead", () => {
  it("covers the box and about 200 m around it from zoom 14 to the layer's last zoom, every tile once", () => {
    const urls = tileUrls(TEMPLATE, GRIDS, 16);
    expect([...new Set(urls.map(zoomOf))]).toEqual([14, 15, 16]);
    expect(new Set(urls).size).toBe(urls.length);
    // Zoom 16 tiles are about 440 m × 320 m at this latitude; 1.4 km × 1.3 km with the margin: 4–5 across, 4–6 down.
    const z16 = urls.filter((u) => zoomOf(u) === 16);
    expect(z16.length).toBeGreaterThanOrEqual(16);
    expect(z16.length).toBeLessThanOrEqual(30);
  });

  it("stops at zoom 18 when the layer's tiles go deeper", () => {
    const zooms = tileUrls(TEMPLATE, GRIDS, 22).map(zoomOf);
    expect(Math.max(...zooms)).toBe(18);
    expect(new Set(zooms).size).toBe(5);
  });

  it("holds the tile a point lies in and its neighbours within the margin", () => {
    // 122.265, 43.625 at zoom 14: x = floor((122.265 + 180) / 360 × 2^14), y by the Mercator formula.
    const urls = tileUrls(TEMPLATE, [122.265, 43.625, 122.265, 43.625], 14);
    expect(urls).toContain("http://x/tiles/roads/v3/14/13756/5981.pbf");
    expect(urls.length).toBeLessThanOrEqual(4);
  });

  it("stays within its bound for an extent far larger than a worker's grids, leaving out the deepest zooms", () => {
    // The whole of Xincheng and more, about 10 km × 10 km.
    const urls = tileUrls(TEMPLATE, [122.2, 43.58, 122.32, 43.67], 22);
    expect(urls.length).toBeLessThanOrEqual(MAX_TILES_PER_SOURCE);
    expect(Math.min(...urls.map(zoomOf))).toBe(14);
    expect(Math.max(...urls.map(zoomOf))).toBeLessThan(18);
  });
});
