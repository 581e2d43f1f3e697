import { sql } from "kysely";
import type { Actor } from "../../db/audit.ts";
import type { Db } from "../../db/db.ts";
import { DomainError, notFound } from "../../errors.ts";
import {
  commitEdit,
  type EditBody,
  type EditResult,
  editResult,
  type GridChange,
  type GridRow,
  gridName,
  gridOfPlan,
  gridsByCode,
  lockedError,
  type Move,
  movedCounts,
  newGrid,
  onDraft,
} from "./plans.edits.ts";
import { parcelHouseholds, planParcelRows } from "./plans.queries.ts";

/** Paints parcels into a grid (or a new one). Refuses parcels of several communities, unknown ones and locked grids. */
export async function assignParcels(
  db: Db,
  planId: number,
  input: { version: number; parcels: number[]; grid: string },
  actor: Actor,
): Promise<EditResult> {
  return onDraft(db, planId, input.version, async (trx, plan) => {
    const wanted = [...new Set(input.parcels)];
    const rows = await planParcelRows(trx, planId)
      .select(["pp.parcel_id", "g.code", "g.locked", "pp.community_code", parcelHouseholds])
      .where("pp.parcel_id", "in", wanted)
      .execute();
    if (rows.length !== wanted.length) {
      const found = new Set(rows.map((r) => r.parcel_id));
      const missing = wanted.filter((p) => !found.has(p));
      throw new DomainError(
        "precondition",
        "unknown_parcels",
        `地块 ${missing.slice(0, 10).join("、")}${missing.length > 10 ? " 等" : ""} 不在此方案中`,
        `parcel ${missing.slice(0, 10).join(", ")}${missing.length > 10 ? "…" : ""} not in this plan`,
        "parcels",
        { parcels: missing },
      );
    }
    const communities = [...new Set(rows.map((r) => r.community_code))];
    if (communities.length > 1) {
      throw new DomainError(
        "precondition",
        "several_communities",
        `所选地块分属 ${communities.length} 个社区；网格不能跨社区`,
        `the parcels lie in ${communities.length} communities; a grid never crosses a community`,
        "parcels",
      );
    }
    const community = communities[0]!;
    const created: GridRow[] = [];
    let target = input.grid;
    if (target === "new") {
      const row = await newGrid(trx, community);
      target = row.code;
      created.push(row);
    } else {
      const g = await trx
        .selectFrom("grid")
        .select(["community_code", "locked"])
        .where("plan_id", "=", planId)
        .where("code", "=", target)
        .executeTakeFirst();
      if (!g)
        throw new DomainError(
          "precondition",
          "unknown_grid",
          `此方案中没有网格 ${target}`,
          `no grid ${target} in this plan`,
          "grid",
        );
      if (g.community_code !== community) {
        throw new DomainError(
          "precondition",
          "other_community",
          `地块属于另一个社区，不能划入网格 ${target}`,
          `the parcels belong to another community than grid ${target}`,
          "parcels",
        );
      }
      if (g.locked) throw lockedError([target]);
    }
    const lockedSources = [...new Set(rows.filter((r) => r.locked && r.code !== target).map((r) => r.code))];
    if (lockedSources.length) throw lockedError(lockedSources);
    const moves: Move[] = rows.filter((r) => r.code !== target).map((r) => [r.parcel_id, r.code, target]);
    if (!moves.length && !created.length) return editResult(trx, planId, plan.version, [target]);
    const body: EditBody = {
      moves,
      grids_created: created,
      grids_removed: [],
      grid_changes: [],
      summary: {
        parcels: moves.length,
        households: rows.filter((r) => r.code !== target).reduce((n, r) => n + r.households, 0),
      },
    };
    return commitEdit(trx, plan, created.length ? "create_grid" : "assign", body, actor);
  });
}

