import { addDays, cstTimestamp } from "./dates.ts";
import { type Estates, frontPoint, type GenBuilding } from "./estates.ts";
import type { Rng } from "./random.ts";
import { insideRing, ROAD_HALF_WIDTH_M, type Territory, type XY } from "./territory.ts";
import type { DemoHazard, DemoHazardTransition, DemoWorker, HazardSeverity, HazardStatus } from "./types.ts";
import type { GenVenue } from "./venues.ts";

/** A step of a hazard's history as drawn; the dataset numbers them and links them to their hazard. */
export type GenTransition = Omit<DemoHazardTransition, "id" | "hazardId">;

/** A hazard as the generator places it: the row it becomes, at a point in metres, with its history. */
export interface GenHazard extends Omit<DemoHazard, "id" | "geom"> {
  at: XY;
  transitions: GenTransition[];
}

/** The report's 10 remediated hazard points are the verified ones; the rest are still being worked on. */
export const REMEDIATED_HAZARDS = 10;
const STATUS_COUNTS: readonly (readonly [HazardStatus, number])[] = [
  ["verified", REMEDIATED_HAZARDS],
  ["resolved", 30],
  ["in_progress", 28],
  ["assigned", 18],
  ["reported", 24],
];
const LIFECYCLE: readonly HazardStatus[] = ["reported", "assigned", "in_progress", "resolved", "verified"];
/** How long ago (days) a hazard in each status was reported: finished ones are older. */
const AGE_DAYS: Record<HazardStatus, [number, number]> = {
  verified: [90, 330],
  resolved: [25, 200],
  in_progress: [8, 120],
  assigned: [3, 45],
  reported: [0, 14],
};
const OFFICE = "新城街道综治中心";

type Where = { at: XY; communityCode: string; label: string; venueId: number | null };

/**
 * Hazard points of several categories with their whole lifecycle (reported → assigned → in_progress → resolved
 * → verified); a few were reopened from resolved back to assigned when the check found the fix had not held.
 */
