import { type Archetype, type Candidate, lowrise, STYLE_MIX, slabs, towers } from "./housing.ts";
import { compoundNames } from "./names.ts";
import { area, bestSide, type GenGate, gate, overlaps, type Plot, type Side, subdivide } from "./plots.ts";
import type { Rng } from "./random.ts";
import {
  type BlockSide,
  COMMUNITY_LAYOUT,
  type CommunityLayout,
  isFrontage,
  type Rect,
  rank,
  type Territory,
  type XY,
} from "./territory.ts";
import type { CompoundKind, DemoBuilding, DemoCompound } from "./types.ts";

/** What a public building is for; venues and cameras are placed by it. */
export type PublicRole = "primary_school" | "middle_school" | "kindergarten" | "civic_centre" | "clinic" | "market";

/** A building as the generator lays it out: an axis-aligned rectangle with its entrances along the long axis. */
export interface GenBuilding extends Omit<DemoBuilding, "geom"> {
  rect: Rect;
  /** Entrances run west→east ("ew") or south→north ("ns"), the building's long axis. */
  axis: "ew" | "ns";
  /** The wall with the doors. */
  front: Side;
  households: number[];
  role: PublicRole | null;
  /** For a street-front shop: the road it faces. */
  road: BlockSide | null;
  /** For a tower: households per floor per entrance, so that its height can be tuned. */
  perFloor: number;
}

/** A compound as the generator lays it out: the row it becomes, a rectangle with gates. */
export interface GenCompound extends Omit<DemoCompound, "geom" | "gates"> {
  rect: Rect;
  gates: GenGate[];
  /** The road the main gate opens on. */
  road: BlockSide | null;
}

export interface Estates {
  compounds: GenCompound[];
  buildings: GenBuilding[];
}

const TOTAL_HOUSEHOLDS = 55_000;
const ORDINALS = ["一", "二", "三", "四", "五", "六", "七", "八", "九", "十", "十一", "十二", "十三", "十四", "十五"];

/**
 * Fills the blocks: per community, a civic centre, schools and a market, then residential compounds in random
 * plots until the community's target households are reached (the last compound may stop half built, as in a
 * growing district); the rest is open land. Tower heights are then tuned so each community lands on its target.
 */
