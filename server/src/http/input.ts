import type { z } from "@hono/zod-openapi";
import type { MiddlewareHandler } from "hono";
import { DomainError } from "../errors.ts";
import { bi } from "./errors.ts";
import type { AppEnv } from "./router.ts";

/** A UTF-16 surrogate without its partner: no character at all, and jsonb and UTF-8 cannot hold it. */
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/** What is wrong with a string the database could not store faithfully, or null. */
export function textProblem(s: string): { zh: string; en: string } | null {
  if (s.includes("\u0000")) return { zh: "含有空字符（NUL）", en: "contains a NUL character" };
  if (LONE_SURROGATE.test(s)) {
    return {
      zh: "含有不成对的 UTF-16 代理项，不是有效文本",
      en: "contains a lone UTF-16 surrogate, which is not text",
    };
  }
  return null;
}

const refuse = (field: string, zh: string, en: string) =>
  new DomainError("invalid", "invalid_text", `${field}：${zh}`, `${field}: ${en}`, field);

/** The first string (or key) of a JSON value that is not storable text, as its dotted path. */
function firstBadString(value: unknown, at: string): { field: string; zh: string; en: string } | null {
  if (typeof value === "string") {
    const p = textProblem(value);
    return p ? { field: at || "body", ...p } : null;
  }
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) {
      const bad = firstBadString(value[i], at ? `${at}.${i}` : String(i));
      if (bad) return bad;
    }
    return null;
  }
  if (value && typeof value === "object") {
    for (const [k, v] of Object.entries(value)) {
      const path = at ? `${at}.${k}` : k;
      const key = textProblem(k);
      if (key) return { field: path, ...key };
      const bad = firstBadString(v, path);
      if (bad) return bad;
    }
  }
  return null;
}

/** Where in a CSV text the first undecodable byte fell: its line and the column's header. */
function csvPlace(lossy: string): string {
  const at = lossy.indexOf("\uFFFD");
  const lines = lossy.slice(0, at).split("\n");
  const header = (lossy.split("\n")[0] ?? "").split(",");
  const column = (lines.at(-1) ?? "").split(",").length - 1;
  return `csv.${lines.length}.${(header[column] ?? String(column + 1)).trim()}`;
}

const utf8 = new TextDecoder("utf-8", { fatal: true });

/**
 * The same rule for a cell GDAL read from a GIS file (GeoJSON, GeoPackage, Shapefile, CSV through GDAL), which
 * never passes through `textInput`: GDAL hands over invalid text already replaced by U+FFFD (a lone surrogate, bytes
 * that are not UTF-8, a file read in the wrong encoding), so a U+FFFD there is refused as the undecodable byte of a
 * CSV body is, instead of being stored in place of what the file held.
 */
export function cellTextProblem(s: string): { zh: string; en: string } | null {
  const p = textProblem(s);
  if (p) return p;
  if (s.includes("\uFFFD")) {
    return {
      zh: "含有无法解码的字符（文件中的无效文本或编码不对），请检查文件的编码（encoding）",
      en: "contains an undecodable character (invalid text in the file, or the wrong encoding); check the file's encoding",
    };
  }
  return null;
}

/**
 * One rule at the edge for every string the API takes (issue 16): path, query parameters and their names, JSON
 * bodies (keys included) and text bodies such as CSV uploads must be valid Unicode without NUL, else 400 naming
 * the field. Without it a lone surrogate reached jsonb (the audit row) and failed there as a 500, or was silently
 * stored as U+FFFD. Binary bodies (not JSON, not text) are left to their routes.
 */
export function textInput(): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    const url = new URL(c.req.url);
    let pathname: string;
    try {
      pathname = decodeURIComponent(url.pathname);
    } catch {
      throw refuse("path", "网址编码不正确", "malformed percent-encoding");
    }
    const pathProblem = textProblem(pathname);
    if (pathProblem) throw refuse("path", pathProblem.zh, pathProblem.en);
    for (const pair of url.search.slice(1).split("&")) {
      if (!pair) continue;
      const [rawKey = "", ...rest] = pair.split("=");
      const decode = (s: string) => decodeURIComponent(s.replace(/\+/g, " "));
      let key = rawKey;
      try {
        key = decode(rawKey);
        const problem = textProblem(key) ?? textProblem(decode(rest.join("=")));
        if (problem) throw refuse(key, problem.zh, problem.en);
      } catch (err) {
        if (err instanceof DomainError) throw err;
        throw refuse(key, "网址编码不正确，不是有效的 UTF-8", "malformed percent-encoding, not UTF-8");
      }
    }

    if (c.req.method !== "GET" && c.req.method !== "HEAD") {
      const type = (c.req.header("content-type") ?? "").toLowerCase();
      const isJson = type === "" || type.includes("json");
      if (isJson || type.startsWith("text/")) {
        const bytes = new Uint8Array(await c.req.arrayBuffer());
        const csv = type.startsWith("text/csv");
        let text: string;
        try {
          text = utf8.decode(bytes);
        } catch {
          const field = csv ? csvPlace(new TextDecoder().decode(bytes)) : "body";
          throw refuse(field, "不是有效的 UTF-8 文本", "is not valid UTF-8 text");
        }
        let bad: { field: string; zh: string; en: string } | null = null;
        if (isJson) {
          try {
            bad = firstBadString(JSON.parse(text), "");
          } catch {
            // Not JSON: the route's validation says so; only the raw text is checked here.
          }
        }
        const raw = bad ? null : textProblem(text);
        if (raw) bad = { field: csv ? csvPlace(text.replaceAll("\u0000", "\uFFFD")) : "body", ...raw };
        if (bad) throw refuse(bad.field, bad.zh, bad.en);
      }
    }
    await next();
  };
}

