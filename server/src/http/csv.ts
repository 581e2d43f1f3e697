/**
 * One CSV cell: empty for null, quoted when it holds a quote, comma or line break. A text starting with = + - @
 * would be run as a formula by a spreadsheet, so it is defused with a leading apostrophe.
 */
export function csvCell(v: unknown): string {
  if (v === null || v === undefined) return "";
  let s = String(v);
  if (/^[=+\-@\t\r]/.test(s) && typeof v === "string") s = `'${s}`;
  return /[",\r\n]/.test(s) ? `"${s.replaceAll('"', '""')}"` : s;
}

/** Rows as the CSV offices open: UTF-8 with a BOM so that Excel reads the Chinese as UTF-8, CRLF lines. */
export function csvText(rows: readonly (readonly unknown[])[]): string {
  return `\uFEFF${rows.map((r) => r.map(csvCell).join(",")).join("\r\n")}\r\n`;
}