export function buildEstates(territory: Territory, communityNames: Map<string, string>, rng: Rng): Estates {
  const compounds: GenCompound[] = [];
  const buildings: GenBuilding[] = [];
  const households = new Map<string, { target: number; built: number }>();
  const { estates: names, oldAreas: oldNames } = compoundNames(rng);
  let schoolNo = 0;
  let middleNo = 0;

  const means = COMMUNITY_LAYOUT.map(() => rng.range(228, 256));
  const raw = COMMUNITY_LAYOUT.reduce((s, c, k) => s + c.grids * means[k]!, 0);

  const addBuilding = (b: Omit<GenBuilding, "id">) => {
    const built = { id: buildings.length + 1, ...b };
    buildings.push(built);
    return built;
  };
  const addCompound = (c: Omit<GenCompound, "id">) => {
    const built = { id: compounds.length + 1, ...c };
    compounds.push(built);
    return built;
  };

  COMMUNITY_LAYOUT.forEach((community, k) => {
    const crng = rng.fork(community.code);
    const cname = communityNames.get(community.code) ?? community.code;
    const target = Math.round((community.grids * means[k]! * TOTAL_HOUSEHOLDS) / raw);
    const plots = crng.shuffle(
      territory.blocks.filter((b) => b.communityCode === community.code).flatMap((b) => subdivide(b)),
    );
    const take = (score: (p: Plot) => number) => {
      let best = 0;
      for (let q = 1; q < plots.length; q++) if (score(plots[q]!) > score(plots[best]!)) best = q;
      return plots.splice(best, 1)[0]!;
    };
    const frontageScore = (p: Plot) => Math.max(0, ...p.touches.map((s) => rank(p.block.sides[s])));

    const civic = take(frontageScore);
    const civicSide = bestSide(civic);
    addBuilding(publicBuilding(community, cname, civic, civicSide, 48, 18, 3, "civic_centre", "党群服务中心"));
    addBuilding(
      publicBuilding(community, cname, civic, civicSide, 24, 14, 2, "clinic", "卫生服务站", 60, crng.range(-10, 10)),
    );

    schoolNo++;
    // The primary school takes a large plot off the busiest roads.
    const primary = take((p) => area(p.rect) - frontageScore(p) * 1000);
    buildSchool(primary, `开发区第${ORDINALS[schoolNo - 1]}小学`, "primary_school");
    if (k % 3 === 1) {
      middleNo++;
      buildSchool(
        take((p) => area(p.rect)),
        `开发区第${ORDINALS[middleNo - 1]}中学`,
        "middle_school",
      );
    }
    if (k % 2 === 0) {
      const market = take(frontageScore);
      addBuilding(publicBuilding(community, cname, market, bestSide(market), 60, 36, 1, "market", "农贸市场"));
    }

    let built = 0;
    let used = 0;
    for (const plot of plots) {
      if (built >= target - 6) break;
      // Where the plots left could not hold the rest at the usual mix, the rest goes into towers.
      const short = target - built > (plots.length - used) * 550;
      const archetype = short ? "tower" : crng.weighted(STYLE_MIX[community.style]);
      built += buildResidential(plot, archetype, target - built, crng);
      used++;
    }
    // Of the land left over, some carries a shopping or office building; the rest is parks and land not yet built on.
    for (const plot of plots.slice(used)) {
      if (!crng.chance(0.3)) continue;
      const side = bestSide(plot);
      const b = publicBuilding(
        community,
        cname,
        plot,
        side,
        crng.range(60, 90),
        crng.range(28, 40),
        crng.int(3, 5),
        null,
        "",
      );
      addBuilding({
        ...b,
        kind: "shop",
        name: `${plot.block.sides[side].name}${crng.pick(["商业广场", "商务楼", "购物中心"])}`,
        households: Array.from({ length: crng.int(3, 5) }, () => 0),
      });
    }
    households.set(community.code, { target, built });
  });

  function buildSchool(plot: Plot, name: string, role: PublicRole) {
    const side = bestSide(plot);
    const r = plot.rect;
    const rect = { x0: r.x0, y0: r.y0, x1: Math.min(r.x1, r.x0 + 190), y1: Math.min(r.y1, r.y0 + 170) };
    const campus = addCompound({
      communityCode: plot.block.communityCode,
      name,
      kind: "campus",
      rect,
      gates: [gate(rect, side)],
      road: plot.block.sides[side],
    });
    const teaching = { x0: rect.x0 + 12, y0: rect.y1 - 30, x1: rect.x0 + 82, y1: rect.y1 - 14 };
    const gym = { x0: rect.x0 + 100, y0: rect.y1 - 38, x1: rect.x0 + 136, y1: rect.y1 - 14 };
    for (const [fp, floors, what] of [
      [teaching, 4, "教学楼"],
      [gym, 2, "体育馆"],
    ] as const) {
      if (fp.x1 > rect.x1 - 8 || fp.y0 < rect.y0 + 8) continue;
      addBuilding({
        communityCode: plot.block.communityCode,
        compoundId: campus.id,
        kind: "public",
        name: `${name}${what}`,
        floors,
        rect: fp,
        axis: "ew",
        front: "s",
        households: [0],
        role,
        road: null,
        perFloor: 0,
      });
    }
  }

  /** Lays out one residential plot; returns the households built (at most about `budget`). */
  function buildResidential(plot: Plot, archetype: Archetype, budget: number, r: Rng): number {
    const code = plot.block.communityCode;
    let rect = plot.rect;
    const front = bestSide(plot);
    const frontSide = plot.block.sides[front];
    const gateSides: Side[] = [front];
    for (const s of plot.touches) if (s !== front && r.chance(0.4)) gateSides.push(s);
    if (plot.touches.includes(front) && isFrontage(frontSide) && r.chance(0.75)) {
      rect = placeShops(plot, front, r);
    }
    const loose = archetype === "old" && r.chance(0.4);
    const kind: CompoundKind = archetype === "old" ? "old_area" : "estate";
    const name = archetype === "old" ? (oldNames.pop() ?? `${names.pop()}`) : names.pop()!;
    const compound = loose
      ? null
      : addCompound({
          communityCode: code,
          name,
          kind,
          rect,
          gates: gateSides.map((s) => gate(rect, s)),
          road: frontSide,
        });
    const margin = archetype === "old" ? 4 : 8;
    const inner = { x0: rect.x0 + margin, y0: rect.y0 + margin, x1: rect.x1 - margin, y1: rect.y1 - margin };
    const kindergarten = compound && archetype !== "old" && area(inner) > 12_000 && r.chance(0.35);
    const reserved: Rect | null = kindergarten
      ? { x0: inner.x1 - 34, y0: inner.y1 - 24, x1: inner.x1, y1: inner.y1 }
      : null;
    let candidates: Candidate[];
    if (archetype === "slab") candidates = slabs(inner, r);
    else if (archetype === "tower") candidates = towers(inner, r);
    else if (archetype === "old") candidates = lowrise(inner, r);
    else {
      const split = inner.y0 + (inner.y1 - inner.y0) * 0.5;
      candidates = [...slabs({ ...inner, y1: split }, r), ...towers({ ...inner, y0: split + 10 }, r)];
    }
    if (reserved) candidates = candidates.filter((c) => !overlaps(c.rect, reserved, 10));
    let built = 0;
    let no = 0;
    for (const c of candidates) {
      const hh = c.households.reduce((s, x) => s + x, 0);
      if (built + hh / 2 > budget) break;
      built += hh;
      no++;
      addBuilding({
        communityCode: code,
        compoundId: compound?.id ?? null,
        kind: c.kind,
        name: loose ? `${frontSide.name}平房${no}号` : c.kind === "lowrise" ? `${no}号院` : `${no}号楼`,
        floors: c.floors,
        rect: c.rect,
        axis: c.axis,
        front: c.axis === "ew" ? "n" : "w",
        households: c.households,
        role: null,
        road: null,
        perFloor: c.perFloor,
      });
    }
    if (reserved && compound && built > 0) {
      addBuilding({
        communityCode: code,
        compoundId: compound.id,
        kind: "public",
        name: `${compound.name.replace(/小区$/, "")}幼儿园`,
        floors: 3,
        rect: { x0: reserved.x0 + 2, y0: reserved.y0 + 2, x1: reserved.x1 - 2, y1: reserved.y1 - 2 },
        axis: "ew",
        front: "s",
        households: [0],
        role: "kindergarten",
        road: null,
        perFloor: 0,
      });
    }
    if (compound && built === 0) compounds.splice(compounds.indexOf(compound), 1);
    return built;
  }

  /** Puts a row of street-front shops along the plot's `side`, leaving a gap for the gate; returns what is left. */
  function placeShops(plot: Plot, side: Side, r: Rng): Rect {
    const band = 20;
    const rect = plot.rect;
    const road = plot.block.sides[side];
    const ew = side === "s" || side === "n";
    const from = ew ? rect.x0 : rect.y0;
    const to = ew ? rect.x1 : rect.y1;
    const mid = (from + to) / 2;
    const outer = ew ? (side === "s" ? rect.y0 : rect.y1) : side === "w" ? rect.x0 : rect.x1;
    const inward = side === "s" || side === "w" ? 1 : -1;
    const a = outer + inward;
    const b = outer + inward * 13;
    for (const [start, stop] of [
      [from + 4, mid - 10],
      [mid + 10, to - 4],
    ] as const) {
      let pos = start;
      while (stop - pos >= 16) {
        const end = stop - (pos + 46) < 16 ? stop : pos + r.range(22, 46);
        const fp: Rect = ew
          ? { x0: pos, x1: end, y0: Math.min(a, b), y1: Math.max(a, b) }
          : { x0: Math.min(a, b), x1: Math.max(a, b), y0: pos, y1: end };
        addBuilding({
          communityCode: plot.block.communityCode,
          compoundId: null,
          kind: "shop",
          name: `${road.name}沿街商铺`,
          floors: r.weighted([
            [1, 0.2],
            [2, 0.6],
            [3, 0.2],
          ] as const),
          rect: fp,
          axis: ew ? "ew" : "ns",
          front: side,
          households: Array.from({ length: Math.max(1, Math.round((end - pos) / 12)) }, () => 0),
          role: null,
          road,
          perFloor: 0,
        });
        pos = end + r.range(4, 8);
      }
    }
    switch (side) {
      case "s":
        return { ...rect, y0: rect.y0 + band };
      case "n":
        return { ...rect, y1: rect.y1 - band };
      case "w":
        return { ...rect, x0: rect.x0 + band };
      case "e":
        return { ...rect, x1: rect.x1 - band };
    }
  }

  tuneHouseholds(buildings, households, rng.fork("tune"));
  return { compounds, buildings };
}

