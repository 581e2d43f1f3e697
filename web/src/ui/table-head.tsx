import { type MessageKey, useLang } from "../i18n/lang.ts";

/** A column's heading: the key of its text, with a class where the column needs one (`num` for figures). */
export type Column = MessageKey | { key: MessageKey; className: string };

/** A table's header row, one heading per column, in the user's language. */
export function TableHead({ columns }: { columns: Column[] }) {
  const { t } = useLang();
  return (
    <thead>
      <tr>
        {columns.map((c) =>
          typeof c === "string" ? (
            <th key={c}>{t(c)}</th>
          ) : (
            <th key={c.key} className={c.className}>
              {t(c.key)}
            </th>
          ),
        )}
      </tr>
    </thead>
  );
}
