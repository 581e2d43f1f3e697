import { insertGrids, type SqlClient } from "../db.ts";
import type { UnitPlace } from "../unit.ts";
import { ImportError } from "./errors.ts";
import { readingOrder } from "./order.ts";

/** A unit handed to the plan proposer: the rebalancer's input shape, adjacency given as edges. */
export interface ProposalUnit extends UnitPlace {
  outer_m: number;
  area_m2: number;
}

export interface ProposalInput {
  units: ProposalUnit[];
  edges: { a: string; b: string; length_m: number; on_road: boolean }[];
  bands: Record<string, { min: number; max: number }>;
  mode: "full";
  seed: number;
}

/**
 * Draws the first plan: unit id → grid id (any ids, unique across communities). The server passes the
 * rebalancer; geodata does not depend on the server.
 */
export type PlanProposer = (input: ProposalInput) => Promise<{
  assignment: Record<string, string>;
  /** Why a band could not be met, one line each. */
  notes: string[];
}>;

/** What proposePlan reads of the import's options (OsmImportOptions, where they are described). */
interface PlanOptions {
  subdistrictCode: string;
  /** The plan's name and owner; default: the OpenStreetMap import's. */
  planName?: string | undefined;
  planOwner?: string | undefined;
  publish?: boolean | undefined;
  seed?: number | undefined;
}

/**
 * The first plan: the proposer (the rebalancer, full mode) partitions each community's parcels into grids of the
 * community's band, from the parcel adjacency build_territory made. Grids are coded community code + 3 digits in
 * reading order and named after their community. A parcel that shares no boundary with any other parcel of its
 * community (a pier, a detached scrap of the boundary) cannot be partitioned; it joins the grid of the nearest
 * parcel afterwards.
 */
export async function proposePlan(
  client: SqlClient,
  options: PlanOptions,
  srid: number,
  propose: PlanProposer,
  log: (msg: string) => void,
): Promise<{ grids: number; outOfBand: number; planId: number }> {
  const code = options.subdistrictCode;
  const units = await client.query<ProposalUnit & { x: number; y: number }>(
    `select p.id::text id, coalesce(e.households, 0)::int households, p.building_id::text building,
       p.compound_id::text compound, p.community_code community, p.block_id::text block, p.outer_m, p.area_m2,
       ST_X(c.g) x, ST_Y(c.g) y
     from parcel p
     join community cm on cm.code = p.community_code and cm.subdistrict_code = $1
     left join entrance e on e.id = p.entrance_id
     cross join lateral (select ST_Transform(ST_PointOnSurface(p.geom), $2::int) g) c
     order by p.id`,
    [code, srid],
  );
  const edges = await client.query<{ a: string; b: string; length_m: number; on_road: boolean }>(
    `select e.a::text a, e.b::text b, e.length_m, e.on_road from parcel_edge e
     join community cm on cm.code = e.community_code and cm.subdistrict_code = $1 order by e.a, e.b`,
    [code],
  );
  const bands = await client.query<{ code: string; name: string; band_min: number; band_max: number }>(
    "select code, name, band_min, band_max from community where subdistrict_code = $1 order by code",
    [code],
  );
  const linked = new Set(edges.rows.flatMap((e) => [e.a, e.b]));
  const perCommunity = new Map<string, number>();
  for (const u of units.rows) perCommunity.set(u.community, (perCommunity.get(u.community) ?? 0) + 1);
  const isolated = units.rows.filter((u) => !linked.has(u.id) && perCommunity.get(u.community)! > 1);
  if (isolated.length) log(`  ${isolated.length} parcels touch no other parcel of their community`);
  const input: ProposalInput = {
    units: units.rows
      .filter((u) => linked.has(u.id) || perCommunity.get(u.community) === 1)
      .map(({ x: _x, y: _y, ...u }) => u),
    edges: edges.rows,
    bands: Object.fromEntries(bands.rows.map((b) => [b.code, { min: b.band_min, max: b.band_max }])),
    mode: "full",
    seed: options.seed ?? 1,
  };
  const { assignment, notes } = await propose(input);
  for (const note of notes) log(`  ${note}`);
  const byId = new Map(units.rows.map((u) => [u.id, u]));
  for (const u of isolated) {
    let best: { d: number; grid: string } | null = null;
    for (const other of input.units) {
      if (other.community !== u.community) continue;
      const o = byId.get(other.id)!;
      const d = (o.x - u.x) ** 2 + (o.y - u.y) ** 2;
      const grid = assignment[other.id];
      if (grid !== undefined && (!best || d < best.d)) best = { d, grid };
    }
    if (best) assignment[u.id] = best.grid;
  }
  const missing = units.rows.filter((u) => assignment[u.id] === undefined);
  if (missing.length) {
    throw new ImportError(
      "plan_incomplete",
      `方案未覆盖 ${missing.length} 个地块`,
      `the proposed plan leaves ${missing.length} parcels without a grid`,
    );
  }

  // Grids per community in reading order: centroid and area of their parcels.
  const grids = new Map<string, { community: string; x: number; y: number; areaM2: number; households: number }>();
  for (const u of units.rows) {
    const id = `${u.community}\u0000${assignment[u.id]}`;
    const g = grids.get(id) ?? { community: u.community, x: 0, y: 0, areaM2: 0, households: 0 };
    const w = Math.max(u.area_m2, 1e-6);
    g.x = (g.x * g.areaM2 + u.x * w) / (g.areaM2 + w);
    g.y = (g.y * g.areaM2 + u.y * w) / (g.areaM2 + w);
    g.areaM2 += w;
    g.households += u.households;
    grids.set(id, g);
  }
  const codeOf = new Map<string, string>();
  const rows: { code: string; community: string; name: string }[] = [];
  for (const c of bands.rows) {
    const mine = [...grids].filter(([, g]) => g.community === c.code).map(([id, g]) => ({ id, ...g }));
    readingOrder(mine).forEach((g, k) => {
      const gridCode = `${c.code}${String(k + 1).padStart(3, "0")}`;
      codeOf.set(g.id, gridCode);
      rows.push({ code: gridCode, community: c.code, name: `${c.name}第${k + 1}网格` });
    });
  }
  const status = options.publish ? "published" : "draft";
  const plan = await client.query<{ id: number }>(
    `insert into plan (subdistrict_code, name, status, owner, valid_from)
     values ($1, $2, $3, $4, case when $3 = 'published' then now() end) returning id`,
    [
      code,
      options.planName ?? "OpenStreetMap 导入初始方案 / initial plan from the OpenStreetMap import",
      status,
      options.planOwner ?? "import-osm",
    ],
  );
  const planId = plan.rows[0]!.id;
  await insertGrids(
    client,
    planId,
    rows,
    units.rows.map((u) => ({ id: Number(u.id), grid: codeOf.get(`${u.community}\u0000${assignment[u.id]}`)! })),
  );
  const outOfBand = (
    await client.query<{ n: number }>("select count(*)::int n from grid_figure where plan_id = $1 and status <> 'ok'", [
      planId,
    ])
  ).rows[0]!.n;
  log(`  plan ${planId} (${status}): ${rows.length} grids, ${outOfBand} out of band`);
  return { grids: rows.length, outOfBand, planId };
}
