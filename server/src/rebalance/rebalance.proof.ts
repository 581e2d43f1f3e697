import type { OutOfBandBound } from "./rebalance.bound.ts";
import { buildingHouseholds, type Forcing, type OverFullRule } from "./rebalance.exact.ts";
import { bandText, communityNames, type Explanation, format } from "./rebalance.explain.ts";
import { bandDeviation } from "./rebalance.graph.ts";
import type { Partition } from "./rebalance.partition.ts";
import type { CommunityProblem } from "./rebalance.problem.ts";

/**
 * What the proven lower bound says about a plan: the bound against the plan's count (optimal for that criterion
 * when equal); each grid out of band either covered by the bound's reasons — a parcel above the maximum, or heavy
 * parcels whose households cannot all make grids of the band, named by compound and building — or flagged as not
 * proven unavoidable; and why each grid above the maximum is there (the over-full rule).
 */
export function explainBound(
  problem: CommunityProblem,
  p: Partition,
  ids: readonly string[],
  bound: OutOfBandBound,
  forcing: Forcing,
  rule: OverFullRule,
): Explanation[] {
  const { g, unitIds } = problem;
  const names = communityNames(g.community);
  const band = bandText(g.band);
  const out: Explanation[] = [];
  const push = (e: Omit<Explanation, "community">) => out.push({ community: g.community, ...e });
  const bad: number[] = [];
  for (let s = 0; s < p.slots; s++) if (p.slotSize[s]! > 0 && bandDeviation(p.slotHH[s]!, g.band) > 0) bad.push(s);
  const L = bound.out_of_band_lower_bound;
  if (L === null) {
    push({
      kind: "out_of_band_bound",
      severity: "info",
      zh: `${names.zh}：超标网格数的下限未能计算（候选组合过多）；当前方案 ${bad.length} 个网格超出 ${band} 户`,
      en: `${names.en}: the lower bound on grids out of band was not computed (too many candidate groups); this plan has ${bad.length} out of the ${band} band`,
    });
  } else {
    const optimal = bad.length <= L;
    push({
      kind: "out_of_band_bound",
      severity: L > 0 ? "error" : "info",
      zh: `${names.zh}：本社区至少 ${L} 个网格无法达到 ${band} 户（已证明），当前方案 ${bad.length} 个${optimal ? "，此项已是最优" : ""}`,
      en: `${names.en}: at least ${L} grid${L === 1 ? "" : "s"} cannot reach the ${band} band (proven); this plan has ${bad.length}${optimal ? ": optimal for this criterion" : ""}`,
    });
  }
  // Grids out of band against the bound's regions.
  const regionOf = new Int32Array(g.n).fill(-1);
  bound.regions.forEach((r, i) => {
    for (const u of r.units) regionOf[u] = i;
  });
  const quota = bound.regions.map((r) => r.bound);
  const members = new Map<number, number[]>();
  for (let u = 0; u < g.n; u++) {
    const list = members.get(p.part[u]!);
    if (list) list.push(u);
    else members.set(p.part[u]!, [u]);
  }
  const forcedBy = (s: number) => members.get(s)!.find((u) => forcing.parcel[u]);
  const ordered = [...bad].sort(
    (a, b) =>
      Number(forcedBy(b) !== undefined) - Number(forcedBy(a) !== undefined) ||
      bandDeviation(p.slotHH[b]!, g.band) - bandDeviation(p.slotHH[a]!, g.band),
  );
  for (const s of ordered) {
    const hh = p.slotHH[s]!;
    const by = new Map<number, number>();
    for (const u of members.get(s)!)
      if (regionOf[u]! >= 0) by.set(regionOf[u]!, (by.get(regionOf[u]!) ?? 0) + g.hh[u]!);
    const r = [...by].sort((x, y) => y[1] - x[1]).find(([i]) => quota[i]! > 0)?.[0];
    if (L !== null && r !== undefined) {
      quota[r]!--;
      const region = bound.regions[r]!;
      const where = describe(
        problem,
        region.reason === "oversized_parcel" ? region.stuck : region.stuck.length ? region.stuck : region.units,
      );
      const why =
        region.reason === "oversized_parcel"
          ? {
              zh: `单元 ${where.units} 独自超过 ${format.households(g.band.max)} 户`,
              en: `unit ${where.units} alone holds more than ${format.households(g.band.max)} households`,
            }
          : {
              zh: `${where.zh}的住户无法全部组成 ${band} 户的网格（此处至少 ${region.bound} 个网格超标）`,
              en: `the households of ${where.en} cannot all make grids of ${band} (at least ${region.bound} out of band here)`,
            };
      push({
        kind: "proven_out_of_band",
        severity: "error",
        zh: `网格 ${ids[s]}（${format.households(hh)} 户）超标已证明不可避免：${why.zh}`,
        en: `grid ${ids[s]} (${format.households(hh)}) is out of band unavoidably (proven): ${why.en}`,
        grids: [ids[s]!],
      });
    } else {
      push({
        kind: "not_proven",
        severity: "warning",
        zh: `网格 ${ids[s]}（${format.households(hh)} 户）：未证明不可避免，可能存在更好的方案`,
        en: `grid ${ids[s]} (${format.households(hh)}): not proven unavoidable: a better plan may exist`,
        grids: [ids[s]!],
      });
    }
  }
  // Over-full grids: which unit forces each, by the planner's rule.
  const bHH = buildingHouseholds(g);
  const bSize = new Int32Array(g.buildingCount);
  for (let u = 0; u < g.n; u++) if (g.building[u]! >= 0) bSize[g.building[u]!]!++;
  for (let s = 0; s < p.slots; s++) {
    if (p.slotSize[s] === 0 || p.slotHH[s]! <= g.band.max) continue;
    const list = members.get(s)!;
    const parcel = list.find((u) => forcing.parcel[u]);
    const inGrid = new Map<number, number>();
    for (const u of list) if (g.building[u]! >= 0) inGrid.set(g.building[u]!, (inGrid.get(g.building[u]!) ?? 0) + 1);
    const building = [...inGrid].find(([b, n]) => forcing.building[b] && n === bSize[b])?.[0];
    const hh = format.households(p.slotHH[s]!);
    const text =
      parcel !== undefined
        ? {
            zh: `网格 ${ids[s]} 有 ${hh} 户，超过上限：单元 ${unitIds[parcel]} 独自有 ${format.households(g.hh[parcel]!)} 户，单元不可拆分`,
            en: `grid ${ids[s]} holds ${hh}, above the maximum: unit ${unitIds[parcel]} alone holds ${format.households(g.hh[parcel]!)} and a unit is never split`,
          }
        : building !== undefined
          ? {
              zh: `网格 ${ids[s]} 有 ${hh} 户，超过上限：楼栋 ${problem.buildingIds[building]} 共 ${format.households(bHH[building]!)} 户，按所选规则整栋保留、不按单元拆分`,
              en: `grid ${ids[s]} holds ${hh}, above the maximum: building ${problem.buildingIds[building]} holds ${format.households(bHH[building]!)} and the chosen rule keeps buildings whole rather than splitting them along their entrances`,
            }
          : {
              zh: `网格 ${ids[s]} 有 ${hh} 户，超过上限，但没有单个单元、楼栋迫使它超标（${rule === "split_buildings" ? "规则：楼栋按单元拆分" : "规则：整栋保留"}）`,
              en: `grid ${ids[s]} holds ${hh}, above the maximum, and no single unit or building forces it (${rule === "split_buildings" ? "rule: buildings are split along their entrances" : "rule: buildings are kept whole"})`,
            };
    push({
      kind: "over_full",
      severity: parcel !== undefined || building !== undefined ? "info" : "warning",
      ...text,
      grids: [ids[s]!],
    });
  }
  return out;
}

