import type { MiddlewareHandler } from "hono";
import { DomainError } from "../errors.ts";
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