export function buildHazards(
  territory: Territory,
  estates: Estates,
  venues: GenVenue[],
  workers: DemoWorker[],
  today: string,
  rng: Rng,
): GenHazard[] {
  const compoundName = new Map(estates.compounds.map((c) => [c.id, c.name]));
  const byKind = (kinds: string[]) => estates.buildings.filter((b) => kinds.includes(b.kind));
  const housing = byKind(["slab", "tower"]);
  const towers = byKind(["tower"]);
  const lowrise = byKind(["lowrise"]);
  const shops = byKind(["shop"]);
  const venuesOf = (categories: string[]) => venues.filter((v) => categories.includes(v.category));
  const staff = new Map<string, DemoWorker[]>();
  for (const w of workers) {
    if (w.role !== "grid_worker" && w.role !== "info_worker") continue;
    staff.set(w.communityCode, [...(staff.get(w.communityCode) ?? []), w]);
  }

  const inBuilding = (b: GenBuilding): Where => {
    const k = rng.int(0, b.households.length - 1);
    const place = b.compoundId ? `${compoundName.get(b.compoundId)}${b.name}` : b.name;
    const unit = b.households.length > 1 ? `${k + 1}单元` : "";
    return { at: frontPoint(b, k, 3), communityCode: b.communityCode, label: `${place}${unit}`, venueId: null };
  };
  const atVenue = (v: GenVenue): Where => ({
    at: [v.at[0] + rng.range(-1, 1), v.at[1] + rng.range(-0.5, 0.5)],
    communityCode: v.communityCode,
    label: v.name,
    venueId: v.id,
  });
  const atJunction = (): Where | null => {
    const j = rng.pick(territory.junctions);
    const [sx, sy] = rng.pick(j.quadrants);
    const at: XY = [
      j.at[0] + sx * (ROAD_HALF_WIDTH_M[j.col?.cls ?? "local"] + 5),
      j.at[1] + sy * (ROAD_HALF_WIDTH_M[j.row?.cls ?? "local"] + 5),
    ];
    const block = territory.blocks.find((b) => insideRing(at, b.ring));
    if (!block) return null;
    return { at, communityCode: block.communityCode, label: `${j.row?.name}与${j.col?.name}交叉口`, venueId: null };
  };

  const kinds: Record<
    string,
    { weight: number; severity: [HazardSeverity, number][]; titles: string[]; where: () => Where | null }
  > = {
    ebike_charging: {
      weight: 20,
      severity: [
        ["high", 0.4],
        ["medium", 0.6],
      ],
      titles: ["楼道电动车违规充电", "飞线充电", "电动车停放堵塞楼道"],
      where: () => inBuilding(rng.pick(housing)),
    },
    fire: {
      weight: 15,
      severity: [
        ["high", 0.3],
        ["medium", 0.5],
        ["low", 0.2],
      ],
      titles: ["消防通道堆放杂物", "楼道堆放易燃杂物", "灭火器过期未更换", "消防栓无水"],
      where: () => (rng.chance(0.5) ? inBuilding(rng.pick([...shops, ...lowrise])) : inBuilding(rng.pick(housing))),
    },
    gas: {
      weight: 10,
      severity: [
        ["high", 0.5],
        ["medium", 0.5],
      ],
      titles: ["燃气软管老化", "违规使用液化气罐", "燃气报警器缺失"],
      where: () => (rng.chance(0.5) ? atVenue(rng.pick(venuesOf(["restaurant"]))) : inBuilding(rng.pick(lowrise))),
    },
    structure: {
      weight: 8,
      severity: [
        ["high", 0.5],
        ["medium", 0.5],
      ],
      titles: ["房屋墙体开裂", "屋面漏雨", "院墙倾斜"],
      where: () => inBuilding(rng.pick(lowrise)),
    },
    falling_objects: {
      weight: 10,
      severity: [
        ["high", 0.3],
        ["medium", 0.7],
      ],
      titles: ["外墙瓷砖松动脱落", "阳台花盆存在坠落风险", "空调外机支架锈蚀"],
      where: () => inBuilding(rng.pick(towers)),
    },
    traffic: {
      weight: 10,
      severity: [
        ["medium", 0.6],
        ["low", 0.4],
      ],
      titles: ["路口缺少减速带", "人行横道标线磨损", "交通信号灯故障"],
      where: atJunction,
    },
    food: {
      weight: 7,
      severity: [
        ["medium", 0.6],
        ["low", 0.4],
      ],
      titles: ["后厨卫生不达标", "食品储存不规范", "从业人员健康证过期"],
      where: () => atVenue(rng.pick(venuesOf(["restaurant", "market"]))),
    },
    fraud_ads: {
      weight: 12,
      severity: [
        ["medium", 0.5],
        ["low", 0.5],
      ],
      titles: ["违规张贴小广告", "以讲座名义向老年人推销保健品", "散发虚假宣传单"],
      where: () => (rng.chance(0.6) ? atVenue(rng.pick(venuesOf(["health_shop"]))) : inBuilding(rng.pick(housing))),
    },
    other: {
      weight: 8,
      severity: [
        ["low", 0.7],
        ["medium", 0.3],
      ],
      titles: ["井盖破损", "路灯损坏", "护栏缺失"],
      where: () => inBuilding(rng.pick(housing)),
    },
  };
  const categories = Object.entries(kinds).map(([k, v]) => [k, v.weight] as const);

  const statuses = rng.shuffle(STATUS_COUNTS.flatMap(([s, n]) => Array.from({ length: n }, () => s)));
  const out: GenHazard[] = [];
  for (const status of statuses) {
    const category = rng.weighted(categories);
    const kind = kinds[category]!;
    let where = kind.where();
    while (!where) where = kind.where();
    const team = staff.get(where.communityCode) ?? [];
    const reporter = rng.pick(team);
    const fixer = rng.pick(team);
    const title = `${where.label}${rng.pick(kind.titles)}`.slice(0, 120);
    const [minAge, maxAge] = AGE_DAYS[status];
    let day = -rng.int(minAge, maxAge);
    let minute = rng.int(510, 1050);
    const stamp = () => cstTimestamp(addDays(today, day), minute);
    const advance = (maxDays: number) => {
      const step = rng.int(0, maxDays);
      if (day + step >= 0) {
        day = Math.max(day, 0);
        minute = Math.min(minute + rng.int(10, 60), 1430);
      } else if (step === 0) minute = Math.min(minute + rng.int(20, 180), 1430);
      else {
        day += step;
        minute = rng.int(510, 1050);
      }
    };
    const reportedAt = stamp();
    const transitions: GenTransition[] = [
      { fromStatus: null, toStatus: "reported", at: reportedAt, actor: roleName(reporter), note: null },
    ];
    const reopened = (status === "verified" || status === "resolved") && rng.chance(0.15);
    const path: HazardStatus[] = LIFECYCLE.slice(1, LIFECYCLE.indexOf(status) + 1);
    if (reopened) path.splice(path.indexOf("resolved") + 1, 0, "assigned", "in_progress", "resolved");
    let from: HazardStatus = "reported";
    for (const to of path) {
      advance(to === "resolved" ? 20 : to === "verified" ? 10 : 4);
      const reopening = from === "resolved" && to === "assigned";
      transitions.push({
        fromStatus: from,
        toStatus: to,
        at: stamp(),
        actor: to === "assigned" || to === "verified" ? OFFICE : roleName(fixer),
        note: reopening
          ? "复查未通过，重新交办"
          : to === "assigned"
            ? `交办${roleName(fixer)}处理`
            : to === "in_progress"
              ? "已联系责任方，正在整改"
              : to === "resolved"
                ? "整改完成，申请复查"
                : to === "verified"
                  ? "复查合格，销号"
                  : null,
      });
      from = to;
    }
    out.push({
      communityCode: where.communityCode,
      venueId: where.venueId,
      category,
      severity: rng.weighted(kind.severity),
      status,
      title,
      note: reopened ? "曾复查未通过，二次整改" : null,
      at: where.at,
      reportedAt,
      transitions,
    });
  }
  return out;
}

function roleName(w: DemoWorker): string {
  return `${w.role === "grid_worker" ? "网格员" : "网情员"}${w.name}`;
}