/** Locks or unlocks a grid: locked grids are refused by every tool and kept by the rebalancer. */
export async function setLock(
  db: Db,
  planId: number,
  code: string,
  input: { version: number; locked: boolean },
  actor: Actor,
) {
  return onDraft(db, planId, input.version, async (trx, plan) => {
    const { g } = await gridOfPlan(trx, planId, code, false);
    if (g.locked === input.locked) return editResult(trx, planId, plan.version, [code]);
    const change: GridChange = {
      from_code: code,
      to_code: code,
      from_name: g.locked ? "locked" : "open",
      to_name: input.locked ? "locked" : "open",
    };
    return commitEdit(
      trx,
      plan,
      "lock",
      { moves: [], grids_created: [], grids_removed: [], grid_changes: [change], summary: { locked: input.locked } },
      actor,
    );
  });
}

/** Merges grid b into grid a; they must be of one community and share a boundary. */
export async function mergeGrids(
  db: Db,
  planId: number,
  input: { version: number; grids: [string, string] },
  actor: Actor,
) {
  return onDraft(db, planId, input.version, async (trx, plan) => {
    const grids = await gridsByCode(trx, planId);
    const [a, b] = input.grids.map((code) => {
      const g = grids.get(code);
      if (!g)
        throw new DomainError(
          "precondition",
          "unknown_grid",
          `此方案中没有网格 ${code}`,
          `no grid ${code} in this plan`,
          "grids",
        );
      return g;
    }) as [NonNullable<ReturnType<typeof grids.get>>, NonNullable<ReturnType<typeof grids.get>>];
    if (a.code === b.code)
      throw new DomainError("precondition", "same_grid", "请选择两个不同的网格", "choose two different grids", "grids");
    if (a.community_code !== b.community_code)
      throw new DomainError(
        "precondition",
        "other_community",
        "两个网格属于不同社区，不能合并",
        "the grids lie in different communities",
        "grids",
      );
    const locked = [a, b].filter((g) => g.locked).map((g) => g.code);
    if (locked.length) throw lockedError(locked);
    const touching = await sql<{ n: number }>`select count(*)::int as n from parcel_edge e
      join plan_parcel pa on pa.plan_id = ${planId} and pa.parcel_id = e.a
      join plan_parcel pb on pb.plan_id = ${planId} and pb.parcel_id = e.b
      where (pa.grid_id = ${a.id} and pb.grid_id = ${b.id}) or (pa.grid_id = ${b.id} and pb.grid_id = ${a.id})`.execute(
      trx,
    );
    if (!touching.rows[0]?.n)
      throw new DomainError(
        "precondition",
        "not_adjacent",
        "两个网格不相邻，不能合并",
        "the grids do not share a boundary",
        "grids",
      );
    const parcels = await trx
      .selectFrom("plan_parcel")
      .select("parcel_id")
      .where("plan_id", "=", planId)
      .where("grid_id", "=", b.id)
      .execute();
    const moves: Move[] = parcels.map((p) => [p.parcel_id, b.code, a.code]);
    const { id: _id, ...removed } = b;
    return commitEdit(
      trx,
      plan,
      "merge",
      { moves, grids_created: [], grids_removed: [removed], grid_changes: [], summary: await movedCounts(trx, moves) },
      actor,
    );
  });
}

/**
 * Deletes a grid; its parcels go to the chosen neighbour, or each to the neighbouring grid it shares the longest
 * boundary with (growing inwards from the grid's edge until every parcel has found one).
 */
