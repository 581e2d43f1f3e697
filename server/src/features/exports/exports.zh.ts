import type { Db } from "../../db/db.ts";
import type { ExportLayer } from "./exports.queries.ts";

/**
 * A CSV for people who read Chinese: headers and coded values (categories, statuses, types, severities) by their
 * Chinese names, as the change list is. Only for CSV, which people open in a spreadsheet; GIS formats keep their
 * short field names and codes so that a file exported can be imported again.
 */
const HEADERS: Record<string, string> = {
  id: "编号",
  name: "名称",
  name_en: "英文名称",
  community: "社区编码",
  community_name: "社区",
  households: "户数",
  entrances: "单元数",
  buildings: "楼栋数",
  parcels: "地块数",
  area_m2: "面积（平方米）",
  building: "楼栋编号",
  compound: "小区编号",
  grid: "网格编码",
  kind: "类型",
  floors: "层数",
  category: "类别",
  address: "地址",
  title: "标题",
  severity: "等级",
  status: "状态",
  note: "备注",
  reported: "上报日期（北京时间）",
  type: "类型",
  bearing: "朝向（度）",
  view_width: "视角（度）",
  range_m: "可视距离（米）",
  height_m: "安装高度（米）",
  defaulted: "取默认值的字段",
  band_min: "户数下限",
  band_max: "户数上限",
};

/** The code column's name depends on what the code is of. */
const CODE_HEADER: Partial<Record<ExportLayer, string>> = { grids: "网格编码", communities: "社区编码" };

// The names the web shows for the same codes (web/src/i18n/zh.ts); features do not import each other, so the few
// the export needs are repeated here.
const VALUES: Record<string, Record<string, string>> = {
  severity: { high: "高", medium: "中", low: "低" },
  "hazards.status": {
    reported: "已上报",
    assigned: "已交办",
    in_progress: "整改中",
    resolved: "已整改",
    verified: "已核销",
  },
  "cameras.status": { online: "在线", offline: "离线", planned: "计划" },
  type: { dome: "球机", half_dome: "半球", fixed: "固定枪机", ptz: "遥控枪机" },
  "buildings.kind": { slab: "板楼", tower: "塔楼", lowrise: "平房", shop: "商铺", public: "公共建筑" },
  defaulted: {
    bearing_deg: "朝向",
    view_width_deg: "视角",
    range_m: "可视距离",
    mount_height_m: "安装高度",
    type: "类型",
  },
};

/** The features' properties with Chinese headers and values, in the same column order. */
export async function inChinese(
  db: Db,
  layer: ExportLayer,
  rows: Array<Record<string, unknown>>,
): Promise<Array<Record<string, unknown>>> {
  const categories = new Map<string, string>();
  if (layer === "venues" || layer === "hazards") {
    const table = layer === "venues" ? "venue_category" : "hazard_category";
    for (const c of await db.selectFrom(table).select(["code", "name_zh"]).execute()) categories.set(c.code, c.name_zh);
  }
  const communities = new Map(
    (await db.selectFrom("community").select(["code", "name"]).execute()).map((c) => [c.code, c.name]),
  );
  const value = (key: string, v: unknown): unknown => {
    if (typeof v !== "string") return v;
    if (key === "category") return categories.get(v) ?? v;
    if (key === "defaulted")
      return v
        .split(",")
        .filter(Boolean)
        .map((x) => VALUES.defaulted![x] ?? x)
        .join("、");
    const names = VALUES[`${layer}.${key}`] ?? VALUES[key];
    return names?.[v] ?? v;
  };
  return rows.map((row) => {
    const out: Record<string, unknown> = {};
    for (const [key, v] of Object.entries(row)) {
      const header = key === "code" ? (CODE_HEADER[layer] ?? "编码") : (HEADERS[key] ?? key);
      out[header] = value(key, v);
      if (key === "community" && typeof v === "string") out[HEADERS.community_name!] = communities.get(v) ?? "";
    }
    return out;
  });
}
