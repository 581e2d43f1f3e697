import { type Browser, type BrowserContext, chromium, type Page } from "playwright-core";
import { afterAll, beforeAll } from "vitest";
import { CHROMIUM_ARGS, CHROMIUM_PATH } from "./browser.ts";
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
};

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
  };
  beforeAll(async () => {
    tour.server = await startTestServer({ label });
    Object.assign(fill, await fillFromDemo(tour.server.databaseUrl));
    tour.browser = await chromium.launch({ executablePath: CHROMIUM_PATH, headless: true, args: CHROMIUM_ARGS });
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
