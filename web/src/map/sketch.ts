import type { GeoJSONSource, Map as MaplibreMap, MapMouseEvent } from "maplibre-gl";
import type { LngLat } from "./geo.ts";

/** What the pointer draws: nothing (the map pans), a brush stroke, a box, a freehand lasso, a polygon, a line. */
export type SketchMode = "none" | "brush" | "box" | "lasso" | "polygon" | "line";

export type SketchHandlers = {
  /** The features the brush has passed over so far; `done` when the button is released. */
  onStroke?: (ids: Array<string | number>, done: boolean) => void;
  /** A closed area (box, lasso, polygon) as a ring of positions, first = last. */
  onArea?: (ring: LngLat[]) => void;
  /** A finished line (two or more positions). */
  onLine?: (line: LngLat[]) => void;
};

type Pick = (point: { x: number; y: number }, radius: number) => Array<string | number>;

/** Pixels around the pointer that the brush paints. */
const BRUSH_RADIUS_PX = 6;

const SOURCE = "sketch";
const EMPTY: GeoJSON.FeatureCollection = { type: "FeatureCollection", features: [] };

/**
 * Pointer gestures for the editor's tools, drawn in a layer of its own above everything. Brush, box and lasso take
 * the drag (panning is off while they are chosen); polygon and line take clicks, finished by a double click or
 * Enter, with Backspace removing the last point and Escape starting over.
 */
export class Sketch {
  readonly #map: MaplibreMap;
  #mode: SketchMode = "none";
  #handlers: SketchHandlers = {};
  #pick: Pick = () => [];
  #down = false;
  #start: LngLat | null = null;
  #points: LngLat[] = [];
  #stroke = new Set<string | number>();
  readonly #off: Array<() => void> = [];

  constructor(map: MaplibreMap) {
    this.#map = map;
    map.addSource(SOURCE, { type: "geojson", data: EMPTY });
    map.addLayer({
      id: "sketch-fill",
      type: "fill",
      source: SOURCE,
      filter: ["==", ["geometry-type"], "Polygon"],
      paint: { "fill-color": "#3b2f55", "fill-opacity": 0.12 },
    });
    map.addLayer({
      id: "sketch-line",
      type: "line",
      source: SOURCE,
      paint: { "line-color": "#3b2f55", "line-width": 2, "line-dasharray": [2, 1.5] },
    });
    map.addLayer({
      id: "sketch-vertex",
      type: "circle",
      source: SOURCE,
      filter: ["==", ["geometry-type"], "Point"],
      paint: {
        "circle-radius": 4,
        "circle-color": "#ffffff",
        "circle-stroke-color": "#3b2f55",
        "circle-stroke-width": 2,
      },
    });
  }

