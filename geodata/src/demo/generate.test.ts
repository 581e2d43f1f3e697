import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { CAMERA_TYPE_DEFAULTS } from "../cameras.ts";
import { DEFAULT_SEED, generateDemo, TODAY, writeDemo } from "./generate.ts";
import { gridCode } from "./staff.ts";
import type { DemoDataset } from "./types.ts";

const data = generateDemo();
const scratch = fs.mkdtempSync(path.join(os.tmpdir(), "xincheng-"));
afterAll(() => fs.rmSync(scratch, { recursive: true, force: true }));

const householdsOf = (d: DemoDataset, community: string) => {
  const building = new Map(d.buildings.map((b) => [b.id, b.communityCode]));
  return d.entrances.filter((e) => building.get(e.buildingId) === community).reduce((s, e) => s + e.households, 0);
};

describe("determinism", () => {
  // The default seed's files, written once (a quarter of a second) for both tests.
  let written: string | undefined;
  const writeDefault = () => {
    written ??= writeDemo(path.join(scratch, "a"), data);
    return written;
  };

  it("writes byte-identical files for the same seed", () => {
    const a = writeDefault();
    const b = writeDemo(path.join(scratch, "b"), generateDemo(DEFAULT_SEED));
    expect(a).toBe(b);
    for (const f of fs.readdirSync(path.join(scratch, "a"))) {
      // Buffer#equals: toEqual walked the megabytes byte by byte, most of the minute this test took under load.
      const same = fs.readFileSync(path.join(scratch, "b", f)).equals(fs.readFileSync(path.join(scratch, "a", f)));
      expect(same, f).toBe(true);
    }
  });

  it("writes a different dataset for another seed", () => {
    expect(writeDemo(path.join(scratch, "c"), generateDemo(7))).not.toBe(writeDefault());
  });
});

describe("the figures of the 2022 report", () => {
  it("has the 11 real communities of 新城街道 with 227 grids between them", () => {
    expect(data.subdistrict).toMatchObject({ code: "150571003", name: "新城街道", metricSrid: 4550 });
    expect(data.communities).toHaveLength(11);
    expect(data.communities.map((c) => c.code)).toContain("150571003009");
    expect(data.communities.find((c) => c.code === "150571003009")?.name).toBe("河畔花园社区");
    expect(data.communities.reduce((s, c) => s + c.grids, 0)).toBe(227);
  });

  it("has about 55,000 households, counted on entrances only", () => {
    const total = data.entrances.reduce((s, e) => s + e.households, 0);
    expect(Math.abs(total - 55_000)).toBeLessThan(550);
  });

  it("gives every community a household count its grids can hold within 200–300 with margin", () => {
    for (const c of data.communities) {
      const h = householdsOf(data, c.code);
      expect(h, c.name).toBeGreaterThanOrEqual(215 * c.grids);
      expect(h, c.name).toBeLessThanOrEqual(285 * c.grids);
    }
  });

  it("has 122 grid workers, 434 information workers, 11 secretaries and grid leaders, all on real grid codes", () => {
    const count = (role: string) => data.workers.filter((w) => w.role === role).length;
    expect(count("grid_worker")).toBe(122);
    expect(count("info_worker")).toBe(434);
    expect(count("secretary")).toBe(11);
    expect(count("grid_leader")).toBeGreaterThan(0);
    const codes = new Set(
      data.communities.flatMap((c) => Array.from({ length: c.grids }, (_, k) => gridCode(c.code, k + 1))),
    );
    const worker = new Map(data.workers.map((w) => [w.id, w]));
    for (const a of data.assignments) {
      expect(codes.has(a.gridCode), a.gridCode).toBe(true);
      expect(a.gridCode.slice(0, 12)).toBe(worker.get(a.workerId)?.communityCode);
    }
    for (const role of ["grid_worker", "info_worker"]) {
      const covered = new Set(
        data.assignments.filter((a) => worker.get(a.workerId)?.role === role).map((a) => a.gridCode),
      );
      expect(covered.size, role).toBe(227);
    }
  });

  it("gives staff fictional phone numbers", () => {
    for (const w of data.workers) expect(w.phone).toMatch(/^1\d\d-0000-\d{4}$/);
  });

  it("has 315 inspected venues, 35 joint inspections with the police at health-product shops, 11 youth rooms and 11 cultural facilities", () => {
    const category = new Map(data.venues.map((v) => [v.id, v.category]));
    expect(new Set(data.inspections.map((i) => i.venueId)).size).toBe(315);
    const joint = data.inspections.filter((i) => i.jointWithPolice);
    expect(joint).toHaveLength(35);
    for (const i of joint) expect(category.get(i.venueId)).toBe("health_shop");
    expect(data.venues.filter((v) => v.category === "youth_room")).toHaveLength(11);
    expect(data.venues.filter((v) => v.category === "cultural_facility")).toHaveLength(11);
    expect(data.inspections.some((i) => i.result === "issues_found")).toBe(true);
    for (const i of data.inspections) expect(i.inspectedOn <= TODAY && i.inspectedOn > "2025-11-20").toBe(true);
  });

  it("has exactly 10 remediated hazards, each with a history that ends in its status", () => {
    expect(data.hazards.filter((h) => h.status === "verified")).toHaveLength(10);
    expect(new Set(data.hazards.map((h) => h.category)).size).toBeGreaterThan(5);
    for (const h of data.hazards) {
      const history = data.hazardTransitions.filter((t) => t.hazardId === h.id);
      expect(history[0]).toMatchObject({ fromStatus: null, toStatus: "reported", at: h.reportedAt });
      expect(history.at(-1)?.toStatus).toBe(h.status);
      for (let k = 1; k < history.length; k++) {
        expect(history[k]!.fromStatus).toBe(history[k - 1]!.toStatus);
        expect(history[k]!.at >= history[k - 1]!.at).toBe(true);
      }
    }
  });

  it("has 400–600 cameras at junctions, gates and schools, marking values that are type defaults", () => {
    expect(data.cameras.length).toBeGreaterThanOrEqual(400);
    expect(data.cameras.length).toBeLessThanOrEqual(600);
    for (const site of ["intersection", "gate", "school"]) expect(data.cameras.some((c) => c.site === site)).toBe(true);
    for (const c of data.cameras) {
      const d = CAMERA_TYPE_DEFAULTS[c.type];
      if (c.defaulted.includes("range_m")) expect(c.rangeM).toBe(d.range_m);
      if (c.defaulted.includes("view_width_deg")) expect(c.viewWidthDeg).toBe(d.view_width_deg);
      expect(c.bearingDeg).toBeGreaterThanOrEqual(0);
      expect(c.bearingDeg).toBeLessThan(360);
    }
  });
});

