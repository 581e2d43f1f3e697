import { spawnSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { type OfficeLayers, writeOfficeLayers } from "@gridatlas/geodata/territory/testdata.ts";
import type { Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { saveScreenshot } from "../support/browser.ts";
import { useE2e } from "../support/e2e.ts";
import { signIn } from "../support/pages.ts";

/**
 * The data page's territory import (issue 18) in Chromium, as an admin does it: an office's layers made from the
 * Monaco extract (GBK zipped Shapefiles, Chinese field names, EPSG:4550 moved to Tongliao) are uploaded one by one
 * and previewed on the map — a communities layer without its .prj is caught and read through the CRS override, a
 * bad row is listed — then imported as a job with its steps, to its summary and the draft plan it proposed. A
 * communities layer with a gap that is no sliver is refused with its report and its outline, and changes nothing.
 */

/** Software WebGL draws slowly and the import runs on a loaded machine: waits are on conditions, these their bounds. */
const RENDER_TIMEOUT_MS = 120_000;
const IMPORT_TIMEOUT_MS = 540_000;

const e2e = useE2e("e2eterritory", { width: 1440, height: 900 });
const pageErrors: string[] = [];
let tmp: string;
let office: OfficeLayers;
/** The same communities as a zipped Shapefile without its .prj, as offices send them now and then. */
let noPrj: string;

beforeAll(async () => {
  e2e.browser.page.on("pageerror", (e) => pageErrors.push(e.message));
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), "gridatlas-territory-e2e-"));
  office = await writeOfficeLayers(path.join(tmp, "4550"), { srid: 4550 });
  noPrj = path.join(tmp, "communities-no-prj.zip");
  fs.copyFileSync(office.communities, noPrj);
  const zip = spawnSync("zip", ["-q", "-d", noPrj, "*.prj"], { encoding: "utf8" });
  if (zip.status !== 0) throw new Error(`zip -d: ${zip.stderr}`);
}, 300_000);

afterAll(() => {
  if (tmp) fs.rmSync(tmp, { recursive: true, force: true });
});

/** Small made-up layers in lng/lat near Tongliao, x and y in metres from a corner. */
const LNG0 = 122.25;
const LAT0 = 43.7;
const pt = (x: number, y: number) => [LNG0 + x / (111_320 * Math.cos((LAT0 * Math.PI) / 180)), LAT0 + y / 110_574];
const rect = (x0: number, y0: number, x1: number, y1: number) => ({
  type: "Polygon",
  coordinates: [[pt(x0, y0), pt(x1, y0), pt(x1, y1), pt(x0, y1), pt(x0, y0)]],
});
const geojson = (name: string, features: { properties: Record<string, unknown>; geometry: unknown }[]) => ({
  name,
  mimeType: "application/geo+json",
  buffer: Buffer.from(
    JSON.stringify({ type: "FeatureCollection", features: features.map((f) => ({ type: "Feature", ...f })) }),
  ),
});
const code = (k: number) => `150571990${String(k).padStart(3, "0")}`;
/** Four communities around a middle strip, A and B leaving a 100 m × 200 m gap between them: no sliver. */
const gapCommunities = geojson("社区-有空隙.geojson", [
  { properties: { 社区名称: "甲社区", 社区代码: code(1) }, geometry: rect(0, 0, 150, 200) },
  { properties: { 社区名称: "乙社区", 社区代码: code(2) }, geometry: rect(250, 0, 400, 200) },
  { properties: { 社区名称: "丙社区", 社区代码: code(3) }, geometry: rect(0, 200, 400, 300) },
  { properties: { 社区名称: "丁社区", 社区代码: code(4) }, geometry: rect(0, -100, 400, 0) },
]);
const buildingsOf = (floors2: unknown) =>
  geojson("楼栋.geojson", [
    { properties: { 楼栋编码: "L1", 层数: 6, 户数: 120 }, geometry: rect(30, 30, 90, 45) },
    { properties: { 楼栋编码: "L2", 层数: floors2, 户数: 96 }, geometry: rect(300, 30, 360, 45) },
    { properties: { 楼栋编码: "L3", 层数: 6 }, geometry: rect(30, 230, 90, 245) },
    { properties: { 楼栋编码: "L4", 层数: 6 }, geometry: rect(30, -70, 90, -55) },
  ]);
