import { parentPort, workerData } from "node:worker_threads";
import { rebalance } from "./rebalance.engine.ts";
import type { RebalanceInput } from "./rebalance.input.ts";
import type { WorkerMessage } from "./rebalance.run.ts";

const port = parentPort;
if (!port) throw new Error("rebalance.worker.ts runs only as a worker thread (see runRebalanceInWorker)");
const outcome = rebalance(workerData as RebalanceInput, (progress) => {
  port.postMessage({ type: "progress", progress } satisfies WorkerMessage);
});
port.postMessage({ type: "outcome", outcome } satisfies WorkerMessage);
