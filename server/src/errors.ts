/**
 * What kind of expected failure: the layers that find it (queries, auth, db helpers) say what went wrong, and
 * `http/errors.ts` alone turns the kind into an HTTP status.
 * - invalid: the input is malformed;
 * - unauthenticated: nobody is signed in;
 * - forbidden: the principal may not do this;
 * - not_found: no such row, or none the principal may see;
 * - conflict: the row changed meanwhile, or its state clashes with the request;
 * - precondition: the input is well-formed, but a rule or the data's state refuses it;
 * - unsupported_media: the body is of a type the route does not take (or is not what its type says);
 * - version_required: an edit of a shared row came without the version it was made against;
 * - too_large, rate_limited, unavailable: limits of the service.
 */
export type ErrorKind =
  | "invalid"
  | "unauthenticated"
  | "forbidden"
  | "not_found"
  | "conflict"
  | "precondition"
  | "unsupported_media"
  | "version_required"
  | "too_large"
  | "rate_limited"
  | "unavailable";

/**
 * An expected failure, worded for the user in Chinese and English. `code` is stable for clients to act on;
 * `field` names the input at fault (a dotted path such as `bbox` or `parcels.3`); `details` is what a client
 * needs to recover (a conflict's current version, a validation's problems).
 */
export class DomainError extends Error {
  constructor(
    readonly kind: ErrorKind,
    readonly code: string,
    readonly zh: string,
    readonly en: string,
    readonly field?: string,
    readonly details?: unknown,
  ) {
    super(en);
  }
}

export const badRequest = (field: string, zh: string, en: string) =>
  new DomainError("invalid", "bad_request", `${field}：${zh}`, `${field}: ${en}`, field);

export const notFound = (zh: string, en: string) => new DomainError("not_found", "not_found", zh, en);

/** A grid that is absent or outside the caller's scope: the same answer, without echoing a code back. */
export const noSuchGrid = () => notFound("没有这个网格，或不在您的范围内", "no such grid within your reach");
