import { describe, expect, it } from "vitest";
import { ACCOUNT, ADDRESS, PAIR, SignInThrottle } from "./throttle.ts";

const T0 = 1_800_000_000_000;

describe("sign-in throttling", () => {
  it("holds back one address for one account after 5 failures, not the same account from elsewhere", () => {
    const t = new SignInThrottle();
    for (let i = 0; i < PAIR.limit; i++) t.fail("worker-3", "10.0.0.1", T0 + i);
    const held = t.check("worker-3", "10.0.0.1", T0 + 10);
    expect(held.allowed).toBe(false);
    expect(held.allowed === false && held.retryAfterSeconds).toBe(Math.ceil((PAIR.windowMs - 10) / 1000));
    expect(t.check("worker-3", "10.0.0.2", T0 + 10)).toEqual({ allowed: true });
    expect(t.check("worker-4", "10.0.0.1", T0 + 10)).toEqual({ allowed: true });
    expect(t.check("worker-3", "10.0.0.1", T0 + PAIR.windowMs + 1)).toEqual({ allowed: true });
  });

  it("answers an unknown username exactly like a known one", () => {
    const t = new SignInThrottle();
    for (let i = 0; i < PAIR.limit; i++) {
      t.fail("worker-3", "10.0.0.1", T0);
      t.fail("no-such-user", "10.0.0.1", T0);
    }
    expect(t.check("no-such-user", "10.0.0.1", T0 + 5)).toEqual(t.check("worker-3", "10.0.0.1", T0 + 5));
  });

  it("slows guessing from many addresses with a doubling back-off of at most a minute", () => {
    const t = new SignInThrottle();
    for (let i = 0; i < ACCOUNT.free; i++) t.fail("worker-3", `10.0.1.${i}`, T0);
    expect(t.check("worker-3", "10.9.9.9", T0)).toEqual({ allowed: false, retryAfterSeconds: 1 });
    expect(t.check("worker-3", "10.9.9.9", T0 + 1000)).toEqual({ allowed: true });
    for (let i = 0; i < 10; i++) t.fail("worker-3", `10.0.2.${i}`, T0 + 1000);
    expect(t.check("worker-3", "10.9.9.9", T0 + 1000)).toEqual({ allowed: false, retryAfterSeconds: 60 });
  });

  it("stops one address spraying many usernames", () => {
    const t = new SignInThrottle();
    for (let i = 0; i < ADDRESS.limit; i++) t.fail(`worker-${i}`, "10.0.0.7", T0);
    expect(t.check("worker-999", "10.0.0.7", T0).allowed).toBe(false);
    expect(t.check("worker-999", "10.0.0.8", T0).allowed).toBe(true);
  });

  it("is not reset by a success: 36 failures with a success after every 12 still throttle", () => {
    const t = new SignInThrottle();
    let throttled = 0;
    for (let i = 0; i < 36; i++) {
      const at = T0 + i * 1000;
      if (!t.check(`user-${i % 12}`, "10.0.0.9", at).allowed) throttled++;
      else t.fail(`user-${i % 12}`, "10.0.0.9", at);
      // A good sign-in every 12 failures: nothing to record, nothing cleared.
    }
    expect(throttled).toBeGreaterThan(0);
  });
});
