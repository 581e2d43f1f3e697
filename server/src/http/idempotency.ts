import { createHash } from "node:crypto";
import type { MiddlewareHandler } from "hono";
import { sql, type Transaction } from "kysely";
import type { AppEnv } from "../auth/session.ts";
import type { Db } from "../db/db.ts";
import type { DB } from "../db/schema.ts";
import { DomainError } from "../errors.ts";

/** How long a key is remembered: a phone may sit offline for a day and then send its queue again. */
export const KEY_TTL_HOURS = 24;
/** How long a repeat waits for the first request of its key to finish before it is told to retry (409). */
const WAIT_MS = 3000;
const POLL_MS = 50;

/** Routes that never take a key: signing in and changing the password answer with secrets that must not be kept. */
const EXEMPT = /^\/api\/session(\/|$)/;

export const REPLAYED_HEADER = "idempotent-replayed";

const invalidKey = () =>
  new DomainError(
    "invalid",
    "idempotency_key_invalid",
    "Idempotency-Key 应为 1–255 个可见 ASCII 字符",
    "Idempotency-Key must be 1–255 visible ASCII characters",
    "Idempotency-Key",
  );

const reused = () =>
  new DomainError(
    "precondition",
    "idempotency_key_reused",
    "这个 Idempotency-Key 已用于另一个请求，请为新请求换一个新的键",
    "this Idempotency-Key was already used for a different request; use a new key for a new request",
    "Idempotency-Key",
  );

const inFlight = () =>
  new DomainError(
    "conflict",
    "idempotency_key_in_flight",
    "使用同一 Idempotency-Key 的请求仍在处理中，请稍后重试",
    "a request with the same Idempotency-Key is still being processed; retry shortly",
    "Idempotency-Key",
  );

