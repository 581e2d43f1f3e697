import { describeRebalanceProperties } from "../../test-support/rebalance-properties.ts";

// The full runs of the properties whose first cases rebalance.property.test.ts runs (locked: about a second each).
describeRebalanceProperties({ small: 300, infeasible: 60, locked: 12, seeds: 6 });
