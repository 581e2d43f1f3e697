import type { CameraType } from "../cameras.ts";

/** [longitude, latitude] in EPSG:4326, GeoJSON order. */
export type LngLat = [number, number];
export type PointGeom = { type: "Point"; coordinates: LngLat };
export type MultiPointGeom = { type: "MultiPoint"; coordinates: LngLat[] };
export type LineStringGeom = { type: "LineString"; coordinates: LngLat[] };
export type PolygonGeom = { type: "Polygon"; coordinates: LngLat[][] };
export type MultiPolygonGeom = { type: "MultiPolygon"; coordinates: LngLat[][][] };

export type RoadClass = "arterial" | "secondary" | "local";
export type BuildingKind = "slab" | "tower" | "lowrise" | "shop" | "public";
export type CompoundKind = "estate" | "old_area" | "campus";
export type WorkerRole = "secretary" | "grid_leader" | "grid_worker" | "info_worker";
export type CameraStatus = "online" | "offline" | "planned";
export type CameraSite = "intersection" | "gate" | "school" | "venue" | "road" | "other";
export type HazardStatus = "reported" | "assigned" | "in_progress" | "resolved" | "verified";
export type HazardSeverity = "low" | "medium" | "high";
export type InspectionResult = "ok" | "issues_found" | "closed_down";

/** Field names follow the table columns in camelCase; ids are the demo's own, 1-based per table. */
export interface DemoSubdistrict {
  code: string;
  name: string;
  nameEn: string;
  metricSrid: number;
  attribution: string;
  geom: MultiPolygonGeom;
}

export interface DemoCommunity {
  code: string;
  name: string;
  nameEn: string;
  /** How many grids the current plan draws in this community (the 11 sum to 227). */
  grids: number;
  geom: MultiPolygonGeom;
}

export interface DemoRoad {
  id: number;
  class: RoadClass;
  name: string;
  geom: LineStringGeom;
}

export interface DemoWater {
  id: number;
  kind: "river" | "canal" | "lake" | "pond";
  name: string;
  geom: MultiPolygonGeom;
}

export interface DemoCompound {
  id: number;
  communityCode: string;
  name: string;
  kind: CompoundKind;
  geom: PolygonGeom;
  gates: MultiPointGeom;
}

export interface DemoBuilding {
  id: number;
  communityCode: string;
  compoundId: number | null;
  kind: BuildingKind;
  name: string;
  floors: number;
  geom: PolygonGeom;
}

/** The door point lies inside the entrance's section; the section itself is cut in PostGIS by building_sections(). */
export interface DemoEntrance {
  id: number;
  buildingId: number;
  seq: number;
  households: number;
  geom: PointGeom;
}

export interface DemoWorker {
  id: number;
  communityCode: string;
  role: WorkerRole;
  name: string;
  phone: string;
  startedOn: string;
}

export interface DemoAssignment {
  workerId: number;
  gridCode: string;
  assignedOn: string;
}

export interface DemoVenue {
  id: number;
  communityCode: string;
  category: string;
  name: string;
  address: string;
  geom: PointGeom;
}

export interface DemoInspection {
  id: number;
  venueId: number;
  inspectedOn: string;
  inspectorId: number;
  result: InspectionResult;
  note: string | null;
  followUp: string | null;
  jointWithPolice: boolean;
}

export interface DemoHazard {
  id: number;
  communityCode: string;
  venueId: number | null;
  category: string;
  severity: HazardSeverity;
  status: HazardStatus;
  title: string;
  note: string | null;
  geom: PointGeom;
  /** ISO timestamp with the +08:00 offset. */
  reportedAt: string;
}

export interface DemoHazardTransition {
  id: number;
  hazardId: number;
  fromStatus: HazardStatus | null;
  toStatus: HazardStatus;
  at: string;
  actor: string;
  note: string | null;
}

/** The community is left to PostGIS, which sets it from the parcel the camera stands on. */
export interface DemoCamera {
  id: number;
  communityCode: string | null;
  name: string;
  type: CameraType;
  status: CameraStatus;
  bearingDeg: number;
  viewWidthDeg: number;
  rangeM: number;
  mountHeightM: number;
  defaulted: string[];
  site: CameraSite;
  geom: PointGeom;
}

/**
 * The whole demo as the generator makes it. The plan and the visits are not here: they depend on the parcels,
 * which PostGIS builds, so the loader draws them (deterministically, from the same seed) after the build.
 */
export interface DemoDataset {
  seed: number;
  /** The "today" of the data (YYYY-MM-DD): visits, inspections and hazards end here, so figures are stable. */
  today: string;
  subdistrict: DemoSubdistrict;
  communities: DemoCommunity[];
  roads: DemoRoad[];
  water: DemoWater[];
  compounds: DemoCompound[];
  buildings: DemoBuilding[];
  entrances: DemoEntrance[];
  workers: DemoWorker[];
  assignments: DemoAssignment[];
  venues: DemoVenue[];
  inspections: DemoInspection[];
  hazards: DemoHazard[];
  hazardTransitions: DemoHazardTransition[];
  cameras: DemoCamera[];
}
