import type { ZodError } from "zod";
import { badRequest, DomainError, type ErrorKind } from "../errors.ts";

/** Statuses a route may answer with on purpose; anything else is a fault and becomes a 500 without details. */
export type ErrorStatus = 400 | 401 | 403 | 404 | 409 | 413 | 415 | 422 | 428 | 429 | 503;

/** The one mapping of a failure's kind to its HTTP status. */
const STATUS: Record<ErrorKind, ErrorStatus> = {
  invalid: 400,
  unauthenticated: 401,
  forbidden: 403,
  not_found: 404,
  conflict: 409,
  too_large: 413,
  unsupported_media: 415,
  precondition: 422,
  version_required: 428,
  rate_limited: 429,
  unavailable: 503,
};

export const statusOf = (err: DomainError): ErrorStatus => STATUS[err.kind];

export type ErrorBody = {
  error: { code: string; message: string; zh: string; en: string; field?: string; details?: unknown };
};

export type Lang = "zh" | "en";

/** The user's language from Accept-Language; Chinese unless English is preferred. */
export function preferredLang(acceptLanguage: string | undefined): Lang {
  const first = acceptLanguage?.split(",")[0]?.trim().toLowerCase() ?? "";
  return first.startsWith("en") ? "en" : "zh";
}

export function errorBody(err: DomainError, lang: Lang): ErrorBody {
  return {
    error: {
      code: err.code,
      message: lang === "en" ? err.en : err.zh,
      zh: err.zh,
      en: err.en,
      ...(err.field === undefined ? {} : { field: err.field }),
      ...(err.details === undefined ? {} : { details: err.details }),
    },
  };
}

/**
 * Custom zod messages carry both languages as `中文||English`; zod's own messages are English and get a
 * Chinese rendering from the issue code.
 */
export const bi = (zh: string, en: string) => `${zh}||${en}`;

type Issue = ZodError["issues"][number];

function zhFor(issue: Issue): string {
  switch (issue.code) {
    case "invalid_type":
      return `类型错误，应为 ${issue.expected}`;
    case "too_small":
      return `过小（最小 ${String(issue.minimum)}）`;
    case "too_big":
      return `过大（最大 ${String(issue.maximum)}）`;
    case "invalid_format":
      return "格式不正确";
    case "invalid_value":
      return `取值无效，可选：${issue.values.map(String).join("、")}`;
    case "unrecognized_keys":
      return `不认识的字段：${issue.keys.join("、")}`;
    case "not_multiple_of":
      return `应为 ${String(issue.divisor)} 的倍数`;
    default:
      return "输入无效";
  }
}

/** The first problem of a failed validation, as an error naming the field. */
export function validationError(error: ZodError, target: string): DomainError {
  const issue = error.issues[0];
  if (!issue) return badRequest(target, "输入无效", "invalid input");
  const field = issue.path.length ? issue.path.map(String).join(".") : target;
  const [zh, en] = issue.message.includes("||")
    ? (issue.message.split("||") as [string, string])
    : [zhFor(issue), issue.message];
  const more = error.issues.length > 1 ? error.issues.length - 1 : 0;
  const plain = badRequest(field, zh, en);
  // A rule may name its own error code (the free-text guard's `personal_data`), so a client can tell it apart.
  const code = issue.code === "custom" && typeof issue.params?.code === "string" ? issue.params.code : undefined;
  const err = code ? new DomainError("invalid", code, plain.zh, plain.en, field) : plain;
  return more
    ? new DomainError("invalid", err.code, `${err.zh}（另有 ${more} 处错误）`, `${err.en} (and ${more} more)`, field, {
        issues: error.issues.map((i) => ({
          field: i.path.map(String).join("."),
          message: i.message.split("||").pop(),
        })),
      })
    : err;
}
