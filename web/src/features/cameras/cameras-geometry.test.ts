import { describe, expect, it } from "vitest";
import { bearingTo, destination, distanceM, sector } from "./cameras-geometry.ts";

const AT: [number, number] = [122.25, 43.63];

describe("camera handle geometry", () => {
  it("goes out along a bearing and finds the bearing back", () => {
    for (const b of [0, 45, 90, 179, 270, 359]) {
      const p = destination(AT, b, 80);
      expect(bearingTo(AT, p)).toBe(b);
      expect(distanceM(AT, p)).toBeCloseTo(80, 6);
    }
  });

  it("draws a closed sector, and a disc for a full sweep", () => {
    const s = sector(AT, 90, 60, 50).coordinates[0]!;
    expect(s[0]).toEqual(AT);
    expect(s.at(-1)).toEqual(AT);
    const d = sector(AT, 0, 360, 50).coordinates[0]!;
    expect(d[0]).toEqual(d.at(-1));
    expect(d.every((p) => Math.abs(distanceM(AT, p as [number, number]) - 50) < 1e-6)).toBe(true);
  });
});
