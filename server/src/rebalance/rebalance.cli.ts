import fs from "node:fs";
import { parseArgs } from "node:util";
import { type InputProblem, type RebalanceResult, rebalance, rebalanceToLimit } from "./rebalance.engine.ts";
import { type RebalanceInput, type RebalanceUnit, unitsFeatureCollectionSchema } from "./rebalance.input.ts";

export const partitionHelp = `用法 / usage:
  pnpm cli partition --units units.geojson [--min 200] [--max 300] [--grids K | --grids 社区=K,…]
                     [--mode full|repair] [--seed N] [--out result.json] [--tolerance 0.1]
                     [--budget 10] [--over-full split|keep]

把单元（地块）划分为每格 min–max 户的网格，不需要数据库。
Partitions units (parcels) into grids of min–max households, without a database.

units.geojson: a GeoJSON FeatureCollection of Polygons/MultiPolygons in EPSG:4326 (longitude, latitude), one per unit,
with properties:
  id          required, unique (string or number; the feature's own id is used when the property is absent)
  households  required, an integer ≥ 0
  building    optional: units of one building are kept in one grid when the band allows
  compound    optional: likewise for a compound (小区); one larger than the band is split into as few grids as possible
  community   optional: each community is partitioned on its own; a grid never crosses a community
  grid        optional: the current grid; the start of --mode repair, and what "households moved" counts against
  locked      optional: true keeps the unit in its current grid
  block       optional: the face of the road network the unit lies in. A boundary between units of different
              blocks follows a road or water, and the engine prefers such boundaries (1.5× cheaper than one cutting
              through a block). Without it no boundary between units is known to follow a road: the engine then
              minimises plain boundary length, metrics.boundary_on_roads_share is 0, and a grid's own
              boundary_on_roads_share counts only the stretch of its perimeter on the community's outline.
Units are adjacent when they share a boundary of positive length (touching at a point does not count); boundaries
within --tolerance metres of each other count as shared.

--grids K      number of grids (one community only), or per community: --grids 150571003001=18,150571003002=21.
               Default: full mode aims at an average in the middle of the band; repair keeps the current count
               when the band allows it. Either tries one more and one fewer when grids stay out of band.
--mode         full (default): redraw every grid; repair: start from the current grids and move as few households
               as possible.
--seed         the same input and seed always give the same fast answer (default 1).
--budget       seconds per community for the search to the limit (default 10): after the fast answer, exact covers
               (HiGHS) and local search improve it, and metrics.out_of_band_lower_bound proves how many grids out of
               band no plan can avoid. 0 gives the fast answer alone, reproducible for a seed; with a budget the
               clock may cut a round short, so two runs can differ.
--over-full    split (default): a grid goes above the maximum only when one parcel alone does, and a building above
               it is split along its entrances; keep: a building above the maximum may stay whole in one grid.
--out          write the result there instead of standard output.

Output JSON: assignment (unit id → grid id), grids (id, community, households, units, contiguous, status, locked,
boundary_m, boundary_on_roads_share, area_m2, polsby_popper), metrics (out_of_band, non_contiguous, buildings_split, compounds_split,
boundary_length_m, boundary_on_roads_share, households_moved, units_moved, seconds, out_of_band_lower_bound), communities, explanations
(zh, en: why the band cannot be met, with margins) and violations.
Exit status: 0 with a result (violations included), 1 for invalid units (nothing written), 2 for bad arguments.`;