describe("what stands on the land", () => {
  it("has 100–150 estates with gates, slabs of 12 households per entrance, and towers of 18–33 floors", () => {
    const estates = data.compounds.filter((c) => c.kind === "estate");
    expect(estates.length).toBeGreaterThanOrEqual(100);
    expect(estates.length).toBeLessThanOrEqual(150);
    for (const c of data.compounds) expect(c.gates.coordinates.length).toBeGreaterThan(0);
    const kind = new Map(data.buildings.map((b) => [b.id, b]));
    for (const e of data.entrances) {
      const b = kind.get(e.buildingId)!;
      if (b.kind === "slab") expect(e.households).toBe(12);
      if (b.kind === "tower") expect(e.households % b.floors).toBe(0);
      if (b.kind === "shop" || b.kind === "public") expect(e.households).toBe(0);
    }
    for (const b of data.buildings.filter((b) => b.kind === "tower")) {
      expect(b.floors).toBeGreaterThanOrEqual(18);
      expect(b.floors).toBeLessThanOrEqual(33);
    }
    expect(data.buildings.filter((b) => b.kind === "lowrise").length).toBeGreaterThan(100);
    expect(data.compounds.some((c) => c.kind === "old_area")).toBe(true);
  });

  it("puts every door inside its building's footprint", () => {
    const footprint = new Map(data.buildings.map((b) => [b.id, b.geom.coordinates[0]!]));
    for (const e of data.entrances) {
      const ring = footprint.get(e.buildingId)!;
      const [x, y] = e.geom.coordinates;
      const xs = ring.map((p) => p[0]);
      const ys = ring.map((p) => p[1]);
      expect(x > Math.min(...xs) && x < Math.max(...xs) && y > Math.min(...ys) && y < Math.max(...ys)).toBe(true);
    }
  });

  it("lies around 122.25°E, 43.60°N", () => {
    const ring = data.subdistrict.geom.coordinates[0]![0]!;
    const lng = ring.reduce((s, p) => s + p[0], 0) / ring.length;
    const lat = ring.reduce((s, p) => s + p[1], 0) / ring.length;
    expect(Math.abs(lng - 122.25)).toBeLessThan(0.03);
    expect(Math.abs(lat - 43.6)).toBeLessThan(0.02);
  });
});
