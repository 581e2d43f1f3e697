import { spawnSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import {
  measureCommunity,
  prepareRebalance,
  type RebalanceMetrics,
  rebalance,
  rebalanceToLimit,
  sumMetrics,
} from "@gridatlas/server/rebalance/rebalance.engine.ts";
import { forcingUnits, unforcedOver } from "@gridatlas/server/rebalance/rebalance.exact.ts";
import type { Band, RebalanceUnit } from "@gridatlas/server/rebalance/rebalance.input.ts";
import { syntheticUnits } from "@gridatlas/server/rebalance/rebalance.synthetic.ts";
import { greedyBandRepair, hasGpmetis, metisPartition } from "./rebalance.metis.ts";

/**
 * The rebalancer against METIS + greedy repair (issue 5), and at the limit against both (issue 19: hard "towers"
 * communities; REBALANCE_LIMIT_ONLY=1 runs only those, REBALANCE_BUDGET_S sets the budget per community, default
 * 10, REBALANCE_TOWERS the cases as seed:households,… (empty for none), REBALANCE_BLOCKS blocks-like cases the same
 * way, REBALANCE_BEST_S a long budget for the "best found" row). Run: node_modules/.bin/tsx bench/rebalance.ts
 * Cases: the Xincheng demo from PostGIS when it is loaded (DATABASE_URL, else the local dev database), else a
 * synthetic subdistrict of the same shape; a high-rise-heavy synthetic case; Monaco once its units exist.
 */
interface Case {
  name: string;
  units: RebalanceUnit[];
  bands: Record<string, Band>;
  note: string;
}

const seed = 1;

async function xinchengCase(): Promise<Case> {
  const fromDb = await loadDemoUnits().catch((err: Error) => {
    console.error(`(demo database not used: ${err.message})`);
    return null;
  });
  if (fromDb) return fromDb;
  // 11 communities, about 55,000 households, about 227 grids in the current plan: the demo's shape.
  const households = [4300, 5600, 4900, 6200, 3800, 5200, 4600, 5900, 4400, 5100, 5000];
  return {
    name: "Xincheng-shaped synthetic subdistrict",
    units: syntheticUnits({ seed: 2022, households }),
    bands: {},
    note: "synthetic (the demo is not loaded in the database): 11 communities, generator seed 2022",
  };
}

/**
 * Parcels of the published plan with households per entrance, as the editor's route will hand them over. Read
 * through psql (the PostgreSQL client the bootstrap installs) as one JSON document.
 */
async function loadDemoUnits(): Promise<Case | null> {
  const url = process.env.DATABASE_URL ?? localDevUrl();
  if (!url) return null;
  const sql = `
    select coalesce(json_agg(u order by u.id), '[]') from (
      select p.id::text as id, p.community_code as community, p.block_id::text as block,
             p.building_id::text as building, p.compound_id::text as compound,
             coalesce(e.households, 0)::int as households, g.code as grid,
             st_asgeojson(p.geom, 9)::json as geometry, c.band_min, c.band_max
      from parcel p
      join community c on c.code = p.community_code
      left join entrance e on e.id = p.entrance_id
      left join plan pl on pl.status = 'published'
      left join plan_parcel pp on pp.plan_id = pl.id and pp.parcel_id = p.id
      left join grid g on g.id = pp.grid_id
    ) u`;
  const run = spawnSync("psql", [url, "-tAXc", sql], { encoding: "utf8", maxBuffer: 1 << 30 });
  if (run.status !== 0) throw new Error(run.stderr.trim() || "psql failed");
  const rows = JSON.parse(run.stdout) as (Omit<RebalanceUnit, "geometry" | "households"> & {
    households: number;
    geometry: RebalanceUnit["geometry"];
    band_min: number;
    band_max: number;
  })[];
  if (rows.length === 0) return null;
  const bands: Record<string, Band> = {};
  for (const r of rows) if (r.community) bands[String(r.community)] = { min: r.band_min, max: r.band_max };
  return {
    name: "Xincheng demo (PostGIS)",
    units: rows.map(({ band_min: _min, band_max: _max, ...unit }) => unit),
    bands,
    note: `${rows.length} parcels of the loaded demo, published plan`,
  };
}

function localDevUrl(): string | null {
  const root = process.env.GRIDATLAS_ROOT ?? path.resolve(import.meta.dirname, "..");
  const pw = path.join(root, ".data", "pg-password");
  if (!fs.existsSync(pw)) return null;
  return `postgres://gridatlas:${fs.readFileSync(pw, "utf8").trim()}@127.0.0.1:54329/gridatlas`;
}

function highRiseCase(): Case {
  return {
    name: "High-rise-heavy synthetic case",
    units: syntheticUnits({ seed: 60200, households: [5200, 4700, 6100], kind: "highrise" }),
    bands: {},
    note: "synthetic: 3 communities, mostly tower entrances of 60–200 households, generator seed 60200",
  };
}

/**
 * The Monaco case: parcels the OpenStreetMap importer builds from geodata/sources/monaco, as a units GeoJSON (the
 * CLI's input format) named by MONACO_UNITS. bench/rebalance-monaco.ts makes the file and runs this benchmark
 * with it; `cli export-units --subdistrict-code 990000001 --out …` writes it from any database holding Monaco.
 */
function monacoCase(): Case | null {
  const file = process.env.MONACO_UNITS;
  if (!file || !fs.existsSync(file)) return null;
  const fc = JSON.parse(fs.readFileSync(file, "utf8")) as {
    features: { properties: Omit<RebalanceUnit, "geometry">; geometry: RebalanceUnit["geometry"] }[];
  };
  return {
    name: "Monaco (OpenStreetMap parcels)",
    units: fc.features.map((f) => ({ ...f.properties, geometry: f.geometry })),
    bands: {},
    note: file,
  };
}

interface Column {
  label: string;
  metrics: RebalanceMetrics;
  maxCommunitySeconds: number;
  /** CPU time of this thread: the wall time less what other processes on the machine took from it. */
  cpuSeconds?: number;
}

/** Runs f, returning its value and the CPU seconds this process spent on it. */
function timed<T>(f: () => T): { value: T; cpuSeconds: number } {
  const before = process.cpuUsage();
  const value = f();
  const used = process.cpuUsage(before);
  return { value, cpuSeconds: (used.user + used.system) / 1e6 };
}

function run(c: Case): { columns: Column[]; gpmetisSeconds: number } {
  const current = prepareRebalance({ units: c.units, bands: c.bands });
  if (!current.ok) throw new Error(current.problems.map((p) => p.en).join("\n"));
  const plan = sumMetrics(
    current.prepared.communities.map(
      ({ problem, origIds }) =>
        measureCommunity(
          problem.g,
          origIds.map((id) => id ?? "(none)"),
          origIds,
        ).metrics,
    ),
  );
  const fullRun = timed(() => rebalance({ units: c.units, bands: c.bands, mode: "full", seed }));
  const repairRun = timed(() => rebalance({ units: c.units, bands: c.bands, mode: "repair", seed }));
  const full = fullRun.value;
  const repair = repairRun.value;
  if (!full.ok || !repair.ok) throw new Error("the rebalancer refused the input");
  const maxOf = (r: typeof full) => (r.ok ? Math.max(...r.result.communities.map((x) => x.metrics.seconds)) : 0);

  let gpmetisSeconds = 0;
  let maxGpmetis = 0;
  const metis: RebalanceMetrics[] = current.prepared.communities.map(({ problem, origIds }) => {
    const k = full.result.communities.find((x) => x.community === problem.g.community)!.metrics.grids;
    const t0 = performance.now();
    const raw = metisPartition(problem.g, k, seed);
    gpmetisSeconds += raw.seconds;
    maxGpmetis = Math.max(maxGpmetis, raw.seconds);
    const repaired = greedyBandRepair(problem.g, raw.part, k);
    const ids = labelByOverlap(repaired, origIds, problem.g.hh);
    const m = measureCommunity(problem.g, ids, origIds).metrics;
    m.seconds = (performance.now() - t0) / 1000;
    return m;
  });
  const metisTotal = sumMetrics(metis);
  return {
    columns: [
      { label: "current plan", metrics: plan, maxCommunitySeconds: 0 },
      { label: "METIS + repair", metrics: metisTotal, maxCommunitySeconds: Math.max(...metis.map((m) => m.seconds)) },
      {
        label: "rebalancer full",
        metrics: full.result.metrics,
        maxCommunitySeconds: maxOf(full),
        cpuSeconds: fullRun.cpuSeconds,
      },
      {
        label: "rebalancer repair",
        metrics: repair.result.metrics,
        maxCommunitySeconds: maxOf(repair),
        cpuSeconds: repairRun.cpuSeconds,
      },
    ],
    gpmetisSeconds,
  };
}

/** Names METIS's parts after the current grids they overlap most, so "households moved" is fair to it. */
function labelByOverlap(part: Int32Array, origIds: readonly (string | null)[], hh: Int32Array): string[] {
  const overlap = new Map<string, number>();
  part.forEach((p, u) => {
    const o = origIds[u];
    if (o === null || o === undefined) return;
    const key = `${p}\u0000${o}`;
    overlap.set(key, (overlap.get(key) ?? 0) + hh[u]!);
  });
  const label = new Map<number, string>();
  const used = new Set<string>();
  for (const [key] of [...overlap].sort((a, b) => b[1] - a[1])) {
    const [p, o] = key.split("\u0000") as [string, string];
    if (label.has(Number(p)) || used.has(o)) continue;
    label.set(Number(p), o);
    used.add(o);
  }
  return Array.from(part, (p) => label.get(p) ?? `metis-${p}`);
}

/** Buildings and compounds with more households than the band's maximum: split whatever the partition. */
function oversized(c: Case): { buildings: number; compounds: number } {
  const total = (key: "building" | "compound") => {
    const by = new Map<string, { households: number; max: number }>();
    for (const u of c.units) {
      const k = u[key];
      if (k === null || k === undefined) continue;
      const id = `${u.community ?? ""}\u0000${k}`;
      const max = c.bands[String(u.community ?? "")]?.max ?? 300;
      const v = by.get(id) ?? { households: 0, max };
      v.households += u.households as number;
      by.set(id, v);
    }
    return [...by.values()].filter((v) => v.households > v.max).length;
  };
  return { buildings: total("building"), compounds: total("compound") };
}

function table(c: Case, columns: Column[], gpmetisSeconds: number): string {
  const metis = columns[1]!.metrics;
  const ratio = (x: number, y: number) => (y > 0 ? ` (${(x / y).toFixed(2)}×)` : "");
  const rows: [string, (col: Column) => string][] = [
    ["grids", (x) => String(x.metrics.grids)],
    ["out-of-band grids", (x) => String(x.metrics.out_of_band)],
    ["non-contiguous grids", (x) => String(x.metrics.non_contiguous)],
    ["buildings split", (x) => String(x.metrics.buildings_split)],
    ["compounds split", (x) => String(x.metrics.compounds_split)],
    [
      "boundary length m (× METIS)",
      (x) => `${Math.round(x.metrics.boundary_length_m)}${ratio(x.metrics.boundary_length_m, metis.boundary_length_m)}`,
    ],
    ["boundary on roads", (x) => `${(100 * x.metrics.boundary_on_roads_share).toFixed(0)}%`],
    ["households moved", (x) => x.metrics.households_moved.toLocaleString("en-US")],
    [
      "time s (× gpmetis)",
      (x) =>
        x.label === "current plan"
          ? "–"
          : x.label === "METIS + repair"
            ? `${x.metrics.seconds.toFixed(2)} (gpmetis ${gpmetisSeconds.toFixed(2)})`
            : `${x.metrics.seconds.toFixed(2)}${ratio(x.metrics.seconds, gpmetisSeconds)}`,
    ],
    ["CPU time s", (x) => (x.cpuSeconds === undefined ? "–" : x.cpuSeconds.toFixed(2))],
    ["slowest community s", (x) => (x.label === "current plan" ? "–" : x.maxCommunitySeconds.toFixed(2))],
  ];
  const header = ["", ...columns.map((x) => x.label)];
  const body = rows.map(([name, f]) => [name, ...columns.map(f)]);
  const widths = header.map((_, i) => Math.max(...[header, ...body].map((r) => r[i]!.length)));
  const line = (r: string[]) => `| ${r.map((cell, i) => cell.padEnd(widths[i]!)).join(" | ")} |`;
  const big = oversized(c);
  return [
    `### ${c.name}`,
    `${c.units.length} units, ${c.note}; ${big.buildings} buildings and ${big.compounds} compounds hold more households than the band's maximum and must be split`,
    "",
    line(header),
    `|${widths.map((w) => "-".repeat(w + 2)).join("|")}|`,
    ...body.map(line),
    "",
  ].join("\n");
}

/**
 * Hard high-rise communities of issue 19, generated (never tuned to one set): towers of 1–4 entrances alike, each
 * entrance 60–200 households, compounds far larger than a grid, little low-rise housing. Seeds and sizes vary.
 */
function towerCases(): Case[] {
  const sizes = (process.env.REBALANCE_TOWERS ?? "1901:14000,1902:22000,1903:30000").split(",").filter(Boolean);
  return sizes.map((spec) => {
    const [seedText, hhText] = spec.split(":") as [string, string];
    const households = Number(hhText);
    return {
      name: `Towers ${seedText} (${households.toLocaleString("en-US")} households)`,
      units: syntheticUnits({ seed: Number(seedText), households: [households], kind: "towers" }),
      bands: {},
      note: `synthetic "towers" community, generator seed ${seedText}`,
    };
  });
}

/**
 * Blocks-like communities (issue 19's boundary check): the generator's mixed kind, city blocks of low- and
 * mid-rise housing with a few towers, where nearly every grid can be in band and the boundary decides. Only when
 * REBALANCE_BLOCKS lists seed:households pairs.
 */
function blockCases(): Case[] {
  const spec = process.env.REBALANCE_BLOCKS;
  if (!spec) return [];
  return spec.split(",").map((item) => {
    const [seedText, hhText] = item.split(":") as [string, string];
    const households = Number(hhText);
    return {
      name: `Blocks ${seedText} (${households.toLocaleString("en-US")} households)`,
      units: syntheticUnits({ seed: Number(seedText), households: [households] }),
      bands: {},
      note: `synthetic "mixed" community of city blocks, generator seed ${seedText}`,
    };
  });
}

interface LimitRow {
  label: string;
  /** Grids above the maximum that no single parcel forces (what the over-full rule forbids). */
  unforced: number;
  metrics: RebalanceMetrics;
  bound: number | null;
  seconds: number;
  note: string;
}

/**
 * One case at the limit: METIS + repair, the previous engine (the fast answer alone) and the search to the limit
 * with its proven lower bound, side by side, each measured the same way.
 */
async function runLimit(c: Case, budget_ms: number): Promise<LimitRow[]> {
  const prepared = prepareRebalance({ units: c.units, bands: c.bands });
  if (!prepared.ok) throw new Error(prepared.problems.map((p) => p.en).join("\n"));
  const t0 = performance.now();
  const fast = rebalance({ units: c.units, bands: c.bands, seed });
  const fastSeconds = (performance.now() - t0) / 1000;
  const t1 = performance.now();
  const limit = await rebalanceToLimit({ units: c.units, bands: c.bands, seed }, { budget_ms });
  const limitSeconds = (performance.now() - t1) / 1000;
  if (!fast.ok || !limit.ok) throw new Error("the rebalancer refused the input");
  const t2 = performance.now();
  const metisGrids = new Map<string, string>();
  const metis = sumMetrics(
    prepared.prepared.communities.map(({ problem, origIds }) => {
      const k = limit.result.communities.find((x) => x.community === problem.g.community)!.metrics.grids;
      const raw = metisPartition(problem.g, k, seed);
      const repaired = greedyBandRepair(problem.g, raw.part, k);
      const ids = labelByOverlap(repaired, origIds, problem.g.hh);
      problem.unitIds.forEach((id, u) => {
        metisGrids.set(id, ids[u]!);
      });
      return measureCommunity(problem.g, ids, origIds).metrics;
    }),
  );
  const metisSeconds = (performance.now() - t2) / 1000;
  const bound = limit.result.metrics.out_of_band_lower_bound ?? null;
  const unforced = (gridOf: (id: string) => string) =>
    prepared.prepared.communities.reduce((sum, { problem }) => {
      const slot = new Map<string, number>();
      const part = Int32Array.from(problem.unitIds, (id) => {
        const grid = gridOf(id);
        if (!slot.has(grid)) slot.set(grid, slot.size);
        return slot.get(grid)!;
      });
      return sum + unforcedOver(problem.g, part, forcingUnits(problem.g, "split_buildings")).size;
    }, 0);
  const firsts = limit.result.communities.map((x) => x.limit?.first_answer_seconds ?? 0);
  // The best partition we can find, for the "within 10 % of the best found": the same search with a long
  // budget (REBALANCE_BEST_S seconds), only when asked, as it takes minutes.
  const bestBudget = Number(process.env.REBALANCE_BEST_S ?? 0) * 1000;
  const best =
    bestBudget > budget_ms
      ? await rebalanceToLimit({ units: c.units, bands: c.bands, seed }, { budget_ms: bestBudget })
      : null;
  const bestRow: LimitRow[] = [];
  let versusBest = "";
  if (best?.ok) {
    const b = best.result.metrics;
    bestRow.push({
      label: `best found (${bestBudget / 1000} s)`,
      unforced: unforced((id) => best.result.assignment[id]!),
      metrics: b,
      bound,
      seconds: bestBudget / 1000,
      note: "the same search with a long budget",
    });
    const m = limit.result.metrics;
    const pct = (x: number, y: number) => (y === 0 ? (x === 0 ? "0" : "∞") : ((x / y - 1) * 100).toFixed(0));
    const boundary = ((m.boundary_length_m / b.boundary_length_m - 1) * 100).toFixed(1);
    versusBest = `; against the best found: out of band +${pct(m.out_of_band, b.out_of_band)} %, buildings split ${m.buildings_split - b.buildings_split >= 0 ? "+" : ""}${m.buildings_split - b.buildings_split}, boundary ${Number(boundary) >= 0 ? "+" : ""}${boundary} %`;
  }
  return [
    {
      label: "METIS + repair",
      unforced: unforced((id) => metisGrids.get(id)!),
      metrics: metis,
      bound,
      seconds: metisSeconds,
      note: "same grid count as the limit",
    },
    {
      label: "previous engine (fast answer)",
      unforced: unforced((id) => fast.result.assignment[id]!),
      metrics: fast.result.metrics,
      bound,
      seconds: fastSeconds,
      note: "",
    },
    {
      label: "to the limit",
      unforced: unforced((id) => limit.result.assignment[id]!),
      metrics: limit.result.metrics,
      bound,
      seconds: limitSeconds,
      note: `first answer ${Math.max(...firsts).toFixed(1)} s, budget ${budget_ms / 1000} s${versusBest}`,
    },
    ...bestRow,
  ];
}

function limitTable(c: Case, rows: LimitRow[]): string {
  const header = [
    "",
    "out of band",
    "unforced over",
    "bound",
    "gap",
    "buildings split",
    "compounds split",
    "boundary m",
    "non-contiguous",
    "s",
    "note",
  ];
  const body = rows.map((r) => [
    r.label,
    String(r.metrics.out_of_band),
    String(r.unforced),
    r.bound === null ? "–" : String(r.bound),
    r.bound === null ? "–" : String(r.metrics.out_of_band - r.bound),
    String(r.metrics.buildings_split),
    String(r.metrics.compounds_split),
    String(Math.round(r.metrics.boundary_length_m)),
    String(r.metrics.non_contiguous),
    r.seconds.toFixed(1),
    r.note,
  ]);
  const widths = header.map((_, i) => Math.max(...[header, ...body].map((r) => r[i]!.length)));
  const line = (r: string[]) => `| ${r.map((cell, i) => cell.padEnd(widths[i]!)).join(" | ")} |`;
  const big = oversized(c);
  return [
    `### ${c.name} — at the limit`,
    `${c.units.length} units, ${c.note}; ${big.buildings} buildings and ${big.compounds} compounds exceed the band's maximum`,
    "",
    line(header),
    `|${widths.map((w) => "-".repeat(w + 2)).join("|")}|`,
    ...body.map(line),
    "",
  ].join("\n");
}

async function main(): Promise<void> {
  if (!hasGpmetis()) throw new Error("gpmetis is missing: apt-get install metis");
  const budget_ms = Number(process.env.REBALANCE_BUDGET_S ?? 10) * 1000;
  if (process.env.REBALANCE_LIMIT_ONLY) {
    const load = os
      .loadavg()
      .map((x) => x.toFixed(1))
      .join(" ");
    console.log(
      `machine: ${os.cpus().length} × ${os.cpus()[0]?.model ?? "?"}, node ${process.version}, load ${load}, seed ${seed}\n`,
    );
    for (const c of [...towerCases(), ...blockCases()]) console.log(limitTable(c, await runLimit(c, budget_ms)));
    return;
  }
  const cases: Case[] = [await xinchengCase(), highRiseCase()];
  const monaco = monacoCase();
  if (monaco) cases.push(monaco);
  else console.log("(Monaco skipped: run bench/rebalance-monaco.ts, or set MONACO_UNITS to a units GeoJSON)\n");
  const load = os
    .loadavg()
    .map((x) => x.toFixed(1))
    .join(" ");
  console.log(
    `machine: ${os.cpus().length} × ${os.cpus()[0]?.model ?? "?"}, node ${process.version}, load ${load}, seed ${seed}\n`,
  );
  for (const c of cases) {
    const { columns, gpmetisSeconds } = run(c);
    console.log(table(c, columns, gpmetisSeconds));
  }
  for (const c of [...towerCases(), highRiseCase()]) console.log(limitTable(c, await runLimit(c, budget_ms)));
}

await main();