/** `pnpm cli partition …`: returns the exit code. Messages go to stderr, the result to --out or stdout. */
export async function partitionCli(args: string[]): Promise<number> {
  let values: Record<string, string | boolean | undefined>;
  try {
    values = parseArgs({
      args,
      strict: true,
      options: {
        units: { type: "string" },
        min: { type: "string" },
        max: { type: "string" },
        grids: { type: "string" },
        mode: { type: "string" },
        seed: { type: "string" },
        out: { type: "string" },
        tolerance: { type: "string" },
        budget: { type: "string" },
        "over-full": { type: "string" },
        help: { type: "boolean", short: "h" },
      },
    }).values;
  } catch (err) {
    console.error(`${(err as Error).message}\n\n${partitionHelp}`);
    return 2;
  }
  if (values.help) {
    console.log(partitionHelp);
    return 0;
  }
  const usage = (zh: string, en: string) => {
    console.error(`${zh}\n${en}\n\n${partitionHelp}`);
    return 2;
  };
  const file = values.units as string | undefined;
  if (!file) return usage("缺少 --units 参数", "--units is required");
  const integer = (name: string, fallback: number) => {
    const raw = values[name] as string | undefined;
    if (raw === undefined) return fallback;
    const n = Number(raw);
    return Number.isInteger(n) ? n : Number.NaN;
  };
  const min = integer("min", 200);
  const max = integer("max", 300);
  const seed = integer("seed", 1);
  if ([min, max, seed].some(Number.isNaN) || min < 0 || max < min) {
    return usage(
      "--min、--max、--seed 须为整数，且 0 ≤ min ≤ max",
      "--min, --max and --seed must be integers with 0 ≤ min ≤ max",
    );
  }
  const mode = (values.mode as string | undefined) ?? "full";
  if (mode !== "full" && mode !== "repair")
    return usage("--mode 只能是 full 或 repair", "--mode must be full or repair");
  const tolerance = values.tolerance === undefined ? 0.1 : Number(values.tolerance);
  if (!(tolerance >= 0 && tolerance <= 10))
    return usage("--tolerance 须在 0 到 10 米之间", "--tolerance must be 0 to 10 metres");
  const budget = values.budget === undefined ? 10 : Number(values.budget);
  if (!(budget >= 0 && budget <= 3600))
    return usage("--budget 须为 0 到 3600 秒", "--budget must be 0 to 3600 seconds");
  const overFull = (values["over-full"] as string | undefined) ?? "split";
  if (overFull !== "split" && overFull !== "keep")
    return usage("--over-full 只能是 split 或 keep", "--over-full must be split or keep");
  const grids = parseGrids(values.grids as string | undefined);
  if (grids === null)
    return usage("--grids 须为正整数，或 社区=数量,…", "--grids must be a positive integer, or community=count,…");

  let text: string;
  try {
    text = fs.readFileSync(file, "utf8");
  } catch (err) {
    console.error(`无法读取 ${file} / cannot read ${file}: ${(err as Error).message}`);
    return 1;
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (err) {
    console.error(`${file} 不是有效的 JSON / is not valid JSON: ${(err as Error).message}`);
    return 1;
  }
  const fc = unitsFeatureCollectionSchema.safeParse(json);
  if (!fc.success) {
    const where = fc.error.issues.map((i) => `${i.path.join(".") || "(root)"}: ${i.message}`).join("; ");
    console.error(`${file} 不是 GeoJSON FeatureCollection / is not a GeoJSON FeatureCollection: ${where}`);
    return 1;
  }
  const units = fc.data.features.map((f) => ({
    ...(f.properties ?? {}),
    id: f.properties?.id ?? f.id,
    geometry: f.geometry,
  })) as RebalanceUnit[];
  const rule = overFull === "keep" ? "keep_buildings" : "split_buildings";
  const input: RebalanceInput = {
    units,
    band: { min, max },
    mode,
    seed,
    grids,
    tolerance_m: tolerance,
    over_full: rule,
  };
  let shown = "";
  const outcome =
    budget === 0
      ? rebalance(input, (p) => {
          if (p.stage === "solve") console.error(`… ${p.community ?? "(no community)"} (${p.done + 1}/${p.total})`);
        })
      : await rebalanceToLimit(input, { budget_ms: budget * 1000, over_full: rule }, (p) => {
          const line = `… ${p.community ?? "(no community)"} (${Math.floor(p.done / 1000) + 1}/${p.total / 1000})`;
          if (p.stage !== "solve" || line === shown) return;
          shown = line;
          console.error(line);
        });
  if (!outcome.ok) {
    printProblems(outcome.problems);
    return 1;
  }
  const body = `${JSON.stringify(outcome.result, null, 2)}\n`;
  if (values.out) fs.writeFileSync(values.out as string, body);
  else process.stdout.write(body);
  printSummary(outcome.result);
  return 0;
}

function parseGrids(raw: string | undefined): RebalanceInput["grids"] | null {
  if (raw === undefined) return undefined;
  if (/^\d+$/.test(raw)) return Number(raw) >= 1 ? Number(raw) : null;
  const out: Record<string, number> = {};
  for (const part of raw.split(",")) {
    const m = /^([^=]+)=(\d+)$/.exec(part.trim());
    if (!m || Number(m[2]) < 1) return null;
    out[m[1]!] = Number(m[2]);
  }
  return out;
}

function printProblems(problems: readonly InputProblem[]): void {
  console.error("输入有误，未输出结果 / invalid input, nothing written:");
  for (const p of problems) console.error(`- ${p.zh}\n  ${p.en}`);
}

function printSummary(r: RebalanceResult): void {
  const m = r.metrics;
  console.error(
    `${m.grids} grids: ${m.out_of_band} out of band, ${m.non_contiguous} non-contiguous, ` +
      `${m.buildings_split} buildings and ${m.compounds_split} compounds split, ` +
      `boundary ${Math.round(m.boundary_length_m)} m (${Math.round(100 * m.boundary_on_roads_share)}% on roads), ` +
      `${m.households_moved} households moved, ${m.seconds.toFixed(2)} s`,
  );
  if (m.out_of_band_lower_bound !== undefined)
    console.error(
      m.out_of_band_lower_bound === null
        ? "out_of_band_lower_bound: not computed (too many candidate groups) / 超标下限未能计算"
        : `out_of_band_lower_bound ${m.out_of_band_lower_bound}: 至少 ${m.out_of_band_lower_bound} 个网格无法达到标准（已证明），当前方案 ${m.out_of_band} 个 / ` +
            `at least ${m.out_of_band_lower_bound} grids cannot be in band (proven), this plan has ${m.out_of_band}`,
    );
  for (const e of r.explanations) if (e.severity !== "info") console.error(`! ${e.zh}\n  ${e.en}`);
}
