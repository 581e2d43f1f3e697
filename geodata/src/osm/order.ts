/**
 * Reading order of areas on a map, as grid codes are numbered: rows from north to south, west to east within a
 * row, a row being as tall as a typical area (the square root of the median area). x, y in metres.
 */
export function readingOrder<T extends { x: number; y: number; areaM2: number }>(items: readonly T[]): T[] {
  if (items.length === 0) return [];
  const areas = items.map((i) => i.areaM2).sort((a, b) => a - b);
  const rowHeight = Math.max(1, Math.sqrt(areas[Math.floor(areas.length / 2)]!));
  const top = Math.max(...items.map((i) => i.y));
  const row = (i: T) => Math.floor((top - i.y) / rowHeight);
  return [...items].sort((a, b) => row(a) - row(b) || a.x - b.x);
}
