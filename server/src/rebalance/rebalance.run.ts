import fs from "node:fs";
import { createRequire } from "node:module";
import os from "node:os";
import path from "node:path";
import { pathToFileURL } from "node:url";
import { Worker } from "node:worker_threads";
import {
  type LimitSettings,
  type RebalanceOutcome,
  type RebalanceProgress,
  type RebalanceResult,
  sumMetrics,
} from "./rebalance.engine.ts";
import type { RebalanceInput } from "./rebalance.input.ts";

/** What a worker is given: the input, and for the search to the limit its settings and a shared stop flag. */
export interface WorkerJob {
  input: RebalanceInput;
  limit?: Omit<LimitSettings, "shouldStop">;
  /** Int32 cell 0 set to 1 (Atomics) asks the search to stop and keep its best so far. */
  stop?: SharedArrayBuffer;
}

/** What the worker posts back: progress while it works, then the outcome once. */
export type WorkerMessage =
  | { type: "progress"; progress: RebalanceProgress }
  | { type: "outcome"; outcome: RebalanceOutcome };

/**
 * Runs the rebalancer in a worker thread so that the server keeps answering meanwhile. One worker per run, which
 * loads the TypeScript sources through tsx (a few hundred milliseconds next to seconds of search). Aborting the
 * signal terminates the worker and rejects with the signal's reason.
 */
export function runRebalanceInWorker(
  input: RebalanceInput,
  onProgress?: (progress: RebalanceProgress) => void,
  signal?: AbortSignal,
  limit?: WorkerJob["limit"] & { stop?: SharedArrayBuffer },
): Promise<RebalanceOutcome> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) {
      reject(signal.reason);
      return;
    }
    const { stop, ...settings } = limit ?? {};
    const worker = startWorker({ input, ...(limit ? { limit: settings } : {}), ...(stop ? { stop } : {}) });
    let settled = false;
    const finish = (fn: () => void) => {
      if (settled) return;
      settled = true;
      signal?.removeEventListener("abort", abort);
      fn();
    };
    const abort = () => {
      finish(() => reject(signal?.reason));
      void worker.terminate();
    };
    signal?.addEventListener("abort", abort, { once: true });
    worker.on("message", (message: WorkerMessage) => {
      if (message.type === "progress") onProgress?.(message.progress);
      else {
        finish(() => resolve(message.outcome));
        void worker.terminate();
      }
    });
    worker.on("error", (err) => finish(() => reject(err)));
    worker.on("exit", (code) => {
      finish(() => reject(new Error(`the rebalance worker stopped (exit ${code}) before it answered`)));
    });
  });
}

/**
 * Node 20 does not apply `--import tsx` from a worker's execArgv to the worker's own entry point, so the worker
 * starts as a line of JavaScript that registers tsx's loader and then imports rebalance.worker.ts.
 */
function startWorker(job: WorkerJob): Worker {
  const entry = new URL("./rebalance.worker.ts", import.meta.url).href;
  const code = `import(${JSON.stringify(tsxApiUrl())}).then((tsx) => { tsx.register(); return import(${JSON.stringify(entry)}); });`;
  return new Worker(code, { eval: true, workerData: job });
}

let tsxApi: string | undefined;

/** tsx's ESM API, found through its package.json so that it resolves the same under tsx, vitest and plain node. */
function tsxApiUrl(): string {
  if (!tsxApi) {
    const manifest = createRequire(import.meta.url).resolve("tsx/package.json");
    const exports = JSON.parse(fs.readFileSync(manifest, "utf8")).exports as Record<
      string,
      { import: { default: string } }
    >;
    tsxApi = pathToFileURL(path.join(path.dirname(manifest), exports["./esm/api"]!.import.default)).href;
  }
  return tsxApi;
}

/**
 * A whole subdistrict to the limit: its communities split among worker threads (as many as the machine has
 * cores, at most one per community), each community searched within the budget, the results joined as one.
 * Progress counts finished communities. `stop` (Int32 cell 0 set to 1) ends every worker's search, keeping the
 * best so far.
 */
export async function runCommunitiesInParallel(
  input: RebalanceInput,
  limit: WorkerJob["limit"] & { stop?: SharedArrayBuffer },
  onProgress?: (progress: RebalanceProgress) => void,
  threads = Math.max(1, os.availableParallelism()),
): Promise<RebalanceOutcome> {
  const t0 = performance.now();
  const keys = [
    ...new Set(input.units.map((u) => (u.community === null || u.community === undefined ? "" : String(u.community)))),
  ].sort();
  if (keys.length < 2) return runRebalanceInWorker(input, onProgress, undefined, limit);
  const parts = keys.map((key) => {
    const units = input.units.filter((u) => String(u.community ?? "") === key);
    const ids = new Set(units.map((u) => String(u.id)));
    const grids = new Set(units.flatMap((u) => (u.grid === null || u.grid === undefined ? [] : [String(u.grid)])));
    return {
      ...input,
      units,
      ...(input.edges ? { edges: input.edges.filter((e) => ids.has(String(e.a)) && ids.has(String(e.b))) } : {}),
      ...(input.locked_grids ? { locked_grids: input.locked_grids.filter((g) => grids.has(String(g))) } : {}),
    } satisfies RebalanceInput;
  });
  const outcomes: RebalanceOutcome[] = new Array(parts.length);
  let next = 0;
  let done = 0;
  const total = parts.length;
  const lane = async () => {
    while (next < parts.length) {
      const i = next++;
      outcomes[i] = await runRebalanceInWorker(parts[i]!, undefined, undefined, limit);
      done++;
      onProgress?.({ stage: "solve", community: keys[i] || null, done, total });
    }
  };
  await Promise.all(Array.from({ length: Math.min(threads, parts.length) }, lane));
  const problems = outcomes.flatMap((o) => (o.ok ? [] : o.problems));
  if (problems.length) return { ok: false, problems };
  const results = outcomes.map((o) => (o as { ok: true; result: RebalanceResult }).result);
  const metrics = sumMetrics(results.map((r) => r.metrics));
  metrics.seconds = (performance.now() - t0) / 1000;
  onProgress?.({ stage: "done", community: null, done: total, total });
  return {
    ok: true,
    result: {
      mode: results[0]!.mode,
      seed: results[0]!.seed,
      assignment: Object.assign({}, ...results.map((r) => r.assignment)),
      grids: results.flatMap((r) => r.grids),
      metrics,
      communities: results.flatMap((r) => r.communities),
      explanations: results.flatMap((r) => r.explanations),
      violations: results.flatMap((r) => r.violations),
    },
  };
}
