import { TEST_PASSWORD } from "@gridatlas/server/test-support/test-database.ts";
import type { Page, Request } from "playwright-core";
import { beforeAll, describe, expect, it } from "vitest";
import { saveScreenshot } from "../support/browser.ts";
import { apiAs, browserDay, drawnJpeg, useE2e } from "../support/e2e.ts";
import { mapSettled, signIn } from "../support/pages.ts";

/**
 * The field app's work beyond visits (issue 15), on a phone (390×844, touch, isMobile): inspecting a venue with the
 * hazard it found, taking an assigned hazard to in progress and then to resolved with a photo of the fix, "near me"
 * with the position granted to the browser and never sent, and an information worker whose visit counts under their
 * own role. field.e2e.test.ts holds visits, the offline queue and refusals.
 */

/** Software WebGL draws slowly; every wait below is on a condition, and this is only its upper bound. */
const RENDER_TIMEOUT_MS = 150_000;

const e = useE2e("e2efieldwork", { width: 390, height: 844, mobile: true });
const problems: string[] = [];
/** Every request the phone made (page and service worker): its URL and body. */
const sent: { url: string; body: Buffer | null }[] = [];
/** The information worker of the last visit test, still signed in on the phone for the sign-out test after it. */
let infoWorker = "";

beforeAll(() => {
  e.browser.page.on("pageerror", (err) => problems.push(err.message));
  e.browser.context.on("request", (r: Request) => sent.push({ url: r.url(), body: r.postDataBuffer() }));
});

/** A 2000×1500 JPEG drawn in the page, as a phone's camera would give it. */
const cameraPhoto = (page: Page) => drawnJpeg(page, 2000, 1500, [["#2a7", 0, 0, 2000, 1500]]);

async function until(done: () => Promise<boolean>, timeout_ms = 60_000): Promise<void> {
  const start = Date.now();
  while (!(await done())) {
    if (Date.now() - start > timeout_ms) throw new Error("timed out");
    await new Promise((r) => setTimeout(r, 200));
  }
}

/** Waits until nothing waits in the phone's queue and nothing was refused. */
const queueEmpty = (page: Page) =>
  page.waitForFunction(
    () => {
      const b = document.querySelector("[data-testid=field-queue-badge]");
      return b?.getAttribute("data-waiting") === "0" && b?.getAttribute("data-refused") === "0";
    },
    undefined,
    { timeout: 60_000 },
  );

async function openFieldApp(page: Page, username: string, name: string) {
  await signIn(page, username, { url: e.server.url });
  await page.getByTestId("field-app").waitFor({ timeout: 60_000 });
  await page.getByTestId("field-entrances").locator("button").first().waitFor({ timeout: 60_000 });
  await mapSettled(page, ["field-entrances"], { timeout_ms: RENDER_TIMEOUT_MS, name });
}