export async function deleteGrid(
  db: Db,
  planId: number,
  code: string,
  input: { version: number; into?: string | undefined },
  actor: Actor,
) {
  return onDraft(db, planId, input.version, async (trx, plan) => {
    const { grids, g } = await gridOfPlan(trx, planId, code, true);
    const parcels = (
      await trx
        .selectFrom("plan_parcel")
        .select("parcel_id")
        .where("plan_id", "=", planId)
        .where("grid_id", "=", g.id)
        .execute()
    ).map((p) => p.parcel_id);
    const edges = await sql<{
      a: number;
      b: number;
      length_m: number;
      ga: string;
      gb: string;
      la: boolean;
      lb: boolean;
    }>`
      select e.a, e.b, e.length_m, ga.code as ga, gb.code as gb, ga.locked as la, gb.locked as lb from parcel_edge e
      join plan_parcel pa on pa.plan_id = ${planId} and pa.parcel_id = e.a join grid ga on ga.id = pa.grid_id
      join plan_parcel pb on pb.plan_id = ${planId} and pb.parcel_id = e.b join grid gb on gb.id = pb.grid_id
      where (pa.grid_id = ${g.id}) <> (pb.grid_id = ${g.id}) or (pa.grid_id = ${g.id} and pb.grid_id = ${g.id})`.execute(
      trx,
    );
    const destination = new Map<number, string>();
    if (input.into) {
      const into = grids.get(input.into);
      if (!into || into.code === code)
        throw new DomainError(
          "precondition",
          "unknown_grid",
          `此方案中没有可接收的网格 ${input.into}`,
          `no grid ${input.into} to take the parcels`,
          "into",
        );
      if (into.community_code !== g.community_code)
        throw new DomainError(
          "precondition",
          "other_community",
          "接收网格属于另一个社区",
          "the receiving grid lies in another community",
          "into",
        );
      if (into.locked) throw lockedError([into.code]);
      if (!edges.rows.some((e) => (e.ga === into.code && e.gb === code) || (e.gb === into.code && e.ga === code))) {
        throw new DomainError(
          "precondition",
          "not_adjacent",
          `网格 ${input.into} 与被删除的网格不相邻`,
          `grid ${input.into} does not border the deleted grid`,
          "into",
        );
      }
      for (const p of parcels) destination.set(p, input.into);
    } else {
      const inGrid = new Set(parcels);
      let frontier = true;
      while (frontier && destination.size < parcels.length) {
        frontier = false;
        const best = new Map<number, Map<string, number>>();
        for (const e of edges.rows) {
          for (const [self, other, otherGrid, otherLocked] of [
            [e.a, e.b, e.gb, e.lb],
            [e.b, e.a, e.ga, e.la],
          ] as const) {
            if (!inGrid.has(self) || destination.has(self)) continue;
            const to = inGrid.has(other) ? destination.get(other) : otherLocked ? undefined : otherGrid;
            if (!to) continue;
            const m = best.get(self) ?? new Map<string, number>();
            m.set(to, (m.get(to) ?? 0) + e.length_m);
            best.set(self, m);
          }
        }
        for (const [p, m] of best) {
          destination.set(p, [...m].sort((x, y) => y[1] - x[1] || x[0].localeCompare(y[0]))[0]![0]);
          frontier = true;
        }
      }
      if (destination.size < parcels.length) {
        throw new DomainError(
          "precondition",
          "no_neighbour",
          "该网格没有可接收其地块的相邻网格（相邻网格均已锁定或不存在）",
          "no unlocked neighbouring grid can take this grid's parcels",
          "grid",
        );
      }
    }
    const moves: Move[] = parcels.map((p) => [p, code, destination.get(p)!]);
    const { id: _id, ...removed } = g;
    return commitEdit(
      trx,
      plan,
      "delete_grid",
      { moves, grids_created: [], grids_removed: [removed], grid_changes: [], summary: await movedCounts(trx, moves) },
      actor,
    );
  });
}

/**
 * Splits a grid along a drawn line: the line cuts the grid's outline into pieces, each parcel goes with the piece
 * its interior point lies in; the largest piece keeps the code, every other piece becomes a new grid. With
 * `snap: "buildings"` a building the line crosses goes wholly to the piece holding most of its parcels' area
 * (see `snapToBuildings`).
 */
