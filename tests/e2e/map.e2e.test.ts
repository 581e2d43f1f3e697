import type { Locator, Page } from "playwright-core";
import { beforeAll, describe, expect, it } from "vitest";
import { saveScreenshot } from "../support/browser.ts";
import { useE2e } from "../support/e2e.ts";
import { mapSettled, signIn } from "../support/pages.ts";

/** Software WebGL draws slowly; every wait below is on a condition, and this is only its upper bound. */
const RENDER_TIMEOUT_MS = 150_000;

const e2e = useE2e("e2emap");
const requested: string[] = [];
const consoleProblems: string[] = [];

beforeAll(async () => {
  e2e.browser.page.on("request", (r) => requested.push(r.url()));
  e2e.browser.page.on("console", (m) => {
    if (m.type() === "error" || m.type() === "warning") consoleProblems.push(m.text());
  });
  e2e.browser.page.on("pageerror", (e) => consoleProblems.push(e.message));
});

/** Waits until the map has its grids and has finished loading and drawing everything in view. */
const settled = (page: Page) =>
  mapSettled(page, [{ source: "grids", sourceLayer: "grids" }], { timeout_ms: RENDER_TIMEOUT_MS, name: "map" });

/** Waits until `locator` shows `text` (the UI updates asynchronously) and returns what it shows. */
async function shows(locator: Locator, text: string | RegExp): Promise<string> {
  await locator.filter({ hasText: text }).first().waitFor({ timeout: 30_000 });
  return (await locator.textContent()) ?? "";
}

/** The distinct ids of the features a layer has drawn on screen. */
function renderedIds(page: Page, layer: string): Promise<string[]> {
  return page.evaluate((layerId) => {
    const map = window.__gridatlas?.map;
    const features = map?.queryRenderedFeatures({ layers: [layerId] }) ?? [];
    return [...new Set(features.map((f) => String(f.id)))];
  }, layer);
}

describe("the map, in Debian's Chromium", () => {
  it("asks who is there, then loads and draws every grid of the published plan", {
    timeout: RENDER_TIMEOUT_MS + 60_000,
  }, async () => {
    const { page } = e2e.browser;
    await page.goto(e2e.server.url);
    // The subdistrict leader reads every community, so the whole plan is on the map.
    await page.getByTestId("sign-in").waitFor();
    await saveScreenshot(page, "sign-in");
    await signIn(page, "leader");
    await settled(page);

    const { rows } = await e2e.db.query<{ code: string }>("select code from published_grid order by code");
    expect(rows).toHaveLength(227);
    const drawn = await renderedIds(page, "grids-fill");
    expect(drawn.sort()).toEqual(rows.map((r) => r.code));

    // Codes are written on the map: digits come from our own glyph PBFs.
    expect((await renderedIds(page, "grids-label")).length).toBeGreaterThan(20);
    expect(await renderedIds(page, "communities-label")).toHaveLength(11);
    await page.getByTestId("legend").waitFor();
    await shows(page.locator("h1"), "网格一张图");
    await saveScreenshot(page, "map-overview");
  });

  it("opens the panel of the grid that was clicked, with its households", { timeout: RENDER_TIMEOUT_MS }, async () => {
    const { page } = e2e.browser;
    // The largest grid of the plan is the easiest target; its figures come from the database, not the app.
    const { rows } = await e2e.db.query<{
      code: string;
      households: number;
      west: number;
      south: number;
      east: number;
      north: number;
    }>(
      `select g.code, f.households,
              st_xmin(g.geom) as west, st_ymin(g.geom) as south, st_xmax(g.geom) as east, st_ymax(g.geom) as north
         from published_grid g join grid_figure f on f.grid_id = g.id
        order by st_area(g.geom) desc limit 1`,
    );
    const grid = rows[0]!;
    await page.evaluate((b) => window.__gridatlas?.map.fitBounds(b, { padding: 120, duration: 0 }), [
      grid.west,
      grid.south,
      grid.east,
      grid.north,
    ] as [number, number, number, number]);
    await settled(page);

    // Click where the map wrote the grid's code: a point inside the grid by construction.
    const target = await page.evaluate((code) => {
      const map = window.__gridatlas?.map;
      const label = map?.queryRenderedFeatures({ layers: ["grids-label"] }).find((f) => f.id === code);
      if (!map || !label || label.geometry.type !== "Point") return null;
      const p = map.project(label.geometry.coordinates as [number, number]);
      const box = map.getCanvas().getBoundingClientRect();
      return { x: box.left + p.x, y: box.top + p.y };
    }, grid.code);
    expect(target, `the label of grid ${grid.code} is drawn`).not.toBeNull();
    await page.mouse.click(target!.x, target!.y);

    const panel = page.getByTestId("grid-panel");
    expect(await shows(panel.getByTestId("grid-code"), grid.code)).toBe(grid.code);
    const households = new Intl.NumberFormat("zh-CN").format(grid.households);
    expect(await panel.getByTestId("grid-households").textContent()).toBe(households);
    await panel.getByTestId("grid-status").waitFor();
    await settled(page);
    await saveScreenshot(page, "grid-panel");
  });

  it("switches to English, remembers it, and switches back", { timeout: RENDER_TIMEOUT_MS }, async () => {
    const { page } = e2e.browser;
    await page.getByTestId("lang-switch").click();
    await shows(page.locator("h1"), "GridAtlas");
    await shows(page.getByTestId("legend"), "Households per grid");
    await shows(page.getByTestId("grid-panel"), "Households");
    expect(await page.evaluate(() => document.documentElement.lang)).toBe("en");
    await settled(page);
    await saveScreenshot(page, "grid-panel-en");

    await page.reload();
    await settled(page);
    await shows(page.locator("h1"), "GridAtlas");
    await page.getByTestId("lang-switch").click();
    await shows(page.locator("h1"), "网格一张图");
  });

  it("focuses one community from the filter", { timeout: RENDER_TIMEOUT_MS }, async () => {
    const { page } = e2e.browser;
    const { rows } = await e2e.db.query<{ community_code: string; n: number }>(
      "select community_code, count(*)::int as n from published_grid group by community_code order by n desc limit 1",
    );
    const community = rows[0]!;
    await page.getByTestId("community-filter").selectOption(community.community_code);
    await settled(page);
    const counts = await page.getByTestId("legend").locator(".legend-count").allTextContents();
    expect(counts.map(Number).reduce((a, b) => a + b, 0)).toBe(community.n);
    await saveScreenshot(page, "community-focus");
  });

  it("fetched nothing from outside the app's own origin, and every glyph range it asked for", () => {
    const origin = new URL(e2e.server.url).origin;
    const foreign = requested.filter((u) => !u.startsWith(`${origin}/`) && !/^(data|blob):/.test(u));
    expect(foreign).toEqual([]);
    expect(requested.some((u) => u.includes("/glyphs/"))).toBe(true);
    expect(consoleProblems.filter((m) => /glyph|font/i.test(m))).toEqual([]);
  });
});
