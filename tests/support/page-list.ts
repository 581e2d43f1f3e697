import type { Page } from "playwright-core";
import { mapSettled } from "./pages.ts";

/**
 * Every page of every role, as a person reaches it: the list the layout test (tests/e2e/layout.e2e.test.ts) and the
 * accessibility test (tests/e2e/a11y.e2e.test.ts) walk.
 */

/** Software WebGL draws slowly; every wait is on a condition, and this is only its upper bound. */
export const WAIT_MS = 120_000;
export const COMMUNITY = "150571003011";

export type Role = "anonymous" | "admin" | "planner" | "leader" | "secretary" | "worker";
export const ACCOUNTS: Record<Exclude<Role, "anonymous">, string> = {
  admin: "admin",
  planner: "planner",
  leader: "leader",
  secretary: `secretary-${COMMUNITY}`,
  worker: "worker-1",
};
const READ_ALL: Role[] = ["admin", "planner", "leader"];
const WORKSPACE: Role[] = [...READ_ALL, "secretary"];
const SIGNED_IN: Role[] = [...WORKSPACE, "worker"];

/**
 * A page as a person reaches it: its path (`{community}`, `{grid}` and `{plan}` are filled in from the demo), who
 * opens it, what shows once it is ready and, for a state reached by a click, what to do there first.
 */
export type LayoutPage = {
  path: string;
  roles: Role[];
  ready: string;
  open?: { as: string; by: (page: Page) => Promise<void> };
};

export const PAGES: LayoutPage[] = [
  { path: "/", roles: ["anonymous"], ready: "[data-testid=sign-in]" },
  { path: "/", roles: ["admin", "planner", "leader"], ready: "[data-testid=legend]" },
  // A worker's home is the field app (features/field/).
  { path: "/", roles: ["worker"], ready: "[data-testid=field-app]" },
  {
    path: "/",
    roles: ["admin"],
    ready: "[data-testid=legend]",
    open: { as: "grid-panel", by: openGridPanel },
  },
  {
    path: "/workspace",
    roles: ["secretary"],
    ready: "[data-testid=workspace-title]",
    open: { as: "map", by: viaNav("map", "legend") },
  },
  { path: "/workspace", roles: WORKSPACE, ready: "[data-testid=workspace-title]" },
  { path: "/workspace?community={community}", roles: WORKSPACE, ready: "[data-testid=status-table]" },
  { path: "/workspace?community={community}&grid={grid}", roles: WORKSPACE, ready: "[data-testid=grid-card]" },
  { path: "/workspace?community={community}&tab=team", roles: ["secretary"], ready: "[data-testid=team-workers]" },
  { path: "/workspace?community={community}&tab=visits", roles: ["secretary"], ready: "[data-testid=visits-panel]" },
  { path: "/workspace?community={community}&tab=report", roles: ["secretary"], ready: "[data-testid=report]" },
  { path: "/plans", roles: READ_ALL, ready: "[data-testid=plans-table]" },
  { path: "/plans/{plan}", roles: READ_ALL, ready: "[data-testid=editor-tools]" },
  { path: "/plans/{plan}/compare/{plan}", roles: READ_ALL, ready: "[data-testid=compare-panel]" },
  { path: "/plans/{plan}/compare/{plan}/print", roles: READ_ALL, ready: "[data-testid=transfers-print]" },
  { path: "/admin/accounts", roles: ["admin"], ready: "[data-testid=accounts-table]" },
  { path: "/admin/audit", roles: ["admin", "leader"], ready: "[data-testid=audit-table]" },
  { path: "/leader-map", roles: SIGNED_IN, ready: "[data-testid=leader-filters]" },
  { path: "/leader-map", roles: ["leader"], ready: "[data-testid=leader-filters]", open: { as: "menu", by: openMenu } },
  { path: "/data", roles: READ_ALL, ready: "[data-testid=data-page]" },
  { path: "/data?tab=plan", roles: ["admin"], ready: "[data-testid=data-page]" },
  { path: "/data?tab=osm", roles: ["admin"], ready: "[data-testid=data-page]" },
  { path: "/data?tab=print", roles: READ_ALL, ready: "[data-testid=data-page]" },
  { path: "/cameras", roles: WORKSPACE, ready: "[data-testid=cameras-panel]" },
];

/** Follows the top bar's link to a view (`nav-<view>`) and waits for what it shows (`<testId>`). */
function viaNav(view: string, testId: string): (page: Page) => Promise<void> {
  return async (page) => {
    await page.getByTestId(`nav-${view}`).click();
    await page.getByTestId(testId).waitFor({ timeout: WAIT_MS });
  };
}

/** On the leader's map: opens the hazard status dropdown (from the sheet of filters on a phone). */
async function openMenu(page: Page): Promise<void> {
  const sheet = page.getByTestId("filters-toggle");
  if (await sheet.isVisible()) await sheet.click();
  const menu = page.getByTestId("filter-hazard-status");
  await menu.locator("summary").click();
  await menu.locator(".lm-multi-menu").waitFor();
}

/** On the map screen: opens the grid panel by a click inside the grid drawn nearest the centre. */
async function openGridPanel(page: Page): Promise<void> {
  await mapSettled(page, [{ source: "grids", sourceLayer: "grids" }], { timeout_ms: WAIT_MS, name: "layout-grid" });
  const at = await page.evaluate(() => {
    const map = window.__gridatlas?.map;
    const label = map?.queryRenderedFeatures({ layers: ["grids-label"] })[0];
    if (!map || !label || label.geometry.type !== "Point") return null;
    const p = map.project(label.geometry.coordinates as [number, number]);
    const box = map.getCanvas().getBoundingClientRect();
    return { x: box.left + p.x, y: box.top + p.y };
  });
  if (!at) throw new Error("no grid label drawn to click");
  await page.mouse.click(at.x, at.y);
  await page.getByTestId("grid-panel").waitFor({ timeout: WAIT_MS });
}