const smallRoads = geojson("道路.geojson", [
  {
    properties: { 道路名称: "建国路", 道路等级: "主干路" },
    geometry: { type: "LineString", coordinates: [pt(-10, 100), pt(410, 100)] },
  },
]);

/** What an import would change: the territory's and the plans' row counts. */
async function counts(): Promise<Record<"subdistrict" | "community" | "building" | "parcel" | "plan", number>> {
  const out = {} as Record<"subdistrict" | "community" | "building" | "parcel" | "plan", number>;
  for (const table of ["subdistrict", "community", "building", "parcel", "plan"] as const) {
    out[table] = Number((await e2e.db.query(`select count(*) as n from ${table}`)).rows[0].n);
  }
  return out;
}

/** Opens the territory tab afresh (a new page state: no files chosen). */
async function openTab(page: Page): Promise<void> {
  await page.goto(`${e2e.server.url}/data?tab=territory`);
  await page.getByTestId("territory-import").waitFor({ timeout: RENDER_TIMEOUT_MS });
}

/** Chooses a file for a layer and waits for the preview to show that layer read (or a problem with it). */
async function choose(page: Page, slot: string, file: string | { name: string; mimeType: string; buffer: Buffer }) {
  const preview = page.getByTestId("territory-preview");
  const before = (await preview.count()) ? await preview.getAttribute("data-version") : null;
  await page.getByTestId(`territory-file-${slot}`).setInputFiles(file);
  await page.waitForFunction(
    (was) => {
      const p = document.querySelector("[data-testid=territory-preview]");
      if (document.querySelector("[data-testid=territory-import] [data-testid=data-error]")) return true;
      return !!p && p.getAttribute("data-version") !== was && !document.querySelector("[data-testid=working]");
    },
    before,
    { timeout: RENDER_TIMEOUT_MS, polling: 250 },
  );
}

/** Waits until the map has drawn the preview (features of each of `layers`) and stopped moving. */
async function previewDrawn(page: Page, layers: string[]): Promise<void> {
  await page.waitForFunction(
    (want) => {
      const map = window.__gridatlas?.map;
      if (!map?.loaded() || !map.areTilesLoaded() || map.isMoving()) return false;
      const drawn = new Set(
        map
          .queryRenderedFeatures({ layers: ["imports-preview-fill", "imports-preview-line"] })
          .map((f) => String(f.properties?.layer)),
      );
      return want.every((l) => drawn.has(l));
    },
    layers,
    { timeout: RENDER_TIMEOUT_MS, polling: 250 },
  );
}

const problemRows = (page: Page, testId: string) =>
  page
    .getByTestId(testId)
    .locator("[data-testid=territory-problem]")
    .evaluateAll((els) =>
      els.map((e) => ({
        layer: e.getAttribute("data-layer"),
        row: e.getAttribute("data-row"),
        field: e.getAttribute("data-field"),
        text: e.textContent ?? "",
      })),
    );

