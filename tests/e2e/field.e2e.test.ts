import { TEST_PASSWORD } from "@gridatlas/server/test-support/test-database.ts";
import type { Page } from "playwright-core";
import { beforeAll, describe, expect, it } from "vitest";
import { saveScreenshot } from "../support/browser.ts";
import { apiAs, browserDay, drawnJpeg, useE2e } from "../support/e2e.ts";
import { fieldTilesCached, mapSettled, signIn } from "../support/pages.ts";

/** Software WebGL draws slowly; every wait below is on a condition, and this is only its upper bound. */
const RENDER_TIMEOUT_MS = 150_000;

const e = useE2e("e2efield", { width: 390, height: 844, mobile: true });
const problems: string[] = [];

beforeAll(() => {
  e.browser.page.on("pageerror", (err) => problems.push(err.message));
});

/** A 2400×1800 camera JPEG with an EXIF block (a GPS tag's worth of text) spliced in after its start marker. */
async function cameraPhoto(page: Page): Promise<Buffer> {
  const jpeg = await drawnJpeg(page, 2400, 1800, [
    ["#c33", 0, 0, 2400, 1800],
    ["#fff", 300, 300, 1200, 600],
  ]);
  const payload = Buffer.concat([
    Buffer.from("Exif\0\0", "binary"),
    Buffer.from("MM\0\x2a\0\0\0\x08\0\0", "binary"),
    Buffer.from("GPS 43.6201N 122.2630E CAMERA-SERIAL-1234", "ascii"),
  ]);
  const app1 = Buffer.concat([
    Buffer.from([0xff, 0xe1, (payload.length + 2) >> 8, (payload.length + 2) & 0xff]),
    payload,
  ]);
  return Buffer.concat([jpeg.subarray(0, 2), app1, jpeg.subarray(2)]);
}

/** Width and height from a JPEG's start-of-frame marker. */
function jpegSize(bytes: Buffer): { width: number; height: number } {
  let i = 2;
  while (i < bytes.length) {
    const marker = bytes[i + 1] as number;
    const length = bytes.readUInt16BE(i + 2);
    if (marker >= 0xc0 && marker <= 0xc3)
      return { height: bytes.readUInt16BE(i + 5), width: bytes.readUInt16BE(i + 7) };
    i += 2 + length;
  }
  throw new Error("no SOF marker");
}

/** Polls `done` until it holds (the page sends in its own time). */
async function until(done: () => Promise<boolean>, timeout_ms = 60_000): Promise<void> {
  const start = Date.now();
  while (!(await done())) {
    if (Date.now() - start > timeout_ms) throw new Error("timed out");
    await new Promise((r) => setTimeout(r, 200));
  }
}

const badge = (page: Page) => page.getByTestId("field-queue-badge");

async function waitForQueue(page: Page, waiting: number, refused: number) {
  await page.waitForFunction(
    ([w, r]) => {
      const b = document.querySelector("[data-testid=field-queue-badge]");
      return b?.getAttribute("data-waiting") === String(w) && b?.getAttribute("data-refused") === String(r);
    },
    [waiting, refused],
    { timeout: 60_000 },
  );
}

