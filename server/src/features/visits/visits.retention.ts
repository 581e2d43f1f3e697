import { sql } from "kysely";
import type { Db } from "../../db/db.ts";

/** What a run of the retention job did: the first day whose visits keep their details, and how many were rolled up. */
export type RetentionRun = { kept_from: string; rolled_up: number };

/**
 * The retention of visit details (docs/privacy.md): visits of the months that ended more than `months` months
 * before `now` (in Tongliao's calendar) become monthly counts per place and worker and are deleted, in one
 * transaction (`roll_up_visits`, R__visits.sql). Safe to repeat; `now` is injected so that tests move the clock.
 */
export async function rollUpVisits(db: Db, now: Date, months: number): Promise<RetentionRun> {
  const r = await sql<RetentionRun>`
    with k as (
      select date_trunc('month',
        (${now.toISOString()}::timestamptz at time zone 'Asia/Shanghai')::date - make_interval(months => ${months}))::date
        as kept_from
    )
    select k.kept_from::text as kept_from, roll_up_visits(k.kept_from) as rolled_up from k`.execute(db);
  return r.rows[0]!;
}
