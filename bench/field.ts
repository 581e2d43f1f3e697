import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { performance } from "node:perf_hooks";
import { fileURLToPath } from "node:url";
import zlib from "node:zlib";
import setupTemplate from "@gridatlas/server/test-support/global-setup.ts";
import { TEST_PASSWORD } from "@gridatlas/server/test-support/test-database.ts";
import pg from "pg";
import { chromium, type Page } from "playwright-core";
import { startTestServer } from "../tests/support/server.ts";
import { machine } from "./support.ts";

/**
 * The field app on a phone (issue 15), in headless Chromium at 390×844 with touch: a cold first load of a grid
 * worker's home under slow 4G (CDP throttling, 1.6 Mbps down, 150 ms round trip) until "my grids" is interactive
 * (the list of entrances shown and the map drawn with them), what it transferred and the gzip size of the
 * JavaScript it ran; a warm reload with no network (service worker, IndexedDB, cached tiles); the time to send 50
 * visits queued offline once the network returns (until all 50 are rows in the database).
 * Run: `npm run bench -- field` (needs the web build: pnpm --filter @gridatlas/web run build).
 */

const webDist = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../web/dist");
const QUEUED = 50;
const TARGETS = { first_load_s: 6, offline_reload_s: 1.5, js_gzip_kb: 450 };

/** Waits until the worker's entrances are listed and drawn on a map that has loaded and stopped. */
async function myGridsInteractive(page: Page, timeout_ms: number): Promise<void> {
  await page.waitForFunction(
    () => {
      const map = window.__gridatlas?.map;
      return (
        !!document.querySelector("[data-testid^=field-entrance-]") &&
        !!map &&
        map.loaded() &&
        !!map.getSource("field-entrances") &&
        map.querySourceFeatures("field-entrances").length > 0
      );
    },
    undefined,
    { timeout: timeout_ms, polling: 50 },
  );
}

