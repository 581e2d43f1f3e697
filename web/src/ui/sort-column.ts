import type { MessageKey } from "../i18n/lang.ts";

/** A column of a sortable table: the value it sorts by and the text of its cell. */
export type SortColumn<R> = {
  key: string;
  label: MessageKey;
  value: (r: R) => number | string | null;
  show: (r: R) => string;
};

/** A column whose cell is its sort value put into words by `format` (a share as a percentage, a count). */
export function valueColumn<R, V extends number | string | null>(
  key: string,
  label: MessageKey,
  value: (r: R) => V,
  format: (v: V) => string,
): SortColumn<R> {
  return { key, label, value, show: (r) => format(value(r)) };
}
