import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { performance } from "node:perf_hooks";
import { fileURLToPath } from "node:url";
import { addStress } from "@gridatlas/geodata/stress/stress.ts";
import { createApp } from "@gridatlas/server/app.ts";
import { createDb } from "@gridatlas/server/db/db.ts";
import setupTemplate from "@gridatlas/server/test-support/global-setup.ts";
import { TEST_PASSWORD } from "@gridatlas/server/test-support/test-database.ts";
import { signIn } from "@gridatlas/server/test-support/test-session.ts";
import { chromium } from "playwright-core";
import { startTestServer } from "../tests/support/server.ts";
import { machine, percentile } from "./support.ts";

/**
 * The leader's map (issue 7) on the Xincheng demo and on the stress set (the demo's venues and hazards × 100,
 * geodata/src/stress): time to the first render of the venue and hazard layers in headless Chromium, what the
 * browser received for them, and the filtered API times, side by side with their ratio.
 * Run: `npm run bench -- leader-map` (needs the web build: pnpm --filter @gridatlas/web run build).
 */

const FACTOR = 100;
const PAGE_RUNS = 3;
const API_RUNS = 7;
/** Where the test server serves the web app from (tests/support/server.ts). */
const webDist = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../web/dist");

/** The filter combinations timed on the API: what a leader clicks first. */
const QUERIES: Array<[label: string, path: string]> = [
  ["hazards, no filter", "/api/hazards"],
  ["hazards open + high", "/api/hazards?status=reported,assigned,in_progress&severity=high"],
  ["hazards clusters z14", "/api/hazards/clusters?zoom=14"],
  ["hazards clusters z14, replay", "/api/hazards/clusters?zoom=14&as_of=2026-06-30"],
  ["hazards clusters z17, community + text", "/api/hazards/clusters?zoom=17&community=150571003001&q=楼道"],
  ["venues, no filter", "/api/venues"],
  ["venues overdue health shops", "/api/venues?category=health_shop&status=overdue,never"],
  ["venues clusters z14", "/api/venues/clusters?zoom=14"],
  ["venues clusters z16, overdue", "/api/venues/clusters?zoom=16&status=overdue"],
  ["statistics, no filter", "/api/stats/hazards"],
  ["statistics, community + from/to", "/api/stats/hazards?community=150571003001&from=2026-03-01&to=2026-09-30"],
];

type Measured = {
  venues: number;
  hazards: number;
  render_ms: number[];
  received_bytes: number;
  features_drawn: number;
  api: Record<string, { ms: number; bytes: number }>;
};

async function measure(label: string, stress: boolean): Promise<Measured> {
  // The real server (API + built web app) on a loopback port, over a fresh copy of the demo.
  const server = await startTestServer({ label });
  const db = createDb({ databaseUrl: server.databaseUrl, dbPoolMax: 4 });
  const url = server.url;
  const profile = await fs.promises.mkdtemp(path.join(os.tmpdir(), "gridatlas-bench-"));
  try {
    if (stress) {
      const t = performance.now();
      const c = await addStress(server.databaseUrl, { factor: FACTOR, seed: 1 });
      console.log(`stress set ×${FACTOR}: ${JSON.stringify(c)} in ${((performance.now() - t) / 1000).toFixed(1)} s`);
    }
    const counts = await db
      .selectNoFrom((eb) => [
        eb.selectFrom("venue").select(eb.fn.countAll<number>().as("n")).as("venues"),
        eb.selectFrom("hazard").select(eb.fn.countAll<number>().as("n")).as("hazards"),
      ])
      .executeTakeFirstOrThrow();

    // The API, through the app in process (no network), as the leader.
    const app = createApp({ db });
    const leader = await signIn(app, "leader");
    const api: Measured["api"] = {};
    for (const [name, q] of QUERIES) {
      const times: number[] = [];
      let bytes = 0;
      for (let i = 0; i < API_RUNS; i++) {
        const t = performance.now();
        const res = await leader.request(q);
        bytes = (await res.arrayBuffer()).byteLength;
        times.push(performance.now() - t);
        if (res.status !== 200) throw new Error(`${q}: ${res.status}`);
      }
      api[name] = { ms: percentile(times.slice(1), 50), bytes };
    }

    // The browser: sign in once, then load the leader map afresh each run and wait for both layers to be drawn.
    const context = await chromium.launchPersistentContext(profile, {
      executablePath: "/usr/bin/chromium",
      headless: true,
      args: [
        "--no-sandbox",
        "--enable-unsafe-swiftshader",
        "--use-angle=swiftshader",
        "--disable-background-networking",
      ],
      viewport: { width: 1280, height: 800 },
      locale: "zh-CN",
    });
    const page = context.pages()[0] ?? (await context.newPage());
    await page.goto(url);
    // Under load the first page can take a while: wait for the form rather than for a fixed time.
    await page.getByTestId("sign-in").waitFor({ timeout: 180_000 });
    await page.locator("input[name=username]").fill("leader");
    await page.locator("input[name=password]").fill(TEST_PASSWORD);
    await page.locator("button[type=submit]").click();
    await page.getByTestId("nav-leader-map").waitFor({ timeout: 120_000 });
    const render: number[] = [];
    let received = 0;
    let drawn = 0;
    for (let i = 0; i < PAGE_RUNS; i++) {
      let bytes = 0;
      let features = 0;
      const onResponse = async (r: { url(): string; body(): Promise<Buffer> }) => {
        if (!/\/api\/(venues|hazards)\/clusters/.test(r.url())) return;
        const body = await r.body().catch(() => Buffer.alloc(0));
        bytes += body.length;
        features += ((JSON.parse(body.toString() || "{}") as { features?: unknown[] }).features ?? []).length;
      };
      page.on("response", onResponse);
      await page.goto(`${url}/leader-map`);
      const ms = await page.waitForFunction(
        () => {
          const map = window.__gridatlas?.map;
          const ok =
            !!map &&
            ["venues", "hazards"].every((s) => !!map.getSource(s) && map.querySourceFeatures(s).length > 0) &&
            map.loaded() &&
            map.areTilesLoaded() &&
            !map.isMoving();
          return ok ? performance.now() : false;
        },
        null,
        { timeout: 300_000, polling: 100 },
      );
      render.push(Number(await ms.jsonValue()));
      // What the map was given to draw: one feature per screen cell of each layer.
      drawn = features;
      page.off("response", onResponse);
      received = bytes;
    }
    await context.close();
    return {
      venues: Number(counts.venues),
      hazards: Number(counts.hazards),
      render_ms: render,
      received_bytes: received,
      features_drawn: drawn,
      api,
    };
  } finally {
    await db.destroy();
    await server.close();
    await fs.promises.rm(profile, { recursive: true, force: true });
  }
}

