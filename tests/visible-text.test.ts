import { describe, expect, it } from "vitest";
import { codesIn } from "./support/visible-text.ts";

describe("codes in visible text", () => {
  it("finds snake_case codes and '#id', and leaves names, grid codes and numbers alone", () => {
    expect(codesIn("修改摄像头 camera_update · camera #184")).toEqual(["camera_update", "#184"]);
    expect(codesIn("类别：youth_room、health_shop")).toEqual(["youth_room", "health_shop"]);
    expect(codesIn("金色新城 5号楼 · 网格 150571003011010 · 射程 500 → 41 米 · 2026-12-07 16:35 北京时间")).toEqual([]);
    expect(codesIn("Range 500 → 41 m, secretary-150571003011, C#")).toEqual([]);
  });
});
