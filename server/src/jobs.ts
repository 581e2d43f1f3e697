import { randomUUID } from "node:crypto";

/** Why a job failed, worded for the user as an API error is. */
export type JobError = { code: string; zh: string; en: string; details?: unknown };

/** What every job carries; each kind adds its progress and result. */
export type Job = { id: string; state: "running" | "done" | "failed"; started_at: string; error?: JobError };

/**
 * Jobs that live in the server process: work of seconds to a minute started by a request, whose progress and
 * outcome are collected by polling. What lasts is what the work wrote to the database, so a restart loses running
 * jobs, never a change. Finished jobs are forgotten `keep_ms` after they started.
 */
export class JobRegistry<J extends Job> {
  readonly #jobs = new Map<string, J>();

  constructor(private readonly keep_ms = 60 * 60_000) {}

  get(id: string): J | undefined {
    return this.#jobs.get(id);
  }

  /** Whether some job is still running, for work that must run one at a time. */
  running(): boolean {
    return [...this.#jobs.values()].some((j) => j.state === "running");
  }

  /**
   * Registers a job of `fields` and runs `work` on it in the background: the job is done when `work` resolves, and
   * failed with `failure(err)` when it throws.
   */
  start(fields: Omit<J, keyof Job>, work: (job: J) => Promise<void>, failure: (err: unknown) => JobError): J {
    this.#forgetOld();
    const job = { id: randomUUID(), state: "running", started_at: new Date().toISOString(), ...fields } as J;
    this.#jobs.set(job.id, job);
    void work(job).then(
      () => {
        job.state = "done";
      },
      (err: unknown) => {
        job.state = "failed";
        job.error = failure(err);
      },
    );
    return job;
  }

  #forgetOld(now = Date.now()) {
    for (const [id, job] of this.#jobs) {
      if (job.state !== "running" && now - Date.parse(job.started_at) > this.keep_ms) this.#jobs.delete(id);
    }
  }
}

/**
 * Runs `task` now and then every `every_ms` in the server process, for housekeeping that must happen whether or not
 * anyone asks (the retention of visits). A tick while a run is still going is skipped; a failed run is logged and
 * tried again at the next tick. What it does must be safe to repeat: a restart runs it again. Returns `stop`.
 */
export function schedule(
  name: string,
  every_ms: number,
  task: () => Promise<unknown>,
  log: (msg: string, err?: unknown) => void = (msg, err) => console.error(msg, err ?? ""),
): () => void {
  let running = false;
  const tick = () => {
    if (running) return;
    running = true;
    task()
      .catch((err: unknown) => log(`scheduled job ${name} failed`, err))
      .finally(() => {
        running = false;
      });
  };
  tick();
  const timer = setInterval(tick, every_ms);
  timer.unref();
  return () => clearInterval(timer);
}
