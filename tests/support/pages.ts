import { TEST_PASSWORD } from "@gridatlas/server/test-support/test-database.ts";
import type { Page } from "playwright-core";
import { saveScreenshot } from "./browser.ts";

/**
 * Signs in through the sign-in form, as a person does: at `url` when given, else on the page as it is. It returns
 * once the form is sent; what the app shows next is the caller's to wait for.
 */
export async function signIn(
  page: Page,
  username: string,
  opts: { url?: string; password?: string } = {},
): Promise<void> {
  if (opts.url) await page.goto(opts.url);
  const form = page.getByTestId("sign-in");
  await form.waitFor();
  await form.locator("input[name=username]").fill(username);
  await form.locator("input[name=password]").fill(opts.password ?? TEST_PASSWORD);
  await form.locator("button[type=submit]").click();
}

export async function signOut(page: Page): Promise<void> {
  await page.getByTestId("sign-out").click();
  await page.getByTestId("sign-in").waitFor();
}

/** A map source, and for vector tile sources the layer in it that must hold features. */
export type SettledSource = string | { source: string; sourceLayer: string };

/**
 * Waits until each source is in the map with features, the map has loaded its tiles and stopped moving, and one
 * more frame is drawn (labels placed in the last tile are on screen too). Software WebGL is slow: `timeout_ms`
 * only bounds the wait. On a timeout it says what the map held and leaves a screenshot named `name`.
 */
export async function mapSettled(
  page: Page,
  sources: SettledSource[],
  opts: { timeout_ms: number; name?: string },
): Promise<void> {
  const wanted: { source: string; sourceLayer?: string }[] = sources.map((s) =>
    typeof s === "string" ? { source: s } : s,
  );
  await page
    .waitForFunction(
      (want) => {
        const map = window.__gridatlas?.map;
        return (
          !!map &&
          want.every(
            (s) =>
              !!map.getSource(s.source) && map.querySourceFeatures(s.source, { sourceLayer: s.sourceLayer }).length > 0,
          ) &&
          map.loaded() &&
          map.areTilesLoaded() &&
          !map.isMoving()
        );
      },
      wanted,
      { timeout: opts.timeout_ms, polling: 250 },
    )
    .catch(async (err) => {
      // What the map held when the wait gave up, to tell a slow machine from a broken layer.
      const state = await page.evaluate((want) => {
        const map = window.__gridatlas?.map;
        if (!map) return "no map";
        const counts = want.map(
          (s) =>
            `${s.source}:${map.getSource(s.source) ? map.querySourceFeatures(s.source, { sourceLayer: s.sourceLayer }).length : "none"}`,
        );
        return `${counts.join(" ")} loaded=${map.loaded()} tiles=${map.areTilesLoaded()} moving=${map.isMoving()} url=${location.href}`;
      }, wanted);
      await saveScreenshot(page, `${opts.name ?? "map"}-timeout`);
      throw new Error(`${(err as Error).message}: ${state}`);
    });
  await page.evaluate(
    () =>
      new Promise<void>((resolve) => {
        const map = window.__gridatlas?.map;
        if (!map) return resolve();
        map.once("idle", () => resolve());
        map.triggerRepaint();
      }),
  );
}

/** Waits until the field app has cached every tile of the worker's grids (its tiles line says done = total > 0). */
export async function fieldTilesCached(page: Page, timeout_ms: number): Promise<void> {
  await page.waitForFunction(
    () => {
      const el = document.querySelector("[data-testid=field-tiles]");
      return (
        !!el &&
        Number(el.getAttribute("data-total")) > 0 &&
        el.getAttribute("data-done") === el.getAttribute("data-total")
      );
    },
    undefined,
    { timeout: timeout_ms },
  );
}