if (!fs.existsSync(path.join(webDist, "index.html"))) {
  console.error("web/dist is missing: build the web app first (pnpm --filter @gridatlas/web run build)");
  process.exit(2);
}
await setupTemplate();
console.log(`leader map benchmark on ${machine()}, ${os.cpus().length} × ${os.cpus()[0]?.model ?? "cpu"}`);
const demo = await measure("lmdemo", false);
const stress = await measure("lmstress", true);

const kb = (n: number) => `${(n / 1024).toFixed(n < 10_240 ? 1 : 0)} kB`;
const median = (xs: number[]) => percentile(xs, 50);
const row = (cells: string[]) => `| ${cells.join(" | ")} |`;
console.log();
console.log(row(["", "demo", `stress ×${FACTOR}`, "ratio"]));
console.log(row(["---", "---:", "---:", "---:"]));
console.log(
  row([
    "venues / hazards",
    `${demo.venues} / ${demo.hazards}`,
    `${stress.venues} / ${stress.hazards}`,
    `${(stress.venues / demo.venues).toFixed(0)}×`,
  ]),
);
console.log(
  row([
    `first render of the layers (median of ${PAGE_RUNS})`,
    `${median(demo.render_ms).toFixed(0)} ms`,
    `${median(stress.render_ms).toFixed(0)} ms`,
    `${(median(stress.render_ms) / median(demo.render_ms)).toFixed(2)}×`,
  ]),
);
console.log(
  row([
    "received for the layers",
    kb(demo.received_bytes),
    kb(stress.received_bytes),
    `${(stress.received_bytes / demo.received_bytes).toFixed(2)}×`,
  ]),
);
console.log(
  row([
    "points and clusters drawn",
    String(demo.features_drawn),
    String(stress.features_drawn),
    `${(stress.features_drawn / demo.features_drawn).toFixed(2)}×`,
  ]),
);
for (const [name] of QUERIES) {
  const a = demo.api[name]!;
  const b = stress.api[name]!;
  console.log(
    row([
      `API ${name} (median of ${API_RUNS - 1}, size)`,
      `${a.ms.toFixed(1)} ms, ${kb(a.bytes)}`,
      `${b.ms.toFixed(1)} ms, ${kb(b.bytes)}`,
      `${(b.ms / a.ms).toFixed(1)}×`,
    ]),
  );
}
console.log(
  `\nrender runs (ms): demo ${demo.render_ms.map((x) => x.toFixed(0)).join(", ")}; stress ${stress.render_ms.map((x) => x.toFixed(0)).join(", ")}`,
);
process.exit(0);
