import pg from "pg";
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
  // A grid worker with a hazard and a venue in their grids (the layout test's beforeAll picks one).
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

/** Taps `testId` in the field app and waits for `shows`. */
const tapTo = (testId: string, shows: string) => async (page: Page) => {
  // A name ending in "-" stands for the first of a list (field-entrance-<id>).
  await page
    .locator(`[data-testid${testId.endsWith("-") ? "^" : ""}="${testId}"]`)
    .first()
    .click();
  await page.locator(shows).first().waitFor({ timeout: WAIT_MS });
};

/**
 * A screen of the field app, reached from its home as a worker does: whatever sheet the last one left open is
 * closed first, then `steps` are taken.
 */
function fieldScreen(as: string, ...steps: ((page: Page) => Promise<void>)[]): NonNullable<LayoutPage["open"]> {
  return {
    as,
    by: async (page) => {
      await page.getByTestId("field-app").waitFor({ timeout: WAIT_MS });
      const close = page.getByTestId("field-sheet-close");
      if (await close.count()) await close.first().click();
      await page.getByTestId("field-tab-grids").click();
      await page.locator("[data-testid^=field-entrance-]").first().waitFor({ timeout: WAIT_MS });
      for (const step of steps) await step(page);
    },
  };
}

/** Reporting a hazard: the button, then a tap on the map where it is. */
async function pickOnMap(page: Page): Promise<void> {
  await page.getByTestId("field-report-hazard").click();
  const map = await page.getByTestId("map").boundingBox();
  if (!map) throw new Error("no map to tap");
  const at = { x: map.x + map.width / 2, y: map.y + map.height / 2 };
  if (await page.evaluate(() => "ontouchstart" in window)) await page.touchscreen.tap(at.x, at.y);
  else await page.mouse.click(at.x, at.y);
  await page.getByTestId("field-hazard-form").waitFor({ timeout: WAIT_MS });
}

/**
 * The queue with a record the server refused, long title and reason included: one is put in the phone's queue as
 * the app keeps it (reaching a real refusal takes a second person, see field.e2e.test.ts), and the app reloaded.
 */
async function refusedInQueue(page: Page): Promise<void> {
  await page.evaluate(
    () =>
      new Promise<void>((resolve, reject) => {
        const open = indexedDB.open("gridatlas-field", 1);
        open.onerror = () => reject(open.error);
        open.onsuccess = () => {
          const tx = open.result.transaction("queue", "readwrite");
          tx.objectStore("queue").add({
            kind: "transition",
            hazard_id: 1,
            body: { to: "in_progress", from: "assigned" },
            key: crypto.randomUUID(),
            queued_at: new Date().toISOString(),
            label: "3号楼2单元楼道内堆放大量纸箱杂物，占用消防通道",
            photos: [],
            photos_sent: 0,
            refused: {
              status: 409,
              zh: "隐患已由他人处理：当前状态为“整改中”，不能从“已交办”改为“整改中”",
              en: "the hazard has moved on: it is now in progress, so it cannot go from assigned to in progress",
            },
          });
          tx.oncomplete = () => {
            open.result.close();
            resolve();
          };
          tx.onerror = () => reject(tx.error);
        };
      }),
  );
  await page.reload();
  await page.locator("[data-testid^=field-entrance-]").first().waitFor({ timeout: WAIT_MS });
  await page.waitForFunction(
    () => document.querySelector("[data-testid=field-queue-badge]")?.getAttribute("data-refused") !== "0",
    null,
    { timeout: WAIT_MS },
  );
  await tapTo("field-queue-badge", "[data-testid=field-refusal]")(page);
}

/** The field app's screens beyond its home: each sheet a worker opens. */
const FIELD_SCREENS: NonNullable<LayoutPage["open"]>[] = [
  fieldScreen("visit-sheet", tapTo("field-entrance-", "[data-testid=field-visit-sheet]")),
  fieldScreen("hazard-form", pickOnMap),
  fieldScreen("hazard-list", tapTo("field-tab-hazards", "[data-testid=field-hazards], .field-empty")),
  fieldScreen(
    "hazard-card",
    tapTo("field-tab-hazards", "[data-testid=field-hazards]"),
    tapTo("field-hazard-", "[data-testid=field-hazard-sheet]"),
  ),
  fieldScreen(
    "inspection",
    tapTo("field-tab-venues", "[data-testid=field-venues]"),
    tapTo("field-venue-", "[data-testid=field-venue-sheet]"),
    tapTo("field-result-issues_found", "[data-testid=field-result-issues_found][aria-pressed=true]"),
    tapTo("field-raise-hazard", "[data-testid=field-raised-title-0]"),
  ),
  fieldScreen("queue", tapTo("field-queue-badge", "[data-testid=field-queue]")),
  fieldScreen("queue-refused", refusedInQueue),
  fieldScreen("account", tapTo("field-account", "[data-testid=field-account-sheet]")),
];

export const PAGES: LayoutPage[] = [
  { path: "/", roles: ["anonymous"], ready: "[data-testid=sign-in]" },
  { path: "/", roles: ["admin", "planner", "leader"], ready: "[data-testid=legend]" },
  // A worker's home is the field app (features/field/), and each of its screens.
  { path: "/", roles: ["worker"], ready: "[data-testid=field-app]" },
  ...FIELD_SCREENS.map((open) => ({ path: "/", roles: ["worker" as Role], ready: "[data-testid=field-app]", open })),
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
  { path: "/data?tab=territory", roles: ["admin"], ready: "[data-testid=territory-import]" },
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

/**
 * What the page list's placeholders stand for in the demo (`{community}`, `{plan}`, `{grid}`), and the worker whose
 * field app shows every screen: one with an assigned hazard and a venue in their grids (worker-1 has neither).
 */
export async function fillFromDemo(databaseUrl: string): Promise<Record<string, string>> {
  const db = new pg.Client({ connectionString: databaseUrl });
  await db.connect();
  try {
    const fill: Record<string, string> = { community: COMMUNITY };
    fill.plan = String((await db.query("select id from plan where status = 'published'")).rows[0].id);
    fill.grid = (
      await db.query("select code from published_grid where community_code = $1 order by code limit 1", [COMMUNITY])
    ).rows[0].code;
    // The worker's field app shows every screen only with a hazard to work on and a venue to inspect in its grids.
    ACCOUNTS.worker = (
      await db.query(
        `select a.username from account a join account_role ar on ar.account_id = a.id and ar.role = 'worker'
         join worker w on w.id = ar.worker_id and w.role = 'grid_worker'
         join worker_assignment wa on wa.worker_id = w.id
         join published_parcel pp on pp.grid_code = wa.grid_code
         join hazard h on h.parcel_id = pp.parcel_id and h.status = 'assigned'
         where exists (select 1 from venue v join published_parcel vp on vp.parcel_id = v.parcel_id
           where vp.grid_code = wa.grid_code)
         order by a.username limit 1`,
      )
    ).rows[0].username;
    return fill;
  } finally {
    await db.end();
  }
}
