import type { Page } from "playwright-core";
import { describe, expect, it } from "vitest";
import { saveScreenshot } from "../support/browser.ts";
import { useE2e } from "../support/e2e.ts";
import { mapSettled, signIn } from "../support/pages.ts";
import { codesShown } from "../support/visible-text.ts";

/**
 * Names, not codes (issue 17), as a person sees them in Chinese: the audit trail in words, publishing with its
 * warnings compared and grouped by community, and the cameras page's table after a planned camera is added in the
 * default scenario. The sweep over every page for codes is part of the layout test (`layout.e2e.test.ts`).
 */

/** Software WebGL draws slowly; every wait is on a condition, and this is only its upper bound. */
const WAIT_MS = 120_000;
const COMMUNITY = "150571003011";

const e2e = useE2e("e2enames", { width: 1440, height: 900 });

/** Signs `username` in on a fresh page (cookies cleared), at `path`. */
async function as(username: string, path: string): Promise<Page> {
  await e2e.browser.context.clearCookies();
  const page = await e2e.browser.context.newPage();
  await signIn(page, username, { url: `${e2e.server.url}${path}` });
  await page.getByTestId("sign-out").waitFor({ timeout: WAIT_MS });
  return page;
}

/** A JSON request of our API from inside the page, with its session and CSRF token. */
function api<T = { version: number; errors: unknown[] }>(
  page: Page,
  method: string,
  url: string,
  body?: unknown,
): Promise<{ status: number; body: T }> {
  return page.evaluate(
    async ({ method, url, body }) => {
      const session = await (await fetch("/api/session")).json();
      const res = await fetch(url, {
        method,
        headers: { "content-type": "application/json", "x-csrf-token": session.csrf_token },
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      });
      return { status: res.status, body: await res.json().catch(() => null) };
    },
    { method, url, body },
  );
}

const pct = (share: number | null) => (share === null ? "—" : `${(share * 100).toFixed(1)}%`);

