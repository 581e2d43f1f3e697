import { describe, expect, it } from "vitest";
import {
  formatFilters,
  hazardQuery,
  monthEnd,
  monthsBetween,
  NO_FILTERS,
  parseFilters,
  statsQuery,
  venueQuery,
} from "./filters.ts";

describe("the leader map's filters in the URL", () => {
  it("round-trips every filter", () => {
    const f = {
      ...NO_FILTERS,
      venueCategories: ["health_shop", "school"],
      venueStatuses: ["overdue"],
      hazardCategories: ["fire"],
      hazardStatuses: ["reported", "assigned"],
      severities: ["high"],
      community: "150571003001",
      grid: "150571003001004",
      from: "2026-03-01",
      to: "2026-09-30",
      q: "大街 3号",
      asOf: "2026-06-30",
      showVenues: false,
      heat: true,
    };
    expect(parseFilters(formatFilters(f))).toEqual(f);
  });

  it("writes nothing for no filter, and drops what is malformed when reading", () => {
    expect(formatFilters(NO_FILTERS)).toBe("");
    expect(
      parseFilters("?vc=health_shop,DROP%20TABLE&hs=reported,closed&community=123&grid=abc&from=yesterday&sev=high"),
    ).toEqual({ ...NO_FILTERS, venueCategories: ["health_shop"], hazardStatuses: ["reported"], severities: ["high"] });
  });

  it("hands each layer its own filters and the statistics the hazard ones", () => {
    const f = parseFilters(
      "?vc=school&vs=never&hc=gas&hs=resolved&sev=low,high&community=150571003002&q=路&as_of=2026-05-31",
    );
    expect(venueQuery(f)).toEqual({ category: "school", status: "never", community: "150571003002", q: "路" });
    expect(hazardQuery(f)).toEqual({
      category: "gas",
      status: "resolved",
      severity: "low,high",
      community: "150571003002",
      q: "路",
      as_of: "2026-05-31",
    });
    expect(statsQuery(f)).toEqual({ ...hazardQuery(f), venue_category: "school" });
  });

  it("counts months across a year's end", () => {
    expect(monthsBetween("2025-11", "2026-02")).toEqual(["2025-11", "2025-12", "2026-01", "2026-02"]);
    expect(monthEnd("2026-02")).toBe("2026-02-28");
    expect(monthEnd("2024-02")).toBe("2024-02-29");
    expect(monthEnd("2026-12")).toBe("2026-12-31");
  });
});
