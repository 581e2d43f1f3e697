import { createLocalProjection } from "./rebalance.geometry.ts";
import type { RebalanceUnit, UnitGeometry } from "./rebalance.input.ts";

const projection = createLocalProjection(122.25, 43.6);

/**
 * A community drawn as a table of 50 m squares: households[row][column], row 0 at the top. Ids are "r<row>c<col>";
 * `grids` (same shape) gives the current grid of each square.
 */
export function squares(
  households: number[][],
  options: { community?: string; grids?: string[][]; compound?: (row: number, col: number) => string | null } = {},
): (RebalanceUnit & { id: string; geometry: UnitGeometry })[] {
  const units: (RebalanceUnit & { id: string; geometry: UnitGeometry })[] = [];
  households.forEach((row, r) => {
    row.forEach((hh, c) => {
      const x0 = c * 50;
      const y0 = -r * 50;
      const p = (x: number, y: number) => [122.25 + x / projection.kx, 43.6 + y / projection.ky];
      units.push({
        id: `r${r}c${c}`,
        households: hh,
        community: options.community ?? "150571003001",
        grid: options.grids?.[r]?.[c] ?? null,
        compound: options.compound?.(r, c) ?? null,
        geometry: {
          type: "Polygon",
          coordinates: [[p(x0, y0), p(x0 + 50, y0), p(x0 + 50, y0 + 50), p(x0, y0 + 50), p(x0, y0)]],
        },
      });
    });
  });
  return units;
}

/** Grid id → unit ids, from an assignment. */
export function gridsOf(assignment: Record<string, string>): Map<string, string[]> {
  const out = new Map<string, string[]>();
  for (const [unit, grid] of Object.entries(assignment)) out.set(grid, [...(out.get(grid) ?? []), unit]);
  return out;
}