/** A one-entrance public building near the plot's `side`, `offset` metres along it from the middle. */
function publicBuilding(
  community: CommunityLayout,
  communityName: string,
  plot: Plot,
  side: Side,
  len: number,
  depth: number,
  floors: number,
  role: PublicRole | null,
  label: string,
  shift = 0,
  offset = 0,
): Omit<GenBuilding, "id"> {
  const r = plot.rect;
  const cx = (r.x0 + r.x1) / 2 + offset;
  const cy = (r.y0 + r.y1) / 2 + offset;
  const ew = side === "s" || side === "n";
  const w = ew ? len : depth;
  const h = ew ? depth : len;
  const inset = 10 + shift;
  let rect: Rect;
  if (side === "s") rect = { x0: cx - w / 2, x1: cx + w / 2, y0: r.y0 + inset, y1: r.y0 + inset + h };
  else if (side === "n") rect = { x0: cx - w / 2, x1: cx + w / 2, y0: r.y1 - inset - h, y1: r.y1 - inset };
  else if (side === "w") rect = { x0: r.x0 + inset, x1: r.x0 + inset + w, y0: cy - h / 2, y1: cy + h / 2 };
  else rect = { x0: r.x1 - inset - w, x1: r.x1 - inset, y0: cy - h / 2, y1: cy + h / 2 };
  const name = role === "market" ? `${plot.block.sides[side].name}${label}` : `${communityName}${label}`;
  return {
    communityCode: community.code,
    compoundId: null,
    kind: "public",
    name,
    floors,
    rect,
    axis: ew ? "ew" : "ns",
    front: side,
    households: [0],
    role,
    road: plot.block.sides[side],
    perFloor: 0,
  };
}

