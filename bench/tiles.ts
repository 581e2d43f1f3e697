import { execFileSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { Rng } from "@gridatlas/geodata/demo/random.ts";
import { decodeMvt } from "@gridatlas/server/test-support/mvt.ts";
import { TEST_PASSWORD } from "@gridatlas/server/test-support/test-database.ts";
import autocannon from "autocannon";
import pg from "pg";
import { chromium } from "playwright-core";
import { signInOverHttp, startServerProcess } from "../tests/support/server-process.ts";
import { cityDatabaseUrl, loadAverage, rssSampler } from "./city.support.ts";
import { machine, percentile } from "./support.ts";

/**
 * Issue 10: vector tiles over the city (`cli generate-city` + `cli load-city`, database gridatlas_city), random
 * tiles at zooms 10–17 of every layer, side by side in one run:
 * 1. each tile of a sample fetched through the server two at a time (uncached), timed, decoded, and its
 *    features counted against SQL that finds the rows in the tile's box independently of the tile functions;
 * 2. throughput through the server with autocannon on loopback, 2 and 32 connections, every request a tile not
 *    rendered before (uncached), against pgbench running the same tile functions with 2 and 32 clients;
 * 3. throughput on tiles already rendered (cached), 2 and 32 connections;
 * 4. the browser: time to the first full render (MapLibre's first `idle`) of grids, roads and buildings over the
 *    middle of the city at zooms 12 and 16 in headless Chromium, from tiles and from GeoJSON (the JSON routes: every
 *    grid, roads and buildings in the view's box), each run in a fresh browser context (no browser cache);
 * and the server's resident memory under that load.
 * Run: npm run bench -- tiles   (CITY_DATABASE_URL to point elsewhere; TILES_SAMPLE, TILES_SECONDS to shorten)
 */
const SAMPLE = Number(process.env.TILES_SAMPLE ?? 600);
/** Distinct tiles per uncached run: more than the server renders in TILES_SECONDS. */
const UNCACHED = Number(process.env.TILES_UNCACHED ?? 40_000);
const SECONDS = Number(process.env.TILES_SECONDS ?? 20);
const PGBENCH = "/usr/lib/postgresql/15/bin/pgbench";
const BROWSER_RUNS = Number(process.env.TILES_BROWSER_RUNS ?? 3);
const MAPLIBRE_DIST = path.resolve(
  path.dirname(fileURLToPath(import.meta.url)),
  "../web/node_modules/maplibre-gl/dist",
);

/** Zooms at which each layer has rows (outside them its tiles are empty and cost nothing). */
const LAYER_ZOOMS: Record<string, [number, number]> = {
  grids: [10, 17],
  buildings: [14, 17],
  roads: [10, 17],
  water: [10, 17],
  blocks: [12, 17],
  compounds: [13, 17],
  communities: [10, 17],
};
const BASEMAP = new Set(["roads", "water", "blocks"]);
type Tile = { layer: string; z: number; x: number; y: number };

const url = cityDatabaseUrl();
const sql = new pg.Client({ connectionString: url });
await sql.connect();
const subdistricts = (
  await sql.query<{ w: number; s: number; e: number; n: number }>(
    "select ST_XMin(geom) w, ST_YMin(geom) s, ST_XMax(geom) e, ST_YMax(geom) n from subdistrict order by code",
  )
).rows;
const totals = (
  await sql.query<{ grids: number; households: number; buildings: number; parcels: number }>(
    `select (select count(*)::int from published_grid) grids, (select sum(households)::int from entrance) households,
       (select count(*)::int from building) buildings, (select count(*)::int from parcel) parcels`,
  )
).rows[0]!;

/** Random tiles over the city: a random layer, a zoom in its range, a point in a random subdistrict. */
function randomTiles(n: number, seed: number): Tile[] {
  const rng = new Rng(seed);
  const layers = Object.keys(LAYER_ZOOMS);
  const seen = new Set<string>();
  const out: Tile[] = [];
  while (out.length < n) {
    const layer = layers[rng.int(0, layers.length - 1)]!;
    const [z0, z1] = LAYER_ZOOMS[layer]!;
    const z = rng.int(z0, z1);
    const b = subdistricts[rng.int(0, subdistricts.length - 1)]!;
    const lng = rng.range(b.w, b.e);
    const lat = rng.range(b.s, b.n);
    const k = 2 ** z;
    const r = (lat * Math.PI) / 180;
    const x = Math.floor(((lng + 180) / 360) * k);
    const y = Math.floor(((1 - Math.log(Math.tan(r) + 1 / Math.cos(r)) / Math.PI) / 2) * k);
    const key = `${layer}/${z}/${x}/${y}`;
    if (seen.has(key)) continue;
    seen.add(key);
    out.push({ layer, z, x, y });
  }
  return out;
}

/**
 * Features per MVT layer PostGIS finds in the tile, without the tile functions: rows whose geometry meets the
 * tile's envelope with its 64-unit margin (points and labels: the tile itself), with the layer's zoom rules.
 */
async function expectedCounts(t: Tile): Promise<Record<string, number>> {
  // In the tile: what PostGIS's own MVT clipping keeps of the row with the 64-unit buffer — its geometry snapped to
  // the tile's 4096 grid is not empty. (Intersecting the buffered envelope alone disagreed by a feature or two at
  // the edge: a point just outside snaps onto it, a sliver inside collapses.) The box test only lets the index in.
  // Rows are in EPSG:4326, the summaries (tile_community, tile_grid) in Web Mercator.
  const wide = "ST_TileEnvelope($1, $2, $3, margin => 96.0 / 4096)";
  const inTile = (g: string, srid: 4326 | 3857 = 4326) =>
    srid === 3857
      ? `(ST_Intersects(${g}, ${wide}) and ST_AsMVTGeom(${g}, ST_TileEnvelope($1, $2, $3), 4096, 64, true) is not null)`
      : `(ST_Intersects(${g}, ST_Transform(${wide}, 4326)) and ST_AsMVTGeom(ST_Transform(${g}, 3857), ST_TileEnvelope($1, $2, $3), 4096, 64, true) is not null)`;
  const count = async (q: string) =>
    (await sql.query<{ n: number }>(`select count(*)::int n from ${q}`, [t.z, t.x, t.y])).rows[0]!.n;
  switch (t.layer) {
    case "grids":
      return t.z < 12
        ? { grid_communities: await count(`tile_community t where ${inTile("t.geom_simple", 3857)}`) }
        : { grids: await count(`published_grid g where ${inTile("g.geom")}`) };
    case "buildings":
      return { buildings: await count(`building b where ${inTile("b.geom")}`) };
    case "roads":
      return {
        roads: await count(`road r where ${inTile("r.geom")}
          and ($1 >= 14 or r.class = 'arterial' or ($1 >= 12 and r.class = 'secondary'))`),
      };
    case "water":
      return { water: await count(`water w where ${inTile("w.geom")}`) };
    case "blocks":
      return { blocks: await count(`block k where ${inTile("k.geom")}`) };
    case "compounds":
      return { compounds: await count(`compound k where ${inTile("k.geom")}`) };
    default:
      return {
        communities: await count(
          `tile_community t join community c on c.code = t.code
           where ${inTile("case when $1 >= 13 then ST_Transform(c.geom, 3857) else t.geom_simple end", 3857)}`,
        ),
      };
  }
}

type Variant = "tiles" | "geojson";
type Render = { ms: number; bytes: number; requests: number };

/**
 * One first render in a fresh browser context: a bare page on the server's origin (so the session cookie goes with
 * every request) with MapLibre from web/node_modules, the same three layers drawn from either source kind. Ends at
 * the map's first `idle`: style loaded, every tile or GeoJSON source loaded and drawn.
 */
async function firstRender(
  browser: import("playwright-core").Browser,
  origin: string,
  cookie: string,
  versions: Record<string, number>,
  variant: Variant,
  view: { lng: number; lat: number; zoom: number },
): Promise<Render> {
  const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
  const [name, value] = cookie.split("=") as [string, string];
  await context.addCookies([{ name, value, url: origin }]);
  const page = await context.newPage();
  // tsx compiles with esbuild's keepNames, whose __name() wraps the named functions of the evaluated code below.
  await page.addInitScript("window.__name = (f) => f");
  await page.route(`${origin}/__bench/**`, (route) => {
    const file = new URL(route.request().url()).pathname.replace("/__bench/", "");
    if (file === "index.html") {
      return route.fulfill({
        contentType: "text/html",
        body: '<!doctype html><html><head><link rel="stylesheet" href="/__bench/maplibre-gl.css"><style>html,body,#map{margin:0;width:100%;height:100%}</style></head><body><div id="map"></div></body></html>',
      });
    }
    const type = file.endsWith(".css") ? "text/css" : "text/javascript";
    return route.fulfill({ path: path.join(MAPLIBRE_DIST, path.basename(file)), contentType: type });
  });
  // Bytes as they came over the wire (the server compresses nothing), counted when each request has finished.
  const sizes: Promise<number>[] = [];
  page.on("requestfinished", (r) => {
    if (!/\/(tiles|api)\//.test(r.url())) return;
    sizes.push(r.sizes().then((s) => s.responseBodySize));
  });
  await page.goto(`${origin}/__bench/index.html`);
  // The view's box, for the GeoJSON routes that take one (Web Mercator, 512-pixel tiles as MapLibre draws them).
  const span = (1280 / 512) * (360 / 2 ** view.zoom);
  const y = (lat: number) => Math.log(Math.tan(Math.PI / 4 + (lat * Math.PI) / 360));
  const lat = (v: number) => ((2 * Math.atan(Math.exp(v)) - Math.PI / 2) * 180) / Math.PI;
  const dy = ((800 / 512) * (2 * Math.PI)) / 2 ** view.zoom / 2;
  const box = [view.lng - span / 2, lat(y(view.lat) - dy), view.lng + span / 2, lat(y(view.lat) + dy)]
    .map((v) => v.toFixed(6))
    .join(",");
  const ms = await page.evaluate(
    async ({ variant, view, versions, box, origin }) => {
      const maplibre = await import(`${origin}/__bench/maplibre-gl.mjs`);
      maplibre.setWorkerUrl(`${origin}/__bench/maplibre-gl-worker.mjs`);
      const tiles = (layer: string, minzoom = 0) => ({
        type: "vector",
        tiles: [`${origin}/tiles/${layer}/v${versions[layer]}/{z}/{x}/{y}.pbf`],
        minzoom,
        maxzoom: 16,
      });
      const json = (p: string) => ({ type: "geojson", data: `${origin}${p}` });
      const sources =
        variant === "tiles"
          ? { grids: tiles("grids"), roads: tiles("roads"), buildings: tiles("buildings", 14) }
          : {
              grids: json("/api/grids"),
              roads: json(`/api/roads?bbox=${box}`),
              ...(view.zoom >= 14 ? { buildings: json(`/api/buildings?bbox=${box}`) } : {}),
            };
      const layer = (id: string) => (variant === "tiles" ? { "source-layer": id } : {});
      const layers: object[] = [
        { id: "bg", type: "background", paint: { "background-color": "#f4f1ea" } },
        {
          id: "grids-fill",
          type: "fill",
          source: "grids",
          ...layer("grids"),
          paint: { "fill-color": "#7aa", "fill-opacity": 0.3 },
        },
        { id: "grids-line", type: "line", source: "grids", ...layer("grids"), paint: { "line-color": "#366" } },
        { id: "roads", type: "line", source: "roads", ...layer("roads"), paint: { "line-color": "#999" } },
      ];
      if ("buildings" in sources) {
        layers.push({
          id: "buildings",
          type: "fill",
          source: "buildings",
          minzoom: 14,
          ...layer("buildings"),
          paint: { "fill-color": "#c9b" },
        });
      }
      const t0 = performance.now();
      const map = new maplibre.Map({
        container: "map",
        style: { version: 8, sources, layers },
        center: [view.lng, view.lat],
        zoom: view.zoom,
        attributionControl: false,
      });
      await new Promise<void>((resolve, reject) => {
        map.once("idle", () => resolve());
        map.on("error", (e: { error?: Error }) => reject(e.error ?? new Error("map error")));
      });
      const ms = performance.now() - t0;
      map.remove();
      return ms;
    },
    { variant, view, versions, box, origin },
  );
  const bytes = (await Promise.all(sizes)).reduce((a, b) => a + b, 0);
  await context.close();
  return { ms, bytes, requests: sizes.length };
}

const port = 22_000 + (process.pid % 9_000);
const server = await startServerProcess(url, port, { DB_POOL_MAX: "32" });
const rss = rssSampler(server.child.pid!);
const load0 = loadAverage();
try {
  const headers = await signInOverHttp(server.url, "leader", TEST_PASSWORD);
  const versions = (
    (await (await fetch(`${server.url}/tiles/versions`, { headers })).json()) as { versions: Record<string, number> }
  ).versions;
  const pathOf = (t: Tile) => `/tiles/${t.layer}/v${versions[t.layer]}/${t.z}/${t.x}/${t.y}.pbf`;

  // 1. Latency, content and feature counts, two at a time, every tile rendered for the first time.
  const sample = randomTiles(SAMPLE, 1);
  const timings: { t: Tile; ms: number; bytes: number }[] = [];
  const mismatches: string[] = [];
  let next = 0;
  await Promise.all(
    [0, 1].map(async () => {
      for (;;) {
        const t = sample[next++];
        if (!t) return;
        const t0 = performance.now();
        const res = await fetch(`${server.url}${pathOf(t)}`, { headers });
        const body = new Uint8Array(await res.arrayBuffer());
        const took = performance.now() - t0;
        if (res.status !== 200 && res.status !== 204) throw new Error(`${pathOf(t)} answered ${res.status}`);
        timings.push({ t, ms: took, bytes: body.byteLength });
        const got = Object.fromEntries(decodeMvt(body).map((l) => [l.name, l.features.length]));
        const want = await expectedCounts(t);
        for (const [name, n] of Object.entries(want)) {
          if ((got[name] ?? 0) !== n)
            mismatches.push(`${t.layer} ${t.z}/${t.x}/${t.y} ${name}: tile ${got[name] ?? 0}, SQL ${n}`);
        }
      }
    }),
  );

  // 2. Uncached throughput: for as long as pgbench runs (SECONDS), every request a tile not rendered before. (A
  // fixed 1,500 tiles lasted 3–5 s, much of it the pool's fresh connections setting up PostGIS and PROJ, which
  // pgbench pays once in its whole run: the same server then measured 0.47× or 0.9× of pgbench by whether its pool
  // was warm.) `asked` is how many requests were sent: past the list's length a tile repeats and the cache answers.
  const run = async (connections: number, paths: string[]) => {
    let i = 0;
    const result = await new Promise<autocannon.Result>((resolve, reject) => {
      autocannon(
        {
          url: server.url,
          connections,
          duration: SECONDS,
          headers,
          requests: [{ method: "GET", setupRequest: (req) => ({ ...req, path: paths[i++ % paths.length]! }) }],
        },
        (err, res) => (err ? reject(err) : resolve(res)),
      );
    });
    return Object.assign(result, { asked: i, paths });
  };
  // One list of distinct tiles split in two, so the second run asks for none the first rendered, and none of the
  // latency sample's.
  const sampled = new Set(sample.map(pathOf));
  const fresh = randomTiles(UNCACHED * 2 + sample.length, 2)
    .map(pathOf)
    .filter((p) => !sampled.has(p));
  const setA = fresh.slice(0, UNCACHED);
  const setB = fresh.slice(UNCACHED, UNCACHED * 2);
  const server2 = await run(2, setA);
  const server32 = await run(32, setB);

  // pgbench on the same tile functions, the same kind of random tiles.
  const pgTiles = randomTiles(UNCACHED, 4);
  await sql.query(
    "create table if not exists bench_tile_list (id integer primary key, layer text, z int, x int, y int)",
  );
  await sql.query("truncate bench_tile_list");
  await sql.query(
    `insert into bench_tile_list select n, l, z, x, y from unnest($1::text[], $2::int[], $3::int[], $4::int[])
     with ordinality u(l, z, x, y, n)`,
    [pgTiles.map((t) => t.layer), pgTiles.map((t) => t.z), pgTiles.map((t) => t.x), pgTiles.map((t) => t.y)],
  );
  const branches = Object.keys(LAYER_ZOOMS)
    .map((l) =>
      BASEMAP.has(l) ? `when '${l}' then ${l}_tile(z, x, y)` : `when '${l}' then ${l}_tile(z, x, y, null, null)`,
    )
    .join(" ");
  const script = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "pgbench-")), "tiles.sql");
  fs.writeFileSync(
    script,
    `\\set i random(1, ${pgTiles.length})\nselect (select version from tile_layer where layer = l.layer), case l.layer ${branches} end from bench_tile_list l where l.id = :i;\n`,
  );
  const pgbench = (clients: number) => {
    const out = execFileSync(
      PGBENCH,
      ["-n", "-f", script, "-c", String(clients), "-j", "2", "-T", String(SECONDS), "-M", "prepared", url],
      { encoding: "utf8", env: { ...process.env, PGAPPNAME: "bench-tiles" } },
    );
    const tps = /tps = ([\d.]+)/.exec(out)?.[1];
    const latency = /latency average = ([\d.]+) ms/.exec(out)?.[1];
    return { tps: Number(tps), latency: Number(latency) };
  };
  const pg2 = pgbench(2);
  const pg32 = pgbench(32);

  // 3. Cached: the last 1,500 tiles the server rendered, all of them in the LRU.
  const rendered = server32.paths.slice(Math.max(0, Math.min(server32.asked, setB.length) - 1500), server32.asked);
  const cached2 = await run(2, rendered);
  const cached32 = await run(32, rendered);

  const rssTiles = rss.max();

  // 4. The browser, over the middle of the city: each (zoom, source kind) BROWSER_RUNS times, the first with the
  // server's tile cache cold for that view.
  const centre = (
    await sql.query<{ lng: number; lat: number }>(
      "select ST_X(c) lng, ST_Y(c) lat from (select ST_Centroid(ST_Extent(geom)::geometry) c from subdistrict) q",
    )
  ).rows[0]!;
  const browser = await chromium.launch({
    executablePath: "/usr/bin/chromium",
    headless: true,
    args: ["--no-sandbox", "--enable-unsafe-swiftshader", "--use-angle=swiftshader"],
  });
  const renders: Record<string, Render[]> = {};
  try {
    for (const zoom of [12, 16]) {
      for (const variant of ["tiles", "geojson"] as const) {
        const runs: Render[] = [];
        for (let i = 0; i < BROWSER_RUNS; i++) {
          runs.push(await firstRender(browser, server.url, headers.cookie!, versions, variant, { ...centre, zoom }));
        }
        renders[`${variant}/${zoom}`] = runs;
      }
    }
  } finally {
    await browser.close();
  }
  const load1 = loadAverage();

  const all = timings.map((x) => x.ms);
  const p = (xs: number[], q: number) => percentile(xs, q).toFixed(1);
  console.log(
    `Tiles (issue 10) — ${machine()}, ${os.cpus().length} cores; city: ${subdistricts.length} subdistricts, ` +
      `${totals.grids} grids, ${totals.households} households, ${totals.buildings} buildings, ${totals.parcels} parcels; ` +
      `load average ${load0} at the start, ${load1} at the end`,
  );
  console.log(
    `\nUncached latency, ${sample.length} random tiles fetched two at a time through the server (leader: no scope filter)`,
  );
  console.log("| layer | tiles | p50 ms | p95 ms | max ms | mean KB |");
  console.log("|---|---:|---:|---:|---:|---:|");
  for (const layer of Object.keys(LAYER_ZOOMS)) {
    const xs = timings.filter((x) => x.t.layer === layer);
    if (!xs.length) continue;
    const ms = xs.map((x) => x.ms);
    const kb = xs.reduce((s, x) => s + x.bytes, 0) / xs.length / 1024;
    console.log(
      `| ${layer} | ${xs.length} | ${p(ms, 50)} | ${p(ms, 95)} | ${Math.max(...ms).toFixed(1)} | ${kb.toFixed(1)} |`,
    );
  }
  console.log(`| all | ${all.length} | ${p(all, 50)} | ${p(all, 95)} | ${Math.max(...all).toFixed(1)} | – |`);
  console.log("\n| zoom | tiles | p50 ms | p95 ms |");
  console.log("|---:|---:|---:|---:|");
  for (let z = 10; z <= 17; z++) {
    const ms = timings.filter((x) => x.t.z === z).map((x) => x.ms);
    if (ms.length) console.log(`| ${z} | ${ms.length} | ${p(ms, 50)} | ${p(ms, 95)} |`);
  }
  console.log(
    `\nDecoded and counted against SQL: ${sample.length - new Set(mismatches.map((m) => m.split(" ").slice(0, 2).join(" "))).size} of ${sample.length} tiles match in every layer`,
  );
  for (const m of mismatches.slice(0, 10)) console.log(`  mismatch: ${m}`);

  const rate = (r: autocannon.Result) => r.requests.total / (r.duration || 1);
  const row = (what: string, r: autocannon.Result, ref?: number) =>
    `| ${what} | ${rate(r).toFixed(0)} | ${r.latency.p50} | ${r.latency.p97_5} | ${r.latency.p99} | ${r.non2xx} | ${r.errors} | ${ref ? `${(rate(r) / ref).toFixed(2)}×` : "–"} |`;
  console.log("\nThroughput, loopback (server: autocannon; pgbench: the same functions, prepared, random tiles)");
  console.log("| run | tiles/s | p50 ms | p97.5 ms | p99 ms | non-2xx | errors | server / pgbench |");
  console.log("|---|---:|---:|---:|---:|---:|---:|---:|");
  console.log(`| pgbench, 2 clients | ${pg2.tps.toFixed(0)} | – | – | – | – | – | – |`);
  console.log(row("server uncached, 2 connections", server2, pg2.tps));
  console.log(`| pgbench, 32 clients | ${pg32.tps.toFixed(0)} | – | – | – | – | – | – |`);
  console.log(row("server uncached, 32 connections", server32, pg32.tps));
  for (const r of [server2, server32])
    if (r.asked > r.paths.length)
      console.log(`(an uncached run ran out of tiles: ${r.asked - r.paths.length} repeated)`);
  console.log(row("server cached, 2 connections", cached2));
  console.log(row("server cached, 32 connections", cached32));
  const med = (xs: number[]) => percentile(xs, 50);
  if (BROWSER_RUNS > 0) {
    console.log(
      `\nBrowser: first full render (first \`idle\`) of grids, roads and buildings over the middle of the city, headless Chromium (SwiftShader), 1280×800, fresh context each run; ${BROWSER_RUNS} runs, the first with the server's tile cache cold`,
    );
    console.log(
      "| zoom | tiles: first / median ms | received | GeoJSON: first / median ms | received | GeoJSON / tiles (median) |",
    );
    console.log("|---:|---:|---:|---:|---:|---:|");
    for (const zoom of [12, 16]) {
      const t = renders[`tiles/${zoom}`]!;
      const g = renders[`geojson/${zoom}`]!;
      const mt = med(t.map((r) => r.ms));
      const mg = med(g.map((r) => r.ms));
      const kb = (r: Render[]) => `${(r[0]!.bytes / 1024).toFixed(0)} KB in ${r[0]!.requests} requests`;
      console.log(
        `| ${zoom} | ${t[0]!.ms.toFixed(0)} / ${mt.toFixed(0)} | ${kb(t)} | ${g[0]!.ms.toFixed(0)} / ${mg.toFixed(0)} | ${kb(g)} | ${(mg / mt).toFixed(1)}× |`,
      );
    }
  }
  console.log(
    `\nServer memory (resident): ${rss.start()} MB at the start, ${rssTiles} MB at most under the tile load (runs 1–3), ` +
      `${rss.max()} MB at most including the browser runs (the GeoJSON routes), ${rss.now()} MB at the end`,
  );
} finally {
  rss.stop();
  await server.stop();
  await sql.end();
}
