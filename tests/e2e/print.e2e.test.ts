import { type ChildProcess, execFileSync, spawn } from "node:child_process";
import fs from "node:fs";
import net from "node:net";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { createTestDatabase, TEST_PASSWORD, type TestDatabase } from "@gridatlas/server/test-support/test-database.ts";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ARTIFACTS_DIR, type LaunchedBrowser, launchBrowser, saveScreenshot } from "../support/browser.ts";
import { signIn } from "../support/pages.ts";
import { signInOverHttp } from "../support/server-process.ts";

/**
 * Printing after `npm start`: the app started as the README's start command starts it (scripts/gridatlas.mjs
 * start, on its own port, over a copy of the demo), a planner prints the map and the change list from the data
 * page in Chinese and in English, and the PDFs are read back with poppler (pdfinfo, pdftotext, pdftoppm): one
 * page, the communities named on the map, the north arrow beside the map, every word in the page's language.
 */

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");
const WAIT_MS = 180_000;

let database: TestDatabase;
let app: ChildProcess;
let url: string;
let output = "";
let e: LaunchedBrowser;
let tmp: string;
let communities: { name: string; name_en: string | null }[];

async function freePort(): Promise<number> {
  const s = net.createServer();
  await new Promise<void>((r) => s.listen(0, "127.0.0.1", () => r()));
  const { port } = s.address() as net.AddressInfo;
  await new Promise<void>((r) => s.close(() => r()));
  return port;
}

beforeAll(async () => {
  database = await createTestDatabase("print");
  const port = await freePort();
  url = `http://127.0.0.1:${port}`;
  // Its own process group, so stopping it stops the server it starts too.
  app = spawn(process.execPath, [path.join(root, "scripts/gridatlas.mjs"), "start"], {
    cwd: root,
    env: { ...process.env, DATABASE_URL: database.url, PORT: String(port), HOST: "127.0.0.1" },
    stdio: ["ignore", "pipe", "pipe"],
    detached: true,
  });
  const keep = (d: Buffer) => {
    output += d;
  };
  app.stdout?.on("data", keep);
  app.stderr?.on("data", keep);
  const deadline = Date.now() + WAIT_MS;
  for (;;) {
    if (app.exitCode !== null) throw new Error(`npm start exited (${app.exitCode}): ${output}`);
    if (
      await fetch(`${url}/api/health`).then(
        (r) => r.ok,
        () => false,
      )
    )
      break;
    if (Date.now() > deadline) throw new Error(`npm start did not come up: ${output}`);
    await new Promise((r) => setTimeout(r, 500));
  }
  const db = new pg.Client({ connectionString: database.url });
  await db.connect();
  try {
    communities = (await db.query("select name, name_en from community order by code")).rows;
    // A draft in which two entrances change grid, so the change list has rows.
    const planner = await signInOverHttp(url, "planner", TEST_PASSWORD);
    const draft = (await (
      await fetch(`${url}/api/plans`, {
        method: "POST",
        headers: planner,
        body: JSON.stringify({ from: "published", name: "划转打印" }),
      })
    ).json()) as { id: number };
    await db.query(
      `update plan_parcel x set grid_id = (select g.id from grid g where g.plan_id = x.plan_id and g.community_code = x.community_code
         and g.id <> x.grid_id order by g.code limit 1)
       where x.plan_id = $1 and x.parcel_id in (select p.id from parcel p join entrance e on e.id = p.entrance_id
         where e.households > 0 order by p.id limit 2)`,
      [draft.id],
    );
  } finally {
    await db.end();
  }
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), "gridatlas-print-e2e-"));
  e = await launchBrowser({ width: 1440, height: 900 });
}, WAIT_MS * 2);

afterAll(async () => {
  await e?.close();
  if (app?.pid && app.exitCode === null) {
    const exited = new Promise((r) => app.once("exit", r));
    process.kill(-app.pid, "SIGTERM");
    await exited;
  }
  await database?.drop();
  if (tmp) fs.rmSync(tmp, { recursive: true, force: true });
});

/** Prints from the data page's print tab as a person does, and returns the downloaded PDF's path. */
async function printFromPage(kind: "map" | "transfers", name: string): Promise<string> {
  const page = e.page;
  await page.getByTestId(`print-kind-${kind}`).check();
  await page.getByTestId("print-format-pdf").check();
  const download = page.waitForEvent("download", { timeout: WAIT_MS });
  await page.getByTestId("print-run").click();
  const file = path.join(tmp, `${name}.pdf`);
  await (await download).saveAs(file);
  await page.getByTestId("print-done").waitFor({ timeout: WAIT_MS });
  // What a person sees of it, beside the browser tests' screenshots.
  execFileSync("pdftoppm", ["-png", "-r", "80", "-singlefile", file, path.join(ARTIFACTS_DIR, `print-${name}`)]);
  return file;
}

