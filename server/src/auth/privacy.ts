import { type RawBuilder, sql } from "kysely";
import { isAdmin, type Principal } from "./principal.ts";

/** A visit row as SQL expressions: the worker who made it and the entrance or building visited. */
export type VisitColumns = {
  worker: RawBuilder<unknown>;
  entrance: RawBuilder<unknown>;
  building: RawBuilder<unknown>;
};

/**
 * Whether the principal may see visits of this worker at a small place one by one: the worker who made them, the
 * secretary of that worker's community and admins (who answer residents' requests to see or erase records under
 * PIPL, and already hold the database). Leaders, planners and other workers may not.
 */
export function seesSmallPlaceVisitsOf(p: Principal, worker: RawBuilder<unknown>): RawBuilder<boolean> {
  if (isAdmin(p)) return sql<boolean>`true`;
  const parts: RawBuilder<unknown>[] = [sql`false`];
  if (p.workerIds.length) parts.push(sql`${worker} = any(${[...p.workerIds]}::int[])`);
  if (p.communities.length) {
    parts.push(
      sql`${worker} in (select w.id from worker w where w.community_code = any(${[...p.communities]}::text[]))`,
    );
  }
  return sql<boolean>`(${sql.join(parts, sql` or `)})`;
}

/**
 * The small-places rule of docs/privacy.md, the one place it is written: a visit at a place of fewer than 3
 * households (`small_place()`, R__visits.sql) is a record about one identifiable household, so it is shown one by
 * one only to those of `seesSmallPlaceVisitsOf`; everyone else sees it only inside grid and building figures. Every
 * query that returns visits one by one, or a place's own last visit, filters with this condition.
 */
export function visitShown(p: Principal, v: VisitColumns): RawBuilder<boolean> {
  if (isAdmin(p)) return sql<boolean>`true`;
  return sql<boolean>`(not small_place(${v.entrance}, ${v.building}) or ${seesSmallPlaceVisitsOf(p, v.worker)})`;
}

/** `visitShown` for the usual columns of a visit table or of `visit_record` under `alias`. */
export function visitShownAt(p: Principal, alias: string): RawBuilder<boolean> {
  const col = (c: string) => sql.ref(`${alias}.${c}`);
  return visitShown(p, { worker: col("worker_id"), entrance: col("entrance_id"), building: col("building_id") });
}