describe("the data page's territory import in Chromium", () => {
  it("refuses a communities layer with a gap, lists the bad row a preview finds, and changes nothing", {
    timeout: IMPORT_TIMEOUT_MS,
  }, async () => {
    const { page } = e2e.browser;
    await signIn(page, "admin", { url: e2e.server.url });
    await page.getByTestId("sign-out").waitFor();
    await page.getByTestId("nav-data").click();
    await page.getByTestId("data-tab-territory").click();
    await page.getByTestId("territory-import").waitFor();
    expect(await page.getByTestId("territory-start").isDisabled()).toBe(true);
    const before = await counts();

    // A bad row: the preview lists it by layer, row and field, marks it on the map, and the import cannot start.
    await choose(page, "communities", gapCommunities);
    await choose(page, "buildings", buildingsOf("六"));
    await choose(page, "roads", smallRoads);
    const preview = page.getByTestId("territory-preview");
    expect(await preview.getAttribute("data-complete")).toBe("true");
    expect(await page.getByTestId("territory-crs-communities").getAttribute("data-crs")).toBe("EPSG:4326");
    const bad = await problemRows(page, "territory-problems");
    expect(bad.map((p) => `${p.layer}:${p.row}:${p.field}`)).toEqual(["buildings:2:层数"]);
    expect(bad[0]!.text).toContain("应为 1–120 的整数，实为「六」");
    expect(await page.getByTestId("territory-start").isDisabled()).toBe(true);
    expect(await page.getByTestId("territory-start-hint").textContent()).toContain("请先改正");
    await previewDrawn(page, ["communities", "buildings", "roads"]);
    await page.getByTestId("legend-bad").waitFor();
    await saveScreenshot(page, "territory-preview-bad-row");

    // The fixed buildings read cleanly; the gap between 甲 and 乙 is found by the import itself, which refuses.
    await choose(page, "buildings", buildingsOf(6));
    await page.getByTestId("territory-clean").waitFor();
    await page.getByTestId("territory-start").click();
    const job = page.getByTestId("territory-job");
    await page.waitForSelector("[data-testid=territory-job][data-state=failed]", { timeout: IMPORT_TIMEOUT_MS });
    const refused = await problemRows(page, "territory-refusal");
    expect(refused).toHaveLength(1);
    expect(refused[0]).toMatchObject({ layer: "communities", row: "" });
    expect(refused[0]!.text).toMatch(/空隙|缝隙/);
    expect(await job.getByTestId("territory-report").textContent()).toContain("未导入任何数据");
    await page.getByTestId("legend-gap").waitFor();
    expect(await counts()).toEqual(before);
    await page.getByTestId("territory-report").scrollIntoViewIfNeeded();
    await saveScreenshot(page, "territory-refused");
    // In English, the same report in the server's English.
    await page.getByTestId("lang-switch").click();
    await expect
      .poll(() => problemRows(page, "territory-refusal"))
      .toMatchObject([{ text: expect.stringMatching(/a gap of/) }]);
    await saveScreenshot(page, "territory-refused-en");
    await page.getByTestId("lang-switch").click();
  });

  it("previews an office's layers, reads one without .prj through the CRS override, imports them with progress and opens the draft plan", {
    timeout: IMPORT_TIMEOUT_MS,
  }, async () => {
    const { page } = e2e.browser;
    await openTab(page);
    const before = await counts();

    // Communities without .prj, in Gauss-Krüger metres without zone prefix: the zone cannot be told.
    await choose(page, "communities", noPrj);
    const missing = await problemRows(page, "territory-problems");
    expect(missing.map((p) => `${p.layer}:${p.row}`)).toEqual(["communities:"]);
    expect(missing[0]!.text).toContain("没有 .prj");
    // The override reads it as EPSG:4550 (3-degree zone, 123°E, no prefix).
    await page.getByTestId("territory-crs-select").selectOption("EPSG:4550");
    await page.getByTestId("territory-layer-communities").waitFor({ timeout: RENDER_TIMEOUT_MS });
    await page.waitForFunction(() => !document.querySelector("[data-testid=working]"), null, {
      timeout: RENDER_TIMEOUT_MS,
    });
    const communities = page.getByTestId("territory-layer-communities");
    expect(await communities.getAttribute("data-total")).toBe(String(office.counts.communities));
    expect(await page.getByTestId("territory-crs-communities").getAttribute("data-crs")).toBe("EPSG:4550");
    expect(await page.getByTestId("territory-crs-communities").textContent()).toContain("手动指定");
    expect(await communities.locator("[data-meaning=communityName]").getAttribute("data-matched")).toBe("社区名称");
    expect(await communities.locator("[data-meaning=communityCode]").getAttribute("data-matched")).toBe("社区代码");
    // Back to the files' own .prj: the complete set, with households for some buildings in a spreadsheet.
    await page.getByTestId("territory-crs-select").selectOption("");
    await choose(page, "communities", office.communities);
    await choose(page, "buildings", office.buildings);
    await choose(page, "roads", office.roads);
    await choose(page, "compounds", office.compounds);
    await choose(page, "households", office.households);
    await page.getByTestId("territory-clean").waitFor();

    const layer = (name: string) => page.getByTestId(`territory-layer-${name}`);
    expect(await layer("buildings").getAttribute("data-total")).toBe(String(office.counts.buildings));
    expect(await layer("roads").getAttribute("data-total")).toBe(String(office.counts.roads));
    for (const name of ["communities", "buildings", "roads", "compounds"]) {
      expect(await page.getByTestId(`territory-crs-${name}`).getAttribute("data-crs")).toBe("EPSG:4550");
      expect(await page.getByTestId(`territory-crs-${name}`).textContent()).toContain("文件声明");
    }
    const matched = async (name: string) =>
      Object.fromEntries(
        await layer(name)
          .locator("[data-meaning]")
          .evaluateAll((els) => els.map((e) => [e.getAttribute("data-meaning"), e.getAttribute("data-matched")])),
      );
    expect(await matched("buildings")).toEqual({
      buildingCode: "楼栋编码",
      buildingName: "楼栋名称",
      use: "用途",
      floors: "层数",
      households: "户数",
      entrances: "单元数",
    });
    expect(await matched("roads")).toEqual({ roadName: "道路名称", roadClass: "道路等级" });
    expect(await page.getByTestId("territory-households").textContent()).toContain(String(office.counts.inSheet));

    // The mapping is editable: 楼栋名称 taken from 楼栋编码 reads again with that field, then back.
    await page.getByTestId("territory-map-buildingName").selectOption("楼栋编码");
    await expect
      .poll(() => layer("buildings").locator("[data-meaning=buildingName]").getAttribute("data-matched"), {
        timeout: RENDER_TIMEOUT_MS,
      })
      .toBe("楼栋编码");
    await page.getByTestId("territory-map-buildingName").selectOption("楼栋名称");
    await expect
      .poll(() => layer("buildings").locator("[data-meaning=buildingName]").getAttribute("data-matched"), {
        timeout: RENDER_TIMEOUT_MS,
      })
      .toBe("楼栋名称");
    await page.getByTestId("territory-clean").waitFor({ timeout: RENDER_TIMEOUT_MS });
    await previewDrawn(page, ["communities", "compounds", "buildings", "roads"]);
    await saveScreenshot(page, "territory-preview");

    // Name and band, then the job: its steps advance on the bar, to the summary.
    await page.getByTestId("territory-name").fill("摩纳哥测试街道");
    await page.getByTestId("territory-band-min").fill("150");
    await page.getByTestId("territory-band-max").fill("250");
    await page.getByTestId("territory-start").click();
    const job = page.getByTestId("territory-job");
    await job.waitFor();
    const steps = new Set<string>();
    const deadline = Date.now() + IMPORT_TIMEOUT_MS;
    let shotRunning = false;
    while (Date.now() < deadline) {
      const state = await job.getAttribute("data-state");
      if (state !== "running") break;
      const step = await page.getByTestId("territory-progress").getAttribute("data-step");
      if (step) steps.add(step);
      if (!shotRunning && Number(step) >= 1) {
        await job.scrollIntoViewIfNeeded();
        await saveScreenshot(page, "territory-running");
        shotRunning = true;
      }
      await page.waitForTimeout(500);
    }
    expect(await job.getAttribute("data-state")).toBe("done");
    // The bar moved through the steps as the poll saw them (at least two distinct ones on the way).
    expect(steps.size).toBeGreaterThanOrEqual(2);
    expect(await page.getByTestId("territory-progress").textContent()).toContain("6 步全部完成");

    const summary = Object.fromEntries(
      await page
        .getByTestId("territory-summary")
        .locator("tr")
        .evaluateAll((els) =>
          els.map((e) => [
            e.getAttribute("data-key"),
            Number((e.querySelector("td")?.textContent ?? "").replace(/,/g, "")),
          ]),
        ),
    );
    expect(Object.keys(summary)).toEqual([
      "communities",
      "buildings",
      "entrances",
      "parcels",
      "households",
      "households_estimated",
      "roads",
      "grids",
      "out_of_band_grids",
    ]);
    expect(summary.communities).toBe(office.counts.communities);
    expect(summary.buildings).toBeGreaterThan(0);
    expect(summary.grids).toBeGreaterThan(0);
    const created = await e2e.db.query(
      "select s.code, s.name, p.id as plan_id, p.status from subdistrict s join plan p on p.subdistrict_code = s.code where s.code = '990000002'",
    );
    expect(created.rows).toHaveLength(1);
    expect(created.rows[0]).toMatchObject({ name: "摩纳哥测试街道", status: "draft" });
    const after = await counts();
    expect(after.subdistrict).toBe(before.subdistrict + 1);
    expect(after.community).toBe(before.community + office.counts.communities);
    const band = await e2e.db.query(
      "select distinct band_min, band_max from community where subdistrict_code = '990000002'",
    );
    expect(band.rows).toEqual([{ band_min: 150, band_max: 250 }]);
    await job.scrollIntoViewIfNeeded();
    await saveScreenshot(page, "territory-done");

    // The link opens the draft plan in the editor.
    const link = page.getByTestId("territory-plan-link");
    expect(await link.getAttribute("href")).toBe(`/plans/${created.rows[0].plan_id}`);
    await link.click();
    await page.getByTestId("editor-tools").waitFor({ timeout: RENDER_TIMEOUT_MS });
    await saveScreenshot(page, "territory-draft-plan");
    expect(pageErrors).toEqual([]);
  });

  it("updates that territory from its buildings layer and a corrected households sheet, carrying its plan over", {
    timeout: IMPORT_TIMEOUT_MS,
  }, async () => {
    const { page } = e2e.browser;
    // The survey counted the households of a building whose figure was estimated (the layer's own 户数 wins over a
    // spreadsheet, which fills in what the survey left blank); the buildings layer is the one imported above.
    const { rows: built } = await e2e.db.query<{ code: string; households: number }>(
      `select b.code, sum(e.households)::int as households from building b join entrance e on e.building_id = b.id
       where b.community_code like '990000002%' and b.code is not null
       group by b.code having bool_and(e.households_estimated) order by b.code limit 1`,
    );
    const target = built[0]!;
    const corrected = target.households + 37; // not what the estimate gives
    const sheet = {
      name: "户数-更正.csv",
      mimeType: "text/csv",
      buffer: Buffer.from(`楼栋编码,户数\n${target.code},${corrected}\n`),
    };
    const plans = async () =>
      (
        await e2e.db.query<{ id: number; grids: number }>(
          `select p.id, count(g.id)::int as grids from plan p left join grid g on g.plan_id = p.id
           where p.subdistrict_code = '990000002' group by p.id order by p.id`,
        )
      ).rows;
    const plansBefore = await plans();
    const before = await counts();

    await openTab(page);
    await page.getByTestId("territory-mode-update").check();
    // Only the buildings and the households are asked for; the name and the band are the territory's already.
    expect(await page.getByTestId("territory-slot-communities").count()).toBe(0);
    expect(await page.getByTestId("territory-slot-roads").count()).toBe(0);
    expect(await page.getByTestId("territory-name").count()).toBe(0);
    await page.getByTestId("territory-code").fill("990000002");
    await choose(page, "buildings", office.buildings);
    await choose(page, "households", sheet);
    await page.getByTestId("territory-clean").waitFor({ timeout: RENDER_TIMEOUT_MS });
    await saveScreenshot(page, "territory-update-preview");
    await page.getByTestId("territory-start").click();
    const job = page.getByTestId("territory-job");
    await job.waitFor();
    await page.waitForFunction(
      () => document.querySelector("[data-testid=territory-job]")?.getAttribute("data-state") !== "running",
      null,
      { timeout: IMPORT_TIMEOUT_MS, polling: 500 },
    );
    expect(await job.getAttribute("data-state")).toBe("done");
    await job.scrollIntoViewIfNeeded();
    await saveScreenshot(page, "territory-update-done");

    // Same plans with the same grids, the corrected figure kept exactly, and no territory added.
    expect(await plans()).toEqual(plansBefore);
    const { rows: now } = await e2e.db.query<{ households: number; estimated: boolean }>(
      `select sum(e.households)::int as households, bool_or(e.households_estimated) as estimated
       from building b join entrance e on e.building_id = b.id
       where b.community_code like '990000002%' and b.code = $1`,
      [target.code],
    );
    expect(now).toEqual([{ households: corrected, estimated: false }]);
    const after = await counts();
    expect([after.subdistrict, after.community, after.plan]).toEqual([
      before.subdistrict,
      before.community,
      before.plan,
    ]);
    const link = page.getByTestId("territory-plan-link");
    expect(await link.textContent()).toContain("更新后");
    expect(await link.getAttribute("href")).toBe(`/plans/${plansBefore.at(-1)!.id}`);
    expect(pageErrors).toEqual([]);
  });
});