/** Raises or lowers towers a floor at a time (18–33) until each community's households meet its target. */
function tuneHouseholds(
  buildings: GenBuilding[],
  households: Map<string, { target: number; built: number }>,
  rng: Rng,
) {
  for (const [code, h] of households) {
    const towers = rng.shuffle(buildings.filter((b) => b.communityCode === code && b.kind === "tower"));
    const houses = rng.shuffle(buildings.filter((b) => b.communityCode === code && b.kind === "lowrise"));
    let changed = true;
    while (h.built !== h.target && changed) {
      changed = false;
      const up = h.built < h.target;
      for (const t of towers) {
        const step = t.perFloor * t.households.length;
        const floors = t.floors + (up ? 1 : -1);
        if (floors < 18 || floors > 33 || Math.abs(h.target - h.built) <= step / 2) continue;
        t.floors = floors;
        t.households = t.households.map(() => floors * t.perFloor);
        h.built += up ? step : -step;
        changed = true;
        if (h.built === h.target) break;
      }
      if (changed) continue;
      for (const b of houses) {
        const hh = b.households[0]! + (up ? 1 : -1);
        if (hh < 1 || hh > 6) continue;
        b.households = [hh];
        h.built += up ? 1 : -1;
        changed = true;
        if (h.built === h.target) break;
      }
    }
  }
}

/** The part of a building's footprint served by its `k`-th entrance (0-based): equal cuts along the long axis. */
export function sectionRect(b: GenBuilding, k: number): Rect {
  const n = b.households.length;
  const r = b.rect;
  if (b.axis === "ew") {
    const w = (r.x1 - r.x0) / n;
    return { ...r, x0: r.x0 + k * w, x1: r.x0 + (k + 1) * w };
  }
  const h = (r.y1 - r.y0) / n;
  return { ...r, y0: r.y0 + k * h, y1: r.y0 + (k + 1) * h };
}

/** A point `depth` metres inside the front wall of a section, in the middle of it. */
export function frontPoint(b: GenBuilding, k: number, depth: number, along = 0.5): XY {
  const s = sectionRect(b, k);
  const x = s.x0 + (s.x1 - s.x0) * along;
  const y = s.y0 + (s.y1 - s.y0) * along;
  switch (b.front) {
    case "s":
      return [x, s.y0 + depth];
    case "n":
      return [x, s.y1 - depth];
    case "w":
      return [s.x0 + depth, y];
    case "e":
      return [s.x1 - depth, y];
  }
}