await setupTemplate();
const server = await startTestServer({ label: "benchfield" });
const db = new pg.Client({ connectionString: server.databaseUrl });
await db.connect();
const profile = await fs.promises.mkdtemp(path.join(os.tmpdir(), "gridatlas-bench-field-"));
try {
  // A grid worker with at least 50 entrances in their grids.
  const who = (
    await db.query(
      `select a.username, w.id as worker_id, count(distinct pa.entrance_id)::int as entrances
       from account a join account_role ar on ar.account_id = a.id and ar.role = 'worker'
       join worker w on w.id = ar.worker_id and w.role = 'grid_worker'
       join worker_assignment wa on wa.worker_id = w.id
       join published_parcel pp on pp.grid_code = wa.grid_code
       join parcel pa on pa.id = pp.parcel_id and pa.entrance_id is not null
       group by a.username, w.id having count(distinct pa.entrance_id) >= $1
       order by a.username limit 1`,
      [QUEUED],
    )
  ).rows[0];
  if (!who) throw new Error(`no grid worker with ${QUEUED} entrances`);

  const signin = await fetch(`${server.url}/api/session`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ username: who.username, password: TEST_PASSWORD }),
  });
  const [name, value] = ((signin.headers.get("set-cookie") ?? "").split(";")[0] as string).split("=") as [
    string,
    string,
  ];

  const context = await chromium.launchPersistentContext(profile, {
    executablePath: "/usr/bin/chromium",
    headless: true,
    args: ["--no-sandbox", "--enable-unsafe-swiftshader", "--use-angle=swiftshader", "--disable-background-networking"],
    viewport: { width: 390, height: 844 },
    isMobile: true,
    hasTouch: true,
    locale: "zh-CN",
  });
  await context.addCookies([{ name, value, url: server.url }]);
  const page = context.pages()[0] ?? (await context.newPage());
  const cdp = await context.newCDPSession(page);
  await cdp.send("Network.enable");
  let transferred = 0;
  cdp.on("Network.loadingFinished", (e: { encodedDataLength: number }) => {
    transferred += e.encodedDataLength;
  });
  const scripts = new Set<string>();
  page.on("response", (r) => {
    const p = new URL(r.url()).pathname;
    if (/\.m?js$/.test(p)) scripts.add(p);
  });
  await cdp.send("Network.emulateNetworkConditions", {
    offline: false,
    latency: 150,
    downloadThroughput: (1.6e6 / 8) | 0,
    uploadThroughput: (0.75e6 / 8) | 0,
  });

  // Cold: a fresh profile, nothing cached, the worker already signed in.
  let t = performance.now();
  await page.goto(server.url);
  await myGridsInteractive(page, 120_000);
  const firstLoad_s = (performance.now() - t) / 1000;
  const firstTransferred_kb = transferred / 1024;
  // MapLibre's worker is fetched by a Worker, whose requests the page may not report: it is part of every map start.
  if (![...scripts].some((p) => p.includes("maplibre-gl-worker"))) {
    const worker = fs.readdirSync(path.join(webDist, "assets")).find((f) => /^maplibre-gl-worker-.*\.mjs$/.test(f));
    if (worker) scripts.add(`/assets/${worker}`);
  }
  const jsGzip_kb =
    [...scripts].reduce((sum, p) => {
      const file = path.join(webDist, p);
      return sum + (fs.existsSync(file) ? zlib.gzipSync(fs.readFileSync(file), { level: 9 }).length : 0);
    }, 0) / 1024;

  // Let the service worker install and the tiles of the worker's grids be cached ahead, at full speed.
  await cdp.send("Network.emulateNetworkConditions", {
    offline: false,
    latency: 0,
    downloadThroughput: -1,
    uploadThroughput: -1,
  });
  await page.waitForFunction(() => navigator.serviceWorker.controller !== null, undefined, { timeout: 120_000 });
  await page.waitForFunction(
    () => {
      const el = document.querySelector("[data-testid=field-tiles]");
      return (
        !!el &&
        Number(el.getAttribute("data-total")) > 0 &&
        el.getAttribute("data-done") === el.getAttribute("data-total")
      );
    },
    undefined,
    { timeout: 300_000 },
  );

  // Warm, offline.
  await context.setOffline(true);
  t = performance.now();
  await page.reload();
  await myGridsInteractive(page, 60_000);
  const offlineReload_s = (performance.now() - t) / 1000;

  // 50 visits queued on the phone while offline, then the network returns.
  const today = await page.evaluate(() => {
    const d = new Date();
    return `${d.getFullYear()}-${String(d.getMonth() + 1).padStart(2, "0")}-${String(d.getDate()).padStart(2, "0")}`;
  });
  const ids = await page
    .locator("[data-testid^=field-entrance-]")
    .evaluateAll(
      (els, n) => els.slice(0, n).map((e) => Number(e.getAttribute("data-testid")?.split("-").pop())),
      QUEUED,
    );
  const count = async () =>
    Number(
      (
        await db.query("select count(*) from visit where worker_id = $1 and visited_on = $2::date", [
          who.worker_id,
          today,
        ])
      ).rows[0].count,
    );
  const before = await count();
  for (const id of ids) {
    await page.getByTestId(`field-entrance-${id}`).tap();
    await page.getByTestId("field-visit-record").tap();
    await page.getByTestId("field-visit-sheet").waitFor({ state: "detached" });
  }
  t = performance.now();
  await context.setOffline(false);
  while ((await count()) < before + ids.length) {
    if (performance.now() - t > 300_000) throw new Error("the queue did not drain in 5 minutes");
    await new Promise((r) => setTimeout(r, 50));
  }
  const sync_s = (performance.now() - t) / 1000;
  // The app asks for its grids again after sending: let that answer arrive before the server goes.
  await page.waitForFunction(
    () => document.querySelector("[data-testid=field-queue-badge]")?.getAttribute("data-waiting") === "0",
  );
  await page.waitForLoadState("networkidle");
  await context.close();

  console.log(`field app benchmark on ${machine()}, ${os.cpus().length} × ${os.cpus()[0]?.model ?? "cpu"}`);
  console.log(
    `worker ${who.username} (${who.entrances} entrances), Chromium 390×844 touch, load ${os.loadavg()[0]?.toFixed(1)}\n`,
  );
  console.log("| measure | measured | target |");
  console.log("|---|---:|---:|");
  console.log(
    `| cold first load to "my grids" interactive (1.6 Mbps, 150 ms RTT) | ${firstLoad_s.toFixed(2)} s | ${TARGETS.first_load_s} s |`,
  );
  console.log(`| transferred by the first load | ${firstTransferred_kb.toFixed(0)} kB | |`);
  console.log(
    `| JavaScript of the first load, gzip (${scripts.size} files, MapLibre and its worker included) | ${jsGzip_kb.toFixed(0)} kB | ${TARGETS.js_gzip_kb} kB |`,
  );
  console.log(
    `| warm reload offline to "my grids" interactive | ${offlineReload_s.toFixed(2)} s | ${TARGETS.offline_reload_s} s |`,
  );
  console.log(
    `| sync of ${ids.length} visits queued offline (network back → all in the database) | ${sync_s.toFixed(2)} s | |`,
  );
} finally {
  await db.end();
  await server.close();
  await fs.promises.rm(profile, { recursive: true, force: true });
}
