import type { PlanProposer } from "@gridatlas/geodata/osm/import.ts";
import { rebalance } from "../../rebalance/rebalance.engine.ts";
import { runRebalanceInWorker } from "../../rebalance/rebalance.run.ts";

/**
 * The OpenStreetMap importer's plan proposer: the rebalancer in full mode over the parcels and their adjacency.
 * In the server it runs in a worker thread so that the server keeps answering; the CLI runs it in line.
 * The rebalancer is an engine with no routes, used here as the plans feature uses it.
 */
export function proposeWithRebalancer(inWorker: boolean): PlanProposer {
  return async (input) => {
    const outcome = inWorker ? await runRebalanceInWorker(input) : rebalance(input);
    if (!outcome.ok) {
      const first = outcome.problems[0];
      throw new Error(
        `the rebalancer refused the parcels: ${first?.en ?? "invalid input"} / 自动划分拒绝了地块：${first?.zh ?? "输入无效"}`,
      );
    }
    const { assignment, explanations } = outcome.result;
    return { assignment, notes: explanations.map((e) => `${e.en} / ${e.zh}`) };
  };
}
