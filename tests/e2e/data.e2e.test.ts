import fs from "node:fs";
import { toChineseWebMap } from "@gridatlas/geodata/gis/crs.ts";
import type { Page } from "playwright-core";
import { beforeAll, describe, expect, it } from "vitest";
import { saveScreenshot } from "../support/browser.ts";
import { useE2e } from "../support/e2e.ts";
import { signIn, signOut } from "../support/pages.ts";

/** Software WebGL draws slowly; every wait below is on a condition, and this is only its upper bound. */
const RENDER_TIMEOUT_MS = 120_000;
const COMMUNITY = "150571003011";
/** A community where points shifted by GCJ-02 land clearly off the buildings and roads (as in imports.db.test.ts). */
const AMAP_COMMUNITY = "150571003001";

const e2e = useE2e("e2edata", { width: 1440, height: 900 });
const problems: string[] = [];

beforeAll(async () => {
  e2e.browser.page.on("pageerror", (e) => problems.push(e.message));
});

/** Signs in on the first page and waits for the app behind the form. */
async function signInAt(page: Page, username: string): Promise<void> {
  await signIn(page, username, { url: e2e.server.url });
  await page.getByTestId("sign-out").waitFor();
}

/** Waits until the map has drawn the preview's `n` features (it frames them) and stopped moving. */
async function previewDrawn(page: Page, n: number): Promise<void> {
  await page.waitForFunction(
    (want) => {
      const map = window.__gridatlas?.map;
      const drawn = new Set(
        (map?.queryRenderedFeatures({ layers: ["imports-preview-point"] }) ?? []).map((f) => String(f.id)),
      );
      return !!map && drawn.size === want && map.loaded() && map.areTilesLoaded() && !map.isMoving();
    },
    n,
    { timeout: RENDER_TIMEOUT_MS, polling: 250 },
  );
}

const venueCount = async () => Number((await e2e.db.query("select count(*) as n from venue")).rows[0].n);

/** Venues at the points of three buildings of a community, and one more as the test asks for it. */
type Row = { 店名: string; 类别: string; 地址: string; lnglat: [number, number] };

function geojsonOf(rows: Row[]): Buffer {
  return Buffer.from(
    JSON.stringify({
      type: "FeatureCollection",
      features: rows.map((r) => ({
        type: "Feature",
        properties: { 店名: r.店名, 类别: r.类别, 地址: r.地址 },
        geometry: { type: "Point", coordinates: r.lnglat },
      })),
    }),
  );
}

/** Saves what a click downloads and returns its bytes. */
async function download(page: Page, click: () => Promise<void>): Promise<{ bytes: Buffer; name: string }> {
  const pending = page.waitForEvent("download", { timeout: RENDER_TIMEOUT_MS });
  await click();
  const file = await pending;
  const path = await file.path();
  return { bytes: await fs.promises.readFile(path), name: file.suggestedFilename() };
}

