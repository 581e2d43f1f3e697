import setupTemplate from "@gridatlas/server/test-support/global-setup.ts";
import { createTestDatabase, type TestDatabase } from "@gridatlas/server/test-support/test-database.ts";

/** A scratch copy of the demo (migrated, loaded, demo accounts) for one benchmark, dropped by the caller. */
export async function scratchDatabase(label: string): Promise<TestDatabase> {
  await setupTemplate();
  return createTestDatabase(label);
}

export function percentile(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? Number.NaN;
}

export const ms = (n: number) => `${n.toFixed(1)} ms`;

export function machine(): string {
  return `${process.platform} ${process.arch}, Node ${process.version}, ${new Date().toISOString().slice(0, 10)}`;
}
