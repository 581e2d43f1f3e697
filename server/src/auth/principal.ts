import { type RawBuilder, sql } from "kysely";
import type { Db } from "../db/db.ts";
import { DomainError } from "../errors.ts";

export const ROLES = ["admin", "planner", "leader", "secretary", "worker"] as const;
export type Role = (typeof ROLES)[number];

/** Who is asking, and what they may reach; decided from the database on every request. */
export type Principal = Readonly<{
  accountId: number;
  username: string;
  displayName: string;
  roles: readonly Role[];
  /** Communities of the account's secretary roles. */
  communities: readonly string[];
  /** Worker records the account acts as, and the grid codes assigned to them. */
  workerIds: readonly number[];
  workerGrids: readonly string[];
  /** Communities of those grids: a worker sees the map of its community, but the places only of its grids. */
  workerCommunities: readonly string[];
  mustChangePassword: boolean;
  sessionId: string;
  csrfToken: string;
}>;

export const readsEverything = (p: Principal) =>
  p.roles.some((r) => r === "admin" || r === "planner" || r === "leader");
export const isAdmin = (p: Principal) => p.roles.includes("admin");

/** May this principal see camera positions and coverage gaps of the community (or of all, when omitted)? */
export function seesCameras(p: Principal, community?: string): boolean {
  if (readsEverything(p)) return true;
  return community === undefined ? p.communities.length > 0 : p.communities.includes(community);
}

export const forbidden = () =>
  new DomainError("forbidden", "forbidden", "您的角色无权执行此操作", "your role does not allow this");

/** Refuses unless the principal holds one of the roles. */
export function requireRole(p: Principal, ...roles: Role[]): void {
  if (!p.roles.some((r) => roles.includes(r))) throw forbidden();
}

/** Grid codes a worker account reaches, as a SQL array literal parameter. */
function gridArray(p: Principal): RawBuilder<unknown> {
  return sql`${[...p.workerGrids]}::text[]`;
}

/**
 * The SQL condition that keeps a row inside what the principal may read. A row is located by its community
 * and, for worker scope, by its parcel or building (through the published plan) or by its grid code. Rows that
 * only have a community (communities, compounds) are read at community level: a worker reaches its community.
 */
export function scopeCondition(
  p: Principal,
  cols: { community: string; parcelId?: string; gridCode?: string; buildingId?: string },
): RawBuilder<boolean> {
  if (readsEverything(p)) return sql<boolean>`true`;
  const parts: RawBuilder<unknown>[] = [];
  if (p.communities.length) parts.push(sql`${sql.ref(cols.community)} = any(${[...p.communities]}::text[])`);
  const communityLevel = !cols.parcelId && !cols.gridCode && !cols.buildingId;
  if (communityLevel && p.workerCommunities.length) {
    parts.push(sql`${sql.ref(cols.community)} = any(${[...p.workerCommunities]}::text[])`);
  }
  if (cols.buildingId && p.workerGrids.length) {
    parts.push(sql`${sql.ref(cols.buildingId)} in (select pa.building_id from parcel pa
      join published_parcel pp on pp.parcel_id = pa.id where pp.grid_code = any(${gridArray(p)}))`);
  }
  if (p.workerGrids.length) {
    if (cols.gridCode) parts.push(sql`${sql.ref(cols.gridCode)} = any(${gridArray(p)})`);
    if (cols.parcelId) {
      parts.push(
        sql`${sql.ref(cols.parcelId)} in (select parcel_id from published_parcel where grid_code = any(${gridArray(p)}))`,
      );
    }
  }
  return parts.length ? sql<boolean>`(${sql.join(parts, sql` or `)})` : sql<boolean>`false`;
}

/** Whether a grid (by code and community) lies inside the principal's read scope. */
export function readsGrid(p: Principal, grid: { code: string; community_code: string }): boolean {
  return readsEverything(p) || p.communities.includes(grid.community_code) || p.workerGrids.includes(grid.code);
}

/**
 * Whether the principal may record at a place (report or move a hazard, add a photo, record an inspection):
 * admins anywhere, secretaries in their community, workers in their grids.
 */
export function recordsAt(p: Principal, place: { community_code: string | null; grid_code: string | null }): boolean {
  if (p.roles.includes("admin")) return true;
  if (place.community_code && p.communities.includes(place.community_code)) return true;
  return !!place.grid_code && p.workerGrids.includes(place.grid_code);
}

/** Whether the principal may read anything of a community (a secretary's own, or a worker's grids in it). */
export function readsCommunity(p: Principal, community: string): boolean {
  return readsEverything(p) || p.communities.includes(community) || p.workerCommunities.includes(community);
}

/** Loads the principal of a session token's hash, or null when the session is unknown, expired or disabled. */
export async function loadPrincipal(db: Db, sessionId: string, now = new Date()): Promise<Principal | null> {
  // One round trip per request: the session, its account and every role row with the worker's grids.
  const row = await db
    .selectFrom("session as s")
    .innerJoin("account as a", "a.id", "s.account_id")
    .select([
      "s.id as session_id",
      "s.csrf_token",
      "s.expires_at",
      "a.id as account_id",
      "a.username",
      "a.display_name",
      "a.disabled",
      "a.must_change_password",
      sql<
        {
          role: string;
          community_code: string | null;
          worker_id: number | null;
          grid_code: string | null;
          worker_community: string | null;
        }[]
      >`
        coalesce((select json_agg(json_build_object('role', r.role, 'community_code', r.community_code,
          'worker_id', r.worker_id, 'grid_code', wa.grid_code, 'worker_community', w.community_code))
          from account_role r
          left join worker_assignment wa on wa.worker_id = r.worker_id
          left join worker w on w.id = r.worker_id
          where r.account_id = a.id), '[]')`.as("roles"),
    ])
    .where("s.id", "=", sessionId)
    .executeTakeFirst();
  if (!row || row.disabled || new Date(row.expires_at) <= now) return null;
  const roles = row.roles;
  const uniq = <T>(xs: (T | null)[]) => [...new Set(xs.filter((x): x is T => x !== null))].sort();
  return {
    accountId: row.account_id,
    username: row.username,
    displayName: row.display_name,
    roles: uniq(roles.map((r) => r.role as Role)),
    communities: uniq(roles.map((r) => r.community_code)),
    workerIds: uniq(roles.map((r) => r.worker_id)),
    workerGrids: uniq(roles.map((r) => r.grid_code)),
    workerCommunities: uniq(roles.map((r) => r.worker_community)),
    mustChangePassword: row.must_change_password,
    sessionId: row.session_id,
    csrfToken: row.csrf_token,
  };
}