describe("importing, exporting and printing data in Chromium", () => {
  it("refuses a file with bad rows whole, imports the fixed file, turns hand-drawn grids into a draft and prints a community map", {
    timeout: RENDER_TIMEOUT_MS * 3,
  }, async () => {
    const { page } = e2e.browser;
    const spots = (
      await e2e.db.query(
        `select ST_X(p) as lng, ST_Y(p) as lat from (
           select ST_PointOnSurface(b.geom) as p from building b
           join community c on ST_Contains(c.geom, ST_PointOnSurface(b.geom))
           where c.code = $1 order by b.id limit 3) s`,
        [COMMUNITY],
      )
    ).rows.map((r) => [Number(r.lng), Number(r.lat)] as [number, number]);
    expect(spots).toHaveLength(3);
    const east = Number(
      (await e2e.db.query("select ST_XMax(geom) as e from subdistrict where code = '150571003'")).rows[0].e,
    );
    const rows: Row[] = [
      { 店名: "测试药店甲", 类别: "pharmacy", 地址: "测试路1号", lnglat: spots[0]! },
      { 店名: "", 类别: "药店", 地址: "测试路2号", lnglat: spots[1]! },
      { 店名: "测试饭店丙", 类别: "restaurant", 地址: "测试路3号", lnglat: spots[2]! },
      // About 600 m east of the subdistrict.
      { 店名: "测试网吧丁", 类别: "internet_cafe", 地址: "测试路4号", lnglat: [east + 0.008, spots[0]![1]] },
    ];
    const before = await venueCount();

    // An admin opens the data page from the nav; imports are the first tab.
    await signInAt(page, "admin");
    await page.getByTestId("nav-data").click();
    await page.getByTestId("data-tab-layer").waitFor();
    for (const tab of ["layer", "territory", "plan", "osm", "export", "print"]) {
      expect(await page.getByTestId(`data-tab-${tab}`).count()).toBe(1);
    }

    // Upload: the preview reads 4 features, lng/lat, and draws them.
    await page.getByTestId("import-file").setInputFiles({
      name: "venues-bad.geojson",
      mimeType: "application/geo+json",
      buffer: geojsonOf(rows),
    });
    const preview = page.getByTestId("preview");
    await preview.waitFor({ timeout: RENDER_TIMEOUT_MS });
    expect(await preview.getAttribute("data-total")).toBe("4");
    expect(await page.getByTestId("preview-fields").textContent()).toContain("店名");
    expect(await page.getByTestId("preview-crs").textContent()).toContain("EPSG:4326");
    expect(await page.getByTestId("offset-warning").count()).toBe(0);
    await previewDrawn(page, 4);

    // Fields: the server matched 类别 and 地址 by name; 店名 is mapped by hand.
    const category = page.getByTestId("map-category");
    await expect.poll(() => category.inputValue(), { timeout: RENDER_TIMEOUT_MS }).toBe("类别");
    expect(await page.getByTestId("map-address").inputValue()).toBe("地址");
    await page.getByTestId("map-name").selectOption("店名");

    // Import: refused whole, the report names row 2 (no name) and row 4 (outside), nothing written.
    await page.getByTestId("import-run").click();
    const report = page.getByTestId("import-report");
    await report.waitFor({ timeout: RENDER_TIMEOUT_MS });
    const reported = await report
      .locator("[data-testid=report-row]")
      .evaluateAll((els) => els.map((e) => [e.getAttribute("data-row"), e.getAttribute("data-field"), e.textContent]));
    expect(reported.map(([row, field]) => `${row}:${field}`)).toEqual(["2:name", "4:geometry"]);
    expect(reported[0]![2]).toContain("缺少");
    expect(reported[1]![2]).toContain("不在本街道范围内");
    expect(await report.getByTestId("data-error").textContent()).toContain("未导入任何数据");
    expect(await venueCount()).toBe(before);
    // The refused rows are marked on the map with their row numbers.
    await page.waitForFunction(
      () => (window.__gridatlas?.map.queryRenderedFeatures({ layers: ["imports-preview-label"] }) ?? []).length > 0,
      null,
      { timeout: RENDER_TIMEOUT_MS, polling: 250 },
    );
    await report.scrollIntoViewIfNeeded();
    await saveScreenshot(page, "data-import-refused");
    // In English, the same report in the server's English.
    await page.getByTestId("lang-switch").click();
    await expect.poll(() => report.locator("[data-row='4']").textContent()).toContain("outside the subdistrict");
    expect(await report.locator("[data-row='2']").textContent()).toContain("is empty");
    await saveScreenshot(page, "data-import-refused-en");
    await page.getByTestId("lang-switch").click();
    await expect.poll(() => report.locator("[data-row='4']").textContent()).toContain("不在本街道范围内");

    // The fixed file: row 2 named, row 4 dropped. Three venues land.
    const fixed = rows.slice(0, 3).map((r) => (r.店名 ? r : { ...r, 店名: "测试药店乙" }));
    await page.getByTestId("import-file").setInputFiles({
      name: "venues-fixed.geojson",
      mimeType: "application/geo+json",
      buffer: geojsonOf(fixed),
    });
    await expect.poll(() => preview.getAttribute("data-total"), { timeout: RENDER_TIMEOUT_MS }).toBe("3");
    await previewDrawn(page, 3);
    await expect.poll(() => category.inputValue(), { timeout: RENDER_TIMEOUT_MS }).toBe("类别");
    await page.getByTestId("map-name").selectOption("店名");
    await page.getByTestId("import-run").click();
    const done = page.getByTestId("import-done");
    await done.waitFor({ timeout: RENDER_TIMEOUT_MS });
    expect(await done.getAttribute("data-count")).toBe("3");
    expect(await venueCount()).toBe(before + 3);
    const landed = await e2e.db.query(
      "select name, category, address from venue where name like '测试%' order by name",
    );
    expect(landed.rows.map((r) => `${r.name}/${r.category}`).sort()).toEqual(
      ["测试药店甲/pharmacy", "测试药店乙/pharmacy", "测试饭店丙/restaurant"].sort(),
    );
    await saveScreenshot(page, "data-import-done");

    // Points copied from a Chinese web map (GCJ-02), in a CSV: the preview warns and converts only when told to.
    const amap = (
      await e2e.db.query(
        `select ST_X(c) x, ST_Y(c) y from (select ST_PointOnSurface(geom) c from building
         where community_code = $1 order by id limit 40) t`,
        [AMAP_COMMUNITY],
      )
    ).rows.map((r, i) => {
      const [x, y] = toChineseWebMap([Number(r.x), Number(r.y)], "GCJ02");
      return `高德网吧${i},internet_cafe,${x.toFixed(9)},${y.toFixed(9)}`;
    });
    await page.getByTestId("import-file").setInputFiles({
      name: "amap.csv",
      mimeType: "text/csv",
      buffer: Buffer.from(["名称,类别,lng,lat", ...amap].join("\n")),
    });
    await expect.poll(() => preview.getAttribute("data-total"), { timeout: RENDER_TIMEOUT_MS }).toBe("40");
    const warning = page.getByTestId("offset-warning");
    await warning.waitFor();
    expect(await warning.textContent()).toContain("GCJ-02");
    await previewDrawn(page, 40);
    await saveScreenshot(page, "data-offset-warning");
    await page.getByTestId("offset-convert").click();
    await expect
      .poll(() => page.getByTestId("preview-crs").textContent(), { timeout: RENDER_TIMEOUT_MS })
      .toContain("GCJ02");
    expect(await warning.count()).toBe(0);
    expect(await page.getByTestId("crs-select").inputValue()).toBe("GCJ02");

    // Hand-drawn grids of the community (the first pushed 25 m over its neighbours, the second pulled 20 m in):
    // a draft plan, and the overlaps and gaps on the map and in the list.
    const drawn = await e2e.db.query(
      `select g.code, g.name, ST_AsGeoJSON(case row_number() over (order by g.code)
           when 1 then ST_Transform(ST_Buffer(ST_Transform(g.geom, 4550), 25), 4326)
           when 2 then ST_Transform(ST_Buffer(ST_Transform(g.geom, 4550), -20), 4326)
           else g.geom end, 9)::json geometry
       from published_grid g where g.community_code = $1 order by g.code`,
      [COMMUNITY],
    );
    await page.getByTestId("data-tab-plan").click();
    await page
      .getByTestId("plan-import")
      .locator("[data-testid=import-file]")
      .setInputFiles({
        name: "old-grids.geojson",
        mimeType: "application/geo+json",
        buffer: Buffer.from(
          JSON.stringify({
            type: "FeatureCollection",
            features: drawn.rows.map((g) => ({
              type: "Feature",
              properties: { 网格编码: g.code, 网格名称: g.name },
              geometry: g.geometry,
            })),
          }),
        ),
      });
    await page.getByTestId("preview").waitFor({ timeout: RENDER_TIMEOUT_MS });
    expect(await page.getByTestId("preview").getAttribute("data-total")).toBe(String(drawn.rows.length));
    await page.getByTestId("plan-name").fill("2022年手绘网格");
    await page.getByTestId("plan-run").click();
    const planReport = page.getByTestId("plan-report");
    await planReport.waitFor({ timeout: RENDER_TIMEOUT_MS });
    const planId = Number(await planReport.getAttribute("data-plan"));
    expect((await e2e.db.query("select name, status from plan where id = $1", [planId])).rows).toEqual([
      { name: "2022年手绘网格", status: "draft" },
    ]);
    expect(Number(await page.getByTestId("plan-overlaps").getAttribute("data-count"))).toBeGreaterThan(0);
    expect(Number(await page.getByTestId("plan-gaps").getAttribute("data-count"))).toBeGreaterThan(0);
    expect(await page.getByTestId("plan-open").getAttribute("href")).toBe(`/plans/${planId}`);
    await page.waitForFunction(
      () => {
        const map = window.__gridatlas?.map;
        return (
          !!map &&
          map.queryRenderedFeatures({ layers: ["imports-problems-fill"] }).length > 0 &&
          map.loaded() &&
          !map.isMoving()
        );
      },
      null,
      { timeout: RENDER_TIMEOUT_MS, polling: 250 },
    );
    await planReport.scrollIntoViewIfNeeded();
    await saveScreenshot(page, "data-plan-report");

    // Print a community's map: a PDF, then a PNG of A4 landscape at twice its pixels.
    await page.getByTestId("data-tab-print").click();
    await page.getByTestId("print-community").selectOption(COMMUNITY);
    const pdf = await download(page, () => page.getByTestId("print-run").click());
    expect(pdf.bytes.subarray(0, 5).toString("latin1")).toBe("%PDF-");
    expect(pdf.name).toMatch(/\.pdf$/);
    await page.getByTestId("print-done").waitFor();
    await page.getByTestId("print-format-png").check();
    const png = await download(page, () => page.getByTestId("print-run").click());
    expect(png.bytes.subarray(1, 4).toString("latin1")).toBe("PNG");
    const width = png.bytes.readUInt32BE(16);
    const height = png.bytes.readUInt32BE(20);
    expect(width).toBeGreaterThan(1500);
    expect(width / height).toBeCloseTo(297 / 210, 1);
    await expect.poll(() => page.getByTestId("print-done").textContent()).toContain(`${width} × ${height}`);
    await page.locator(".data-print-thumb").evaluate((img: HTMLImageElement) => img.decode());
    await saveScreenshot(page, "data-print");
    await signOut(page);

    // A planner exports and prints, but has no import.
    await signInAt(page, "planner");
    await page.getByTestId("nav-data").click();
    await page.getByTestId("data-tab-export").waitFor();
    expect(await page.getByTestId("data-tab-print").count()).toBe(1);
    for (const tab of ["layer", "territory", "plan", "osm"]) {
      expect(await page.getByTestId(`data-tab-${tab}`).count()).toBe(0);
    }
    await page.goto(`${e2e.server.url}/data?tab=layer`);
    await page.getByTestId("export-form").waitFor();
    expect(await page.getByTestId("import-file").count()).toBe(0);
    await page.getByTestId("export-layer").selectOption("grids");
    const grids = await download(page, () => page.getByTestId("export-run").click());
    const exported = JSON.parse(grids.bytes.toString("utf8")) as GeoJSON.FeatureCollection;
    const published = Number((await e2e.db.query("select count(*) as n from published_grid")).rows[0].n);
    expect(exported.features).toHaveLength(published);
    await page.getByTestId("export-done").waitFor();
    await saveScreenshot(page, "data-export-planner");
    await signOut(page);

    // A worker has no entry, and the page itself says it is not theirs.
    await signInAt(page, "worker-1");
    expect(await page.getByTestId("nav-data").count()).toBe(0);
    await page.goto(`${e2e.server.url}/data`);
    await page.getByTestId("forbidden").waitFor();

    expect(problems).toEqual([]);
  });
});
