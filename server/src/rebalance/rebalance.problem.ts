import type { CommunityGraph } from "./rebalance.graph.ts";
import type { RebalanceMode } from "./rebalance.input.ts";

/** One community to solve: its graph, its current grids (slot i is currentIds[i]) and the locks. */
export interface CommunityProblem {
  g: CommunityGraph;
  /** Input ids of each local unit, dense building index and dense compound index, for explanations. */
  unitIds: readonly string[];
  buildingIds: readonly string[];
  compoundIds: readonly string[];
  /** The name of each dense compound index, its id when the input names none. */
  compoundNames: readonly string[];
  mode: RebalanceMode;
  currentIds: readonly string[];
  /** Slot of each unit's current grid, -1 when it has none. */
  orig: Int32Array;
  lockedUnit: Uint8Array;
  lockedSlots: ReadonlySet<number>;
  /** Requested number of grids, locked ones included. */
  grids: number | undefined;
  seed: number;
}

/** The (unlocked) grids whose locked units lie in the given units. */
export function anchoredSlots(problem: CommunityProblem, units: readonly number[]): Set<number> {
  const { orig, lockedUnit, lockedSlots } = problem;
  const out = new Set<number>();
  for (const u of units) if (lockedUnit[u] && orig[u]! >= 0 && !lockedSlots.has(orig[u]!)) out.add(orig[u]!);
  return out;
}
