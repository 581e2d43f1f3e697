/**
 * How often sign-in may be tried, after OWASP's Authentication Cheat Sheet ("account lockout" and "throttling"):
 * - per account and client address: 5 failures in 15 minutes hold that address back for that account until the
 *   oldest failure leaves the window; the real user signing in from elsewhere is not affected;
 * - per account from anywhere, slower: past 20 failures in an hour, each further attempt waits twice as long as
 *   the last after the latest failure (1 s, 2 s, 4 s … at most 60 s), so guessing from many addresses slows to a
 *   crawl while the real user is only ever held back a minute;
 * - per client address, across usernames (spraying one password over many accounts): 30 failures in 10 minutes.
 * A success clears nothing: the failures age out of their windows. The typed username is the key whether or not
 * it names an account, so throttling answers alike for both and tells nobody which usernames exist. Kept in memory
 * only (never stored, so a password typed into the username box is not kept); a restart forgets it.
 */
export const PAIR = { limit: 5, windowMs: 15 * 60_000 };
export const ACCOUNT = { free: 20, windowMs: 60 * 60_000, maxDelayMs: 60_000 };
export const ADDRESS = { limit: 30, windowMs: 10 * 60_000 };
/** Keys held at most; past it the least recently failed are forgotten (memory stays bounded under a flood). */
const MAX_KEYS = 100_000;

export type Verdict = { allowed: true } | { allowed: false; retryAfterSeconds: number };

export class SignInThrottle {
  readonly #failures = new Map<string, number[]>();

  #recent(key: string, windowMs: number, now: number): number[] {
    return (this.#failures.get(key) ?? []).filter((t) => now - t < windowMs);
  }

  /** Whether an attempt for this username from this address may be checked now, or how long to wait. */
  check(username: string, address: string, now = Date.now()): Verdict {
    const waits: number[] = [];
    const pair = this.#recent(`p:${address}:${username}`, PAIR.windowMs, now);
    if (pair.length >= PAIR.limit) waits.push(pair[pair.length - PAIR.limit]! + PAIR.windowMs - now);
    const account = this.#recent(`a:${username}`, ACCOUNT.windowMs, now);
    if (account.length >= ACCOUNT.free) {
      const delay = Math.min(1000 * 2 ** (account.length - ACCOUNT.free), ACCOUNT.maxDelayMs);
      waits.push(account.at(-1)! + delay - now);
    }
    const spray = this.#recent(`i:${address}`, ADDRESS.windowMs, now);
    if (spray.length >= ADDRESS.limit) waits.push(spray[spray.length - ADDRESS.limit]! + ADDRESS.windowMs - now);
    const wait = Math.max(0, ...waits);
    return wait > 0 ? { allowed: false, retryAfterSeconds: Math.ceil(wait / 1000) } : { allowed: true };
  }

  /** Counts a failed attempt against the pair, the account and the address. */
  fail(username: string, address: string, now = Date.now()): void {
    for (const [key, windowMs] of [
      [`p:${address}:${username}`, PAIR.windowMs],
      [`a:${username}`, ACCOUNT.windowMs],
      [`i:${address}`, ADDRESS.windowMs],
    ] as const) {
      const kept = this.#recent(key, windowMs, now);
      kept.push(now);
      this.#failures.delete(key);
      this.#failures.set(key, kept);
    }
    while (this.#failures.size > MAX_KEYS) this.#failures.delete(this.#failures.keys().next().value!);
  }
}
