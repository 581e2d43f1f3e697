import { useState } from "react";
import type { GridCoverageRow } from "../../api.ts";
import { useLang } from "../../i18n/lang.ts";
import { type SortColumn, valueColumn } from "../../ui/sort-column.ts";

/** A share 0–1 as a percentage with one decimal, or a dash when there is nothing to cover. */
export const pct = (share: number | null | undefined) =>
  share === null || share === undefined ? "—" : `${(share * 100).toFixed(1)}%`;

type Row = GridCoverageRow;

const COLUMNS: SortColumn<Row>[] = [
  { key: "grid", label: "coverage.col.grid", value: (r) => r.code, show: (r) => r.code.slice(-3) },
  valueColumn("road", "coverage.col.road", (r: Row) => r.road_covered_share, pct),
  valueColumn("arterial", "road.class.arterial", (r: Row) => r.by_class.arterial.covered_share, pct),
  valueColumn("secondary", "road.class.secondary", (r: Row) => r.by_class.secondary.covered_share, pct),
  valueColumn("local", "road.class.local", (r: Row) => r.by_class.local.covered_share, pct),
  valueColumn("key", "coverage.col.keyPlaces", (r: Row) => r.key_places_covered_share, pct),
  {
    key: "cameras",
    label: "coverage.col.cameras",
    value: (r) => r.cameras.online,
    show: (r) => `${r.cameras.online}/${r.cameras.offline}${r.cameras.planned ? `+${r.cameras.planned}` : ""}`,
  },
];

/**
 * The grids of a community with their camera coverage (road length seen overall and by class, key places seen,
 * cameras online/offline, +planned), sortable by any column; a click on a row shows the grid on the map.
 */
export function CoverageTable(props: {
  rows: GridCoverageRow[];
  selected: string | null;
  changed: ReadonlySet<string>;
  onSelect: (code: string) => void;
}) {
  const { t } = useLang();
  const [sort, setSort] = useState<{ key: string; desc: boolean }>({ key: "grid", desc: false });
  const column = COLUMNS.find((c) => c.key === sort.key) ?? COLUMNS[0]!;
  const rows = [...props.rows].sort((a, b) => {
    const x = column.value(a);
    const y = column.value(b);
    // Grids without roads sort last whichever the direction.
    if (x === null || y === null) return x === y ? 0 : x === null ? 1 : -1;
    const d = x < y ? -1 : x > y ? 1 : 0;
    return sort.desc ? -d : d;
  });
  return (
    <table className="cam-table" data-testid="coverage-table">
      <thead>
        <tr>
          {COLUMNS.map((c) => (
            <th key={c.key} aria-sort={sort.key === c.key ? (sort.desc ? "descending" : "ascending") : "none"}>
              <button
                type="button"
                data-testid={`coverage-sort-${c.key}`}
                onClick={() => setSort((s) => ({ key: c.key, desc: s.key === c.key ? !s.desc : c.key !== "grid" }))}
              >
                {t(c.label)}
                {sort.key === c.key ? (sort.desc ? " ▼" : " ▲") : ""}
              </button>
            </th>
          ))}
        </tr>
      </thead>
      <tbody>
        {rows.map((r) => (
          <tr
            key={r.code}
            data-testid={`coverage-row-${r.code}`}
            data-code={r.code}
            className={`${r.code === props.selected ? "cam-selected" : ""} ${props.changed.has(r.code) ? "cam-changed" : ""}`}
            onClick={() => props.onSelect(r.code)}
          >
            {COLUMNS.map((c) => (
              <td key={c.key} data-col={c.key} data-value={c.key === "road" ? String(r.road_covered_share) : undefined}>
                {c.show(r)}
              </td>
            ))}
          </tr>
        ))}
      </tbody>
    </table>
  );
}