describe("the field app on a phone (390×844, touch)", () => {
  it("records visits in two taps, works offline, syncs each record once and shows what was refused", {
    timeout: RENDER_TIMEOUT_MS * 4,
  }, async () => {
    const { page, context } = e.browser;
    // A grid worker with an account, whose grids hold entrances with households and a hazard assigned to them.
    const who = (
      await e.db.query(
        `select a.username, w.id as worker_id, h.id as hazard_id, h.status, pp.community_code
         from account a join account_role ar on ar.account_id = a.id and ar.role = 'worker'
         join worker w on w.id = ar.worker_id and w.role = 'grid_worker'
         join worker_assignment wa on wa.worker_id = w.id
         join published_parcel pp on pp.grid_code = wa.grid_code
         join hazard h on h.parcel_id = pp.parcel_id and h.status in ('assigned', 'in_progress')
         order by a.username limit 1`,
      )
    ).rows[0];
    expect(who).toBeTruthy();

    await signIn(page, who.username, { url: e.server.url });
    await page.getByTestId("field-app").waitFor({ timeout: 60_000 });
    await page.getByTestId("field-entrances").locator("button").first().waitFor({ timeout: 60_000 });
    await mapSettled(page, ["field-entrances"], { timeout_ms: RENDER_TIMEOUT_MS, name: "field" });
    await saveScreenshot(page, "field-1-my-grids");
    const today = await browserDay(page);

    // The four most due entrances with households (those count in the coverage figures).
    const ids = await page
      .getByTestId("field-entrances")
      .locator("button[data-testid^=field-entrance-]")
      .evaluateAll((els) =>
        els
          .filter((e) => Number(e.getAttribute("data-households")) > 0)
          .slice(0, 4)
          .map((e) => Number(e.getAttribute("data-testid")?.split("-").pop())),
      );
    expect(ids).toHaveLength(4);

    // Two taps: the entrance, then "record visit".
    await page.getByTestId(`field-entrance-${ids[0]}`).tap();
    await saveScreenshot(page, "field-2-visit-sheet");
    await page.getByTestId("field-visit-record").tap();
    const visits = async (entrance: number) =>
      Number(
        (
          await e.db.query(
            "select count(*) from visit where worker_id = $1 and entrance_id = $2 and visited_on = $3::date",
            [who.worker_id, entrance, today],
          )
        ).rows[0].count,
      );
    await until(async () => (await visits(ids[0] as number)) === 1);
    await waitForQueue(page, 0, 0);

    // The tiles of the worker's grids are cached ahead before the network goes.
    await fieldTilesCached(page, 120_000);
    await page.waitForFunction(() => navigator.serviceWorker.controller !== null, undefined, { timeout: 60_000 });

    const secretary = await apiAs(e.server.url, `secretary-${who.community_code}`, TEST_PASSWORD);
    const coverage = async () => {
      const res = await secretary(`/api/communities/${who.community_code}/status?today=${today}`);
      const body = (await res.json()) as { grids: Array<{ code: string; visit_coverage_30d: number }> };
      return body.grids.reduce((sum, g) => sum + g.visit_coverage_30d, 0);
    };
    const coverageBefore = await coverage();

    // Offline: three visits, a hazard with a photo, and a step on the hazard assigned to the worker.
    await context.setOffline(true);
    await page.waitForFunction(
      () => document.querySelector("[data-testid=field-app]")?.getAttribute("data-online") === "false",
    );
    for (const id of ids.slice(1)) {
      await page.getByTestId(`field-entrance-${id}`).tap();
      await page.getByTestId("field-visit-record").tap();
      await page.getByTestId("field-visit-sheet").waitFor({ state: "detached" });
    }
    await waitForQueue(page, 3, 0);

    await page.getByTestId("field-report-hazard").tap();
    const map = await page.getByTestId("map").boundingBox();
    await page.touchscreen.tap((map?.x ?? 0) + (map?.width ?? 0) / 2, (map?.y ?? 0) + (map?.height ?? 0) / 2);
    await page.getByTestId("field-hazard-form").waitFor();
    await page.getByTestId("field-severity-high").tap();
    const title = `e2e 楼道堆物 ${Date.now()}`;
    await page.getByTestId("field-title").fill(title);
    await page.getByTestId("field-photo-input").setInputFiles({
      name: "camera.jpg",
      mimeType: "image/jpeg",
      buffer: await cameraPhoto(page),
    });
    await page.waitForFunction(
      () => document.querySelector("[data-testid=field-photos]")?.getAttribute("data-count") === "1",
    );
    await saveScreenshot(page, "field-3-hazard-offline");
    await page.getByTestId("field-hazard-submit").tap();
    await waitForQueue(page, 4, 0);

    await page.getByTestId("field-tab-hazards").tap();
    await page.getByTestId(`field-hazard-${who.hazard_id}`).tap();
    await page.getByTestId("field-move").tap();
    await waitForQueue(page, 5, 0);
    await saveScreenshot(page, "field-4-queued-offline");

    // Meanwhile the office moves the same hazard on: the worker's step no longer applies.
    const admin = await apiAs(e.server.url, "admin", TEST_PASSWORD);
    const office = await admin(`/api/hazards/${who.hazard_id}/transitions`, {
      method: "POST",
      body:
        who.status === "assigned" ? { to: "in_progress", from: "assigned" } : { to: "resolved", from: "in_progress" },
    });
    expect(office.status).toBe(200);

    // Back online: everything goes once; the step is refused with its reason, kept for the worker to see.
    await context.setOffline(false);
    await waitForQueue(page, 0, 1);
    for (const id of ids) expect(await visits(id as number)).toBe(1);
    const hazards = (await e.db.query("select id from hazard where title = $1", [title])).rows;
    expect(hazards).toHaveLength(1);
    const photos = (await e.db.query("select data from photo where hazard_id = $1", [hazards[0].id])).rows;
    expect(photos).toHaveLength(1);
    const stored = photos[0].data as Buffer;
    expect(stored.includes(Buffer.from("Exif"))).toBe(false);
    expect(stored.includes(Buffer.from("CAMERA-SERIAL"))).toBe(false);
    const size = jpegSize(stored);
    expect(Math.max(size.width, size.height)).toBeLessThanOrEqual(1600);
    expect(Math.max(size.width, size.height)).toBeGreaterThan(1000);
    expect(await coverage()).toBeGreaterThan(coverageBefore);

    await badge(page).tap();
    const refusal = page.getByTestId("field-refusal");
    await refusal.waitFor();
    expect((await refusal.textContent())?.length).toBeGreaterThan(5);
    await saveScreenshot(page, "field-5-refused-with-reason");
    await page.getByTestId("field-sheet-close").tap();

    // Offline again, the app reloads from the phone and still shows the worker's grids.
    await context.setOffline(true);
    await page.reload();
    await page.getByTestId("field-app").waitFor({ timeout: 60_000 });
    await page.getByTestId(`field-entrance-${ids[0]}`).waitFor({ timeout: 60_000 });
    await mapSettled(page, ["field-entrances"], { timeout_ms: RENDER_TIMEOUT_MS, name: "field-offline" });
    await saveScreenshot(page, "field-6-offline-reload");
    await context.setOffline(false);
    expect(problems).toEqual([]);
  });
});
