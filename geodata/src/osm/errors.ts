/**
 * An expected failure of an import (a bad file, nothing usable in it, a clash with what the database holds),
 * worded for the user in both languages. The server maps it to a 422; the CLI prints it and exits non-zero.
 */
export class ImportError extends Error {
  constructor(
    readonly code: string,
    readonly zh: string,
    readonly en: string,
    readonly details?: unknown,
  ) {
    super(`${en} / ${zh}`);
  }
}
