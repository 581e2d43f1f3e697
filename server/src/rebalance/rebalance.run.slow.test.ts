import { describe, expect, it } from "vitest";
import { type RebalanceProgress, rebalance } from "./rebalance.engine.ts";
import { runRebalanceInWorker } from "./rebalance.run.ts";
import { syntheticUnits } from "./rebalance.synthetic.ts";

// Each test starts a worker thread that loads the engine through tsx: seconds, and far more under load.
describe("the rebalancer in a worker thread", () => {
  const units = syntheticUnits({ seed: 21, households: [900, 700] });

  it("returns what the engine returns in the calling thread, reporting progress", async () => {
    const progress: RebalanceProgress[] = [];
    const outcome = await runRebalanceInWorker({ units, mode: "full", seed: 2 }, (p) => progress.push(p));
    const direct = rebalance({ units, mode: "full", seed: 2 });
    if (!outcome.ok || !direct.ok) throw new Error("refused");
    expect(outcome.result.assignment).toEqual(direct.result.assignment);
    expect(progress.map((p) => p.stage)).toEqual(["adjacency", "solve", "solve", "done"]);
    expect(progress.at(-1)).toMatchObject({ done: 2, total: 2 });
  });

  it("returns input problems as values", async () => {
    const outcome = await runRebalanceInWorker({ units: [{ ...units[0]!, households: -1 }] });
    expect(outcome.ok).toBe(false);
  });

  it("stops when aborted", async () => {
    const controller = new AbortController();
    const run = runRebalanceInWorker({ units }, undefined, controller.signal);
    controller.abort(new Error("cancelled by the planner"));
    await expect(run).rejects.toThrow("cancelled by the planner");
  });
});
