import { NO_ROADS_COLOR, SHARE_BINS } from "../map/coverage-scale.ts";

/** The key to the grids' camera coverage colours (map/coverage-scale.ts), as items of the legend that holds it. */
export function CoverageLegend(props: { noRoads: string }) {
  return (
    <ul className="coverage-legend" data-testid="coverage-legend">
      {SHARE_BINS.map((b, i) => (
        <li key={b.key}>
          <i style={{ background: b.color }} />
          {i < SHARE_BINS.length - 1 ? `${b.min * 100}–${SHARE_BINS[i + 1]!.min * 100}%` : `≥ ${b.min * 100}%`}
        </li>
      ))}
      <li>
        <i style={{ background: NO_ROADS_COLOR }} />
        {props.noRoads}
      </li>
    </ul>
  );
}
