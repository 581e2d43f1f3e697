import fs from "node:fs";
import { createRequire } from "node:module";
import path from "node:path";
import { pathToFileURL } from "node:url";
import { Worker } from "node:worker_threads";
import type { RebalanceOutcome, RebalanceProgress } from "./rebalance.engine.ts";
import type { RebalanceInput } from "./rebalance.input.ts";

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
): Promise<RebalanceOutcome> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) {
      reject(signal.reason);
      return;
    }
    const worker = startWorker(input);
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
function startWorker(input: RebalanceInput): Worker {
  const entry = new URL("./rebalance.worker.ts", import.meta.url).href;
  const code = `import(${JSON.stringify(tsxApiUrl())}).then((tsx) => { tsx.register(); return import(${JSON.stringify(entry)}); });`;
  return new Worker(code, { eval: true, workerData: input });
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
