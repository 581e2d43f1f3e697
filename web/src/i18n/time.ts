import type { Lang } from "./lang.ts";

/**
 * The subdistrict's time zone, in which every time is shown, whatever zone the browser runs in; the server names it
 * with the session (`time_zone`). Until then, and on a phone working offline, China's one zone.
 */
let zone = "Asia/Shanghai";

/** Sets the zone times are shown in; a name the browser does not know is ignored (it keeps the one it had). */
export function setTimeZone(name: string): void {
  try {
    new Intl.DateTimeFormat("en", { timeZone: name });
    zone = name;
  } catch {
    // An unknown zone: keep the last good one rather than show browser-local times unnamed.
  }
}

export function timeZone(): string {
  return zone;
}

/** What a person calls the zone: 北京时间 / Beijing time for China's, else its IANA name. */
export function zoneName(lang: Lang): string {
  if (["Asia/Shanghai", "Asia/Chongqing", "Asia/Harbin", "Asia/Urumqi", "PRC"].includes(zone)) {
    return lang === "zh" ? "北京时间" : "Beijing time";
  }
  return zone;
}

function parts(at: string | Date, withDate: boolean, withTime: boolean): Record<string, string> {
  const f = new Intl.DateTimeFormat("en-GB", {
    timeZone: zone,
    hourCycle: "h23",
    ...(withDate ? { year: "numeric", month: "2-digit", day: "2-digit" } : {}),
    ...(withTime ? { hour: "2-digit", minute: "2-digit" } : {}),
  });
  return Object.fromEntries(f.formatToParts(new Date(at)).map((p) => [p.type, p.value]));
}

/**
 * A moment as "2026-12-07 16:35", in the subdistrict's zone; `zoned` adds which zone ("2026-12-07 16:35 北京时间").
 * One shape in both languages, the one the hazard lists and exports already use.
 */
export function formatDateTime(lang: Lang, at: string | Date, zoned = true): string {
  const p = parts(at, true, true);
  const text = `${p.year}-${p.month}-${p.day} ${p.hour}:${p.minute}`;
  return zoned ? `${text} ${zoneName(lang)}` : text;
}

/** A moment's time of day ("16:35"), in the subdistrict's zone; `zoned` adds which. */
export function formatTime(lang: Lang, at: string | Date, zoned = false): string {
  const p = parts(at, false, true);
  return zoned ? `${p.hour}:${p.minute} ${zoneName(lang)}` : `${p.hour}:${p.minute}`;
}

/** A moment's day ("2026-12-07"), as the subdistrict counts days. */
export function formatDate(at: string | Date): string {
  const p = parts(at, true, false);
  return `${p.year}-${p.month}-${p.day}`;
}

/** Today in the subdistrict, for forms that default to it. */
export const today = (): string => formatDate(new Date());

/** A local wall time from a `datetime-local` input, read in the subdistrict's zone, as an instant (ISO, UTC). */
export function zonedInstant(local: string): string {
  // Guess the instant as if the wall time were UTC, then correct by the zone's offset at that instant (twice, for
  // the rare wall time next to an offset change).
  const wall = Date.parse(local.length === 16 ? `${local}:00Z` : `${local}Z`);
  let guess = wall;
  for (let i = 0; i < 2; i++) {
    const p = parts(new Date(guess), true, true);
    const seen = Date.parse(`${p.year}-${p.month}-${p.day}T${p.hour}:${p.minute}:00Z`);
    guess += wall - seen;
  }
  return new Date(guess).toISOString();
}
