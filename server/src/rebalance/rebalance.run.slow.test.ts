import { describe, expect, it } from "vitest";
import { type RebalanceProgress, rebalance } from "./rebalance.engine.ts";
import { runCommunitiesInParallel, runRebalanceInWorker } from "./rebalance.run.ts";
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

  it("runs the communities of a subdistrict to the limit in parallel workers, and stops on the flag keeping the best", async () => {
    const stop = new SharedArrayBuffer(4);
    const progress: RebalanceProgress[] = [];
    const run = runCommunitiesInParallel({ units, seed: 2 }, { budget_ms: 60_000, stop }, (p) => progress.push(p), 2);
    setTimeout(() => Atomics.store(new Int32Array(stop), 0, 1), 200);
    const outcome = await run;
    if (!outcome.ok) throw new Error("refused");
    expect(Object.keys(outcome.result.assignment).sort()).toEqual(units.map((u) => u.id).sort());
    expect(outcome.result.communities).toHaveLength(2);
    expect(outcome.result.metrics.non_contiguous).toBe(0);
    expect(
      outcome.result.communities.every((c) => c.limit?.status === "stopped" || c.limit?.status === "skipped"),
    ).toBe(true);
    expect(outcome.result.metrics.seconds).toBeLessThan(50);
    expect(progress.at(-1)).toMatchObject({ stage: "done", done: 2, total: 2 });
  });
});
