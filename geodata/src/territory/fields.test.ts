import { describe, expect, it } from "vitest";
import { fieldMapping, matchFields, roadClassOf, useOf, wholeNumber } from "./fields.ts";

describe("the fields of an office's layers", () => {
  it("matches Chinese, pinyin-initial and English names, case-insensitively, the user's mapping first", () => {
    expect(
      matchFields(["楼栋编码", "CS", "Households", "其他"], ["buildingCode", "floors", "households", "entrances"]),
    ).toEqual({
      buildingCode: "楼栋编码",
      floors: "CS",
      households: "Households",
    });
    expect(matchFields(["层数", "FLOORS_N"], ["floors"], { floors: "FLOORS_N" })).toEqual({ floors: "FLOORS_N" });
  });

  it("reads whole numbers in range and refuses anything else, saying what it found", () => {
    expect(wholeNumber("12", 1, 120)).toEqual({ ok: true, value: 12 });
    expect(wholeNumber(" 12.0 ", 1, 120)).toEqual({ ok: true, value: 12 });
    expect(wholeNumber("", 1, 120)).toEqual({ ok: true, value: null });
    expect(wholeNumber(null, 1, 120)).toEqual({ ok: true, value: null });
    for (const bad of ["六", "12层", "-3", 12.5, 0, 121]) {
      const c = wholeNumber(bad, 1, 120);
      expect(c.ok).toBe(false);
      if (!c.ok) expect(c.zh).toContain(String(bad));
    }
  });

  it("tells uses and road classes from the words offices use", () => {
    expect(
      ["住宅", "商住楼", "别墅", "商业", "办公楼", "小学", "医院", "", "仓储"].map((v) => useOf(v || null)),
    ).toEqual([
      "residential",
      "residential",
      "house",
      "commercial",
      "commercial",
      "public",
      "public",
      "unknown",
      "commercial",
    ]);
    expect(["快速路", "主干路", "次干路", "支路", null].map(roadClassOf)).toEqual([
      "arterial",
      "arterial",
      "secondary",
      "local",
      "local",
    ]);
  });

  it("reads a mapping given on the command line, and refuses one it cannot place", () => {
    expect(fieldMapping("层数=FLOORS, 户数=HS,entrances=DY")).toEqual({
      floors: "FLOORS",
      households: "HS",
      entrances: "DY",
    });
    expect(() => fieldMapping("楼高=LG")).toThrow(/unknown field mapping/);
  });
});