  set(mode: SketchMode, handlers: SketchHandlers, pick: Pick): void {
    for (const off of this.#off.splice(0)) off();
    this.#mode = mode;
    this.#handlers = handlers;
    this.#pick = pick;
    this.#reset();
    const map = this.#map;
    const dragging = mode === "brush" || mode === "box" || mode === "lasso";
    const clicking = mode === "polygon" || mode === "line";
    if (dragging) map.dragPan.disable();
    else map.dragPan.enable();
    if (clicking) map.doubleClickZoom.disable();
    else map.doubleClickZoom.enable();
    map.boxZoom.disable();
    map.getCanvas().style.cursor = mode === "none" ? "" : "crosshair";
    if (mode === "none") return;

    const on = <K extends "mousedown" | "mousemove" | "mouseup" | "click" | "dblclick">(
      type: K,
      listener: (e: MapMouseEvent) => void,
    ) => {
      map.on(type, listener);
      this.#off.push(() => map.off(type, listener));
    };
    if (dragging) {
      on("mousedown", (e) => this.#dragStart(e));
      on("mousemove", (e) => this.#dragMove(e));
      on("mouseup", (e) => this.#dragEnd(e));
    } else {
      on("click", (e) => this.#addPoint(e));
      on("mousemove", (e) => this.#rubberBand(e));
      on("dblclick", (e) => {
        e.preventDefault();
        this.#finish();
      });
      const keys = (e: KeyboardEvent) => {
        const target = e.target as HTMLElement | null;
        if (target && /^(INPUT|TEXTAREA|SELECT)$/.test(target.tagName)) return;
        if (e.key === "Enter") this.#finish();
        else if (e.key === "Backspace" && this.#points.length) {
          this.#points.pop();
          this.#draw(null);
        } else if (e.key === "Escape") this.#reset();
      };
      window.addEventListener("keydown", keys);
      this.#off.push(() => window.removeEventListener("keydown", keys));
    }
  }

  #dragStart(e: MapMouseEvent): void {
    if (e.originalEvent.button !== 0) return;
    this.#down = true;
    this.#start = toLngLat(e);
    this.#points = [this.#start];
    this.#stroke.clear();
    if (this.#mode === "brush") this.#brushAt(e);
  }

  #dragMove(e: MapMouseEvent): void {
    if (!this.#down || !this.#start) return;
    const here = toLngLat(e);
    if (this.#mode === "brush") this.#brushAt(e);
    else if (this.#mode === "box") this.#show(polygon(boxRing(this.#start, here)));
    else {
      this.#points.push(here);
      this.#show(polygon([...this.#points, this.#points[0] as LngLat]));
    }
  }

  #dragEnd(e: MapMouseEvent): void {
    if (!this.#down || !this.#start) return;
    this.#down = false;
    const start = this.#start;
    const here = toLngLat(e);
    if (this.#mode === "brush") {
      this.#brushAt(e);
      this.#handlers.onStroke?.([...this.#stroke], true);
    } else if (this.#mode === "box") {
      this.#handlers.onArea?.(boxRing(start, here));
    } else if (this.#points.length >= 3) {
      this.#handlers.onArea?.([...this.#points, this.#points[0] as LngLat]);
    }
    this.#reset();
  }

  #brushAt(e: MapMouseEvent): void {
    const before = this.#stroke.size;
    for (const id of this.#pick(e.point, BRUSH_RADIUS_PX)) this.#stroke.add(id);
    if (this.#stroke.size !== before) this.#handlers.onStroke?.([...this.#stroke], false);
  }

  #addPoint(e: MapMouseEvent): void {
    // The two clicks of a double click each add a point: the double click ends the shape at the first of them.
    if (e.originalEvent.detail > 1) return;
    this.#points.push(toLngLat(e));
    this.#draw(null);
  }

  #rubberBand(e: MapMouseEvent): void {
    if (this.#points.length) this.#draw(toLngLat(e));
  }

  #finish(): void {
    const pts = dedupe(this.#points);
    if (this.#mode === "polygon" && pts.length >= 3) this.#handlers.onArea?.([...pts, pts[0] as LngLat]);
    else if (this.#mode === "line" && pts.length >= 2) this.#handlers.onLine?.(pts);
    else return;
    this.#reset();
  }

  /** The shape so far, plus the segment to the pointer. */
  #draw(pointer: LngLat | null): void {
    const pts = pointer ? [...this.#points, pointer] : this.#points;
    const features: GeoJSON.Feature[] = this.#points.map((p) => ({
      type: "Feature",
      properties: {},
      geometry: { type: "Point", coordinates: p },
    }));
    if (this.#mode === "polygon" && pts.length >= 3) features.push(polygon([...pts, pts[0] as LngLat]));
    else if (pts.length >= 2) {
      features.push({ type: "Feature", properties: {}, geometry: { type: "LineString", coordinates: pts } });
    }
    this.#source()?.setData({ type: "FeatureCollection", features });
  }

  #show(feature: GeoJSON.Feature): void {
    this.#source()?.setData({ type: "FeatureCollection", features: [feature] });
  }

  #reset(): void {
    this.#down = false;
    this.#start = null;
    this.#points = [];
    this.#stroke.clear();
    this.#source()?.setData(EMPTY);
  }

  #source(): GeoJSONSource | undefined {
    return this.#map.getSource<GeoJSONSource>(SOURCE);
  }
}

function toLngLat(e: MapMouseEvent): LngLat {
  return [e.lngLat.lng, e.lngLat.lat];
}

function boxRing([x1, y1]: LngLat, [x2, y2]: LngLat): LngLat[] {
  return [
    [x1, y1],
    [x2, y1],
    [x2, y2],
    [x1, y2],
    [x1, y1],
  ];
}

function polygon(ring: LngLat[]): GeoJSON.Feature {
  return { type: "Feature", properties: {}, geometry: { type: "Polygon", coordinates: [ring] } };
}

function dedupe(points: LngLat[]): LngLat[] {
  return points.filter((p, i) => i === 0 || p[0] !== points[i - 1]?.[0] || p[1] !== points[i - 1]?.[1]);
}
