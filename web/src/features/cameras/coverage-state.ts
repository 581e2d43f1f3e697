import { useCallback, useEffect, useRef, useState } from "react";
import {
  type AffectedGrid,
  type BlindSpots,
  type Coverage,
  type CoverageScenario,
  fetchBlindSpots,
  fetchCoverage,
} from "../../api.ts";
import type { BlindSpotQuery } from "./blind-spots-list.tsx";
import type { GridDelta } from "./camera-card.tsx";

/**
 * A community's camera coverage under a scenario (online cameras, or with the planned ones): the grids' and the
 * community's shares of road and key places seen, and the blind spots by `spotQuery`. `takeIn` applies a change's
 * answer (the affected grids' new figures) and returns each grid's before → after; `refresh` asks again for what
 * the answer does not carry (the community's totals, the blind spots).
 */
export function useCoverage(
  community: string | null,
  scenario: CoverageScenario,
  spotQuery: BlindSpotQuery,
  fail: (err: unknown) => void,
) {
  const [coverage, setCoverage] = useState<Coverage | null>(null);
  const [loading, setLoading] = useState(0);
  const [spots, setSpots] = useState<BlindSpots | null>(null);
  const [spotsLoading, setSpotsLoading] = useState(false);
  /** Bumped after a change, so the community's totals and the blind spots are asked for again. */
  const [version, setVersion] = useState(0);
  const coverageRef = useRef(coverage);
  coverageRef.current = coverage;

  // biome-ignore lint/correctness/useExhaustiveDependencies: runs when the community changes, on purpose.
  useEffect(() => {
    setCoverage(null);
    setSpots(null);
  }, [community]);

  // biome-ignore lint/correctness/useExhaustiveDependencies: `version` asks again after a change.
  useEffect(() => {
    if (!community) return;
    let current = true;
    setLoading((n) => n + 1);
    fetchCoverage(community, scenario)
      .then((c) => current && setCoverage(c), fail)
      .finally(() => setLoading((n) => n - 1));
    return () => {
      current = false;
    };
  }, [community, scenario, version, fail]);

  // biome-ignore lint/correctness/useExhaustiveDependencies: `version` asks again after a change.
  useEffect(() => {
    if (!community) return;
    let current = true;
    setSpotsLoading(true);
    fetchBlindSpots(community, { scenario, ...spotQuery })
      .then((fc) => current && setSpots(fc), fail)
      .finally(() => current && setSpotsLoading(false));
    return () => {
      current = false;
    };
  }, [community, scenario, spotQuery, version, fail]);

  const takeIn = useCallback(
    (affected: AffectedGrid[]): GridDelta[] | null => {
      const cov = coverageRef.current;
      if (!cov) return null;
      const byCode = new Map(affected.map((g) => [g.code, g[cov.scenario]]));
      const deltas = affected
        .filter((g) => g.community_code === community)
        .map((g) => {
          const before = cov.grids.find((r) => r.code === g.code);
          const after = g[cov.scenario];
          return {
            code: g.code,
            road: [before?.road_covered_share ?? null, after.road_covered_share] as GridDelta["road"],
            key: [before?.key_places_covered_share ?? null, after.key_places_covered_share] as GridDelta["key"],
          };
        });
      const next = {
        ...cov,
        grids: cov.grids.map((r) => {
          const figures = byCode.get(r.code);
          return figures ? { ...r, ...figures } : r;
        }),
      };
      coverageRef.current = next;
      setCoverage(next);
      return deltas;
    },
    [community],
  );

  const refresh = useCallback(() => setVersion((n) => n + 1), []);

  /**
   * Loads the coverage under `wanted` now, unless it is the one held: a change's before → after is read in the
   * scenario it is shown in, so a planned camera placed while "online only" was shown must first have the planned
   * figures to compare with (else its table shows the online figures, unchanged, beside totals with it).
   */
  const ensure = useCallback(
    async (wanted: CoverageScenario) => {
      if (!community || coverageRef.current?.scenario === wanted) return;
      const c = await fetchCoverage(community, wanted);
      coverageRef.current = c;
      setCoverage(c);
    },
    [community],
  );

  return { coverage, loading, spots, spotsLoading, takeIn, refresh, ensure };
}