export async function splitGrid(
  db: Db,
  planId: number,
  code: string,
  input: {
    version: number;
    line: { type: "LineString"; coordinates: [number, number][] };
    snap?: "buildings" | "none";
  },
  actor: Actor,
) {
  return onDraft(db, planId, input.version, async (trx, plan) => {
    const { grids, g } = await gridOfPlan(trx, planId, code, true);
    const pieces = await sql<{ piece: number; parcels: number[] }>`
      with members as (
        select pa.id, pa.geom from plan_parcel pp join parcel pa on pa.id = pp.parcel_id
        where pp.plan_id = ${planId} and pp.grid_id = ${g.id}
      ),
      outline as (select ST_Union(geom) as geom from members),
      cut as (
        select (ST_Dump(ST_Split(outline.geom, ST_SetSRID(ST_GeomFromGeoJSON(${JSON.stringify(input.line)}), 4326)))).geom as geom
        from outline
      ),
      numbered as (select row_number() over (order by ST_Area(geom) desc)::int as piece, geom from cut where ST_Area(geom) > 0)
      select n.piece, array_agg(m.id order by m.id) as parcels
      from members m
      join numbered n on ST_Intersects(n.geom, ST_PointOnSurface(m.geom))
      group by n.piece order by n.piece`.execute(trx);
    const assigned = new Map<number, number>();
    for (const p of pieces.rows) for (const id of p.parcels) if (!assigned.has(id)) assigned.set(id, p.piece);
    if ((input.snap ?? "buildings") === "buildings") {
      const parcels = await trx
        .selectFrom("parcel")
        .select(["id", "building_id", "area_m2"])
        .where("id", "in", [...assigned.keys(), 0])
        .execute();
      snapToBuildings(assigned, parcels);
    }
    const groups = new Map<number, number[]>();
    for (const [id, piece] of assigned) groups.set(piece, [...(groups.get(piece) ?? []), id]);
    const ordered = [...groups.values()].sort((x, y) => y.length - x.length);
    if (ordered.length < 2) {
      throw new DomainError(
        "precondition",
        "line_does_not_split",
        "所画的线没有把网格分成两部分：请从网格外画到网格外，横穿网格",
        "the line does not cut the grid in two: draw it from outside to outside, across the grid",
        "line",
      );
    }
    const created: GridRow[] = [];
    const moves: Move[] = [];
    const taken = new Set(grids.keys());
    for (const part of ordered.slice(1)) {
      const row = await newGrid(trx, g.community_code, taken);
      created.push(row);
      for (const p of part) moves.push([p, code, row.code]);
    }
    return commitEdit(
      trx,
      plan,
      "split",
      { moves, grids_created: created, grids_removed: [], grid_changes: [], summary: await movedCounts(trx, moves) },
      actor,
    );
  });
}

/**
 * Moves every building's parcels to one piece: the piece holding most of the building's parcel area (ties to the
 * larger piece, the lower number). Parcels of empty land stay where the line put them. Changes `assigned` in place
 * and returns how many buildings the line had split.
 */
export function snapToBuildings(
  assigned: Map<number, number>,
  parcels: readonly { id: number; building_id: number | null; area_m2: number }[],
): number {
  const byBuilding = new Map<number, { id: number; area_m2: number }[]>();
  for (const p of parcels) {
    if (p.building_id === null || !assigned.has(p.id)) continue;
    byBuilding.set(p.building_id, [...(byBuilding.get(p.building_id) ?? []), p]);
  }
  let snapped = 0;
  for (const members of byBuilding.values()) {
    const area = new Map<number, number>();
    for (const m of members) area.set(assigned.get(m.id)!, (area.get(assigned.get(m.id)!) ?? 0) + m.area_m2);
    if (area.size < 2) continue;
    snapped += 1;
    const [best] = [...area].sort((a, b) => b[1] - a[1] || a[0] - b[0]);
    for (const m of members) assigned.set(m.id, best![0]);
  }
  return snapped;
}

/**
 * Recodes the grids of a community in reading order: rows from north to south, west to east within a row (a row
 * is as tall as a typical grid). Returns the code-change table.
 */
