import { afterEach, describe, expect, it, vi } from "vitest";
import { schedule } from "./jobs.ts";

afterEach(() => {
  vi.useRealTimers();
});

describe("schedule", () => {
  it("runs at once and then every period, skips a tick while a run is going, survives a failure, and stops", async () => {
    vi.useFakeTimers();
    const runs: number[] = [];
    const failures: string[] = [];
    let release: () => void = () => {};
    let n = 0;
    const stop = schedule(
      "test",
      1000,
      async () => {
        n++;
        runs.push(Date.now());
        if (n === 2) throw new Error("boom");
        if (n === 3) await new Promise<void>((r) => (release = r));
      },
      (msg) => failures.push(msg),
    );
    await vi.advanceTimersByTimeAsync(0);
    expect(n).toBe(1);
    await vi.advanceTimersByTimeAsync(1000);
    expect(n).toBe(2);
    expect(failures).toEqual(["scheduled job test failed"]);
    await vi.advanceTimersByTimeAsync(1000);
    expect(n).toBe(3);
    // Run 3 is still going: the next two ticks are skipped.
    await vi.advanceTimersByTimeAsync(2000);
    expect(n).toBe(3);
    release();
    await vi.advanceTimersByTimeAsync(1000);
    expect(n).toBe(4);
    stop();
    await vi.advanceTimersByTimeAsync(5000);
    expect(n).toBe(4);
  });
});
