import type { BuildingUse } from "../osm/tags.ts";

/**
 * The fields of an office's layers, by what they mean, and the names they go by. Chinese offices name fields in
 * Chinese (社区名称), in pinyin initials (SQMC) or in English; a name is matched case-insensitively, and a mapping
 * given by the user (`fields`) wins over these.
 */
export const FIELD_NAMES = {
  communityName: ["社区名称", "社区", "名称", "SQMC", "name"],
  communityCode: ["社区代码", "社区编码", "代码", "编码", "SQDM", "code"],
  buildingCode: ["楼栋编码", "楼栋代码", "建筑编码", "编码", "LDBM", "code"],
  buildingName: ["楼栋名称", "楼栋名", "建筑名称", "名称", "LDMC", "name"],
  use: ["用途", "建筑用途", "类型", "YT", "use"],
  floors: ["层数", "地上层数", "楼层数", "CS", "floors"],
  households: ["户数", "住户数", "HS", "households"],
  entrances: ["单元数", "门洞数", "DYS", "entrances"],
  roadName: ["道路名称", "名称", "DLMC", "name"],
  roadClass: ["道路等级", "等级", "DLDJ", "class"],
  compoundName: ["小区名称", "小区", "名称", "XQMC", "name"],
  waterName: ["水体名称", "河流名称", "名称", "STMC", "name"],
  waterKind: ["水体类型", "类型", "地类名称", "DLMC", "kind"],
  landuseName: ["名称", "小区名称", "MC", "name"],
  landuseKind: ["地类名称", "用地性质", "类型", "地类编码", "DLMC", "DLBM", "kind"],
} as const;

export type FieldKey = keyof typeof FIELD_NAMES;

/** The layer's field for each meaning it has, from the user's mapping first, then the known names. */
export function matchFields(
  present: readonly string[],
  wanted: readonly FieldKey[],
  given: Partial<Record<FieldKey, string>> = {},
): Partial<Record<FieldKey, string>> {
  const out: Partial<Record<FieldKey, string>> = {};
  const byLower = new Map(present.map((f) => [f.trim().toLowerCase(), f]));
  for (const key of wanted) {
    const names = given[key] ? [given[key]!] : FIELD_NAMES[key];
    for (const n of names) {
      const hit = byLower.get(n.toLowerCase());
      if (hit) {
        out[key] = hit;
        break;
      }
    }
  }
  return out;
}

/**
 * A field mapping as the command line gives it: `层数=FLOORS,户数=HS` (the accepted name, or the meaning's key,
 * = the layer's field).
 */
export function fieldMapping(spec: string): Partial<Record<FieldKey, string>> {
  const out: Partial<Record<FieldKey, string>> = {};
  for (const pair of spec.split(",")) {
    const [k, v] = pair.split("=").map((x) => x.trim());
    const key = (Object.keys(FIELD_NAMES) as FieldKey[]).find(
      (f) => f === k || (FIELD_NAMES[f] as readonly string[])[0] === k,
    );
    if (!key || !v) throw new Error(`unknown field mapping "${pair}" / 无法识别的字段对应「${pair}」`);
    out[key] = v;
  }
  return out;
}

/** What one cell of a row says, or why it cannot be read. */
export type Cell<T> = { ok: true; value: T | null } | { ok: false; zh: string; en: string };

const blank = (v: unknown) => v === null || v === undefined || (typeof v === "string" && v.trim() === "");

/** A whole number in [min, max], or blank. "12.0" reads as 12; "12层", "-3" or 12.5 are refused. */
export function wholeNumber(v: unknown, min: number, max: number): Cell<number> {
  if (blank(v)) return { ok: true, value: null };
  const n = typeof v === "number" ? v : Number(String(v).trim());
  if (!Number.isInteger(n) || n < min || n > max) {
    return {
      ok: false,
      zh: `应为 ${min}–${max} 的整数，实为「${v}」`,
      en: `should be a whole number ${min}–${max}, is "${v}"`,
    };
  }
  return { ok: true, value: n };
}

/** Text, trimmed, or blank. */
export function text(v: unknown): string | null {
  return blank(v) ? null : String(v).trim();
}

/**
 * What a building is used for, from 用途 as offices write it; anything else (or nothing) is "unknown", counted
 * half residential when households must be estimated.
 */
export function useOf(v: string | null): BuildingUse {
  if (!v) return "unknown";
  if (/别墅|平房|独栋|自建房|house|villa/i.test(v)) return "house";
  if (/住|宅|居|residential|apartment/i.test(v)) return "residential";
  if (/商|办公|酒店|宾馆|工业|仓|厂|commercial|office|retail|industrial/i.test(v)) return "commercial";
  if (/学|校|医|院|政府|机关|公共|文化|体育|幼儿园|public|school|hospital/i.test(v)) return "public";
  return "unknown";
}

/** A road's class from 道路等级 (快速路/主干路 … or 一级/二级 …); unknown and blank ones are local streets. */
export function roadClassOf(v: string | null): "arterial" | "secondary" | "local" {
  if (!v) return "local";
  if (/快速|主干|高速|国道|省道|一级|arterial|primary|trunk|motorway/i.test(v)) return "arterial";
  if (/次干|县道|二级|secondary|tertiary/i.test(v)) return "secondary";
  return "local";
}

/** What kind of water a polygon is, from 水体类型 or 地类名称 (河流水面, 湖泊水面, 水库水面, 坑塘水面, 沟渠 …). */
export function waterKindOf(v: string | null): "river" | "canal" | "pond" | "lake" {
  if (!v) return "lake";
  if (/河|江|溪|river|stream/i.test(v)) return "river";
  if (/渠|沟|canal|ditch|drain/i.test(v)) return "canal";
  if (/塘|池|pond|pool/i.test(v)) return "pond";
  return "lake";
}

/**
 * Whether a landuse or fence polygon may enclose a compound: housing land (住宅用地, 居住, 0701/071, R…) or a fence
 * or wall (围墙, 院墙, 围栏); a polygon without a kind counts, one of another use (商业, 工业, 公园 …) does not.
 */
export function enclosesCompound(v: string | null): boolean {
  if (!v) return true;
  return /住宅|居住|小区|院落|围墙|院墙|围栏|residential|fence|wall|^07\d*$|^R\d*$/i.test(v.trim());
}
