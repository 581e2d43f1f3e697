import type { Page } from "playwright-core";
import { beforeAll, describe, expect, it } from "vitest";
import { saveScreenshot } from "../support/browser.ts";
import { useE2e } from "../support/e2e.ts";
import { mapSettled, signIn } from "../support/pages.ts";

/** Software WebGL draws slowly; every wait below is on a condition, and this is only its upper bound. */
const RENDER_TIMEOUT_MS = 150_000;

const e2e = useE2e("e2eleader");
const consoleProblems: string[] = [];

beforeAll(async () => {
  e2e.browser.page.on("console", (m) => {
    if (m.type() === "error") consoleProblems.push(m.text());
  });
  e2e.browser.page.on("pageerror", (e) => consoleProblems.push(e.message));
});

/** A FeatureCollection as far as these tests read it. */
type Points = { features: { geometry: unknown }[] };

/** Waits until both point sources hold what the server sent for the view and the map has drawn it. */
const pointsSettled = (page: Page, sources = ["venues", "hazards"]) =>
  mapSettled(page, sources, { timeout_ms: RENDER_TIMEOUT_MS, name: "leader-map" });

/**
 * Moves the camera and waits until the map holds the hazards the server sent for the new view: the answer to the
 * request of its zoom whose box holds the new centre, in the hazards source.
 */
async function viewLoaded(page: Page, center: [number, number], zoom: number): Promise<void> {
  const [min, max] = await page.evaluate(() => {
    const map = window.__gridatlas?.map;
    return [map?.getMinZoom() ?? 0, map?.getMaxZoom() ?? 22];
  });
  const asked = String(Math.round(Math.min(max, Math.max(min, zoom)) * 2) / 2);
  const answer = page.waitForResponse(
    (r) => {
      const url = new URL(r.url());
      const [w, s, e, n] = (url.searchParams.get("bbox") ?? "").split(",").map(Number);
      return (
        url.pathname === "/api/hazards/clusters" &&
        url.searchParams.get("zoom") === asked &&
        w! <= center[0] &&
        center[0] <= e! &&
        s! <= center[1] &&
        center[1] <= n!
      );
    },
    { timeout: RENDER_TIMEOUT_MS },
  );
  await page.evaluate(([c, z]) => window.__gridatlas?.map.jumpTo({ center: c, zoom: z }), [center, zoom] as [
    [number, number],
    number,
  ]);
  const sent = ((await (await answer).json()) as Points).features.map((f) => JSON.stringify(f.geometry));
  await page.evaluate(
    async ({ want, timeout_ms }) => {
      const deadline = performance.now() + timeout_ms;
      for (;;) {
        const source = window.__gridatlas?.map.getSource("hazards") as unknown as
          | { getData(): Promise<Points> }
          | undefined;
        const held = (await source?.getData())?.features.map((f) => JSON.stringify(f.geometry));
        if (JSON.stringify(held) === JSON.stringify(want)) return;
        if (performance.now() > deadline) throw new Error("the hazards of the new view never reached the map");
        await new Promise((r) => setTimeout(r, 100));
      }
    },
    { want: sent, timeout_ms: RENDER_TIMEOUT_MS },
  );
}

/** Moves the camera and waits for the points of the new view. */
async function jumpTo(page: Page, center: [number, number], zoom: number): Promise<void> {
  await viewLoaded(page, center, zoom);
  await pointsSettled(page, ["hazards"]);
}

/** The screen position of a rendered feature of a layer, optionally the one with a given id. */
function screenPointOf(page: Page, layer: string, id?: number) {
  return page.evaluate(
    ([l, want]) => {
      const map = window.__gridatlas?.map;
      const f = (map?.queryRenderedFeatures({ layers: [l as string] }) ?? []).find(
        (x) => want === undefined || x.properties.id === want,
      );
      if (!map || !f || f.geometry.type !== "Point") return null;
      const p = map.project(f.geometry.coordinates as [number, number]);
      const box = map.getContainer().getBoundingClientRect();
      return { x: box.left + p.x, y: box.top + p.y, id: Number(f.properties.id) };
    },
    [layer, id] as const,
  );
}