export async function renumber(db: Db, planId: number, input: { version: number; community: string }, actor: Actor) {
  return onDraft(db, planId, input.version, async (trx, plan) => {
    const rows = await sql<{ code: string; name: string; x: number; y: number; area: number }>`
      select g.code, g.name, ST_X(c) as x, ST_Y(c) as y, area
      from grid g
      cross join lateral (
        select ST_Centroid(u) as c, ST_Area(u) as area from (
          select ST_Transform(ST_Collect(pa.geom), (select s.metric_srid from subdistrict s
            join community cm on cm.subdistrict_code = s.code where cm.code = g.community_code)) as u
          from plan_parcel pp join parcel pa on pa.id = pp.parcel_id
          where pp.plan_id = ${planId} and pp.grid_id = g.id
        ) t
      ) m
      where g.plan_id = ${planId} and g.community_code = ${input.community} and m.c is not null`.execute(trx);
    if (!rows.rows.length) throw notFound("此方案中该社区没有网格", "no grids of that community in this plan");
    const areas = rows.rows.map((r) => r.area).sort((a, b) => a - b);
    const rowHeight = Math.sqrt(areas[Math.floor(areas.length / 2)]!);
    const top = Math.max(...rows.rows.map((r) => r.y));
    const order = [...rows.rows].sort((a, b) => {
      const ra = Math.floor((top - a.y) / rowHeight);
      const rb = Math.floor((top - b.y) / rowHeight);
      return ra - rb || a.x - b.x;
    });
    const changes: GridChange[] = [];
    for (const [i, r] of order.entries()) {
      const to = `${input.community}${String(i + 1).padStart(3, "0")}`;
      if (to !== r.code)
        changes.push({
          from_code: r.code,
          to_code: to,
          from_name: r.name,
          to_name: await gridName(trx, input.community, to),
        });
    }
    if (!changes.length) return { ...(await editResult(trx, planId, plan.version, [])), changes };
    const edit: EditBody = {
      moves: [],
      grids_created: [],
      grids_removed: [],
      grid_changes: changes,
      summary: { community: input.community },
    };
    return { ...(await commitEdit(trx, plan, "renumber", edit, actor)), changes };
  });
}

/** Carries out a rebalancer result as one undoable edit: new grids first, then the moves, then emptied grids go. */
export async function applyRebalance(
  db: Db,
  planId: number,
  input: { version: number; community: string; assignment: Map<number, string>; newGrids: string[] },
  actor: Actor,
  summary: Record<string, unknown>,
) {
  return onDraft(db, planId, input.version, async (trx, plan) => {
    const grids = await gridsByCode(trx, planId);
    const current = await trx
      .selectFrom("plan_parcel as pp")
      .innerJoin("grid as g", "g.id", "pp.grid_id")
      .select(["pp.parcel_id", "g.code"])
      .where("pp.plan_id", "=", planId)
      .where("pp.community_code", "=", input.community)
      .execute();
    const created: GridRow[] = [];
    const codeOf = new Map<string, string>();
    const taken = new Set(grids.keys());
    for (const label of input.newGrids) {
      const row = await newGrid(trx, input.community, taken);
      codeOf.set(label, row.code);
      created.push(row);
    }
    const moves: Move[] = [];
    for (const r of current) {
      const label = input.assignment.get(r.parcel_id);
      if (label === undefined) continue;
      const to = codeOf.get(label) ?? label;
      if (to !== r.code) moves.push([r.parcel_id, r.code, to]);
    }
    // Grids of the community the moves leave without a parcel go, as the engine dissolved them.
    const left = new Map<string, number>();
    for (const r of current) left.set(r.code, (left.get(r.code) ?? 0) + 1);
    for (const [, from, to] of moves) {
      left.set(from, (left.get(from) ?? 0) - 1);
      left.set(to, (left.get(to) ?? 0) + 1);
    }
    const community = [...grids.values()]
      .filter((g) => g.community_code === input.community)
      .map(({ id: _id, ...g }): GridRow => g);
    const emptied = [...community, ...created]
      .filter((g) => !left.get(g.code))
      .sort((a, b) => a.code.localeCompare(b.code));
    const body: EditBody = {
      moves,
      grids_created: created,
      grids_removed: emptied,
      grid_changes: [],
      summary: { ...summary, ...(await movedCounts(trx, moves)) },
    };
    return commitEdit(trx, plan, "rebalance", body, actor);
  });
}