describe("names, not codes", () => {
  it("shows the audit trail in Chinese: actions, objects by name, changes with units, Beijing time", {
    timeout: WAIT_MS * 3,
  }, async () => {
    const planner = await as("planner", "/plans");
    const camera = (
      await e2e.db.query<{ id: number; name: string; version: number; range_m: number }>(
        "select id, name, version, range_m from camera where community_code = $1 and range_m <> 41 order by id limit 1",
        [COMMUNITY],
      )
    ).rows[0]!;
    const patched = await api(planner, "PATCH", `/api/cameras/${camera.id}`, { version: camera.version, range_m: 41 });
    expect(patched.status).toBe(200);
    await planner.close();

    const page = await as("admin", "/admin/audit");
    await page.getByTestId("audit-table").waitFor({ timeout: WAIT_MS });
    await page.locator("select[name=entity]").selectOption("camera");
    await page.getByTestId("audit-apply").click();
    const row = page.locator("[data-testid=audit-table] tr[data-action=camera_update]").first();
    await row.waitFor({ timeout: WAIT_MS });
    const text = ((await row.textContent()) ?? "").replace(/\s+/g, " ");
    expect(text).toContain("修改摄像头");
    expect(text).toContain(camera.name);
    expect(text).toContain(`射程 ${camera.range_m} → 41 米`);
    expect(text).toMatch(/\d{4}-\d\d-\d\d \d\d:\d\d 北京时间/);
    // Every kind of object can be filtered on, each by its Chinese name.
    const kinds = await page.locator("select[name=entity] option").allInnerTexts();
    expect(kinds).toEqual(expect.arrayContaining(["摄像头", "隐患", "网格员", "走访", "账号", "网格方案"]));
    await saveScreenshot(page, "names-audit-zh");
    // The whole trail, unfiltered, names no code either.
    await page.getByRole("button", { name: "清除" }).click();
    await page.locator("[data-testid=audit-table] tr[data-action=sign_in]").first().waitFor();
    expect(await codesShown(page)).toEqual([]);
    await page.close();
  });

  it("publishes a draft with its warnings compared and grouped by community, confirming only the worse", {
    timeout: WAIT_MS * 4,
  }, async () => {
    const page = await as("planner", "/plans");
    const draft = await api(page, "POST", "/api/plans", { from: "published", name: "e2e 分组提醒" });
    expect(draft.status).toBe(201);
    const id = (draft.body as unknown as { id: number }).id;
    // A grid already over the band takes a neighbouring parcel with households: its warning gets worse.
    const candidates = await e2e.db.query<{ parcel: number; code: string }>(
      `select pa.id as parcel, ga.code from grid ga
       join grid_figure gf on gf.grid_id = ga.id and gf.status = 'over'
       join plan_parcel pa_in on pa_in.plan_id = $1 and pa_in.grid_id = ga.id
       join parcel_edge pe on pe.a = pa_in.parcel_id or pe.b = pa_in.parcel_id
       join parcel pa on pa.id = case when pe.a = pa_in.parcel_id then pe.b else pe.a end
       join entrance e on e.id = pa.entrance_id and e.households > 0
       join plan_parcel pp on pp.plan_id = $1 and pp.parcel_id = pa.id and pp.grid_id <> ga.id
       where ga.plan_id = $1 and ga.community_code = $2 order by gf.households desc, pa.id limit 40`,
      [id, COMMUNITY],
    );
    let version = 0;
    let moved = false;
    for (const c of candidates.rows) {
      const res = await api(page, "POST", `/api/plans/${id}/assign`, { version, parcels: [c.parcel], grid: c.code });
      if (res.status !== 200) continue;
      version = res.body.version;
      const v = await api(page, "GET", `/api/plans/${id}/validation`);
      if (v.body.errors.length === 0) {
        moved = true;
        break;
      }
      version = (await api(page, "POST", `/api/plans/${id}/undo`, { version })).body.version;
    }
    expect(moved).toBe(true);

    await page.goto(`${e2e.server.url}/plans/${id}?community=${COMMUNITY}`);
    await page.getByTestId("editor-tools").waitFor({ timeout: WAIT_MS });
    await page.getByTestId("publish").click();
    const dialog = page.getByTestId("publish-dialog");
    await dialog.getByTestId("publish-warnings").waitFor({ timeout: WAIT_MS });
    expect(await dialog.getByTestId("publish-compared").textContent()).toMatch(
      /与现行方案相比：新增 \d+ 项，变差 [1-9]/,
    );
    // Only the changed community asks for the tick; the others' warnings are folded away as unchanged.
    const toConfirm = await dialog
      .getByTestId("publish-warnings")
      .getByTestId("publish-community")
      .evaluateAll((els) => els.map((e) => e.getAttribute("data-community")));
    expect(toConfirm).toEqual([COMMUNITY]);
    const name = (await e2e.db.query<{ name: string }>("select name from community where code = $1", [COMMUNITY]))
      .rows[0]!.name;
    expect(await dialog.getByTestId("publish-warnings").textContent()).toContain(name);
    const folded = await dialog
      .getByTestId("publish-unchanged")
      .getByTestId("publish-community")
      .evaluateAll((els) => els.map((e) => e.getAttribute("data-community")));
    expect(new Set(folded).size).toBeGreaterThan(5);
    expect(await codesShown(page)).toEqual([]);
    expect(await dialog.textContent()).not.toMatch(/[a-z]{3,} [a-z]{3,}/);
    expect(await dialog.getByTestId("publish-submit").isDisabled()).toBe(true);
    await dialog.getByTestId("publish-confirm").check();
    await dialog.getByTestId("publish-reason").fill("e2e：只确认变差的提醒");
    await saveScreenshot(page, "names-publish-grouped");
    await dialog.getByTestId("publish-submit").click();
    await page.getByTestId("plans-table").waitFor({ timeout: WAIT_MS });
    const audit = await e2e.db.query<{ diff: { warnings: Array<{ grid: string }> } }>(
      "select diff from audit_event where action = 'plan_publish' and entity_id = $1",
      [String(id)],
    );
    expect(audit.rows[0]!.diff.warnings.every((w) => w.grid.startsWith(COMMUNITY))).toBe(true);
    await page.close();
  });

  it("shows the planned camera's effect in the table after adding a suggested site in the default scenario", {
    timeout: WAIT_MS * 4,
  }, async () => {
    const page = await as("planner", `/cameras?community=${COMMUNITY}`);
    await page.getByTestId("cameras-panel").waitFor({ timeout: WAIT_MS });
    await mapSettled(page, ["cameras", "cameras-grids"], { timeout_ms: WAIT_MS, name: "names-cameras" });
    expect(await page.getByTestId("cameras-scenario").inputValue()).toBe("current");
    type Grids = { grids: Array<{ code: string; road_covered_share: number | null }> };
    const before = (await api<Grids>(page, "GET", `/api/coverage?community=${COMMUNITY}&scenario=planned`)).body;
    await page.getByTestId("cameras-tab-suggest").click();
    await page.getByTestId("suggest-run").click();
    await page.getByTestId("suggest-site").first().waitFor({ timeout: WAIT_MS });
    await page.getByTestId("suggest-add").first().click();
    await page.getByTestId("camera-deltas").waitFor({ timeout: WAIT_MS });
    await page.getByTestId("camera-saving").waitFor({ state: "detached", timeout: WAIT_MS });
    expect(await page.getByTestId("cameras-scenario").inputValue()).toBe("planned");
    const after = (await api<Grids>(page, "GET", `/api/coverage?community=${COMMUNITY}&scenario=planned`)).body;
    const rows = await page
      .locator("[data-testid^=delta-]")
      .evaluateAll((els) =>
        els.map((e) => ({ code: (e.getAttribute("data-testid") ?? "").slice(6), text: e.textContent ?? "" })),
      );
    expect(rows.length).toBeGreaterThan(0);
    let changed = 0;
    for (const r of rows) {
      const was = before.grids.find((g) => g.code === r.code)!.road_covered_share;
      const now = after.grids.find((g) => g.code === r.code)!.road_covered_share;
      // The table reads the planned scenario it switched to: before → after as the API has them.
      expect(r.text.replace(/\s+/g, " "), r.code).toContain(`${pct(was)} → ${pct(now)}`);
      if (was !== now) changed++;
    }
    expect(changed).toBeGreaterThan(0);
    await saveScreenshot(page, "names-cameras-planned-default-scenario");
    expect(await codesShown(page)).toEqual([]);
    await page.close();
  });
});