/** Names a set of units by their compounds and their largest buildings, for people. */
function describe(problem: CommunityProblem, units: readonly number[]): { zh: string; en: string; units: string } {
  const { g } = problem;
  const compounds = new Map<number, number>();
  const buildings = new Map<number, number>();
  for (const u of units) {
    if (g.compound[u]! >= 0) compounds.set(g.compound[u]!, (compounds.get(g.compound[u]!) ?? 0) + g.hh[u]!);
    if (g.building[u]! >= 0) buildings.set(g.building[u]!, (buildings.get(g.building[u]!) ?? 0) + g.hh[u]!);
  }
  const top = <T>(m: Map<T, number>, k: number) =>
    [...m]
      .sort((a, b) => b[1] - a[1])
      .slice(0, k)
      .map(([x]) => x);
  const cNames = top(compounds, 2).map((c) => problem.compoundNames[c] ?? String(c));
  const bNames = top(buildings, 3).map((b) => problem.buildingIds[b]!);
  const more = buildings.size > 3 ? buildings.size - 3 : 0;
  const zh = [
    cNames.length ? `小区 ${cNames.join("、")}` : "",
    bNames.length ? `楼栋 ${bNames.join("、")}${more ? ` 等 ${buildings.size} 栋` : ""}` : "",
  ]
    .filter(Boolean)
    .join(" ");
  const en = [
    cNames.length ? `compound ${cNames.join(", ")}` : "",
    bNames.length
      ? `building${bNames.length > 1 ? "s" : ""} ${bNames.join(", ")}${more ? ` and ${more} more` : ""}`
      : "",
  ]
    .filter(Boolean)
    .join(", ");
  const unitsText = units
    .slice(0, 3)
    .map((u) => problem.unitIds[u]!)
    .join("、");
  return { zh: zh || `单元 ${unitsText} 一带`, en: en || `the area of unit ${unitsText}`, units: unitsText };
}
