import { randomBytes, scrypt as scryptCb, timingSafeEqual } from "node:crypto";
import { promisify } from "node:util";
import { ZxcvbnFactory } from "@zxcvbn-ts/core";
import * as common from "@zxcvbn-ts/language-common";
import * as en from "@zxcvbn-ts/language-en";
import { sql, type Transaction } from "kysely";
import type { DB } from "../db/schema.ts";

const scrypt = promisify(scryptCb) as (pw: string, salt: Buffer, len: number, opts: object) => Promise<Buffer>;

/** scrypt cost: about 50 ms and 16 MiB per hash here; stored with the hash so it can be raised later. */
const N = 16384;
const R = 8;
const P = 1;
const KEYLEN = 32;

export async function hashPassword(password: string): Promise<string> {
  const salt = randomBytes(16);
  const key = await scrypt(password, salt, KEYLEN, { N, r: R, p: P, maxmem: 64 * 1024 * 1024 });
  return `scrypt$${N}$${R}$${P}$${salt.toString("base64")}$${key.toString("base64")}`;
}

export async function verifyPassword(password: string, stored: string): Promise<boolean> {
  const [alg, n, r, p, salt, hash] = stored.split("$");
  if (alg !== "scrypt" || !n || !r || !p || !salt || !hash) return false;
  const expected = Buffer.from(hash, "base64");
  const key = await scrypt(password, Buffer.from(salt, "base64"), expected.length, {
    N: Number(n),
    r: Number(r),
    p: Number(p),
    maxmem: 64 * 1024 * 1024,
  });
  return key.length === expected.length && timingSafeEqual(key, expected);
}

// The estimator with its dictionaries (common passwords, English words and names, keyboard patterns), built once.
const estimator = new ZxcvbnFactory({
  dictionary: { ...common.dictionary, ...en.dictionary },
  graphs: common.adjacencyGraphs,
});

/** The estimator's score a password must reach (0–4; 3 is "safely unguessable: moderate protection"). */
export const MIN_SCORE = 3;

/**
 * Why a new password is refused, in both languages, or null: too short or long; containing the username; the
 * demo's shared password (when the server knows it); guessable by the zxcvbn-ts estimator (common passwords,
 * words, names, keyboard walks, dates, repeats; the username and the app's own words count as known). That it
 * differs from the current password is checked where the current one is known.
 */
export function passwordProblem(
  password: string,
  ctx: { username: string; demoPassword?: string | undefined },
): { zh: string; en: string } | null {
  if (password.length < 10) return { zh: "密码至少10个字符", en: "a password has at least 10 characters" };
  if (password.length > 200) return { zh: "密码最多200个字符", en: "a password has at most 200 characters" };
  const name = ctx.username.trim().toLowerCase();
  if (name && password.toLowerCase().includes(name)) {
    return { zh: "密码不能包含用户名", en: "a password must not contain the username" };
  }
  if (ctx.demoPassword !== undefined && password === ctx.demoPassword) {
    return { zh: "不能使用演示账号的共用密码", en: "the demo accounts' shared password cannot be used" };
  }
  const { score } = estimator.check(password.slice(0, 100), [ctx.username, "gridatlas", "wangge", "网格"]);
  if (score < MIN_SCORE) {
    return {
      zh: "密码太容易被猜中（常用密码、单词、姓名、键盘顺序、日期或重复）；请用几个不相关的词或更长的句子",
      en: "the password is too easy to guess (a common password, word, name, keyboard walk, date or repeat); use several unrelated words or a longer phrase",
    };
  }
  return null;
}

/**
 * Stores an account's new password hash, clears the must-change flag and ends every session of the account, in
 * the caller's transaction: a changed password signs out every device that knew the old one.
 */
export async function replacePassword(trx: Transaction<DB>, accountId: number, hash: string): Promise<void> {
  await trx
    .updateTable("account")
    .set({ password_hash: hash, must_change_password: false, password_changed_at: sql<Date>`now()` })
    .where("id", "=", accountId)
    .execute();
  await trx.deleteFrom("session").where("account_id", "=", accountId).execute();
}
