import type pg from "pg";

/** One database connection, as pg.Client has it; the server adapts a Kysely connection to it. */
export interface SqlClient {
  query<R extends pg.QueryResultRow = Record<string, unknown>>(
    text: string,
    values?: unknown[],
  ): Promise<{ rows: R[]; rowCount: number | null }>;
}
