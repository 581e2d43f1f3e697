import { describe, expect, it } from "vitest";
import { DEFAULT_HOUSEHOLD_ESTIMATE, entranceCount, estimateHouseholds } from "./households.ts";
import { parseHstore } from "./read.ts";
import { bearingOf, buildingUse, cameraFromTags, roadClass, venueCategory, waterKind } from "./tags.ts";

describe("OpenStreetMap tags", () => {
  it("parses GDAL's all_tags field, escapes included", () => {
    expect(parseHstore('"building"=>"yes","name"=>"Le \\"Grand\\" Hôtel","a\\\\b"=>"c"')).toEqual({
      building: "yes",
      name: 'Le "Grand" Hôtel',
      "a\\b": "c",
    });
  });

  it("keeps streets as block boundaries, not footways, service roads or tunnels", () => {
    expect(roadClass({ highway: "primary" })).toBe("arterial");
    expect(roadClass({ highway: "tertiary_link" })).toBe("secondary");
    expect(roadClass({ highway: "residential" })).toBe("local");
    expect(roadClass({ highway: "footway" })).toBeNull();
    expect(roadClass({ highway: "service" })).toBeNull();
    expect(roadClass({ highway: "primary", tunnel: "yes" })).toBeNull();
    expect(roadClass({ highway: "primary", tunnel: "no" })).toBe("arterial");
  });

  it("maps water to the kinds the table knows", () => {
    expect(waterKind({ natural: "water", water: "reservoir" })).toBe("lake");
    expect(waterKind({ waterway: "riverbank" })).toBe("river");
    expect(waterKind({ natural: "water", water: "pond" })).toBe("pond");
    expect(waterKind({ natural: "wood" })).toBeNull();
  });

  it("tells homes from shops and leaves canopies out", () => {
    expect(buildingUse({ building: "apartments" })).toBe("residential");
    expect(buildingUse({ building: "house" })).toBe("house");
    expect(buildingUse({ building: "yes" })).toBe("unknown");
    expect(buildingUse({ building: "yes", shop: "bakery" })).toBe("commercial");
    expect(buildingUse({ building: "school" })).toBe("public");
    expect(buildingUse({ building: "roof" })).toBeNull();
  });

  it("maps amenities and shops to venue categories", () => {
    expect(venueCategory({ amenity: "restaurant" })).toBe("restaurant");
    expect(venueCategory({ amenity: "pharmacy" })).toBe("pharmacy");
    expect(venueCategory({ shop: "health_food" })).toBe("health_shop");
    expect(venueCategory({ tourism: "hotel" })).toBe("hotel");
    expect(venueCategory({ amenity: "social_facility", "social_facility:for": "senior" })).toBe("elderly_care");
    expect(venueCategory({ amenity: "bench" })).toBeNull();
  });

  it("reads a camera's bearing and takes its width of view from the type, never from camera:angle", () => {
    const fixed = cameraFromTags({
      man_made: "surveillance",
      "camera:type": "fixed",
      direction: "240",
      "camera:angle": "15",
    });
    expect(fixed).toMatchObject({ type: "fixed", bearingDeg: 240, viewWidthDeg: 60 });
    expect(fixed?.defaulted).toEqual(["view_width_deg", "range_m", "mount_height_m"]);
    const panning = cameraFromTags({ man_made: "surveillance", "camera:type": "panning" });
    expect(panning).toMatchObject({ type: "ptz", viewWidthDeg: 360 });
    expect(panning?.defaulted).toContain("bearing_deg");
    expect(cameraFromTags({ man_made: "surveillance", "surveillance:type": "guard" })).toBeNull();
    expect(bearingOf("SW")).toBe(225);
    expect(bearingOf("-90")).toBe(270);
    expect(bearingOf("up")).toBeNull();
  });

  it("estimates households from floor area, takes mapped flats as they are, and gives big buildings more entrances", () => {
    const e = DEFAULT_HOUSEHOLD_ESTIMATE;
    expect(estimateHouseholds({ use: "residential", areaM2: 500, levels: 10, flats: null }, e)).toEqual({
      households: 50,
      estimated: true,
      floors: 10,
    });
    expect(estimateHouseholds({ use: "residential", areaM2: 500, levels: null, flats: 42 }, e)).toMatchObject({
      households: 42,
      estimated: false,
    });
    expect(estimateHouseholds({ use: "commercial", areaM2: 500, levels: 3, flats: null }, e).households).toBe(0);
    expect(entranceCount({ households: 300, mappedEntrances: 0, longSideM: 60 }, e)).toBe(3);
    expect(entranceCount({ households: 300, mappedEntrances: 0, longSideM: 12 }, e)).toBe(1);
    expect(entranceCount({ households: 10, mappedEntrances: 4, longSideM: 60 }, e)).toBe(4);
  });
});
