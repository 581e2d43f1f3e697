import { once } from "node:events";
import http from "node:http";
import type { AddressInfo } from "node:net";
import zlib from "node:zlib";
import type { Page } from "playwright-core";
import { describe, expect, it } from "vitest";
import { saveScreenshot } from "../support/browser.ts";
import { useE2e } from "../support/e2e.ts";
import { mapSettled, signIn, signOut } from "../support/pages.ts";

/** Software WebGL draws slowly; every wait below is on a condition, and this is only its upper bound. */
const RENDER_TIMEOUT_MS = 150_000;

const e2e = useE2e("e2esearch", { width: 1440, height: 900 });

const settled = (page: Page, name: string) =>
  mapSettled(page, [{ source: "grids", sourceLayer: "grids" }], { timeout_ms: RENDER_TIMEOUT_MS, name });

/** The map's zoom and centre once it has stopped moving. */
async function view(page: Page): Promise<{ zoom: number; lng: number; lat: number }> {
  await page.waitForFunction(() => !window.__gridatlas?.map.isMoving(), undefined, { timeout: 30_000 });
  return page.evaluate(() => {
    const map = window.__gridatlas!.map;
    const c = map.getCenter();
    return { zoom: map.getZoom(), lng: c.lng, lat: c.lat };
  });
}

/** How many features of a layer are drawn on screen. */
const rendered = (page: Page, layer: string) =>
  page.evaluate((id) => window.__gridatlas?.map.queryRenderedFeatures({ layers: [id] }).length ?? 0, layer);

/** Types into the map's search box, waits for an option naming `expect`, and picks the first one with Enter. */
async function searchAndGo(page: Page, q: string, expectName: string) {
  const box = page.getByRole("combobox", { name: "搜索地点" });
  await box.fill(q);
  const option = page.getByRole("option").filter({ hasText: expectName }).first();
  await option.waitFor({ timeout: 30_000 });
  await box.press("Enter");
}

/** The colour on screen at a fraction of the viewport's width and height, read from a screenshot in the page. */
async function pixelAt(page: Page, fx: number, fy: number): Promise<number[]> {
  const png = (await page.screenshot()).toString("base64");
  return page.evaluate(
    async ({ png, fx, fy }) => {
      // An <img> of a data: URL, which the page's CSP allows (img-src data:), unlike a fetch of one.
      const img = new Image();
      img.src = `data:image/png;base64,${png}`;
      await img.decode();
      const canvas = document.createElement("canvas");
      canvas.width = img.naturalWidth;
      canvas.height = img.naturalHeight;
      const ctx = canvas.getContext("2d")!;
      ctx.drawImage(img, 0, 0);
      return [
        ...ctx
          .getImageData(Math.round(img.naturalWidth * fx), Math.round(img.naturalHeight * fy), 1, 1)
          .data.slice(0, 3),
      ];
    },
    { png, fx, fy },
  );
}

/** A PNG of one colour, made here (no image library): the signature, IHDR, one IDAT of unfiltered rows, IEND. */
function solidPng(size: number, [r, g, b]: [number, number, number]): Buffer {
  const chunk = (type: string, data: Buffer) => {
    const body = Buffer.concat([Buffer.from(type, "ascii"), data]);
    const out = Buffer.alloc(body.length + 8);
    out.writeUInt32BE(data.length, 0);
    body.copy(out, 4);
    out.writeUInt32BE(zlib.crc32(body), body.length + 4);
    return out;
  };
  const header = Buffer.alloc(13);
  header.writeUInt32BE(size, 0);
  header.writeUInt32BE(size, 4);
  header.set([8, 2, 0, 0, 0], 8); // 8 bits, truecolour, deflate, no filter method, no interlace
  const row = Buffer.concat([Buffer.from([0]), Buffer.from(Array.from({ length: size }, () => [r, g, b]).flat())]);
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk("IHDR", header),
    chunk("IDAT", zlib.deflateSync(Buffer.concat(Array.from({ length: size }, () => row)))),
    chunk("IEND", Buffer.alloc(0)),
  ]);
}

