import { beforeAll, describe, expect, it } from "vitest";
import { en } from "./en.ts";
import { bilingualPart, loadLang, localName, translate } from "./lang.ts";
import { zh } from "./zh.ts";

describe("i18n", () => {
  beforeAll(() => loadLang("en"));

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

  it("has the same keys in both languages, each with the same placeholders", () => {
    expect(Object.keys(en).sort()).toEqual(Object.keys(zh).sort());
    const placeholders = (text: string) => [...text.matchAll(/\{(\w+)\}/g)].map((m) => m[1]).sort();
    const differ = Object.entries(zh).filter(
      ([key, text]) => placeholders(text).join() !== placeholders(en[key as keyof typeof zh]).join(),
    );
    expect(differ).toEqual([]);
  });

  it("calls each noun by one name in Chinese: inspection 排查, validation 校验, draft 草案, camera 点位", () => {
    const synonyms = Object.entries(zh).filter(([, text]) => /检查|草稿|摄像机/.test(text));
    expect(synonyms).toEqual([]);
  });
});
