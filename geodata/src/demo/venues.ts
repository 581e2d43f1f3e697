import { addDays } from "./dates.ts";
import { type Estates, frontPoint, type GenBuilding } from "./estates.ts";
import { venueName } from "./names.ts";
import type { Rng } from "./random.ts";
import type { BlockSide, XY } from "./territory.ts";
import type { DemoInspection, DemoVenue } from "./types.ts";

/** A venue as the generator places it: the row it becomes, at a point in metres. */
export interface GenVenue extends Omit<DemoVenue, "geom"> {
  at: XY;
}

/** An inspection as drawn; the dataset numbers them. */
export type GenInspection = Omit<DemoInspection, "id">;

/** Venues in street-front shops, by category. */
const STREET_VENUES: readonly (readonly [string, number])[] = [
  ["restaurant", 150],
  ["health_shop", 40],
  ["pharmacy", 34],
  ["hotel", 18],
  ["internet_cafe", 14],
  ["clinic", 8],
];

/** Inspection intervals of migration 20261127000500 (venue_category.inspection_interval_days). */
const INTERVAL_DAYS: Record<string, number> = {
  health_shop: 30,
  youth_room: 90,
  cultural_facility: 90,
  school: 60,
  kindergarten: 60,
  market: 30,
  pharmacy: 60,
  internet_cafe: 30,
  hotel: 60,
  restaurant: 60,
  clinic: 90,
  elderly_care: 90,
};

/** Which venues the report's 315 inspected places are drawn from first: places where minors gather lead. */
const INSPECTION_PRIORITY = [
  "youth_room",
  "cultural_facility",
  "school",
  "kindergarten",
  "internet_cafe",
  "health_shop",
  "hotel",
  "market",
  "elderly_care",
  "pharmacy",
  "clinic",
  "restaurant",
];

export const INSPECTED_VENUES = 315;
export const JOINT_INSPECTIONS = 35;

const ISSUES: Record<string, readonly string[]> = {
  any: ["灭火器过期未更换", "安全出口指示灯损坏", "消防通道堆放杂物", "营业执照未悬挂", "电线私拉乱接"],
  health_shop: ["店内张贴夸大功效宣传", "以免费体检名义招揽老年人", "产品无合格证明", "组织老年人听课推销保健品"],
  internet_cafe: ["未落实未成年人禁入规定", "上网人员登记不全"],
  hotel: ["住宿人员登记不全", "消防器材未定期检查"],
  restaurant: ["后厨卫生不达标", "燃气软管老化", "从业人员健康证过期"],
  school: ["校门口护栏缺失", "周边存在流动摊贩"],
  kindergarten: ["校门口护栏缺失", "门卫值守记录不全"],
  market: ["摊位占用消防通道", "电动车在室内充电"],
  youth_room: ["活动室灭火器过期", "安全提示标识缺失"],
  cultural_facility: ["活动室灭火器过期", "安全提示标识缺失"],
};
const FOLLOW_UPS = ["已当场整改", "限期7日内整改，已复查合格", "限期整改，待复查", "已移交市场监管部门处理"];

/**
 * Venues: street businesses in the shop rows, and per community the youth room, cultural facility and elderly
 * care station in its civic centre, its health station, schools, kindergartens and markets.
 */
