/** Calendar dates as YYYY-MM-DD strings, computed in UTC so that no machine's time zone shifts a day. */
export function addDays(date: string, days: number): string {
  const d = new Date(`${date}T00:00:00Z`);
  d.setUTCDate(d.getUTCDate() + days);
  return d.toISOString().slice(0, 10);
}

/** 0 = Sunday … 6 = Saturday. */
export function weekday(date: string): number {
  return new Date(`${date}T00:00:00Z`).getUTCDay();
}

/** A local (China Standard Time) timestamp on `date`, `minutes` after midnight, with its +08:00 offset. */
export function cstTimestamp(date: string, minutes: number): string {
  const h = String(Math.floor(minutes / 60)).padStart(2, "0");
  const m = String(Math.floor(minutes % 60)).padStart(2, "0");
  return `${date}T${h}:${m}:00+08:00`;
}