describe("search, labels and measuring on the map", () => {
  it("finds a building by its number and compound, flies there, outlines it and writes names at z18", {
    timeout: RENDER_TIMEOUT_MS * 2,
  }, async () => {
    const { page } = e2e.browser;
    await page.goto(e2e.server.url);
    await signIn(page, "planner");
    await settled(page, "search-start");

    const { rows } = await e2e.db.query<{ id: number; name: string; compound: string; bbox: number[] }>(
      `select b.id, b.name, k.name as compound,
         array[ST_XMin(b.geom), ST_YMin(b.geom), ST_XMax(b.geom), ST_YMax(b.geom)] as bbox
       from building b join compound k on k.id = b.compound_id
       where b.name ~ '^\\d+号楼$' and (select count(*) from entrance e where e.building_id = b.id) >= 2
       order by b.id limit 1`,
    );
    const b = rows[0]!;
    // The list is a labelled combobox: arrows move, the first result is active.
    await searchAndGo(page, `${b.compound} ${b.name}`, b.name);
    const v = await view(page);
    expect(v.zoom).toBeGreaterThanOrEqual(17.5);
    const [w, s, e, n] = b.bbox as [number, number, number, number];
    expect(v.lng).toBeGreaterThan(w - 0.0005);
    expect(v.lng).toBeLessThan(e + 0.0005);
    expect(v.lat).toBeGreaterThan(s - 0.0005);
    expect(v.lat).toBeLessThan(n + 0.0005);
    await settled(page, "search-building");
    // The outline of the found building, and building and entrance numbers written at this zoom.
    expect(await rendered(page, "overlay-highlight-line")).toBeGreaterThan(0);
    expect(await rendered(page, "buildings-label")).toBeGreaterThan(0);
    expect(await rendered(page, "entrances-label")).toBeGreaterThan(0);
    const labels = await page.evaluate(
      () =>
        window.__gridatlas?.map
          .queryRenderedFeatures({ layers: ["buildings-label"] })
          .map((f) => String(f.properties.name)) ?? [],
    );
    expect(labels).toContain(b.name);
    await saveScreenshot(page, "search-building-z18-labels");
  });

  it("finds a grid by its code and flies to it", { timeout: RENDER_TIMEOUT_MS }, async () => {
    const { page } = e2e.browser;
    const { rows } = await e2e.db.query<{ code: string; name: string; bbox: number[] }>(
      `select code, name, array[ST_XMin(geom), ST_YMin(geom), ST_XMax(geom), ST_YMax(geom)] as bbox
       from published_grid where code like '%010' order by code limit 1`,
    );
    const g = rows[0]!;
    await searchAndGo(page, g.code, g.name);
    const v = await view(page);
    const [w, s, e, n] = g.bbox as [number, number, number, number];
    expect(v.lng).toBeGreaterThan(w);
    expect(v.lng).toBeLessThan(e);
    expect(v.lat).toBeGreaterThan(s);
    expect(v.lat).toBeLessThan(n);
    await settled(page, "search-grid");
    expect(await rendered(page, "overlay-highlight-line")).toBeGreaterThan(0);
    await saveScreenshot(page, "search-grid");

    // Escape closes the list, a second one clears the box and the outline.
    const box = page.getByRole("combobox", { name: "搜索地点" });
    await box.fill("网格");
    await page.getByRole("listbox").waitFor();
    await box.press("Escape");
    await page.getByRole("listbox").waitFor({ state: "detached" });
    await box.press("Escape");
    expect(await box.inputValue()).toBe("");
  });

  it("measures a distance between two clicked points", { timeout: RENDER_TIMEOUT_MS }, async () => {
    const { page } = e2e.browser;
    await page.getByRole("button", { name: "测距离" }).click();
    const canvas = page.locator(".maplibregl-canvas");
    const box = (await canvas.boundingBox())!;
    const a = { x: box.x + box.width * 0.35, y: box.y + box.height * 0.5 };
    const c = { x: box.x + box.width * 0.6, y: box.y + box.height * 0.5 };
    await page.mouse.click(a.x, a.y);
    await page.mouse.click(c.x, c.y);
    const output = page.getByTestId("measure-value");
    await output.filter({ hasText: /测距离 \d/ }).waitFor({ timeout: 30_000 });
    // The distance between the two points, by the haversine formula from the map's own unprojection.
    const expected = await page.evaluate(
      ([p, q, origin]) => {
        const map = window.__gridatlas!.map;
        const one = map.unproject([p!.x - origin!.x, p!.y - origin!.y]);
        const two = map.unproject([q!.x - origin!.x, q!.y - origin!.y]);
        const rad = Math.PI / 180;
        const h =
          Math.sin(((two.lat - one.lat) * rad) / 2) ** 2 +
          Math.cos(one.lat * rad) * Math.cos(two.lat * rad) * Math.sin(((two.lng - one.lng) * rad) / 2) ** 2;
        return 2 * 6_371_008.8 * Math.asin(Math.sqrt(h));
      },
      [a, c, { x: box.x, y: box.y }],
    );
    const text = (await output.textContent()) ?? "";
    const m = /([\d.]+) (米|千米)/.exec(text);
    expect(m, text).not.toBeNull();
    const shown = Number(m![1]) * (m![2] === "千米" ? 1000 : 1);
    expect(Math.abs(shown - expected) / expected).toBeLessThan(0.02);
    // The dashed line is drawn once the map has rendered its overlay.
    await page.waitForFunction(
      () => (window.__gridatlas?.map.queryRenderedFeatures({ layers: ["overlay-measure-line"] }).length ?? 0) > 0,
      undefined,
      { timeout: 30_000 },
    );
    await saveScreenshot(page, "measure-distance");
    await page.getByRole("button", { name: "结束测量" }).click();
  });

  it("has the same tools in the plan editor, with the split tool's offer to snap to buildings", {
    timeout: RENDER_TIMEOUT_MS,
  }, async () => {
    const { page } = e2e.browser;
    await page.goto(`${e2e.server.url}/plans`);
    await page.getByTestId("plans-table").waitFor();
    await page.getByTestId("plan-new").click();
    const dialog = page.getByTestId("plan-dialog");
    await dialog.locator("input[name=name]").fill("e2e 搜索与拆分");
    await dialog.getByTestId("plan-create").click();
    await page.getByTestId("editor-tools").waitFor();
    await page.getByRole("combobox", { name: "搜索地点" }).waitFor();
    await page.getByTestId("map-print").waitFor();
    await page.getByRole("img", { name: "指北针：地图上方为正北" }).waitFor();
    await page.getByTestId("tool-split").click();
    const snap = page.getByTestId("split-snap");
    expect(await snap.isChecked()).toBe(true);
    await mapSettled(page, ["parcels"], { timeout_ms: RENDER_TIMEOUT_MS, name: "search-editor" });
    await saveScreenshot(page, "search-editor-split-snap");

    // Measuring with the brush in hand and a grid chosen: the clicks measure and paint nothing; the brush is back after.
    const plan = Number(new URL(page.url()).pathname.split("/")[2]);
    const edits = async () =>
      (await e2e.db.query<{ n: number }>("select count(*)::int as n from plan_edit where plan_id = $1", [plan]))
        .rows[0]!.n;
    const before = await edits();
    await page.locator("[data-testid=summary-table] tbody tr").first().click();
    await page.getByTestId("grid-figures").waitFor();
    await page.getByTestId("tool-brush").click();
    expect(await page.evaluate(() => window.__gridatlas?.map.dragPan.isEnabled())).toBe(false);
    await page.getByRole("button", { name: "测距离" }).click();
    const canvas = (await page.locator(".maplibregl-canvas").boundingBox())!;
    await page.mouse.click(canvas.x + canvas.width * 0.3, canvas.y + canvas.height * 0.5);
    await page.mouse.click(canvas.x + canvas.width * 0.45, canvas.y + canvas.height * 0.5);
    await page
      .getByTestId("measure-value")
      .filter({ hasText: /测距离 [\d.]+ (米|千米)/ })
      .waitFor({ timeout: 30_000 });
    await saveScreenshot(page, "search-editor-measure-with-brush");
    await page.getByRole("button", { name: "结束测量" }).click();
    expect(await page.getByTestId("tool-brush").getAttribute("aria-pressed")).toBe("true");
    expect(await page.getByTestId("busy").count()).toBe(0);
    expect(await edits()).toBe(before);
    // And the brush holds the pointer again once measuring is over (it keeps the map from panning under a stroke).
    expect(await page.evaluate(() => window.__gridatlas?.map.dragPan.isEnabled())).toBe(false);

    // The editor's search reads the draft, not the published plan: a grid made in this draft (by another tab of the
    // planner's, through the API) is found by its new code and outlined where its parcel is.
    const [parcel] = (
      await e2e.db.query<{ id: number; bbox: number[] }>(
        `select pa.id, array[ST_XMin(pa.geom), ST_YMin(pa.geom), ST_XMax(pa.geom), ST_YMax(pa.geom)] as bbox
         from parcel pa where pa.building_id is not null order by pa.id limit 1`,
      )
    ).rows;
    const { rows: versions } = await e2e.db.query<{ version: number }>("select version from plan where id = $1", [
      plan,
    ]);
    const status = await page.evaluate(
      async ({ plan, version, parcel }) => {
        const session = (await (await fetch("/api/session")).json()) as { csrf_token: string };
        const res = await fetch(`/api/plans/${plan}/assign`, {
          method: "POST",
          headers: { "content-type": "application/json", "x-csrf-token": session.csrf_token },
          body: JSON.stringify({ version, parcels: [parcel], grid: "new" }),
        });
        return res.status;
      },
      { plan, version: versions[0]!.version, parcel: parcel!.id },
    );
    expect(status).toBe(200);
    const { rows: made } = await e2e.db.query<{ code: string }>(
      `select g.code from grid g where g.plan_id = $1
       and not exists (select 1 from published_grid p where p.code = g.code)`,
      [plan],
    );
    const code = made[0]!.code;
    const box = page.getByRole("combobox", { name: "搜索地点" });
    await box.fill(code);
    await page
      .getByRole("option")
      .filter({ hasText: code.slice(-3) })
      .first()
      .waitFor({ timeout: 30_000 });
    await saveScreenshot(page, "search-editor-draft-grid");
    await box.press("Enter");
    const v = await view(page);
    const [w, s, e, n] = parcel!.bbox as [number, number, number, number];
    expect(v.lng).toBeGreaterThan(w - 0.001);
    expect(v.lng).toBeLessThan(e + 0.001);
    expect(v.lat).toBeGreaterThan(s - 0.001);
    expect(v.lat).toBeLessThan(n + 0.001);
  });

  it("lets an admin set the raster base map, with the GCJ-02 caveat, and the leader's map has the tools", {
    timeout: RENDER_TIMEOUT_MS,
  }, async () => {
    const { page } = e2e.browser;
    await signOut(page);
    await page.goto(`${e2e.server.url}/data?tab=basemap`);
    await signIn(page, "admin");
    const form = page.getByTestId("base-map-form");
    await form.waitFor();
    expect(await form.textContent()).toContain("GCJ-02");
    // A template without {y} is refused, naming what is missing, and nothing is stored.
    await form.locator("input[type=url]").fill("https://tiles.example.cn/{z}/{x}.png");
    await form.getByRole("button", { name: "保存并启用" }).click();
    await page.getByTestId("data-error").filter({ hasText: "{y}" }).waitFor({ timeout: 30_000 });
    const { rows } = await e2e.db.query<{ raster_url: string | null }>("select raster_url from base_map_setting");
    expect(rows).toEqual([{ raster_url: null }]);
    await saveScreenshot(page, "search-base-map-setting");

    await page.goto(`${e2e.server.url}/leader-map`);
    await page.getByRole("combobox", { name: "搜索地点" }).waitFor();
    await page.getByRole("button", { name: "测面积" }).waitFor();
    await mapSettled(page, [], { timeout_ms: RENDER_TIMEOUT_MS, name: "search-leader-map" });
    await saveScreenshot(page, "search-leader-map");
  });

  it("draws the raster base map an admin set, from its own tile server, and the offline map alone once it is off", {
    timeout: RENDER_TIMEOUT_MS,
  }, async () => {
    // An intranet tile server as an office would have one: every tile a plain magenta square, each request counted.
    const tile = solidPng(256, [255, 0, 255]);
    const asked: string[] = [];
    const tiles = http.createServer((req, res) => {
      asked.push(req.url ?? "");
      // MapLibre fetches raster tiles across origins: a tile server must allow it (天地图 does), or nothing draws.
      res.writeHead(/^\/\d+\/\d+\/\d+\.png$/.test(req.url ?? "") ? 200 : 404, {
        "content-type": "image/png",
        "access-control-allow-origin": "*",
      });
      res.end(tile);
    });
    tiles.listen(0, "127.0.0.1");
    await once(tiles, "listening");
    const origin = `http://127.0.0.1:${(tiles.address() as AddressInfo).port}`;
    const { page } = e2e.browser;
    try {
      await page.goto(`${e2e.server.url}/data?tab=basemap`);
      const form = page.getByTestId("base-map-form");
      await form.waitFor();
      await form.locator("input[type=url]").fill(`${origin}/{z}/{x}/{y}.png`);
      await form.locator("input[type=text]").fill("测试影像底图");
      await form.getByRole("button", { name: "保存并启用" }).click();
      await form.getByText("已保存").waitFor({ timeout: 30_000 });

      // A map opened afterwards draws it under the vector map; the page's policy lets that origin, and only it, in.
      const response = await page.goto(e2e.server.url);
      expect(response?.headers()["content-security-policy"]).toContain(`img-src 'self' data: blob: ${origin}`);
      await settled(page, "search-raster-on");
      await page.waitForFunction(() => window.__gridatlas?.map.isSourceLoaded("raster-base"), null, {
        timeout: RENDER_TIMEOUT_MS,
      });
      const drawn = await page.evaluate(() => {
        const map = window.__gridatlas!.map;
        // Under every layer of ours, right above the plain background colour.
        const order = map.getStyle().layers.map((l) => l.id);
        return { bottom: order.slice(0, 2), blocksFill: order.includes("blocks-fill") };
      });
      expect(drawn).toEqual({ bottom: ["background", "raster-base"], blocksFill: false });
      const zooms = asked.map((u) => Number(u.split("/")[1]));
      expect(zooms.length).toBeGreaterThan(0);
      expect(Math.max(...zooms)).toBeGreaterThanOrEqual(12);
      await page.locator(".maplibregl-ctrl-attrib").getByText("测试影像底图").waitFor({ state: "attached" });
      // Drawn, not only asked for: west of the subdistrict, where no layer of ours covers it, the screen is magenta.
      await expect.poll(() => pixelAt(page, 0.1, 0.5)).toEqual([255, 0, 255]);
      await saveScreenshot(page, "search-raster-on");

      // Off again: the offline map alone, and the policy as it was.
      await page.goto(`${e2e.server.url}/data?tab=basemap`);
      await form.getByRole("button", { name: "关闭，仅用离线底图" }).click();
      await form.getByText("已关闭").waitFor({ timeout: 30_000 });
      const before = asked.length;
      const again = await page.goto(e2e.server.url);
      expect(again?.headers()["content-security-policy"]).not.toContain(origin);
      await settled(page, "search-raster-off");
      expect(await page.evaluate(() => !!window.__gridatlas?.map.getLayer("raster-base"))).toBe(false);
      expect(asked.length).toBe(before);
      expect(await pixelAt(page, 0.1, 0.5)).not.toEqual([255, 0, 255]);
    } finally {
      tiles.close();
    }
  });

  it("on a phone, opens the search from a button as a bar across the map, and measures from the tools menu", {
    timeout: RENDER_TIMEOUT_MS,
  }, async () => {
    const { page } = e2e.browser;
    await page.setViewportSize({ width: 390, height: 844 });
    try {
      await page.goto(e2e.server.url);
      await settled(page, "search-phone-start");
      // Two round buttons in the corner instead of a 300 px box and a row of tools; nothing of the page under them.
      const open = page.getByRole("button", { name: "搜索地点" });
      const tools = page.getByRole("button", { name: "工具" });
      await open.waitFor();
      expect(await page.getByRole("combobox", { name: "搜索地点" }).count()).toBe(0);
      expect(await page.getByRole("button", { name: "测距离" }).count()).toBe(0);
      for (const button of [open, tools]) {
        const b = (await button.boundingBox())!;
        expect(b.width).toBeGreaterThanOrEqual(44);
        expect(b.height).toBeGreaterThanOrEqual(44);
        expect(b.x + b.width).toBeLessThanOrEqual(390);
        const top = await page.evaluate(
          ({ x, y }) => document.elementFromPoint(x, y)?.closest("button")?.textContent ?? null,
          { x: b.x + b.width / 2, y: b.y + b.height / 2 },
        );
        expect(top).toBe(await button.textContent());
      }
      const legend = (await page.getByTestId("legend").boundingBox())!;
      const corner = (await open.boundingBox())!;
      expect(legend.x + legend.width).toBeLessThanOrEqual(corner.x);

      // The search opens across the map's width, takes the keyboard, and closes on the place chosen.
      await open.click();
      const box = page.getByRole("combobox", { name: "搜索地点" });
      await box.waitFor();
      expect(await box.evaluate((el) => el === document.activeElement)).toBe(true);
      expect((await box.boundingBox())!.width).toBeGreaterThan(390 * 0.7);
      const { rows } = await e2e.db.query<{ code: string; name: string; bbox: number[] }>(
        `select code, name, array[ST_XMin(geom), ST_YMin(geom), ST_XMax(geom), ST_YMax(geom)] as bbox
         from published_grid where code like '%012' order by code limit 1`,
      );
      const g = rows[0]!;
      await page.getByRole("combobox", { name: "搜索地点" }).fill(g.code);
      await page.getByRole("option").filter({ hasText: g.name }).first().waitFor({ timeout: 30_000 });
      await saveScreenshot(page, "search-phone-results");
      await box.press("Enter");
      await box.waitFor({ state: "detached" });
      const v = await view(page);
      const [w, s, e, n] = g.bbox as [number, number, number, number];
      expect(v.lng).toBeGreaterThan(w);
      expect(v.lng).toBeLessThan(e);
      expect(v.lat).toBeGreaterThan(s);
      expect(v.lat).toBeLessThan(n);
      await settled(page, "search-phone-grid");
      expect(await rendered(page, "overlay-highlight-line")).toBeGreaterThan(0);
      await saveScreenshot(page, "search-phone-grid");

      // Measuring from the tools menu: the figure shows in a bar across the map.
      await tools.click();
      await page.getByRole("button", { name: "测距离" }).click();
      const canvas = (await page.locator(".maplibregl-canvas").boundingBox())!;
      await page.mouse.click(canvas.x + canvas.width * 0.3, canvas.y + canvas.height * 0.6);
      await page.mouse.click(canvas.x + canvas.width * 0.7, canvas.y + canvas.height * 0.6);
      const output = page.getByTestId("measure-value");
      await output.filter({ hasText: /测距离 [\d.]+ (米|千米)/ }).waitFor({ timeout: 30_000 });
      // The bar spans the map (the figure itself is only as wide as its text), and the figure is inside it.
      const bar = (await page.getByTestId("map-phone-measure").boundingBox())!;
      const figure = (await output.boundingBox())!;
      expect(bar.width).toBeGreaterThan(390 * 0.7);
      expect(figure.x).toBeGreaterThanOrEqual(bar.x);
      expect(figure.x + figure.width).toBeLessThanOrEqual(bar.x + bar.width);
      await saveScreenshot(page, "search-phone-measure");
      await page.getByRole("button", { name: "结束测量" }).click();
      await output.waitFor({ state: "detached" });
    } finally {
      await page.setViewportSize({ width: 1440, height: 900 });
    }
  });
});