const pages = (file: string) =>
  Number(/Pages:\s+(\d+)/.exec(execFileSync("pdfinfo", [file], { encoding: "utf8" }))![1]);
const text = (file: string) => execFileSync("pdftotext", ["-layout", file, "-"], { encoding: "utf8" });
const unescapeXml = (s: string) =>
  s
    .replace(/&apos;|&#39;/g, "'")
    .replace(/&quot;/g, '"')
    .replace(/&lt;/g, "<")
    .replace(/&gt;/g, ">")
    .replace(/&amp;/g, "&");
/** Words with their boxes (points from the top left), as pdftotext -bbox writes them. */
function words(file: string): { word: string; xMin: number; xMax: number }[] {
  const html = execFileSync("pdftotext", ["-bbox", file, "-"], { encoding: "utf8" });
  return [...html.matchAll(/<word xMin="([\d.]+)" yMin="[\d.]+" xMax="([\d.]+)" yMax="[\d.]+">([^<]*)<\/word>/g)].map(
    (m) => ({ word: unescapeXml(m[3]!), xMin: Number(m[1]), xMax: Number(m[2]) }),
  );
}

describe("printing after npm start", () => {
  it("starts on the web build the test run made, without building it again", () => {
    // npm test builds the web app before any test; a rebuild here replaced web/dist under the pages the other e2e
    // files had open at the same time (their scripts answered 404 for minutes), once the build had written files
    // among the sources that its own up-to-date check then read as a change.
    expect(output).toContain("is serving on");
    expect(output).not.toContain("building the web app");
  });

  it("prints the map and the change list in the page's language", { timeout: WAIT_MS * 3 }, async () => {
    fs.mkdirSync(ARTIFACTS_DIR, { recursive: true });
    await signIn(e.page, "planner", { url: `${url}/data?tab=print` });
    await e.page.getByTestId("print-form").waitFor({ timeout: WAIT_MS });
    await saveScreenshot(e.page, "print-form-after-npm-start");

    const zhMap = await printFromPage("map", "map-zh");
    expect(pages(zhMap)).toBe(1);
    const zh = text(zhMap);
    expect(zh).toContain("图例");
    for (const english of ["Legend", "grids", "Source", "boundary", "Scale"]) expect(zh).not.toContain(english);
    // The north arrow stands beside the map: right of every grid's number. Every community is named on the map
    // (left of it), not only in the list of codes beside it.
    const zhWords = words(zhMap);
    const north = zhWords.find((w) => w.word === "北")!;
    // Grid sequences (001–0xx in the demo; a scale bar's "500" or a count in the legend is not one).
    const gridNumbers = zhWords.filter((w) => /^0\d\d$/.test(w.word));
    expect(gridNumbers.length).toBeGreaterThan(100);
    expect(north.xMin).toBeGreaterThan(Math.max(...gridNumbers.map((w) => w.xMax)));
    for (const c of communities) {
      expect(
        zhWords.some((w) => w.word === c.name && w.xMax < north.xMin),
        c.name,
      ).toBe(true);
    }

    const zhList = await printFromPage("transfers", "transfers-zh");
    expect(pages(zhList)).toBeGreaterThanOrEqual(1);
    const zhListText = text(zhList);
    expect(zhListText).toContain("划转清单");
    expect(zhListText).toContain("2 个单元");
    expect(zhListText).not.toContain("Households");

    await e.page.getByTestId("lang-switch").first().click();
    await e.page.waitForFunction(() => document.documentElement.lang.startsWith("en"));
    const enMap = await printFromPage("map", "map-en");
    expect(pages(enMap)).toBe(1);
    const en = text(enMap);
    const enWords = words(enMap);
    const n = enWords.find((w) => w.word === "N")!;
    for (const c of communities) {
      // An English name is written in two lines on the map ("Jindu Xincheng / Community"): its first word.
      const first = (c.name_en ?? c.name).split(" ")[0];
      expect(
        enWords.some((w) => w.word === first && w.xMax < n.xMin),
        c.name,
      ).toBe(true);
    }
    expect(en).toContain("Legend");
    for (const chinese of ["图例", "社区界", "网格编码", "比例尺", "数据来源", "北"]) expect(en).not.toContain(chinese);
    const enList = await printFromPage("transfers", "transfers-en");
    const enListText = text(enList);
    expect(enListText).toContain("2 entrances");
    for (const chinese of ["划转清单", "户数", "原网格"]) expect(enListText).not.toContain(chinese);
    await saveScreenshot(e.page, "print-done-after-npm-start");
  });
});
