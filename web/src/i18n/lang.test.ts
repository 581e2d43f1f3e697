import { describe, expect, it } from "vitest";
import { bilingualPart, localName, translate } from "./lang.ts";

describe("i18n", () => {
  it("fills placeholders in both languages", () => {
    expect(translate("zh", "band.status.needsMore", { n: 37 })).toBe("还需 37 户");
    expect(translate("en", "band.status.needsFewer", { n: 5 })).toBe("needs 5 fewer households");
    expect(translate("en", "band.legend.ok", { min: 200, max: 300 })).toBe("200–300");
  });

  it("leaves an unknown placeholder visible rather than blank", () => {
    expect(translate("en", "band.status.needsMore", {})).toBe("needs {n} more households");
  });

  it("names a place in the UI language, falling back to Chinese", () => {
    expect(localName("en", { name: "辽河社区", name_en: "Liaohe" })).toBe("Liaohe");
    expect(localName("en", { name: "辽河社区", name_en: null })).toBe("辽河社区");
    expect(localName("zh", { name: "辽河社区", name_en: "Liaohe" })).toBe("辽河社区");
  });

  it("picks its half of a bilingual text", () => {
    expect(bilingualPart("zh", "位置为近似示意。 / Positions are approximate.")).toBe("位置为近似示意。");
    expect(bilingualPart("en", "位置为近似示意。 / Positions are approximate.")).toBe("Positions are approximate.");
    expect(bilingualPart("en", "仅中文")).toBe("仅中文");
  });
});