describe("the leader's map, in Debian's Chromium", () => {
  it("shows a leader the filtered venues and hazards, with the filters in the URL and no way to record", {
    timeout: RENDER_TIMEOUT_MS * 2,
  }, async () => {
    const { page } = e2e.browser;
    await signIn(page, "leader", { url: `${e2e.server.url}/leader-map?hs=reported,assigned,in_progress&sev=high` });
    await pointsSettled(page);
    // Read only: no button to report a hazard.
    expect(await page.getByTestId("hazard-create").count()).toBe(0);
    // The statistics follow the filters from the URL: the open high-severity hazards of the database.
    const open = await e2e.db.query<{ n: number }>(
      "select count(*)::int n from hazard where severity = 'high' and status in ('reported', 'assigned', 'in_progress')",
    );
    await page
      .getByTestId("stats-total")
      .filter({ hasText: String(open.rows[0]!.n) })
      .waitFor({ timeout: 30_000 });
    expect(await page.getByTestId("filter-severity").locator(".lm-badge").textContent()).toBe("1");
    await saveScreenshot(page, "leader-map-overview");

    // A filter chosen on screen goes into the URL, and a reload keeps it.
    const community = (await e2e.db.query<{ code: string }>("select code from community order by code limit 1"))
      .rows[0]!.code;
    await page.getByTestId("filter-community").selectOption(community);
    await page.waitForURL((u) => u.searchParams.get("community") === community);
    const url = new URL(page.url());
    expect(url.pathname).toBe("/leader-map");
    expect(url.searchParams.get("hs")).toBe("reported,assigned,in_progress");
    expect(url.searchParams.get("sev")).toBe("high");
    await page.reload();
    await page.getByTestId("leader-filters").waitFor();
    expect(await page.getByTestId("filter-community").inputValue()).toBe(community);
    const inCommunity = await e2e.db.query<{ n: number }>(
      `select count(*)::int n from hazard where severity = 'high' and status in ('reported', 'assigned', 'in_progress')
       and community_code = $1`,
      [community],
    );
    await page
      .getByTestId("stats-total")
      .filter({ hasText: new RegExp(`^${inCommunity.rows[0]!.n}$`) })
      .waitFor({ timeout: 30_000 });
  });

  it("opens a hazard's card with the timeline of its states, and no moves for a leader", {
    timeout: RENDER_TIMEOUT_MS * 2,
  }, async () => {
    const { page } = e2e.browser;
    await page.goto(`${e2e.server.url}/leader-map`);
    await pointsSettled(page);
    // The hazard with the longest history, shown close up so it is a single point with its label.
    const h = await e2e.db.query<{ id: number; lng: number; lat: number; moves: number }>(
      `select h.id, ST_X(h.geom) lng, ST_Y(h.geom) lat, count(t.*)::int moves
       from hazard h join hazard_transition t on t.hazard_id = h.id group by h.id order by 4 desc, 1 limit 1`,
    );
    const target = h.rows[0]!;
    await jumpTo(page, [target.lng, target.lat], 18.5);
    const at = await screenPointOf(page, "hazards-icon", target.id);
    expect(at).not.toBeNull();
    await page.mouse.click(at!.x, at!.y);
    const card = page.getByTestId("hazard-card");
    await card.waitFor();
    await card
      .getByTestId("hazard-timeline")
      .locator("li")
      .nth(target.moves - 1)
      .waitFor();
    expect(await card.getByTestId("hazard-timeline").locator("li").count()).toBe(target.moves);
    expect(await card.getByTestId("hazard-moves").count()).toBe(0);
    await saveScreenshot(page, "leader-map-hazard-card");

    // The heat map instead of the hazard clusters, over the whole subdistrict.
    await page.getByTestId("layer-heat").check();
    await page.waitForURL((u) => u.searchParams.get("heat") === "1");
    await jumpTo(page, [target.lng, target.lat], 13.5);
    expect(await page.evaluate(() => !!window.__gridatlas?.map.getLayer("hazards-heat"))).toBe(true);
    await saveScreenshot(page, "leader-map-heat");
    await page.getByTestId("layer-heat").uncheck();

    // Camera coverage under the points: every published grid coloured by the share of road its cameras see, in
    // the class the coverage API's figure puts it.
    await page.getByTestId("layer-coverage").check();
    await page.waitForURL((u) => u.searchParams.get("cov") === "1");
    const api = (await page.evaluate(async () => (await fetch("/api/coverage")).json())) as {
      grids: { code: string; road_covered_share: number | null }[];
    };
    const expected = new Map(
      api.grids.map((g) => [
        g.code,
        g.road_covered_share === null ? "none" : `s${Math.min(4, Math.floor(g.road_covered_share * 5 + 1e-9))}`,
      ]),
    );
    const published = (await e2e.db.query<{ n: number }>("select count(*)::int n from published_grid")).rows[0]!.n;
    expect(expected.size).toBe(published);
    await page.evaluate(() => window.__gridatlas?.map.jumpTo({ center: [122.25, 43.6], zoom: 11 }));
    const drawn = await page.waitForFunction(
      (n) => {
        const map = window.__gridatlas?.map;
        if (!map?.getSource("coverage-grids")) return null;
        const bins: Record<string, string> = {};
        for (const f of map.querySourceFeatures("coverage-grids")) bins[String(f.properties.code)] = f.properties.bin;
        return Object.keys(bins).length === n ? bins : null;
      },
      published,
      { timeout: RENDER_TIMEOUT_MS, polling: 250 },
    );
    expect(new Map(Object.entries((await drawn.jsonValue()) as Record<string, string>))).toEqual(expected);
    const legendToggle = page.getByTestId("leader-legend").locator(".lm-legend-toggle");
    const folded = (await legendToggle.getAttribute("aria-expanded")) !== "true";
    if (folded) await legendToggle.click();
    await page.getByTestId("leader-legend").getByTestId("coverage-legend").waitFor();
    await jumpTo(page, [target.lng, target.lat], 14);
    await saveScreenshot(page, "leader-map-coverage");
    if (folded) await legendToggle.click();
    await page.getByTestId("layer-coverage").uncheck();

    // The replay: the map at the end of an earlier month, every count in the panel as of then.
    await page.getByTestId("replay-range").fill("4");
    await page.waitForURL((u) => !!u.searchParams.get("as_of"));
    const asOf = new URL(page.url()).searchParams.get("as_of")!;
    const then = await e2e.db.query<{ n: number }>(
      "select count(*)::int n from hazard where reported_at < ($1::date + 1)::timestamp at time zone 'Asia/Shanghai'",
      [asOf],
    );
    await page
      .getByTestId("stats-total")
      .filter({ hasText: new RegExp(`^${then.rows[0]!.n}$`) })
      .waitFor({ timeout: 30_000 });
    await pointsSettled(page);
    await saveScreenshot(page, "leader-map-replay");
    // The one expected failure is the session probe before signing in (401).
    expect(consoleProblems.filter((p) => !p.includes("favicon") && !p.includes("401"))).toEqual([]);
  });

  it("lets a worker report a hazard in their own grid, and refuses one elsewhere with the reason", {
    timeout: RENDER_TIMEOUT_MS * 3,
  }, async () => {
    const { page } = e2e.browser;
    await page.getByTestId("sign-out").click();
    await signIn(page, "worker-1", { url: `${e2e.server.url}/leader-map` });
    await page.getByTestId("leader-filters").waitFor({ timeout: RENDER_TIMEOUT_MS });
    // Camera coverage is not for workers (camera positions and gaps are sensitive): no such layer to switch on.
    expect(await page.getByTestId("layer-coverage").count()).toBe(0);
    const grids = (
      await e2e.db.query<{ grid_code: string }>(
        `select wa.grid_code from account a join account_role r on r.account_id = a.id
         join worker_assignment wa on wa.worker_id = r.worker_id where a.username = 'worker-1' order by 1`,
      )
    ).rows.map((r) => r.grid_code);
    const spot = async (grid: string) =>
      (
        await e2e.db.query<{ lng: number; lat: number }>(
          `select ST_X(pt) lng, ST_Y(pt) lat from (select ST_PointOnSurface(pa.geom) pt from parcel pa
           join published_parcel pp on pp.parcel_id = pa.id where pp.grid_code = $1 order by ST_Area(pa.geom) desc limit 1) x`,
          [grid],
        )
      ).rows[0]!;
    const clickAt = async (lngLat: { lng: number; lat: number }) => {
      await viewLoaded(page, [lngLat.lng, lngLat.lat], 17.5);
      await mapSettled(page, [], { timeout_ms: RENDER_TIMEOUT_MS, name: "leader-map" });
      const p = await page.evaluate(
        (c) => {
          const map = window.__gridatlas?.map;
          if (!map) return null;
          const q = map.project(c);
          const box = map.getContainer().getBoundingClientRect();
          return { x: box.left + q.x, y: box.top + q.y };
        },
        [lngLat.lng, lngLat.lat] as [number, number],
      );
      await page.getByTestId("hazard-create").click();
      await page.getByTestId("pick-hint").waitFor();
      await page.mouse.click(p!.x, p!.y);
      const form = page.getByTestId("hazard-form");
      await form.waitFor();
      await form.getByTestId("hazard-form-title").fill("楼道堆放纸箱等易燃杂物");
      await form.getByTestId("hazard-form-submit").click();
    };

    const own = await spot(grids[0]!);
    const before = (await e2e.db.query<{ n: number }>("select count(*)::int n from hazard")).rows[0]!.n;
    await clickAt(own);
    const card = page.getByTestId("hazard-card");
    await card.getByTestId("hazard-grid").filter({ hasText: grids[0]! }).waitFor({ timeout: 30_000 });
    const created = await e2e.db.query<{ grid_code: string; status: string; title: string }>(
      `select pp.grid_code, h.status, h.title from hazard h join published_parcel pp on pp.parcel_id = h.parcel_id
       order by h.id desc limit 1`,
    );
    expect(created.rows[0]).toEqual({ grid_code: grids[0], status: "reported", title: "楼道堆放纸箱等易燃杂物" });
    // A worker starts and finishes the work, but does not assign it: the office does.
    expect(await card.getByTestId("hazard-move-assigned").count()).toBe(0);
    await saveScreenshot(page, "leader-map-worker-report");

    const other = (
      await e2e.db.query<{ code: string }>(
        "select code from published_grid where code <> all($1) and community_code <> $2 order by code limit 1",
        [grids, grids[0]!.slice(0, 12)],
      )
    ).rows[0]!.code;
    await clickAt(await spot(other));
    const error = page.getByTestId("hazard-form-error");
    await error.waitFor({ timeout: 30_000 });
    // The refusal says why without naming the other grid: answers must not map others' territory.
    expect(await error.textContent()).toContain("不在您负责的网格内");
    expect(await error.textContent()).not.toContain(other);
    expect((await e2e.db.query<{ n: number }>("select count(*)::int n from hazard")).rows[0]!.n).toBe(before + 1);
    await saveScreenshot(page, "leader-map-worker-refused");
  });
});
