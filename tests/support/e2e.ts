import pg from "pg";
import type { Page } from "playwright-core";
import { afterAll, beforeAll } from "vitest";
import { type LaunchedBrowser, launchBrowser } from "./browser.ts";
import { startTestServer, type TestServer } from "./server.ts";
import { signInOverHttp } from "./server-process.ts";

export type E2e = {
  server: TestServer;
  browser: LaunchedBrowser;
  /** A plain client on the server's database, for what a test checks behind the page. */
  db: pg.Client;
};

/**
 * A suite's own server over a copy of the demo, a browser with one page and a database client: made in beforeAll,
 * closed in afterAll. Call it at the top of a test file; its fields are there once the suite's hooks run.
 * `viewport` is the browser's: a phone is `{ width: 390, height: 844, mobile: true }`.
 */
export function useE2e(label: string, viewport?: Parameters<typeof launchBrowser>[0]): E2e {
  const e = {} as E2e;
  beforeAll(async () => {
    e.server = await startTestServer({ label });
    e.db = new pg.Client({ connectionString: e.server.databaseUrl });
    await e.db.connect();
    e.browser = await launchBrowser(viewport);
  });
  afterAll(async () => {
    await e.browser?.close();
    await e.db?.end();
    await e.server?.close();
  });
  return e;
}

/**
 * Signs in over the API, as another person would elsewhere, and returns a caller with that session and its CSRF
 * token: `call(path)` GETs, `call(path, { method, body })` sends JSON.
 */
export async function apiAs(url: string, username: string, password: string) {
  const headers = await signInOverHttp(url, username, password);
  return (path: string, init: { method?: string; body?: unknown } = {}) =>
    fetch(`${url}${path}`, {
      method: init.method ?? "GET",
      headers,
      ...(init.body ? { body: JSON.stringify(init.body) } : {}),
    });
}

/** The browser's own day (YYYY-MM-DD in its time zone), which the field app records visits on. */
export const browserDay = (page: Page) =>
  page.evaluate(() => {
    const d = new Date();
    return `${d.getFullYear()}-${String(d.getMonth() + 1).padStart(2, "0")}-${String(d.getDate()).padStart(2, "0")}`;
  });

/** Rectangles to fill in turn on a drawn photo: [colour, x, y, width, height]. */
type Fill = [string, number, number, number, number];

/** A `width`×`height` JPEG drawn in the page, as a phone's camera would give one, with `fills` painted in turn. */
export async function drawnJpeg(page: Page, width: number, height: number, fills: Fill[]): Promise<Buffer> {
  const b64 = await page.evaluate(
    async ([w, h, rects]) => {
      const canvas = document.createElement("canvas");
      canvas.width = w;
      canvas.height = h;
      const ctx = canvas.getContext("2d") as CanvasRenderingContext2D;
      for (const [colour, x, y, rw, rh] of rects) {
        ctx.fillStyle = colour;
        ctx.fillRect(x, y, rw, rh);
      }
      const blob = await new Promise<Blob>((r) => canvas.toBlob((b) => r(b as Blob), "image/jpeg", 0.9));
      const bytes = new Uint8Array(await blob.arrayBuffer());
      let s = "";
      for (const b of bytes) s += String.fromCharCode(b);
      return btoa(s);
    },
    [width, height, fills] as const,
  );
  return Buffer.from(b64, "base64");
}
