import pg from "pg";
import type { SqlClient } from "../db.ts";
import type { PlanProposer } from "./import.propose.ts";

/** The figures of the territory every import reports (the OpenStreetMap import adds its venues and cameras). */
export interface ImportSummary {
  communities: number;
  roads: number;
  buildings: number;
  entrances: number;
  parcels: number;
  households: number;
  households_estimated: number;
  grids: number;
  out_of_band_grids: number;
}

export interface ImportProgress {
  step: number;
  steps: number;
  label: string;
}

/** What the caller of an import (the CLI, the server's import job) hears and adds; `S` is the import's summary. */
export interface ImportHooks<S> {
  proposePlan: PlanProposer;
  /** Runs inside the import's transaction just before it commits (the server writes its audit record here). */
  beforeCommit?: (client: SqlClient, summary: S) => Promise<void>;
  log?: (msg: string) => void;
  onProgress?: (p: ImportProgress) => void;
}

export type Step = <T>(fn: () => Promise<T>) => Promise<T>;

/** Runs `work` on a connection of its own to `databaseUrl`, closed afterwards whatever happens. */
export async function withConnection<T>(
  databaseUrl: string,
  log: ((msg: string) => void) | undefined,
  work: (client: SqlClient) => Promise<T>,
): Promise<T> {
  const client = new pg.Client({ connectionString: databaseUrl });
  client.on("error", (err) => log?.(`database connection lost: ${err.message}`));
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}

/**
 * The steps of an import, one call a step in the order of `labels`: each reports its progress before it runs and
 * logs its time after.
 */
export function stepper(
  labels: readonly string[],
  log: (msg: string) => void,
  onProgress: ((p: ImportProgress) => void) | undefined,
): Step {
  let stepNo = 0;
  return async <T>(fn: () => Promise<T>): Promise<T> => {
    const label = labels[stepNo]!;
    onProgress?.({ step: stepNo, steps: labels.length, label });
    stepNo++;
    const t = performance.now();
    const out = await fn();
    log(`${label} (${Math.round(performance.now() - t)} ms)`);
    return out;
  };
}

/**
 * Runs `work` in one transaction on `client` (all or nothing), with JIT off: PostGIS cost estimates make the
 * planner JIT-compile short statements, which then take seconds.
 */
export async function inTransaction<T>(client: SqlClient, work: () => Promise<T>): Promise<T> {
  await client.query("begin");
  try {
    await client.query("set local jit = off");
    const out = await work();
    await client.query("commit");
    return out;
  } catch (err) {
    await client.query("rollback");
    throw err;
  }
}
