import type { Page } from "playwright-core";
import { beforeAll, describe, expect, it } from "vitest";
import { saveScreenshot } from "../support/browser.ts";
import { useE2e } from "../support/e2e.ts";
import { mapSettled, signIn } from "../support/pages.ts";

/** Software WebGL draws slowly; every wait below is on a condition, and this is only its upper bound. */
const RENDER_TIMEOUT_MS = 150_000;
/** The demo's last day of visits: the workspace is read "as of" it, so the figures are the demo's. */
const TODAY = "2026-11-20";
const COMMUNITY = "150571003011";

const e2e = useE2e("e2eworkspace", { width: 1440, height: 900 });
const problems: string[] = [];

beforeAll(async () => {
  e2e.browser.page.on("pageerror", (e) => problems.push(e.message));
});

/** Waits until the workspace map has drawn its grids and settled. */
const settled = (page: Page) =>
  mapSettled(page, ["workspace-grids"], { timeout_ms: RENDER_TIMEOUT_MS, name: "workspace" });

const coverageCell = (page: Page, code: string) =>
  page.getByTestId(`status-row-${code}`).locator("td[data-col=coverage30]");

describe("the community workspace, as a secretary in Chromium", () => {
  it("shows only their community, assigns a worker, records a visit and sees the coverage change", {
    timeout: RENDER_TIMEOUT_MS * 3,
  }, async () => {
    const { page } = e2e.browser;
    // A grid of the community with a household entrance unvisited for 30 days, and a field worker of that grid.
    const target = (
      await e2e.db.query(
        `select pp.grid_code, e.id as entrance_id, w.id as worker_id
         from entrance e join parcel pa on pa.entrance_id = e.id join published_parcel pp on pp.parcel_id = pa.id
         join worker_assignment wa on wa.grid_code = pp.grid_code join worker w on w.id = wa.worker_id
         where pp.community_code = $1 and e.households > 0 and w.role = 'grid_worker'
           and not exists (select 1 from visit v where v.entrance_id = e.id and v.visited_on > $2::date - 30)
         order by pp.grid_code, e.id limit 1`,
        [COMMUNITY, TODAY],
      )
    ).rows[0];
    expect(target).toBeTruthy();

    await signIn(page, `secretary-${COMMUNITY}`, { url: e2e.server.url });
    // The secretary's home is the workspace.
    await page.waitForURL(/\/workspace/);
    await page.goto(`${e2e.server.url}/workspace?today=${TODAY}`);
    await page.getByTestId("status-table").waitFor({ timeout: 60_000 });
    await settled(page);

    const grids = (
      await e2e.db.query("select code from published_grid where community_code = $1 order by code", [COMMUNITY])
    ).rows.map((r) => r.code);
    const rows = await page
      .locator("[data-testid^=status-row-]")
      .evaluateAll((els) => els.map((e) => e.getAttribute("data-code")));
    expect(rows.sort()).toEqual(grids);
    const drawn = await page.evaluate(() => {
      const map = window.__gridatlas?.map;
      return [
        ...new Set((map?.queryRenderedFeatures({ layers: ["workspace-grids-fill"] }) ?? []).map((f) => String(f.id))),
      ];
    });
    expect(drawn.length).toBeGreaterThan(0);
    expect(drawn.every((code) => code.startsWith(COMMUNITY))).toBe(true);
    expect(await page.getByTestId("community-picker").count()).toBe(0);
    await saveScreenshot(page, "workspace-status");

    // Another community in the URL changes nothing: the secretary's scope is their community.
    await page.goto(`${e2e.server.url}/workspace?today=${TODAY}&community=150571003001`);
    await page.getByTestId("status-table").waitFor();
    const again = await page
      .locator("[data-testid^=status-row-]")
      .evaluateAll((els) => els.map((e) => e.getAttribute("data-code")));
    expect(again.every((c) => c?.startsWith(COMMUNITY))).toBe(true);

    // Colour by visit coverage and open the target grid's card: its unvisited entrances are on the map.
    await page.getByTestId("metric-picker").selectOption("coverage");
    const before = (await coverageCell(page, target.grid_code).textContent()) ?? "";
    await page.getByTestId(`status-row-${target.grid_code}`).click();
    await page.getByTestId("grid-card").waitFor();
    await page.getByTestId("card-stale").waitFor();
    await settled(page);
    const stalePoints = await page.evaluate(() => {
      const map = window.__gridatlas?.map;
      return (map?.queryRenderedFeatures({ layers: ["workspace-entrances"] }) ?? []).filter((f) => f.properties.stale)
        .length;
    });
    expect(stalePoints).toBeGreaterThan(0);
    await saveScreenshot(page, "workspace-card");

    // The team: assign an information worker of another grid to the target grid with the picker.
    await page.getByTestId("grid-card").locator("button.panel-close").click();
    await page.getByTestId("tab-team").click();
    await page.getByTestId("team-workers").waitFor();
    const mover = (
      await e2e.db.query(
        `select w.id from worker w where w.community_code = $1 and w.role = 'info_worker' and w.retired_on is null
           and not exists (select 1 from worker_assignment wa where wa.worker_id = w.id and wa.grid_code = $2)
         order by w.id limit 1`,
        [COMMUNITY, target.grid_code],
      )
    ).rows[0].id;
    await page.getByTestId(`assign-${mover}`).selectOption(target.grid_code);
    await page.getByTestId(`unassign-${mover}-${target.grid_code}`).waitFor();
    const assigned = await e2e.db.query("select 1 from worker_assignment where worker_id = $1 and grid_code = $2", [
      mover,
      target.grid_code,
    ]);
    expect(assigned.rowCount).toBe(1);
    await saveScreenshot(page, "workspace-team");

    // Record a visit to the unvisited entrance, as of the demo's last day.
    await page.getByTestId("tab-visits").click();
    await page.getByTestId("visits-panel").waitFor();
    await page.getByTestId("visit-grid").selectOption(target.grid_code);
    await page.getByTestId("visit-worker").selectOption(String(target.worker_id));
    await page
      .locator(`[data-testid=visit-entrance] option[value="${target.entrance_id}"]`)
      .waitFor({ state: "attached" });
    await page.getByTestId("visit-entrance").selectOption(String(target.entrance_id));
    await page.getByTestId("visit-date").fill(TODAY);
    await page.getByTestId("visit-note").fill("入户走访");
    await page.getByTestId("visit-submit").click();
    await page
      .getByTestId("visit-message")
      .filter({ hasText: /已登记/ })
      .waitFor();
    const stored = await e2e.db.query(
      "select 1 from visit where entrance_id = $1 and visited_on = $2 and worker_id = $3",
      [target.entrance_id, TODAY, target.worker_id],
    );
    expect(stored.rowCount).toBe(1);
    await saveScreenshot(page, "workspace-visit");

    // A CSV with a bad row is checked and refused whole, with the row and the reason shown.
    const visitsBefore = (await e2e.db.query("select count(*)::int as n from visit")).rows[0].n;
    await page
      .getByTestId("import-text")
      .fill(
        `worker_id,entrance_id,visited_on,note\n${target.worker_id},${target.entrance_id},2026-11-19,\n${target.worker_id},${target.entrance_id},2026-02-30,\n`,
      );
    await page.getByTestId("import-run").click();
    await page.getByTestId("import-row-3").waitFor();
    expect(await page.getByTestId("import-row-3").textContent()).toMatch(/visited_on/);
    expect((await e2e.db.query("select count(*)::int as n from visit")).rows[0].n).toBe(visitsBefore);
    await saveScreenshot(page, "workspace-import-refused");

    // Back in the table the grid's coverage has gone up.
    await page.getByTestId("tab-status").click();
    await page.getByTestId("status-table").waitFor();
    await page.waitForFunction(
      ([code, old]) => {
        const cell = document.querySelector(`[data-testid="status-row-${code}"] td[data-col=coverage30]`);
        return !!cell && cell.textContent !== old;
      },
      [target.grid_code, before],
      { timeout: 30_000 },
    );
    const after = (await coverageCell(page, target.grid_code).textContent()) ?? "";
    expect(Number.parseInt(after, 10)).toBeGreaterThan(Number.parseInt(before, 10));
    await settled(page);
    await saveScreenshot(page, "workspace-coverage-after");

    // The monthly report and the paragraph.
    await page.getByTestId("tab-report").click();
    await page.getByTestId("report-workers").waitFor();
    await page.getByTestId("summary-text").filter({ hasText: /^截至/ }).waitFor();
    await saveScreenshot(page, "workspace-report");
    await page.emulateMedia({ media: "print" });
    await saveScreenshot(page, "workspace-report-print");
    await page.emulateMedia({ media: "screen" });

    // Camera coverage from the coverage API, where it answers.
    await page.getByTestId("tab-status").click();
    await page.getByTestId("metric-picker").selectOption("cameras");
    await settled(page);
    await saveScreenshot(page, "workspace-cameras");
    expect(problems).toEqual([]);
  });

  it("gives a leader the subdistrict's communities side by side", { timeout: RENDER_TIMEOUT_MS * 2 }, async () => {
    const { page } = e2e.browser;
    await page.context().clearCookies();
    await signIn(page, "leader", { url: e2e.server.url });
    await page.waitForFunction(() => !!window.__gridatlas?.map, null, { timeout: RENDER_TIMEOUT_MS });
    await page.goto(`${e2e.server.url}/workspace?today=${TODAY}`);
    await page.getByTestId("subdistrict-table").waitFor({ timeout: 60_000 });
    expect(await page.locator("[data-testid^=community-row-]").count()).toBe(11);
    await settled(page);
    await saveScreenshot(page, "workspace-subdistrict");
    // A leader reads, and has no team, visits or report tabs.
    await page.getByTestId(`community-row-${COMMUNITY}`).click();
    await page.getByTestId("status-table").waitFor();
    expect(await page.getByTestId("tab-team").count()).toBe(0);
  });
});