export function buildVenues(estates: Estates, communityNames: Map<string, string>, rng: Rng): GenVenue[] {
  const venues: GenVenue[] = [];
  const add = (b: GenBuilding, category: string, name: string, address: string, at: XY) =>
    venues.push({
      id: venues.length + 1,
      communityCode: b.communityCode,
      category,
      name,
      address,
      at,
    });
  const compoundRoad = new Map(estates.compounds.map((c) => [c.id, c.road]));

  for (const b of estates.buildings) {
    const cname = communityNames.get(b.communityCode) ?? "";
    const road = b.road ?? compoundRoad.get(b.compoundId ?? 0) ?? null;
    const address = road ? addressOf(b, road) : `${cname}内`;
    switch (b.role) {
      case "civic_centre":
        add(b, "youth_room", `${cname}未成年人工作室`, address, frontPoint(b, 0, 4, 0.25));
        add(b, "cultural_facility", `${cname}综合文化服务中心`, address, frontPoint(b, 0, 4, 0.5));
        add(b, "elderly_care", `${cname}养老服务站`, address, frontPoint(b, 0, 4, 0.75));
        break;
      case "clinic":
        add(b, "clinic", b.name, address, frontPoint(b, 0, 4));
        break;
      case "market":
        add(b, "market", b.name, address, frontPoint(b, 0, 6));
        break;
      case "kindergarten":
        add(b, "kindergarten", b.name, address, frontPoint(b, 0, 4));
        break;
      case "primary_school":
      case "middle_school":
        if (b.name.endsWith("教学楼")) add(b, "school", b.name.replace(/教学楼$/, ""), address, frontPoint(b, 0, 4));
        break;
      default:
        break;
    }
  }

  const units = rng.shuffle(
    estates.buildings.filter((b) => b.kind === "shop").flatMap((b) => b.households.map((_, k) => [b, k] as const)),
  );
  for (const [category, count] of STREET_VENUES) {
    for (let n = 0; n < count; n++) {
      const unit = units.pop();
      if (!unit) throw new Error("not enough shop fronts for the street venues");
      const [b, k] = unit;
      add(b, category, venueName(category, rng), addressOf(b, b.road!, k), frontPoint(b, k, 3));
    }
  }
  return venues;
}

/** A street address: the road's name and a door number, odd on one side and even on the other. */
function addressOf(b: GenBuilding, road: BlockSide, k = 0): string {
  const along = road.along === "row" ? b.rect.x0 : b.rect.y0;
  const unitW = (road.along === "row" ? b.rect.x1 - b.rect.x0 : b.rect.y1 - b.rect.y0) / b.households.length;
  const odd = b.front === "s" || b.front === "w";
  const no = 2 * Math.floor((along + k * unitW) / 12) + (odd ? 1 : 2);
  return `${road.name}${no}号`;
}

/**
 * A year of inspections of the report's 315 inspected venues, each at roughly its category's interval (some
 * venues far less often), by the grid workers of its community; 35 of the health-shop visits were joint with
 * the police.
 */
export function buildInspections(
  venues: GenVenue[],
  inspectors: Map<string, number[]>,
  today: string,
  rng: Rng,
): GenInspection[] {
  const ranked = venues
    .map((v) => ({ v, score: INSPECTION_PRIORITY.indexOf(v.category) + rng.range(0, 3) }))
    .sort((a, b) => a.score - b.score)
    .slice(0, INSPECTED_VENUES)
    .map((r) => r.v)
    .sort((a, b) => a.id - b.id);
  const out: GenInspection[] = [];
  for (const v of ranked) {
    const interval = INTERVAL_DAYS[v.category] ?? 60;
    const diligence = rng.chance(0.15) ? rng.range(0.15, 0.35) : rng.range(0.6, 1);
    const pool = inspectors.get(v.communityCode) ?? [];
    let back = rng.int(0, interval);
    let first = true;
    const mine: GenInspection[] = [];
    while (back <= 364) {
      const issues = rng.chance(0.2);
      const closed = first && issues && ["health_shop", "internet_cafe"].includes(v.category) && rng.chance(0.15);
      const note = issues ? rng.pick([...(ISSUES[v.category] ?? []), ...ISSUES.any!]) : null;
      mine.push({
        venueId: v.id,
        inspectedOn: addDays(today, -back),
        inspectorId: rng.pick(pool),
        result: closed ? "closed_down" : issues ? "issues_found" : "ok",
        note: closed ? `${note}，责令停业整顿` : note,
        followUp: issues ? rng.pick(FOLLOW_UPS) : null,
        jointWithPolice: false,
      });
      first = false;
      back += Math.round((interval / diligence) * rng.range(0.8, 1.2));
    }
    out.push(...mine.reverse());
  }
  const healthShopVisits = out.filter((i) => venues[i.venueId - 1]!.category === "health_shop");
  if (healthShopVisits.length < JOINT_INSPECTIONS) throw new Error("too few health-shop inspections");
  for (const i of rng.shuffle(healthShopVisits).slice(0, JOINT_INSPECTIONS)) {
    i.jointWithPolice = true;
    i.note = i.note ? `与派出所民警联合检查：${i.note}` : "与派出所民警联合检查，开展防范养老诈骗宣传";
  }
  return out;
}
