import type { BuildingUse } from "./tags.ts";

/**
 * How households are estimated where OpenStreetMap has no `building:flats`: residential floor area divided by
 * the average floor area of a dwelling. Floor area is footprint × floors (`building:levels`, else a default by
 * use) × the share of it that is homes. A house is one household whatever its size.
 */
export interface HouseholdEstimate {
  /** Average gross floor area of one dwelling in m² (common areas included). */
  dwellingM2: number;
  /** Floors assumed where `building:levels` is missing. */
  defaultLevels: Record<BuildingUse, number>;
  /** Share of the floor area that is homes: a building tagged only `building=yes` may be shops or offices. */
  residentialShare: Record<BuildingUse, number>;
  /** An entrance (stairwell) serves at most this many households; a building with more gets more entrances. */
  entranceMaxHouseholds: number;
  /** A section of a building is at least this long (m), which caps the number of entrances of a short building. */
  entranceMinLengthM: number;
}

/**
 * Defaults for a dense city: 90 m² per dwelling is China's urban average gross floor area per home (about 36 m²
 * per person × 2.5 persons); a residential building keeps a tenth of its floor area for ground-floor shops,
 * lobbies and plant rooms; untagged buildings (`building=yes`) are counted half residential.
 */
export const DEFAULT_HOUSEHOLD_ESTIMATE: HouseholdEstimate = Object.freeze({
  dwellingM2: 90,
  defaultLevels: { residential: 5, house: 2, unknown: 4, commercial: 3, public: 2 },
  residentialShare: { residential: 0.9, house: 1, unknown: 0.5, commercial: 0, public: 0 },
  entranceMaxHouseholds: 120,
  entranceMinLengthM: 8,
});

/** Households of one building: the mapped flats, 1 for a house, else floor area × share / dwelling size. */
export function estimateHouseholds(
  b: { use: BuildingUse; areaM2: number; levels: number | null; flats: number | null },
  e: HouseholdEstimate,
): { households: number; estimated: boolean; floors: number } {
  const floors = b.levels ?? e.defaultLevels[b.use];
  if (b.flats !== null) return { households: b.flats, estimated: false, floors };
  if (b.use === "house") return { households: 1, estimated: true, floors };
  const share = e.residentialShare[b.use];
  return { households: Math.round((b.areaM2 * floors * share) / e.dwellingM2), estimated: true, floors };
}

/**
 * How many entrances a building gets: the stairwell entrances mapped on it, or as many as its households need at
 * `entranceMaxHouseholds` each, whichever is more, but no more than its long side has room for.
 */
export function entranceCount(
  b: { households: number; mappedEntrances: number; longSideM: number },
  e: HouseholdEstimate,
): number {
  const wanted = Math.max(1, b.mappedEntrances, Math.ceil(b.households / e.entranceMaxHouseholds));
  const room = Math.max(1, Math.floor(b.longSideM / e.entranceMinLengthM));
  return Math.min(wanted, room);
}
