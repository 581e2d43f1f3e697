import { coveredValue } from "../src/features/cameras/coverage.suggest.ts";

/** The best value of any k of the sets, by trying every combination: the exact optimum for small cases. */
export function bruteForce(sets: readonly (readonly number[])[], weights: readonly number[], k: number): number {
  let best = 0;
  const pick: number[] = [];
  const walk = (from: number) => {
    if (pick.length === k || from === sets.length) {
      best = Math.max(best, coveredValue(sets, weights, pick));
      return;
    }
    for (let j = from; j < sets.length; j++) {
      pick.push(j);
      walk(j + 1);
      pick.pop();
    }
  };
  walk(0);
  return best;
}
