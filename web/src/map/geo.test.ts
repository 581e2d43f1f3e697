import { describe, expect, it } from "vitest";
import { bboxOfPoints, grow } from "./geo.ts";

describe("boxes", () => {
  it("grow by a share of the extent, with a least room for a box around one point", () => {
    expect(grow([10, 20, 12, 21], 0.5)).toEqual([9, 19.5, 13, 21.5]);
    expect(grow([10, 20, 10, 20], 0.5, 0.001)).toEqual([9.999, 19.999, 10.001, 20.001]);
    expect(grow([10, 20, 12, 21], 0, 0.25)).toEqual([9.75, 19.75, 12.25, 21.25]);
  });

  it("hold every point", () => {
    expect(
      bboxOfPoints([
        [122.3, 43.6],
        [122.1, 43.7],
        [122.2, 43.5],
      ]),
    ).toEqual([122.1, 43.5, 122.3, 43.7]);
  });
});
