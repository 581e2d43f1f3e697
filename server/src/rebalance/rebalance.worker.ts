import { parentPort, workerData } from "node:worker_threads";
import { type RebalanceProgress, rebalance, rebalanceToLimit } from "./rebalance.engine.ts";
import type { WorkerJob, WorkerMessage } from "./rebalance.run.ts";

const port = parentPort;
if (!port) throw new Error("rebalance.worker.ts runs only as a worker thread (see runRebalanceInWorker)");
const job = workerData as WorkerJob;
const onProgress = (progress: RebalanceProgress) =>
  port.postMessage({ type: "progress", progress } satisfies WorkerMessage);
const stop = job.stop ? new Int32Array(job.stop) : null;
const outcome = job.limit
  ? await rebalanceToLimit(
      job.input,
      { ...job.limit, ...(stop ? { shouldStop: () => Atomics.load(stop, 0) === 1 } : {}) },
      onProgress,
    )
  : rebalance(job.input, onProgress);
port.postMessage({ type: "outcome", outcome } satisfies WorkerMessage);
