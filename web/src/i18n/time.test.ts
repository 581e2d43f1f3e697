import { describe, expect, it } from "vitest";
import { formatDateTime, formatTime, setTimeZone, zonedInstant, zoneName } from "./time.ts";

describe("times in the subdistrict's zone", () => {
  it("shows an instant as Beijing time, naming the zone, whatever the browser's zone", () => {
    setTimeZone("Asia/Shanghai");
    expect(formatDateTime("zh", "2026-12-07T08:35:00Z")).toBe("2026-12-07 16:35 北京时间");
    expect(formatDateTime("en", "2026-12-06T23:59:00Z")).toBe("2026-12-07 07:59 Beijing time");
    expect(formatTime("zh", "2026-12-07T16:05:00Z")).toBe("00:05");
  });

  it("reads a wall time typed in a filter as the subdistrict's, and ignores an unknown zone", () => {
    setTimeZone("Asia/Shanghai");
    expect(zonedInstant("2026-12-07T16:35")).toBe("2026-12-07T08:35:00.000Z");
    setTimeZone("Mars/Olympus_Mons");
    expect(zoneName("zh")).toBe("北京时间");
    setTimeZone("Europe/Berlin");
    expect(formatDateTime("en", "2026-07-01T12:00:00Z")).toBe("2026-07-01 14:00 Europe/Berlin");
    expect(zonedInstant("2026-07-01T14:00")).toBe("2026-07-01T12:00:00.000Z");
    setTimeZone("Asia/Shanghai");
  });
});
