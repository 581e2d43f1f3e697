import fs from "node:fs";
import os from "node:os";

/** The city's database: CITY_DATABASE_URL, else gridatlas_city on the cluster of the admin URL (`cli load-city`). */
export function cityDatabaseUrl(): string {
  if (process.env.CITY_DATABASE_URL) return process.env.CITY_DATABASE_URL;
  const admin = process.env.GRIDATLAS_TEST_ADMIN_URL;
  if (!admin) throw new Error("set CITY_DATABASE_URL or GRIDATLAS_TEST_ADMIN_URL (npm run bench sets the latter)");
  const u = new URL(admin);
  u.pathname = "/gridatlas_city";
  return u.toString();
}

/** The 1-minute load average with the number of cores, as "11.2 on 2 cores" (the machine is shared). */
export function loadAverage(): string {
  return `${os.loadavg()[0]!.toFixed(1)}`;
}

/** Resident memory of a process in MB, sampled every 250 ms from /proc. */
export function rssSampler(pid: number) {
  const read = () => {
    const m = /VmRSS:\s+(\d+) kB/.exec(fs.readFileSync(`/proc/${pid}/status`, "utf8"));
    return m ? Math.round(Number(m[1]) / 1024) : 0;
  };
  const first = read();
  let max = first;
  const timer = setInterval(() => {
    try {
      max = Math.max(max, read());
    } catch {
      // the process has ended
    }
  }, 250);
  return {
    start: () => first,
    max: () => max,
    now: () => {
      try {
        return read();
      } catch {
        return 0;
      }
    },
    stop: () => clearInterval(timer),
  };
}
