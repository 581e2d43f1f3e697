import { CAMERA_TYPE_DEFAULTS, type CameraType } from "../cameras.ts";
import type { RoadClass } from "../demo/types.ts";
import type { Tags } from "./read.ts";

/**
 * How OpenStreetMap tags become GridAtlas's nouns. Pure functions of the tags, so that the mapping can be read
 * and tested on its own; geometry is handled in PostGIS by the importer.
 */

const yes = (v: string | undefined) => v !== undefined && v !== "no" && v !== "0" && v !== "false";

/**
 * The roads that bound blocks: streets people can drive or walk along as streets. Service roads (driveways,
 * parking aisles), footways, steps and paths would cut the city into courtyard-sized blocks; tunnels and covered
 * ways run under the surface they would otherwise cut, so they are left out too.
 */
export function roadClass(tags: Tags): RoadClass | null {
  const h = tags.highway;
  if (!h) return null;
  if (yes(tags.tunnel) || yes(tags.covered) || tags.area === "yes") return null;
  const base = h.replace(/_link$/, "");
  if (base === "motorway" || base === "trunk" || base === "primary") return "arterial";
  if (base === "secondary" || base === "tertiary") return "secondary";
  if (["residential", "unclassified", "living_street", "pedestrian", "road", "busway"].includes(base)) return "local";
  return null;
}

export type WaterKind = "river" | "canal" | "lake" | "pond";

/** Water areas; the table knows rivers, canals, lakes and ponds, so reservoirs, basins and harbours count as lakes. */
export function waterKind(tags: Tags): WaterKind | null {
  const water = tags.water;
  const isWater =
    tags.natural === "water" ||
    tags.waterway === "riverbank" ||
    tags.waterway === "dock" ||
    tags.landuse === "reservoir" ||
    tags.landuse === "basin" ||
    water !== undefined;
  if (!isWater) return null;
  if (water === "river" || water === "stream" || water === "oxbow" || tags.waterway === "riverbank") return "river";
  if (water === "canal" || water === "ditch" || water === "drain") return "canal";
  if (water === "pond" || water === "fountain" || water === "reflecting_pool") return "pond";
  return "lake";
}

/** What a building is used for, as far as its tags say; it decides households and the building's kind. */
export type BuildingUse = "residential" | "house" | "unknown" | "commercial" | "public";

const RESIDENTIAL = new Set(["apartments", "residential", "dormitory", "terrace", "flats", "block"]);
const HOUSE = new Set(["house", "detached", "semidetached_house", "bungalow", "villa", "farm", "cabin", "houseboat"]);
const COMMERCIAL = new Set([
  "commercial",
  "retail",
  "office",
  "hotel",
  "industrial",
  "warehouse",
  "supermarket",
  "kiosk",
  "restaurant",
  "shop",
  "garage",
  "garages",
  "parking",
  "service",
  "hangar",
  "barn",
  "shed",
  "storage_tank",
  "transformer_tower",
  "train_station",
  "manufacture",
]);
/** Not buildings one lives or works in: canopies, ruins, things not built yet. */
const NOT_A_BUILDING = new Set([
  "roof",
  "carport",
  "construction",
  "proposed",
  "ruins",
  "demolished",
  "destroyed",
  "no",
]);

/** The use of a building, or null when the feature is no building GridAtlas keeps. */
export function buildingUse(tags: Tags): BuildingUse | null {
  const b = tags.building;
  if (!b || NOT_A_BUILDING.has(b)) return null;
  if (RESIDENTIAL.has(b)) return "residential";
  if (HOUSE.has(b)) return "house";
  if (COMMERCIAL.has(b) || tags.shop || tags.office || tags.tourism === "hotel") return "commercial";
  if (b !== "yes" || tags.amenity) return "public";
  return "unknown";
}

/** A whole number from a tag value ("12", "12.0", "12;13" takes the first); null when absent or nonsense. */
function count(v: string | undefined, max: number): number | null {
  if (!v) return null;
  const n = Number.parseFloat(v.split(";")[0]!.trim().replace(",", "."));
  if (!Number.isFinite(n) || n < 0 || n > max) return null;
  return Math.round(n);
}

/** Floors above ground (`building:levels`, which in OSM excludes the roof and underground levels). */
export const levelsOf = (tags: Tags) => {
  const n = count(tags["building:levels"], 120);
  return n && n >= 1 ? n : null;
};

/** Dwellings in the building where mapped (`building:flats`). */
export const flatsOf = (tags: Tags) => count(tags["building:flats"], 5000);

/** Entrances mapped as nodes (`entrance=*`) that lead to stairwells, not service doors or garages. */
export function isStairwellEntrance(tags: Tags): boolean {
  const e = tags.entrance;
  return e !== undefined && !["service", "emergency", "garage", "exit", "no"].includes(e);
}

/**
 * The venue category (see venue_category) of an amenity, shop, tourism or healthcare feature, or null for
 * features that are no place an inspector visits (benches, parking, post boxes …).
 */
