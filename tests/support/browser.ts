import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { type BrowserContext, chromium, type Page } from "playwright-core";

/** Debian's Chromium (package `chromium`): the tests never download a browser of their own. */
export const CHROMIUM_PATH = "/usr/bin/chromium";

/** Software WebGL (SwiftShader), no sandbox, nothing fetched from outside. */
export const CHROMIUM_ARGS = [
  "--no-sandbox",
  "--enable-unsafe-swiftshader",
  "--use-angle=swiftshader",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
  "--no-first-run",
];

/** Where screenshots go (gitignored); CI keeps them as the run's artifacts. */
export const ARTIFACTS_DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../artifacts");

/** A persistent context is Playwright's way to a fresh `--user-data-dir`; it stands for the browser itself. */
export type LaunchedBrowser = {
  context: BrowserContext;
  page: Page;
  close(): Promise<void>;
};

/**
 * Starts headless Chromium with a fresh profile and one page. WebGL runs on SwiftShader (software), which is slow:
 * tests wait on conditions (map idle, features drawn), never on times.
 */
export async function launchBrowser(
  opts: { width?: number; height?: number; locale?: string; mobile?: boolean } = {},
): Promise<LaunchedBrowser> {
  if (!fs.existsSync(CHROMIUM_PATH)) {
    throw new Error(`${CHROMIUM_PATH} is missing: install Debian's chromium package (npm test does it)`);
  }
  const userDataDir = await fs.promises.mkdtemp(path.join(os.tmpdir(), "gridatlas-chromium-"));
  const context = await chromium.launchPersistentContext(userDataDir, {
    executablePath: CHROMIUM_PATH,
    headless: true,
    args: CHROMIUM_ARGS,
    viewport: { width: opts.width ?? 1280, height: opts.height ?? 800 },
    locale: opts.locale ?? "zh-CN",
    // A phone: touch events, the mobile viewport meta honoured.
    ...(opts.mobile ? { isMobile: true, hasTouch: true } : {}),
  });
  const page = context.pages()[0] ?? (await context.newPage());
  return {
    context,
    page,
    async close() {
      await context.close();
      await fs.promises.rm(userDataDir, { recursive: true, force: true });
    },
  };
}

/**
 * Saves a full-viewport screenshot as tests/artifacts/<name>.png and returns its path.
 *
 * A screenshot needs a fresh compositor frame. With SwiftShader on two busy cores, a page whose map is still drawing
 * tiles can hold that frame back past Playwright's 30 s (seen once in CI, on a page that had passed every check), so
 * the map is first given a bounded chance to settle, and a capture that times out is tried once more.
 */
export async function saveScreenshot(page: Page, name: string): Promise<string> {
  await fs.promises.mkdir(ARTIFACTS_DIR, { recursive: true });
  const file = path.join(ARTIFACTS_DIR, `${name.replace(/[^\w.-]+/g, "-")}.png`);
  await mapSettledOrLate(page, 20_000);
  try {
    await page.screenshot({ path: file, timeout: 45_000 });
  } catch (err) {
    if (!(err instanceof Error) || !/Timeout/.test(err.message)) throw err;
    await mapSettledOrLate(page, 20_000);
    await page.screenshot({ path: file, timeout: 90_000 });
  }
  return file;
}

/** Waits until the page's map (if it has one) has drawn what it is loading, or `ms` has passed: never throws. */
async function mapSettledOrLate(page: Page, ms: number): Promise<void> {
  await page
    .waitForFunction(
      () => {
        const map = window.__gridatlas?.map;
        return !map || map.loaded();
      },
      null,
      { timeout: ms, polling: 250 },
    )
    .catch(() => undefined);
}