describe("the field app's work on a phone (390×844, touch)", () => {
  it("inspects a venue, takes an assigned hazard to resolved with a photo, and sorts near me without sending the position", {
    timeout: RENDER_TIMEOUT_MS * 4,
  }, async () => {
    const { page, context } = e.browser;
    // A grid worker whose grids hold a venue and a hazard in the assigned state.
    const who = (
      await e.db.query(
        `select a.username, w.id as worker_id, h.id as hazard_id, v.id as venue_id
         from account a join account_role ar on ar.account_id = a.id and ar.role = 'worker'
         join worker w on w.id = ar.worker_id and w.role = 'grid_worker'
         join worker_assignment wa on wa.worker_id = w.id
         join published_parcel pp on pp.grid_code = wa.grid_code
         join hazard h on h.parcel_id = pp.parcel_id and h.status = 'assigned'
         join worker_assignment wv on wv.worker_id = w.id
         join published_parcel vp on vp.grid_code = wv.grid_code
         join venue v on v.parcel_id = vp.parcel_id
         order by a.username, h.id, v.id limit 1`,
      )
    ).rows[0];
    expect(who).toBeTruthy();
    await openFieldApp(page, who.username, "field-work");
    const today = await browserDay(page);
    await saveScreenshot(page, "field-work-1-my-grids");

    // Inspect a venue: a result, a note and a hazard found there, in one record.
    await page.getByTestId("field-tab-venues").tap();
    await page.getByTestId(`field-venue-${who.venue_id}`).tap();
    await page.getByTestId("field-venue-sheet").waitFor();
    await page.getByTestId("field-result-issues_found").tap();
    const note = `e2e 排查 ${Date.now()}`;
    await page.getByTestId("field-note").fill(note);
    await page.getByTestId("field-raise-hazard").tap();
    // An untitled hazard cannot be sent: the button waits for its title.
    expect(await page.getByTestId("field-inspect").isDisabled()).toBe(true);
    const raised = `e2e 过期药品 ${Date.now()}`;
    await page.getByTestId("field-raised-severity-0").selectOption("high");
    await page.getByTestId("field-raised-title-0").fill(raised);
    await saveScreenshot(page, "field-work-2-inspection");
    await page.getByTestId("field-inspect").tap();
    // The sheet closes once the record is in the phone's queue; it is sent from there.
    await page.getByTestId("field-venue-sheet").waitFor({ state: "detached" });
    await queueEmpty(page);
    const inspections = () =>
      e.db.query("select id, result, note, inspector_id, inspected_on::text from inspection where note = $1", [note]);
    await until(async () => (await inspections()).rows.length > 0);
    const inspection = (await inspections()).rows;
    expect(inspection).toEqual([
      expect.objectContaining({ result: "issues_found", inspector_id: who.worker_id, inspected_on: today }),
    ]);
    const found = (await e.db.query("select venue_id, severity from hazard where title = $1", [raised])).rows;
    expect(found).toEqual([{ venue_id: who.venue_id, severity: "high" }]);

    // The assigned hazard: in progress, then resolved with a photo of the fix.
    const status = async () =>
      (await e.db.query("select status from hazard where id = $1", [who.hazard_id])).rows[0].status as string;
    await page.getByTestId("field-tab-hazards").tap();
    await page.getByTestId(`field-hazard-${who.hazard_id}`).tap();
    await page.getByTestId("field-hazard-sheet").waitFor();
    await saveScreenshot(page, "field-work-3-hazard-assigned");
    await page.getByTestId("field-move").tap();
    await until(async () => (await status()) === "in_progress");
    await queueEmpty(page);
    // The list shows the hazard as the server now has it once the app has asked again.
    await page.getByTestId(`field-hazard-${who.hazard_id}`).filter({ hasText: "整改中" }).waitFor({ timeout: 60_000 });
    await page.getByTestId(`field-hazard-${who.hazard_id}`).tap();
    await page.getByTestId("field-note").fill("e2e 已清理");
    await page.getByTestId("field-photo-input").setInputFiles({
      name: "fix.jpg",
      mimeType: "image/jpeg",
      buffer: await cameraPhoto(page),
    });
    await page.waitForFunction(
      () => document.querySelector("[data-testid=field-photos]")?.getAttribute("data-count") === "1",
    );
    await saveScreenshot(page, "field-work-4-hazard-resolve-with-photo");
    await page.getByTestId("field-move").tap();
    await until(async () => (await status()) === "resolved");
    await queueEmpty(page);
    const fix = (
      await e.db.query(
        `select p.bytes, t.to_status from photo p join hazard_transition t on t.id = p.hazard_transition_id
         where p.hazard_id = $1`,
        [who.hazard_id],
      )
    ).rows;
    expect(fix).toHaveLength(1);
    expect(fix[0].to_status).toBe("resolved");
    expect(fix[0].bytes).toBeGreaterThan(1000);

    // Near me: the position granted to the browser sorts the list and never leaves the phone.
    await page.getByTestId("field-tab-grids").tap();
    const dueFirst = await page.locator("[data-testid^=field-entrance-]").first().getAttribute("data-testid");
    const target = (
      await e.db.query(
        `select e.id, ST_X(e.geom) as lng, ST_Y(e.geom) as lat
         from worker_assignment wa join published_parcel pp on pp.grid_code = wa.grid_code
         join parcel pa on pa.id = pp.parcel_id join entrance e on e.id = pa.entrance_id
         where wa.worker_id = $1 and $2 <> 'field-entrance-' || e.id
         order by e.id desc limit 1`,
        [who.worker_id, dueFirst],
      )
    ).rows[0];
    // A few metres off the entrance, as a phone's fix is; the nearest entrance to that point is what comes first.
    const here = { latitude: target.lat + 0.0000137, longitude: target.lng - 0.0000191 };
    const nearest = (
      await e.db.query(
        `select e.id from worker_assignment wa join published_parcel pp on pp.grid_code = wa.grid_code
         join parcel pa on pa.id = pp.parcel_id join entrance e on e.id = pa.entrance_id
         where wa.worker_id = $1
         order by e.geom::geography <-> ST_SetSRID(ST_MakePoint($2, $3), 4326)::geography limit 1`,
        [who.worker_id, here.longitude, here.latitude],
      )
    ).rows[0].id as number;
    await context.grantPermissions(["geolocation"], { origin: e.server.url });
    await context.setGeolocation(here);
    const sentBefore = sent.length;
    await page.getByTestId("field-near-me").tap();
    await page.waitForFunction(
      (id) => document.querySelector("[data-testid^=field-entrance-]")?.getAttribute("data-testid") === id,
      `field-entrance-${nearest}`,
      { timeout: 30_000 },
    );
    expect(`field-entrance-${nearest}`).not.toBe(dueFirst);
    await saveScreenshot(page, "field-work-5-near-me");
    // A visit from the list sorted by distance: what goes to the server names the entrance, not where the phone is.
    await page.getByTestId(`field-entrance-${nearest}`).tap();
    await page.getByTestId("field-visit-record").tap();
    await page.getByTestId("field-visit-sheet").waitFor({ state: "detached" });
    await queueEmpty(page);
    await until(
      async () =>
        (await e.db.query("select 1 from visit where worker_id = $1 and entrance_id = $2", [who.worker_id, nearest]))
          .rows.length > 0,
    );
    expect(sent.length).toBeGreaterThan(sentBefore);
    const traces = [here.latitude, here.longitude].flatMap((v) => [v.toFixed(4), v.toFixed(5), String(v)]);
    for (const r of sent) {
      const body = r.body?.toString("latin1") ?? "";
      for (const trace of traces) {
        expect(decodeURIComponent(r.url), `request ${r.url}`).not.toContain(trace);
        expect(body, `body of ${r.url}`).not.toContain(trace);
      }
      expect(body).not.toMatch(/latitude|longitude|accuracy/);
    }
    // Nor is it kept on the phone.
    const kept = await page.evaluate(() => JSON.stringify({ ...localStorage }) + JSON.stringify({ ...sessionStorage }));
    for (const trace of traces) expect(kept).not.toContain(trace);
    expect(problems).toEqual([]);
  });

  it("an information worker records a visit that counts under their own role in the coverage figures", {
    timeout: RENDER_TIMEOUT_MS * 3,
  }, async () => {
    const { page } = e.browser;
    await page.getByTestId("sign-out").tap();
    await page.getByTestId("sign-in").waitFor();
    // An information worker (网情员) with an info-N account, whose grids hold entrances with households.
    const who = (
      await e.db.query(
        `select a.username, w.id as worker_id, pp.community_code
         from account a join account_role ar on ar.account_id = a.id and ar.role = 'worker'
         join worker w on w.id = ar.worker_id and w.role = 'info_worker'
         join worker_assignment wa on wa.worker_id = w.id
         join published_parcel pp on pp.grid_code = wa.grid_code
         join parcel pa on pa.id = pp.parcel_id join entrance e on e.id = pa.entrance_id and e.households > 0
         where a.username like 'info-%'
         order by a.username limit 1`,
      )
    ).rows[0];
    expect(who).toBeTruthy();
    await openFieldApp(page, who.username, "field-info");
    const today = await browserDay(page);
    await saveScreenshot(page, "field-work-6-info-worker");

    const secretary = await apiAs(e.server.url, `secretary-${who.community_code}`, TEST_PASSWORD);
    const mine = async () => {
      const res = await secretary(`/api/communities/${who.community_code}/report?from=${today}&to=${today}`);
      expect(res.status).toBe(200);
      const body = (await res.json()) as { workers: Array<{ id: number; role: string; visits: number }> };
      return body.workers.find((w) => w.id === who.worker_id);
    };
    const before = await mine();
    expect(before?.role).toBe("info_worker");

    const entrance = await page
      .locator("button[data-testid^=field-entrance-]")
      .evaluateAll(
        (els) =>
          els
            .find((e) => Number(e.getAttribute("data-households")) > 0 && e.getAttribute("data-days") !== "0")
            ?.getAttribute("data-testid") ?? "",
      );
    expect(entrance).not.toBe("");
    await page.getByTestId(entrance).tap();
    await page.getByTestId("field-visit-record").tap();
    await page.getByTestId("field-visit-sheet").waitFor({ state: "detached" });
    await queueEmpty(page);
    const stored = async () =>
      (
        await e.db.query("select count(*)::int as n from visit where worker_id = $1 and visited_on = $2::date", [
          who.worker_id,
          today,
        ])
      ).rows[0].n as number;
    await until(async () => (await stored()) === 1);
    const after = await mine();
    expect(after?.role).toBe("info_worker");
    expect(after?.visits).toBe((before?.visits ?? 0) + 1);
    await saveScreenshot(page, "field-work-7-info-worker-visited");
    expect(problems).toEqual([]);
    infoWorker = who.username;
  });

  it("signs out on every device from the phone: the worker's name opens the account, and another session ends too", {
    timeout: RENDER_TIMEOUT_MS,
  }, async () => {
    const { page } = e.browser;
    expect(infoWorker).not.toBe("");
    // The same account signed in elsewhere (a lost phone, say): it reads its grids until the worker ends it.
    const elsewhere = await apiAs(e.server.url, infoWorker, TEST_PASSWORD);
    expect((await elsewhere("/api/me/field")).status).toBe(200);
    await page.getByTestId("field-account").tap();
    await page.getByTestId("field-account-sheet").waitFor();
    await saveScreenshot(page, "field-work-8-account");
    await page.getByTestId("sign-out-everywhere").tap();
    await page.getByTestId("sign-in").waitFor();
    expect((await elsewhere("/api/me/field")).status).toBe(401);
    expect(problems).toEqual([]);
  });
});