/** What staff are told, on every free-text field and in every refusal of one (docs/privacy.md). */
export const NO_RESIDENT_DATA = {
  zh: "不要填写居民姓名、电话、身份证号",
  en: "Do not enter residents' names, phone numbers or ID numbers",
} as const;

/** Weights of the first 17 digits of a resident ID number (GB 11643-1999, ISO 7064 MOD 11-2). */
const ID_WEIGHTS = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
const ID_CHECK = "10X98765432";

/** Whether 18 characters (17 digits and a digit or X) carry a valid MOD 11-2 check character. */
export function validResidentId(id: string): boolean {
  if (!/^\d{17}[\dXx]$/.test(id)) return false;
  const sum = ID_WEIGHTS.reduce((acc, w, i) => acc + w * Number(id[i]), 0);
  return ID_CHECK[sum % 11] === id[17]!.toUpperCase();
}

/**
 * Resident identifiers, each a run of digits that begins and ends at the edge of a number (so a longer number, such
 * as a grid code, never hides one inside it). A separator is one space or dash between digits, as people write
 * phone numbers ("138 0013 8000", "0475-1234567"); full-width digits count as digits.
 *
 * - Resident ID numbers: 18 characters with a valid check character, in one run or grouped 6 8 4. The 15-digit cards of the first generation
 *   are not matched: they stopped being valid in 2013, carry no check digit, and cannot be told apart from a grid
 *   code (also 15 digits, also starting with an area code), which staff write in notes all the time.
 * - Mobile numbers: 1[3-9] and 9 more digits, optionally after +86, 0086 or 86.
 * - Landlines: an area code 0 + 2–3 digits, then 7–8 digits, written with a dash, a space or the area code in
 *   parentheses, or as one run of 10–12 digits starting with 0. A bare 7–8 digit local number is not matched: it
 *   cannot be told from other numbers.
 */
const RESIDENT_ID = /(?<!\d)\d{6} ?\d{8} ?\d{3}[\dXx](?![\dXx])/g;
const MOBILE = /(?<![\d+])(?:(?:\+|00)?86[ -]?|[(（]\+?86[)）] ?)?1[3-9](?:[ -]?\d){9}(?!\d)/;
const LANDLINE = /(?<!\d)(?:[(（]0\d{2,3}[)）] ?|0\d{2,3}[ -])\d{3,4}[ -]?\d{4}(?!\d)|(?<![\d-])0\d{9,11}(?![\d-])/;

/** The kind of resident identifier a free text holds, or null. */
export function personalDataProblem(text: string): { zh: string; en: string } | null {
  // Full-width digits, plus and dash (as Chinese input methods type them) become ASCII.
  const s = text.normalize("NFKC");
  for (const m of s.matchAll(RESIDENT_ID)) {
    if (validResidentId(m[0].replaceAll(" ", ""))) return { zh: "身份证号", en: "an ID number" };
  }
  if (MOBILE.test(s)) return { zh: "手机号", en: "a mobile phone number" };
  if (LANDLINE.test(s)) return { zh: "电话号码", en: "a phone number" };
  return null;
}

/** The refusal of a free text that holds a resident identifier, both languages, without the field's name. */
export function personalDataMessage(found: { zh: string; en: string }): { zh: string; en: string } {
  return {
    zh: `${NO_RESIDENT_DATA.zh}（这里像是有${found.zh}）`,
    en: `${NO_RESIDENT_DATA.en} (this looks like ${found.en})`,
  };
}

/**
 * The field kind "free text" (notes, titles, follow-ups): a string schema that refuses resident identifiers with
 * 400 `personal_data` naming the field, and says so in the OpenAPI document (`x-free-text`), which the property
 * tests read to reach every such field of every route. The platform stores places and counts, never residents:
 * a free-text note was the one place a phone or ID number could slip in (issue 16).
 */
export function freeText<T extends z.ZodType<string, string>>(schema: T): T {
  return schema
    .superRefine((s, ctx) => {
      const found = personalDataProblem(s);
      if (!found) return;
      const m = personalDataMessage(found);
      ctx.addIssue({ code: "custom", message: bi(m.zh, m.en), params: { code: "personal_data" } });
    })
    .openapi({ "x-free-text": true, description: `${NO_RESIDENT_DATA.zh} / ${NO_RESIDENT_DATA.en}` }) as T;
}
