import pg from "pg";

/**
 * A checksum per table of the public schema: the md5 of every row's text, in a stable order. Two databases with
 * equal checksums hold the same rows; one database with the same checksums before and after a request was not
 * changed by it.
 */
export async function tableChecksums(databaseUrl: string, except: string[] = []): Promise<Record<string, string>> {
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    const tables = await client.query<{ name: string }>(
      `select table_name as name from information_schema.tables
       where table_schema = 'public' and table_type = 'BASE TABLE' and table_name <> 'spatial_ref_sys'
       order by table_name`,
    );
    const out: Record<string, string> = {};
    for (const { name } of tables.rows) {
      if (except.includes(name)) continue;
      const r = await client.query<{ n: string; sum: string | null }>(
        `select count(*)::text as n, md5(string_agg(t::text, '|' order by t::text)) as sum from "${name}" t`,
      );
      out[name] = `${r.rows[0]?.n}:${r.rows[0]?.sum ?? "-"}`;
    }
    return out;
  } finally {
    await client.end();
  }
}

/**
 * A cheap, exact change detector for one database: per table, the row count and the newest row version (xmin).
 * Any insert or update writes a row version newer than all others, any delete lowers the count; so equal
 * results before and after mean nothing was written. Far cheaper than hashing every row.
 */
export async function tableVersions(client: pg.Client, except: string[] = []): Promise<Record<string, string>> {
  const tables = await client.query<{ name: string }>(
    `select table_name as name from information_schema.tables
     where table_schema = 'public' and table_type = 'BASE TABLE' and table_name <> 'spatial_ref_sys'
     order by table_name`,
  );
  const names = tables.rows.map((t) => t.name).filter((n) => !except.includes(n));
  const r = await client.query<{ name: string; v: string }>(
    names
      .map((n) => `select '${n}' as name, count(*) || ':' || coalesce(max(xmin::text::bigint), 0) as v from "${n}"`)
      .join(" union all "),
  );
  return Object.fromEntries(r.rows.map((row) => [row.name, row.v]));
}
