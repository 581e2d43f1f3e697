import type { Session } from "./api.ts";
import type { MessageKey } from "./i18n/lang.ts";

type Role = "admin" | "planner" | "leader" | "secretary" | "worker";

/** Drafts are unpublished: planners and admins edit them, leaders look. */
const PLAN_READERS: Role[] = ["admin", "planner", "leader"];
export const PLAN_EDITORS: Role[] = ["admin", "planner"];

/** The community workspace: secretaries (their community) and those who read the whole subdistrict. */
const WORKSPACE_READERS: Role[] = ["admin", "planner", "leader", "secretary"];

/** Camera positions and blind spots are sensitive: no workers. */
const CAMERA_READERS: Role[] = ["admin", "planner", "leader", "secretary"];

export type View = { href: string; label: MessageKey; roles: Role[] | "all"; testId: string };

/** The views of the app, who may open each, and the path it lives at. The server guards the data anyway. */
export const VIEWS: View[] = [
  { href: "/", label: "nav.map", roles: "all", testId: "nav-map" },
  { href: "/workspace", label: "nav.workspace", roles: WORKSPACE_READERS, testId: "nav-workspace" },
  { href: "/plans", label: "nav.plans", roles: PLAN_READERS, testId: "nav-plans" },
  { href: "/admin/accounts", label: "nav.accounts", roles: ["admin"], testId: "nav-accounts" },
  { href: "/admin/audit", label: "nav.audit", roles: ["admin", "leader"], testId: "nav-audit" },
  { href: "/leader-map", label: "nav.leaderMap", roles: "all", testId: "nav-leader-map" },
  // Imports are for admins, exports and prints for those who read the whole subdistrict; the page shows each its own.
  { href: "/data", label: "nav.data", roles: ["admin", "planner", "leader"], testId: "nav-data" },
  { href: "/cameras", label: "nav.cameras", roles: CAMERA_READERS, testId: "nav-cameras" },
];

export const mayOpen = (session: Session, roles: Role[] | "all") =>
  roles === "all" || session.account.roles.some((r) => (roles as string[]).includes(r));

/**
 * The one community a secretary works in, of the communities the account may read (nobody who reads the whole
 * subdistrict has one), else null.
 */
export function ownCommunity(
  roles: readonly string[],
  communities: ReadonlyArray<{ properties: { code: string } }>,
): string | null {
  const readsAll = roles.some((r) => r === "admin" || r === "planner" || r === "leader");
  return !readsAll && communities.length === 1 ? communities[0]!.properties.code : null;
}