export function venueCategory(tags: Tags): string | null {
  const { amenity, shop, tourism, healthcare, leisure } = tags;
  const forWhom = tags["social_facility:for"] ?? tags["community_centre:for"] ?? "";
  if (amenity === "social_facility" || amenity === "community_centre") {
    if (/senior|elderly/.test(forWhom)) return "elderly_care";
    if (/juvenile|child|youth/.test(forWhom)) return "youth_room";
  }
  if (amenity === "nursing_home" || (amenity === "social_facility" && tags.social_facility === "nursing_home")) {
    return "elderly_care";
  }
  if (amenity === "youth_centre" || leisure === "youth_centre") return "youth_room";
  if (amenity === "kindergarten" || amenity === "childcare") return "kindergarten";
  if (amenity === "school" || amenity === "college" || amenity === "university") return "school";
  if (amenity === "pharmacy" || healthcare === "pharmacy") return "pharmacy";
  if (amenity === "clinic" || amenity === "doctors" || amenity === "dentist" || amenity === "hospital") return "clinic";
  if (healthcare === "clinic" || healthcare === "doctor" || healthcare === "dentist") return "clinic";
  if (amenity === "internet_cafe" || shop === "internet_cafe") return "internet_cafe";
  if (amenity === "marketplace" || shop === "supermarket" || shop === "greengrocer") return "market";
  if (["health_food", "nutrition_supplements", "herbalist", "medical_supply", "massage"].includes(shop ?? "")) {
    return "health_shop";
  }
  if (
    ["restaurant", "cafe", "fast_food", "food_court", "bar", "pub", "biergarten", "ice_cream"].includes(amenity ?? "")
  ) {
    return "restaurant";
  }
  if (["hotel", "hostel", "guest_house", "motel", "apartment"].includes(tourism ?? "")) return "hotel";
  if (["community_centre", "library", "arts_centre", "theatre", "cinema"].includes(amenity ?? "")) {
    return "cultural_facility";
  }
  if (tourism === "museum" || tourism === "gallery") return "cultural_facility";
  return null;
}

/** The address in one line, as a Chinese address reads: street then number (`addr:full` when mapped). */
export function addressOf(tags: Tags): string | null {
  if (tags["addr:full"]) return tags["addr:full"];
  const street = tags["addr:street"] ?? tags["addr:place"];
  const number = tags["addr:housenumber"];
  if (street && number) return `${street} ${number}`;
  return street ?? null;
}

/** The Chinese name where mapped, else the local one; the English name where mapped, else the local one. */
export function namesOf(tags: Tags): { name: string | null; nameEn: string | null } {
  const local = tags.name ?? null;
  return { name: tags["name:zh"] ?? local, nameEn: tags["name:en"] ?? local };
}

export interface OsmCamera {
  type: CameraType;
  bearingDeg: number;
  viewWidthDeg: number;
  rangeM: number;
  mountHeightM: number;
  /** The view fields taken from the type's defaults rather than from the tags. */
  defaulted: string[];
}

/**
 * A `man_made=surveillance` camera. Bearing from `camera:direction` (or `direction`), in degrees or as a compass
 * point; width of view, range and mount height from the defaults of the type — in OSM `camera:angle` is the tilt
 * from the horizontal, not a width of view. Without `camera:type`: a fixed camera when it has a bearing, else a
 * dome (all round, so a bearing it does not have cannot mislead).
 */
export function cameraFromTags(tags: Tags): OsmCamera | null {
  if (tags.man_made !== "surveillance") return null;
  const kind = tags["surveillance:type"];
  if (kind && kind !== "camera" && kind !== "ALPR") return null;
  const bearing = bearingOf(tags["camera:direction"] ?? tags.direction);
  const osmType = tags["camera:type"];
  const type: CameraType =
    osmType === "panning"
      ? "ptz"
      : osmType === "dome"
        ? "dome"
        : osmType === "fixed"
          ? "fixed"
          : bearing === null
            ? "dome"
            : "fixed";
  const d = CAMERA_TYPE_DEFAULTS[type];
  const height = count(tags.height, 100);
  const defaulted = ["view_width_deg", "range_m"];
  if (bearing === null) defaulted.unshift("bearing_deg");
  if (!height) defaulted.push("mount_height_m");
  return {
    type,
    bearingDeg: bearing ?? d.bearing_deg,
    viewWidthDeg: d.view_width_deg,
    rangeM: d.range_m,
    mountHeightM: height || d.mount_height_m,
    defaulted,
  };
}

const COMPASS = ["N", "NNE", "NE", "ENE", "E", "ESE", "SE", "SSE", "S", "SSW", "SW", "WSW", "W", "WNW", "NW", "NNW"];

/** Degrees clockwise from north in [0, 360), from "240", "240.5" or "SW"; null when absent or unreadable. */
export function bearingOf(v: string | undefined): number | null {
  if (!v) return null;
  const s = v.split(";")[0]!.trim().toUpperCase();
  const k = COMPASS.indexOf(s);
  if (k >= 0) return k * 22.5;
  if (!/^-?\d+(\.\d+)?$/.test(s)) return null;
  const n = Number.parseFloat(s);
  return ((n % 360) + 360) % 360;
}
