import loadHighs from "highs";

type Highs = Awaited<ReturnType<typeof loadHighs>>;

let loading: Promise<Highs> | undefined;

/** The HiGHS WebAssembly solver, loaded once per thread (about 3 MB of wasm, a few hundred milliseconds). */
export function highsSolver(): Promise<Highs> {
  loading ??= loadHighs();
  return loading;
}

/** A 0/1 program: minimise cost·x subject to rowLower ≤ A·x ≤ rowUpper, columns given as lists of row indexes. */
export interface BinaryProgram {
  cost: Float64Array;
  /** Rows of each column, coefficient 1 unless `values` says otherwise. */
  columns: readonly Int32Array[];
  values?: readonly Float64Array[];
  rowLower: Float64Array;
  rowUpper: Float64Array;
  /** Columns that must stay 0/1; the others are continuous in [0, 1]. Default: all integral. */
  integral?: Uint8Array;
  /** A known feasible point to start from (the fast answer). */
  start?: Float64Array;
  time_limit_s: number;
  /** Stop once the best solution is within this of the proven bound (0.999 for integral objectives). */
  abs_gap?: number;
  /** HiGHS's presolve (default on). It does not watch the clock: see the bound's regions of many groups. */
  presolve?: boolean;
}

export interface BinaryResult {
  /** Optimal, or stopped by the time limit with a solution. */
  status: "optimal" | "time_limit" | "infeasible" | "other";
  x: Float64Array | null;
  objective: number;
  /** The best proven lower bound on the objective (the optimum when status is optimal). */
  bound: number;
}

/** Solves a {@link BinaryProgram} with HiGHS (single thread, synchronous once loaded). */
export function solveBinary(highs: Highs, program: BinaryProgram): BinaryResult {
  const numCols = program.cost.length;
  const numRows = program.rowLower.length;
  const starts = new Int32Array(numCols + 1);
  for (let j = 0; j < numCols; j++) starts[j + 1] = starts[j]! + program.columns[j]!.length;
  const indices = new Int32Array(starts[numCols]!);
  const values = new Float64Array(starts[numCols]!);
  for (let j = 0; j < numCols; j++) {
    indices.set(program.columns[j]!, starts[j]!);
    if (program.values) values.set(program.values[j]!, starts[j]!);
    else values.fill(1, starts[j]!, starts[j + 1]!);
  }
  const model = highs.createModel({
    numCols,
    numRows,
    colCost: program.cost,
    colLower: new Float64Array(numCols),
    colUpper: new Float64Array(numCols).fill(1),
    rowLower: program.rowLower,
    rowUpper: program.rowUpper,
    matrix: { format: "csc", numRows, numCols, starts, indices, values },
    integrality: Int32Array.from({ length: numCols }, (_, j) => (program.integral ? program.integral[j]! : 1)),
  });
  try {
    model.options.set({
      output_flag: false,
      time_limit: Math.max(0.05, program.time_limit_s),
      mip_rel_gap: 0,
      mip_abs_gap: program.abs_gap ?? 1e-7,
      random_seed: 1,
      presolve: program.presolve === false ? "off" : "choose",
    });
    if (program.start) model.setSolution({ colValue: program.start });
    const run = model.run();
    const status =
      run.modelStatus === 7
        ? "optimal"
        : run.modelStatus === 8
          ? "infeasible"
          : run.modelStatus === 13
            ? "time_limit"
            : "other";
    const primal = Number(model.info.get("primal_solution_status"));
    const x = primal === 2 ? Float64Array.from(model.getSolution().colValue) : null;
    const dual = Number(model.info.get("mip_dual_bound"));
    const objective = x ? model.getObjectiveValue() : Number.POSITIVE_INFINITY;
    return { status, x, objective, bound: status === "optimal" ? objective : dual };
  } finally {
    model.dispose();
  }
}
