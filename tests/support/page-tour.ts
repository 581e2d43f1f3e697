import { type Browser, type BrowserContext, chromium, type Page } from "playwright-core";
import { afterAll, beforeAll } from "vitest";
import { CHROMIUM_ARGS, CHROMIUM_PATH, saveScreenshot } from "./browser.ts";
import { ACCOUNTS, fillFromDemo, type LayoutPage, type Role, WAIT_MS } from "./page-list.ts";
import { signIn } from "./pages.ts";
import { startTestServer, type TestServer } from "./server.ts";

export type PageTour = {
  server: TestServer;
  browser: Browser;
  /** A context for `role` at `viewport` (a phone has touch and the mobile viewport), signed in once per role. */
  contextFor(role: Role, viewport: { width: number; height: number; phone?: boolean }): Promise<BrowserContext>;
  /** The entry's path with the demo's ids filled in. */
  pathOf(entry: LayoutPage): string;
  /** The page as reports and screenshots name it: its path, and the state it was brought to. */
  nameOf(entry: LayoutPage): string;
  /** Drops the role's saved session: its next context signs in afresh. */
  forget(role: Role): void;
  /**
   * Walks `entries` for `role` in one page of one context at `viewport`, calling `step` on each; returns one line per
   * entry that failed. An entry that fails (its page never came up) is described (see `describePage`) and tried
   * once more in a new browser with a fresh sign-in: in long full runs a page has, a few times, stayed blank for its
   * whole 120 s in software-rendered headless Chromium while it came up in seconds in a fresh one. What it failed
   * with the first time is logged; failing twice is what the test reports.
   */
  walk(
    role: Role,
    viewport: { width: number; height: number; phone?: boolean },
    entries: LayoutPage[],
    step: (page: Page, entry: LayoutPage) => Promise<void>,
  ): Promise<string[]>;
};

/**
 * What a page that did not come up shows: its address, whether its main thread still answers (a blocked one does
 * not, within 5 s), the start of its text (a sign-in form says the session ended) and the last errors it logged.
 */
async function describePage(page: Page, errors: string[]): Promise<string> {
  const text = await Promise.race([
    page.evaluate(() => (document.body?.textContent ?? "").replace(/\s+/g, " ").slice(0, 160)),
    new Promise<string>((r) => setTimeout(() => r("<main thread did not answer in 5 s>"), 5_000)),
  ]).catch((e: Error) => `<${e.message.split("\n")[0]}>`);
  return `at ${page.url()}: "${text}"; errors: ${errors.slice(-3).join(" | ") || "none"}`;
}

/** Closes what may hang (a wedged browser can take a close with it): bounded, and never throws. */
const closeWithin = (close: () => Promise<unknown>) =>
  Promise.race([close().catch(() => undefined), new Promise((r) => setTimeout(r, 15_000))]);

/**
 * What the layout and accessibility tests share to walk every page of every role (page-list.ts): their own server
 * over a copy of the demo, one Chromium, and contexts whose session cookie is made once per role and reused.
 * Made in beforeAll, closed in afterAll; call it at the top of the test file.
 */
export function usePageTour(label: string): PageTour {
  const fill: Record<string, string> = {};
  const signedIn = new Map<Role, Awaited<ReturnType<BrowserContext["storageState"]>>>();
  const pathOf = (entry: LayoutPage) => entry.path.replace(/\{(\w+)\}/g, (_, k: string) => fill[k] ?? k);
  const tour: PageTour = {
    server: undefined as unknown as TestServer,
    browser: undefined as unknown as Browser,
    async contextFor(role, viewport) {
      const context = await tour.browser.newContext({
        viewport: { width: viewport.width, height: viewport.height },
        isMobile: viewport.phone ?? false,
        hasTouch: viewport.phone ?? false,
        deviceScaleFactor: 1,
        locale: "zh-CN",
        storageState: signedIn.get(role),
      });
      if (role !== "anonymous" && !signedIn.has(role)) {
        const page = await context.newPage();
        await signIn(page, ACCOUNTS[role], { url: tour.server.url });
        await page.getByTestId("sign-out").waitFor({ timeout: WAIT_MS });
        signedIn.set(role, await context.storageState());
        await page.close();
      }
      return context;
    },
    pathOf,
    nameOf: (entry) => pathOf(entry) + (entry.open ? ` → ${entry.open.as}` : ""),
    forget: (role) => signedIn.delete(role),
    async walk(role, viewport, entries, step) {
      const failed: string[] = [];
      let context = await tour.contextFor(role, viewport);
      const errors: string[] = [];
      const listen = (c: BrowserContext) => {
        c.on("weberror", (e) => errors.push(e.error().message.split("\n")[0]!));
        c.on("console", (m) => m.type() === "error" && errors.push(m.text().slice(0, 160)));
      };
      listen(context);
      let page = await context.newPage();
      try {
        for (const entry of entries) {
          try {
            await step(page, entry);
          } catch (err) {
            const first = `${(err as Error).message.split("\n")[0]} — ${await describePage(page, errors)}`;
            await closeWithin(() => saveScreenshot(page, `tour-failed-${role}${tour.nameOf(entry)}`));
            await closeWithin(() => context.close());
            await closeWithin(() => tour.browser.close());
            tour.browser = await launch();
            tour.forget(role);
            context = await tour.contextFor(role, viewport);
            errors.length = 0;
            listen(context);
            page = await context.newPage();
            try {
              await step(page, entry);
              console.log(`${tour.nameOf(entry)} · ${role}: came up in a new browser; the first time: ${first}`);
            } catch (again) {
              failed.push(
                `${tour.nameOf(entry)} · ${role} · failed twice: ${(again as Error).message.split("\n")[0]} — ` +
                  `${await describePage(page, errors)}; the first time: ${first}`,
              );
              await closeWithin(() => page.close());
              page = await context.newPage();
            }
          }
        }
      } finally {
        await closeWithin(() => context.close());
      }
      return failed;
    },
  };
  const launch = () => chromium.launch({ executablePath: CHROMIUM_PATH, headless: true, args: CHROMIUM_ARGS });
  beforeAll(async () => {
    tour.server = await startTestServer({ label });
    Object.assign(fill, await fillFromDemo(tour.server.databaseUrl));
    tour.browser = await launch();
  }, WAIT_MS);
  afterAll(async () => {
    await tour.browser?.close();
    await tour.server?.close();
  });
  return tour;
}

/** Waits until the page's layout has caught up with a change (resize, language): two frames drawn. */
export const frames = (page: Page) =>
  page.evaluate(() => new Promise<void>((r) => requestAnimationFrame(() => requestAnimationFrame(() => r()))));

/** Waits for the page: what shows when it is ready, and the map (if any) with its style and first tiles. */
export async function pageReady(page: Page, entry: LayoutPage): Promise<void> {
  await page.locator(entry.ready).first().waitFor({ timeout: WAIT_MS });
  await page.waitForFunction(() => !window.__gridatlas?.map || window.__gridatlas.map.isStyleLoaded(), null, {
    timeout: WAIT_MS,
    polling: 250,
  });
  if (entry.open) await entry.open.by(page);
  await frames(page);
}
