import { spawnSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { bandDeviation, type CommunityGraph, components } from "@gridatlas/server/rebalance/rebalance.graph.ts";

/**
 * The benchmark's reference: METIS (`gpmetis -contig`, Debian's metis package) on the engine's unit graph — vertex
 * weight = households, edge weight = shared boundary in metres rounded to an integer ≥ 1 — with k parts, followed by
 * {@link greedyBandRepair}. Returns the part of every unit and the wall time of gpmetis (process start, reading the
 * graph and writing the partition included, as a user of the tool would see it).
 */
export function metisPartition(g: CommunityGraph, k: number, seed: number): { part: Int32Array; seconds: number } {
  if (k <= 1 || g.n <= 1) return { part: new Int32Array(g.n), seconds: 0 };
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "gridatlas-metis-"));
  try {
    const file = path.join(dir, "units.graph");
    const lines: string[] = [];
    let edges = 0;
    for (let u = 0; u < g.n; u++) {
      const row = [String(g.hh[u]!)];
      for (let e = g.xadj[u]!; e < g.xadj[u + 1]!; e++) {
        row.push(String(g.adj[e]! + 1), String(Math.max(1, Math.round(g.len_m[e]!))));
        edges++;
      }
      lines.push(row.join(" "));
    }
    fs.writeFileSync(file, `${g.n} ${edges / 2} 011\n${lines.join("\n")}\n`);
    const t0 = performance.now();
    const run = spawnSync("gpmetis", ["-contig", `-seed=${seed}`, file, String(k)], { encoding: "utf8" });
    const seconds = (performance.now() - t0) / 1000;
    if (run.status !== 0) throw new Error(`gpmetis failed: ${run.stderr || run.stdout}`);
    const parts = fs.readFileSync(`${file}.part.${k}`, "utf8").trim().split("\n").map(Number);
    return { part: Int32Array.from(parts), seconds };
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

/**
 * The baseline's repair, written to do its job: as long as some move helps, move the single boundary unit to the
 * neighbouring part that most reduces the total households out of band (ties: the smaller increase of cut
 * length), never emptying a part or breaking its contiguity.
 */
export function greedyBandRepair(g: CommunityGraph, part: Int32Array, k: number): Int32Array {
  const p = Int32Array.from(part);
  const hh = new Float64Array(k);
  const size = new Int32Array(k);
  for (let u = 0; u < g.n; u++) {
    hh[p[u]!]! += g.hh[u]!;
    size[p[u]!]!++;
  }
  const dev = (x: number) => bandDeviation(x, g.band);
  const stillConnected = (s: number, without: number) => components(g, (v) => p[v] === s && v !== without).length === 1;
  for (let iteration = 0; iteration < 10 * g.n; iteration++) {
    let best: { u: number; t: number; gain: number; cut: number } | null = null;
    for (let u = 0; u < g.n; u++) {
      const s = p[u]!;
      if (size[s]! <= 1) continue;
      const h = g.hh[u]!;
      if (h === 0) continue;
      const shared = new Map<number, number>();
      let inside = 0;
      for (let e = g.xadj[u]!; e < g.xadj[u + 1]!; e++) {
        const t = p[g.adj[e]!]!;
        if (t === s) inside += g.len_m[e]!;
        else shared.set(t, (shared.get(t) ?? 0) + g.len_m[e]!);
      }
      for (const [t, len] of shared) {
        const gain = dev(hh[s]!) + dev(hh[t]!) - dev(hh[s]! - h) - dev(hh[t]! + h);
        if (gain <= 0) continue;
        const cut = inside - len;
        if (best && (gain < best.gain || (gain === best.gain && cut >= best.cut))) continue;
        if (!stillConnected(s, u)) continue;
        best = { u, t, gain, cut };
      }
    }
    if (!best) break;
    const s = p[best.u]!;
    hh[s]! -= g.hh[best.u]!;
    size[s]!--;
    hh[best.t]! += g.hh[best.u]!;
    size[best.t]!++;
    p[best.u] = best.t;
  }
  return p;
}

/** Whether gpmetis is installed (Debian: apt-get install metis). */
export function hasGpmetis(): boolean {
  return spawnSync("sh", ["-c", "command -v gpmetis"], { stdio: "ignore" }).status === 0;
}