/** The key as sent: a Structured Field string (`"…"`, as the draft writes it) or the bare characters. */
function parseKey(raw: string): string {
  const key = /^".*"$/.test(raw) ? raw.slice(1, -1).replace(/\\(["\\])/g, "$1") : raw;
  if (key.length < 1 || key.length > 255 || !/^[\x20-\x7e]+$/.test(key)) throw invalidKey();
  return key;
}

type Stored = { fingerprint: string; status: number | null; content_type: string | null; body: Buffer | null };

const findKey = (db: Db, accountId: number, key: string) =>
  db
    .selectFrom("idempotency_key")
    .select(["fingerprint", "status", "content_type", "body"])
    .where("account_id", "=", accountId)
    .where("key", "=", key)
    .executeTakeFirst() as Promise<Stored | undefined>;

function replay(row: Stored): Response {
  const headers = new Headers({ [REPLAYED_HEADER]: "true" });
  if (row.content_type) headers.set("content-type", row.content_type);
  return new Response(row.body?.length ? new Uint8Array(row.body) : null, {
    status: row.status ?? 500,
    headers,
  });
}

/**
 * `Idempotency-Key` on every POST (IETF httpapi draft): the first request with a key runs, its answer is kept with
 * a hash of method, path and body; a repeat with the same key and body gets that answer again (with
 * `Idempotent-Replayed: true`) and changes nothing; the same key with another body is 422; a repeat that arrives
 * while the first still runs waits for its answer, up to a few seconds, then gets 409.
 *
 * The key is claimed inside the route's own write transaction: the request's database wraps `transaction()` so
 * the claim row is inserted first thing in it. The write and the claim commit together or not at all, and of
 * concurrent duplicates only one can insert the claim (the others wait on its unique key, then give up their
 * transaction and replay). A route that writes without a transaction has its answer kept after the fact.
 */
export function idempotency(): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    const raw = c.req.header("idempotency-key");
    const principal = c.get("principal");
    if (c.req.method !== "POST" || raw === undefined || !principal || EXEMPT.test(c.req.path)) return next();
    const key = parseKey(raw.trim());
    const accountId = principal.accountId;
    const url = new URL(c.req.url);
    const path = url.pathname + url.search;
    const body = new Uint8Array(await c.req.arrayBuffer());
    const fingerprint = createHash("sha256").update(`POST ${path}\n`).update(body).digest("hex");
    const db = c.get("db");

    await db
      .deleteFrom("idempotency_key")
      .where("account_id", "=", accountId)
      .where("created_at", "<", sql<Date>`now() - make_interval(hours => ${KEY_TTL_HOURS})`)
      .execute();

    /** The answer for a key someone else holds: mismatch, replay, or (after waiting) still in flight. */
    const answerForHeld = async (): Promise<Response | null> => {
      const deadline = Date.now() + WAIT_MS;
      for (;;) {
        const row = await findKey(db, accountId, key);
        if (!row) return null;
        if (row.fingerprint !== fingerprint) throw reused();
        if (row.status !== null) return replay(row);
        if (Date.now() > deadline) throw inFlight();
        await new Promise((r) => setTimeout(r, POLL_MS));
      }
    };

    const held = await answerForHeld();
    if (held) return held;

    let active = true;
    let claimed = false;
    let lost = false;
    const claim = async (trx: Transaction<DB>) => {
      if (!active || claimed) return;
      const r = await trx
        .insertInto("idempotency_key")
        .values({ account_id: accountId, key, fingerprint, method: "POST", path })
        .onConflict((oc) => oc.doNothing())
        .returning("key")
        .executeTakeFirst();
      if (!r) {
        lost = true;
        throw inFlight();
      }
    };
    const committed = () => {
      if (active) claimed = true;
    };
    c.set("db", claimingDb(db, claim, committed));
    try {
      await next();
    } finally {
      active = false;
      c.set("db", db);
    }

    if (lost) {
      const answer = await answerForHeld();
      if (answer) c.res = answer;
      return;
    }
    const res = c.res;
    const status = res.status;
    const stored = {
      status,
      content_type: res.headers.get("content-type"),
      body: Buffer.from(await res.clone().arrayBuffer()),
    };
    if (claimed) {
      await db
        .updateTable("idempotency_key")
        .set({ ...stored, completed_at: sql<Date>`now()` })
        .where("account_id", "=", accountId)
        .where("key", "=", key)
        .execute();
    } else if (status < 500) {
      // Nothing was claimed in a transaction (a refusal, or a route writing without one): keep the answer now. When
      // the key is taken meanwhile, a concurrent duplicate won the race and this answer (say, a 409 because its
      // record now exists) is not the first one: answer what the winner answered.
      const kept = await db
        .insertInto("idempotency_key")
        .values({
          account_id: accountId,
          key,
          fingerprint,
          method: "POST",
          path,
          ...stored,
          completed_at: sql<Date>`now()`,
        })
        .onConflict((oc) => oc.doNothing())
        .returning("key")
        .executeTakeFirst();
      if (!kept) {
        const answer = await answerForHeld();
        if (answer) c.res = answer;
      }
    }
  };
}

/**
 * The request's database, whose transactions claim the key first. `onCommit` marks the claim as made once a
 * claiming transaction has committed. Everything else is the server's database itself.
 */
function claimingDb(db: Db, claim: (trx: Transaction<DB>) => Promise<void>, onCommit: () => void): Db {
  const wrapBuilder = <B extends object>(builder: B): B =>
    new Proxy(builder, {
      get(target, prop) {
        const value = Reflect.get(target, prop, target);
        if (typeof value !== "function") return value;
        if (prop === "execute") {
          return async <T>(callback: (trx: Transaction<DB>) => Promise<T>) => {
            const result = await (value as (cb: (trx: Transaction<DB>) => Promise<T>) => Promise<T>).call(
              target,
              async (trx) => {
                await claim(trx);
                return callback(trx);
              },
            );
            onCommit();
            return result;
          };
        }
        return (...args: unknown[]) => {
          const out = (value as (...a: unknown[]) => unknown).apply(target, args);
          // setIsolationLevel() and friends return a new builder, which must claim too.
          return out && typeof out === "object" && "execute" in out ? wrapBuilder(out) : out;
        };
      },
    });
  return new Proxy(db, {
    get(target, prop) {
      const value = Reflect.get(target, prop, target);
      if (prop === "transaction") return () => wrapBuilder(target.transaction());
      return typeof value === "function" ? value.bind(target) : value;
    },
  });
}
