import workerUrl from "virtual:maplibre-worker-url";
import {
  AttributionControl,
  type ControlPosition,
  type GeoJSONSource,
  type IControl,
  type LayerSpecification,
  Map as MaplibreMap,
  type MapMouseEvent,
  NavigationControl,
  ScaleControl,
  type SourceSpecification,
  type StyleSpecification,
  setWorkerUrl,
  type VectorTileSource,
} from "maplibre-gl";
import type { BBox, LngLat } from "./geo.ts";
import { LOCAL_IDEOGRAPH_FONT_FAMILY } from "./glyphs.ts";
import { MAP_COLORS } from "./palette.ts";
import { Sketch, type SketchHandlers, type SketchMode } from "./sketch.ts";
import { tileLayerOf } from "./sources.ts";

/** A feature the user clicked or hovered: the layer it was drawn by, its id and its properties. */
export type PickedFeature = { layer: string; id: string | number | undefined; properties: Record<string, unknown> };

/** One feature of a source, addressed the way feature-state addresses it (the tile layer is found by the map). */
export type FeatureRef = { source: string; id: string | number };

/** How often the tile layers' versions are asked for while the page is visible. */
const TILE_VERSIONS_POLL_MS = 15_000;

export type AtlasMapOptions = {
  container: HTMLElement;
  /** The extent to show first; the map will not pan far outside it. */
  bbox: BBox;
  /** GeoJSON sources filled by `setData`, and vector tile sources of /tiles (see `tileSource`). */
  sources: Record<string, SourceSpecification>;
  layers: LayerSpecification[];
  /** MapLibre's own UI strings (control tooltips, scale units) in the user's language. */
  locale: Record<string, string>;
  /** Pixels the app's own panels cover along each edge; the camera keeps what it frames clear of them. */
  inset: Inset;
};

export type Inset = { top: number; right: number; bottom: number; left: number };

declare global {
  interface Window {
    /** The live map, for the browser tests and for debugging in the console. */
    __gridatlas?: { map: MaplibreMap };
  }
}

// The worker is a chunk of the app's build (vite.config.ts); MapLibre's default would look for its own file beside it.
setWorkerUrl(workerUrl);

/**
 * The one owner of the MapLibre map: every imperative map call of the app is a method here. Features describe
 * sources and layers as data; the app hands them in, and this class applies what changed.
 */
export class AtlasMap {
  readonly #map: MaplibreMap;
  readonly #loaded: Promise<void>;
  #layers = new Map<string, LayerSpecification>();
  #selected: FeatureRef | null = null;
  #hovered: FeatureRef | null = null;
  #attribution: AttributionControl | null = null;
  #attributionText = "";
  #navigation: NavigationControl | null = null;
  #scale: ScaleControl | null = null;
  #sketch: Sketch | null = null;
  /** The drawing tool the page chose: set aside while measuring takes the clicks, put back after. */
  #sketchChoice: SketchChoice = {
    mode: "none",
    handlers: {},
    pickLayers: [],
  };
  /** While a map tool (measuring) takes the clicks, the page's own click, hover and drag handlers stand aside. */
  #capturing = false;
  readonly #inset: Inset;
  /** Vector sources by the tile layer they draw, and the versions they were last loaded at. */
  readonly #tileSources = new Map<string, string[]>();
  #tileVersions: Record<string, number> | null = null;
  #tilePoll: ReturnType<typeof setInterval> | null = null;
  readonly #onFocus = () => void this.refreshTiles();

  constructor(options: AtlasMapOptions) {
    this.#inset = options.inset;
    const [w, s, e, n] = options.bbox;
    const padX = (e - w) * 0.5;
    const padY = (n - s) * 0.5;
    this.#map = new MaplibreMap({
      container: options.container,
      style: baseStyle(options.sources, options.layers),
      bounds: options.bbox,
      fitBoundsOptions: { padding: framePadding(options.container, options.inset, 0) },
      maxBounds: [w - padX, s - padY, e + padX, n + padY],
      // Grid maps are read north-up; rotation only confuses.
      dragRotate: false,
      pitchWithRotate: false,
      touchPitch: false,
      attributionControl: false,
      localIdeographFontFamily: LOCAL_IDEOGRAPH_FONT_FAMILY,
      locale: options.locale,
      // TileJSON tile URLs are relative to the server unless it knows its public URL; MapLibre's worker cannot
      // resolve them, so they are made absolute here on the page.
      transformRequest: (url) => ({ url: new URL(url, location.href).href }),
    });
    this.#map.touchZoomRotate.disableRotation();
    // The map tools in the top-right corner sit below the page's toolbar and left of its right-hand panel.
    options.container.style.setProperty("--map-inset-top", `${options.inset.top}px`);
    options.container.style.setProperty("--map-inset-right", `${options.inset.right}px`);
    for (const layer of options.layers) this.#layers.set(layer.id, layer);
    for (const [id, spec] of Object.entries(options.sources)) {
      const layer = tileLayerOf(spec);
      if (layer) this.#tileSources.set(layer, [...(this.#tileSources.get(layer) ?? []), id]);
    }
    if (this.#tileSources.size) {
      this.#tilePoll = setInterval(
        () => document.visibilityState === "visible" && this.refreshTiles(),
        TILE_VERSIONS_POLL_MS,
      );
      window.addEventListener("focus", this.#onFocus);
      void this.refreshTiles();
    }
    this.#addControls();
    this.#loaded = new Promise((resolve) => this.#map.once("load", () => resolve()));
    window.__gridatlas = { map: this.#map };
  }

  /** Replaces the features of a GeoJSON source; a source drawn from tiles keeps its tiles. */
  setData(source: string, data: GeoJSON.GeoJSON): void {
    void this.#whenLoaded(() => {
      const s = this.#map.getSource(source);
      if (s?.type === "geojson") (s as GeoJSONSource).setData(data);
    });
  }

  /**
   * Asks the server for the tile layers' versions and reloads the sources of layers that changed, so an edit
   * shows on the map at once (call it after a change; it also runs every 15 s while the page is visible and when
   * the window gets focus). Tiles of unchanged layers stay cached.
   */
  async refreshTiles(): Promise<void> {
    if (!this.#tileSources.size) return;
    const res = await fetch("/tiles/versions", { credentials: "same-origin" }).catch(() => null);
    if (!res?.ok) return;
    const { versions } = (await res.json()) as { versions: Record<string, number> };
    const before = this.#tileVersions;
    this.#tileVersions = versions;
    if (!before) return;
    await this.#loaded;
    for (const [layer, sources] of this.#tileSources) {
      if (versions[layer] === before[layer]) continue;
      for (const id of sources) {
        const source = this.#map.getSource<VectorTileSource>(id);
        if (source?.url) source.setUrl(source.url);
      }
    }
  }

  /**
   * Brings the map's layers in line with `layers` (in drawing order): adds new ones in place, removes missing ones
   * and updates the paint, layout, filter and zoom range of the rest where they changed.
   */
  syncLayers(layers: LayerSpecification[]): void {
    void this.#whenLoaded(() => {
      const map = this.#map;
      const wanted = new Set(layers.map((l) => l.id));
      for (const id of this.#layers.keys()) {
        if (!wanted.has(id)) {
          map.removeLayer(id);
          this.#layers.delete(id);
        }
      }
      layers.forEach((layer, i) => {
        const previous = this.#layers.get(layer.id);
        if (!previous) {
          const before = layers.slice(i + 1).find((l) => this.#layers.has(l.id))?.id;
          map.addLayer(layer, before);
        } else if (previous !== layer) {
          this.#updateLayer(previous, layer);
        }
        this.#layers.set(layer.id, layer);
      });
    });
  }

  /**
   * Sets feature-state on many features of one source at once (the editor colours parcels and grid outlines this
   * way, so an edit never reloads a source). `null` clears a feature's state.
   */
  setFeatureStates(
    source: string,
    states: Iterable<[id: string | number, state: Record<string, unknown> | null]>,
  ): void {
    void this.#whenLoaded(() => {
      if (!this.#map.getSource(source)) return;
      for (const [id, state] of states) {
        const target = this.#target({ source, id });
        if (state) this.#map.setFeatureState(target, state);
        else this.#map.removeFeatureState(target);
      }
    });
  }

  /**
   * Switches the drawing tool: a brush stroke, a box, a lasso, a polygon or a line drawn on the map, reported to
   * `handlers` in longitude/latitude (and, for the brush, the features of `pickLayers` it passed over). `"none"`
   * gives the map back its panning.
   */
  setSketch(mode: SketchMode, handlers: SketchHandlers = {}, pickLayers: string[] = []): void {
    this.#sketchChoice = { mode, handlers, pickLayers };
    if (!this.#capturing) this.#applySketch(this.#sketchChoice);
  }

  #applySketch({ mode, handlers, pickLayers }: SketchChoice): void {
    void this.#whenLoaded(() => {
      this.#sketch ??= new Sketch(this.#map);
      this.#sketch.set(mode, handlers, (point, radius) => this.#pickAround(pickLayers, point, radius));
    });
  }

  /** Calls `handler` with the top feature of `layers` under the mouse and the mouse's position in the map, or null. */
  onHover(
    layers: string[],
    handler: (feature: PickedFeature | null, point: { x: number; y: number }) => void,
  ): () => void {
    const move = (e: { point: { x: number; y: number } }) =>
      !this.#capturing && handler(this.#pick(layers, e.point), e.point);
    const leave = () => handler(null, { x: 0, y: 0 });
    this.#map.on("mousemove", move);
    this.#map.on("mouseout", leave);
    return () => {
      this.#map.off("mousemove", move);
      this.#map.off("mouseout", leave);
    };
  }

  /**
   * Adds images for symbol layers from SVG text drawn at twice the size it shows (so icons stay sharp on HiDPI
   * screens); an image already there is kept. Resolves when all are in.
   */
  async addSvgImages(images: Record<string, string>): Promise<void> {
    await this.#loaded;
    await Promise.all(
      Object.entries(images).map(async ([name, svg]) => {
        if (this.#map.hasImage(name)) return;
        const img = new Image();
        img.src = `data:image/svg+xml;charset=utf-8,${encodeURIComponent(svg)}`;
        await img.decode();
        if (!this.#map.hasImage(name)) this.#map.addImage(name, img, { pixelRatio: 2 });
      }),
    );
  }

  /** Calls `handler` with where the map was clicked (longitude, latitude) and the top feature of `layers` there. */
  onClickAt(layers: string[], handler: (at: { lngLat: LngLat; feature: PickedFeature | null }) => void): () => void {
    const listener = (e: { point: { x: number; y: number }; lngLat: { lng: number; lat: number } }) =>
      !this.#capturing && handler({ lngLat: [e.lngLat.lng, e.lngLat.lat], feature: this.#pick(layers, e.point) });
    this.#map.on("click", listener);
    return () => this.#map.off("click", listener);
  }

  /**
   * Lets the user drag features of `layers`: a press on one calls `start` (return false to leave it to the map's
   * panning), then `move` with every position until the button is released, and `end` with the last one. The map
   * does not pan while a feature is dragged.
   */
  onDrag(
    layers: string[],
    handlers: {
      start: (feature: PickedFeature, at: LngLat) => boolean;
      move: (at: LngLat) => void;
      end: (at: LngLat) => void;
    },
  ): () => void {
    const map = this.#map;
    let dragging = false;
    let last: LngLat = [0, 0];
    const lngLat = (e: { lngLat: { lng: number; lat: number } }): LngLat => [e.lngLat.lng, e.lngLat.lat];
    const down = (e: MapMouseEvent) => {
      if (this.#capturing) return;
      const picked = this.#pick(layers, e.point);
      if (!picked || e.originalEvent.button !== 0 || !handlers.start(picked, lngLat(e))) return;
      e.preventDefault();
      dragging = true;
      last = lngLat(e);
      map.dragPan.disable();
      map.getCanvas().style.cursor = "grabbing";
    };
    const move = (e: MapMouseEvent) => {
      if (!dragging) return;
      last = lngLat(e);
      handlers.move(last);
    };
    const up = () => {
      if (!dragging) return;
      dragging = false;
      map.dragPan.enable();
      map.getCanvas().style.cursor = "";
      handlers.end(last);
    };
    map.on("mousedown", down);
    map.on("mousemove", move);
    map.on("mouseup", up);
    return () => {
      map.off("mousedown", down);
      map.off("mousemove", move);
      map.off("mouseup", up);
    };
  }

  /** Sets the map's mouse cursor (`crosshair` while a point is being picked); "" gives it back to the map. */
  setCursor(cursor: string): void {
    this.#map.getCanvas().style.cursor = cursor;
  }

  /** Marks one feature as selected (feature-state `selected`), clearing the previous one. */
  select(target: FeatureRef | null): void {
    void this.#whenLoaded(() => {
      if (target?.source === this.#selected?.source && target?.id === this.#selected?.id) return;
      this.#swapState("selected", this.#selected, target);
      this.#selected = target;
    });
  }

  /** Calls `handler` with the top feature of `layers` under a click, or `null` for a click elsewhere. */
  onClick(layers: string[], handler: (feature: PickedFeature | null) => void): () => void {
    const listener = (e: { point: { x: number; y: number } }) => {
      if (!this.#capturing) handler(this.#pick(layers, e.point));
    };
    this.#map.on("click", listener);
    return () => this.#map.off("click", listener);
  }

  /** Shows a pointer and sets feature-state `hover` on the top feature of `layers` under the mouse. */
  enableHover(layers: string[]): () => void {
    const move = (e: { point: { x: number; y: number } }) => {
      if (this.#capturing) return;
      const picked = this.#pick(layers, e.point);
      const sourceOf = picked ? this.#map.getLayer(picked.layer)?.source : undefined;
      const next = picked && sourceOf && picked.id !== undefined ? { source: sourceOf, id: picked.id } : null;
      this.#map.getCanvas().style.cursor = next ? "pointer" : "";
      if (next?.source === this.#hovered?.source && next?.id === this.#hovered?.id) return;
      this.#swapState("hover", this.#hovered, next);
      this.#hovered = next;
    };
    const leave = () => {
      this.#swapState("hover", this.#hovered, null);
      this.#hovered = null;
      this.#map.getCanvas().style.cursor = "";
    };
    this.#map.on("mousemove", move);
    this.#map.on("mouseout", leave);
    return () => {
      this.#map.off("mousemove", move);
      this.#map.off("mouseout", leave);
    };
  }

  /** Calls `handler` after every pan or zoom with the visible extent and zoom. */
  onViewChange(handler: (view: { bbox: BBox; zoom: number }) => void): () => void {
    const listener = () => handler(this.view());
    this.#map.on("moveend", listener);
    return () => this.#map.off("moveend", listener);
  }

  /** Reports map errors (a source that failed to load, a bad layer) instead of only logging them. */
  onError(handler: (error: Error) => void): () => void {
    const listener = (e: { error: { message: string } }) => handler(new Error(e.error.message));
    this.#map.on("error", listener);
    return () => this.#map.off("error", listener);
  }

  view(): { bbox: BBox; zoom: number } {
    const b = this.#map.getBounds();
    return { bbox: [b.getWest(), b.getSouth(), b.getEast(), b.getNorth()], zoom: this.#map.getZoom() };
  }

  /** Moves the camera to show `bbox`; `side` keeps room for a panel over the map. */
  /**
   * Widens the area the map may be panned over (the subdistrict and half again around it) to take in `bbox` too,
   * with the same margin: data being imported may lie elsewhere, a new territory or a file in the wrong CRS.
   */
  allowBounds(bbox: BBox): void {
    const now = this.#map.getMaxBounds();
    if (!now) return;
    const [w, s, e, n] = bbox;
    const padX = (e - w) * 0.5;
    const padY = (n - s) * 0.5;
    this.#map.setMaxBounds([
      Math.min(now.getWest(), w - padX),
      Math.min(now.getSouth(), s - padY),
      Math.max(now.getEast(), e + padX),
      Math.max(now.getNorth(), n + padY),
    ]);
  }

  fitBounds(bbox: BBox, side: { left?: number; right?: number } = {}): void {
    this.#map.fitBounds(bbox, {
      padding: framePadding(this.#map.getContainer(), this.#inset, side.right ?? 0, side.left ?? 0),
      maxZoom: 17,
      duration: 600,
    });
  }

  setAttribution(text: string): void {
    this.#attributionText = text;
    this.#addControls();
  }

  /** Switches MapLibre's own UI strings (control tooltips, scale units) to another language. */
  setLocale(locale: Record<string, string>): void {
    // MapLibre reads its UI strings when a control is added and has no public setter; update them and re-add.
    this.#map._locale = { ...this.#map._locale, ...locale };
    this.#addControls();
  }

  /** Resolves when the map has nothing left to load or draw (used by the browser tests through the window). */
  idle(): Promise<void> {
    return new Promise((resolve) => {
      if (this.#map.loaded() && !this.#map.isMoving()) resolve();
      else this.#map.once("idle", () => resolve());
    });
  }

  /**
   * An element in one of MapLibre's control corners for the app's own map tools (search, measure, print, north
   * arrow), stacked with the zoom buttons and kept clear of the page's panels by the map's inset. The element stays
   * when the language changes (only MapLibre's own controls are re-added then).
   */
  controlSlot(position: ControlPosition, className: string): HTMLElement {
    const element = document.createElement("div");
    element.className = `maplibregl-ctrl ${className}`;
    const control: IControl = { onAdd: () => element, onRemove: () => element.remove() };
    this.#map.addControl(control, position);
    return element;
  }

  /**
   * Draws `data` in an overlay of the app's own over every page layer: `highlight` outlines a place found by the
   * search, `measure` the measuring tool's line or area. `null` clears it.
   */
  setOverlay(name: "highlight" | "measure", data: GeoJSON.FeatureCollection | null): void {
    void this.#whenLoaded(() => {
      const map = this.#map;
      const id = `overlay-${name}`;
      const empty: GeoJSON.FeatureCollection = { type: "FeatureCollection", features: [] };
      const source = map.getSource<GeoJSONSource>(id);
      if (source) {
        source.setData(data ?? empty);
        return;
      }
      if (!data) return;
      const color = name === "highlight" ? "#d7263d" : "#1d4ed8";
      map.addSource(id, { type: "geojson", data });
      map.addLayer({
        id: `${id}-fill`,
        type: "fill",
        source: id,
        filter: ["==", ["geometry-type"], "Polygon"],
        paint: { "fill-color": color, "fill-opacity": name === "highlight" ? 0.12 : 0.15 },
      });
      map.addLayer({
        id: `${id}-line`,
        type: "line",
        source: id,
        filter: ["!=", ["geometry-type"], "Point"],
        paint: { "line-color": color, "line-width": 3, ...(name === "measure" ? { "line-dasharray": [2, 1] } : {}) },
      });
      map.addLayer({
        id: `${id}-point`,
        type: "circle",
        source: id,
        filter: ["==", ["geometry-type"], "Point"],
        paint: { "circle-radius": 6, "circle-color": "#fff", "circle-stroke-color": color, "circle-stroke-width": 3 },
      });
    });
  }

  /** Flies to `bbox` (a point when west = east), no closer than `maxZoom`, clear of the page's panels. */
  flyTo(bbox: BBox, maxZoom: number): void {
    this.#map.fitBounds(bbox, {
      padding: framePadding(this.#map.getContainer(), this.#inset, 0),
      maxZoom,
      duration: 800,
    });
  }

  /**
   * Gives every click on the map to `handler` (and a double click to `onDouble`) instead of zooming on a double
   * click, until the returned function is called: the measuring tool's clicks place points. Meanwhile the page's
   * own click, hover and drag handlers get nothing (a click must not also select a grid), and the editor's drawing
   * tool (brush, box, split line …) is set aside and put back when measuring ends, so a measuring click never
   * paints or cuts.
   */
  captureClicks(handler: (at: LngLat) => void, onDouble: () => void): () => void {
    const map = this.#map;
    const click = (e: MapMouseEvent) => handler([e.lngLat.lng, e.lngLat.lat]);
    const dbl = (e: MapMouseEvent) => {
      e.preventDefault();
      onDouble();
    };
    this.#capturing = true;
    this.#applySketch({ mode: "none", handlers: {}, pickLayers: [] });
    map.doubleClickZoom.disable();
    map.on("click", click);
    map.on("dblclick", dbl);
    map.getCanvas().style.cursor = "crosshair";
    return () => {
      this.#capturing = false;
      this.#applySketch(this.#sketchChoice);
      map.off("click", click);
      map.off("dblclick", dbl);
      map.doubleClickZoom.enable();
      map.getCanvas().style.cursor = "";
    };
  }

  /** The map's container, for the tools that sit over it. */
  get container(): HTMLElement {
    return this.#map.getContainer();
  }

  destroy(): void {
    if (this.#tilePoll) clearInterval(this.#tilePoll);
    window.removeEventListener("focus", this.#onFocus);
    this.#sketch?.set("none", {}, () => []);
    if (window.__gridatlas?.map === this.#map) window.__gridatlas = undefined;
    this.#map.remove();
  }

  #pick(layers: string[], point: { x: number; y: number }): PickedFeature | null {
    const present = layers.filter((id) => this.#map.getLayer(id));
    if (present.length === 0) return null;
    const [top] = this.#map.queryRenderedFeatures([point.x, point.y], { layers: present });
    return top ? { layer: top.layer.id, id: top.id, properties: top.properties } : null;
  }

  /** The ids of the features of `layers` within `radius` pixels of `point`. */
  #pickAround(layers: string[], point: { x: number; y: number }, radius: number): Array<string | number> {
    const present = layers.filter((id) => this.#map.getLayer(id));
    if (present.length === 0) return [];
    const found = this.#map.queryRenderedFeatures(
      [
        [point.x - radius, point.y - radius],
        [point.x + radius, point.y + radius],
      ],
      { layers: present },
    );
    return [...new Set(found.map((f) => f.id).filter((id): id is string | number => id !== undefined))];
  }

  #swapState(key: string, from: FeatureRef | null, to: FeatureRef | null): void {
    if (from && this.#map.getSource(from.source)) this.#map.setFeatureState(this.#target(from), { [key]: false });
    if (to && this.#map.getSource(to.source)) this.#map.setFeatureState(this.#target(to), { [key]: true });
  }

  /** Feature-state of a tile source needs its tile layer: the one the source's first map layer draws. */
  #target(ref: FeatureRef): FeatureRef & { sourceLayer?: string } {
    if (this.#map.getSource(ref.source)?.type !== "vector") return ref;
    for (const layer of this.#layers.values()) {
      if ("source" in layer && layer.source === ref.source && "source-layer" in layer && layer["source-layer"]) {
        return { ...ref, sourceLayer: layer["source-layer"] };
      }
    }
    return ref;
  }

  #updateLayer(previous: LayerSpecification, next: LayerSpecification): void {
    const map = this.#map;
    const id = next.id;
    const prevPaint: Record<string, unknown> = ("paint" in previous && previous.paint) || {};
    const nextPaint: Record<string, unknown> = ("paint" in next && next.paint) || {};
    for (const key of new Set([...Object.keys(prevPaint), ...Object.keys(nextPaint)])) {
      if (!sameValue(prevPaint[key], nextPaint[key]))
        map.setPaintProperty(id, key as PaintKey, nextPaint[key] as PaintValue);
    }
    const prevLayout: Record<string, unknown> = ("layout" in previous && previous.layout) || {};
    const nextLayout: Record<string, unknown> = ("layout" in next && next.layout) || {};
    for (const key of new Set([...Object.keys(prevLayout), ...Object.keys(nextLayout)])) {
      if (!sameValue(prevLayout[key], nextLayout[key]))
        map.setLayoutProperty(id, key as LayoutKey, nextLayout[key] as LayoutValue);
    }
    const prevFilter = "filter" in previous ? previous.filter : undefined;
    const nextFilter = "filter" in next ? next.filter : undefined;
    if (!sameValue(prevFilter, nextFilter)) map.setFilter(id, nextFilter ?? null);
    if (previous.minzoom !== next.minzoom || previous.maxzoom !== next.maxzoom) {
      map.setLayerZoomRange(id, next.minzoom ?? 0, next.maxzoom ?? 24);
    }
  }

  #addControls(): void {
    const map = this.#map;
    for (const control of [this.#navigation, this.#scale, this.#attribution]) {
      if (control && map.hasControl(control)) map.removeControl(control);
    }
    this.#navigation = new NavigationControl({ showCompass: false });
    this.#scale = new ScaleControl({ unit: "metric" });
    // Left to MapLibre, it folds into an ⓘ button on a map 640 px wide or less (a phone), spelled out above.
    this.#attribution = new AttributionControl({ customAttribution: this.#attributionText });
    map.addControl(this.#navigation, "bottom-right");
    map.addControl(this.#scale, "bottom-left");
    map.addControl(this.#attribution, "bottom-left");
    // MapLibre opens the folded attribution until the first drag; on a phone it then covers much of a small map
    // (the demo's data notice is three lines). It starts folded: the ⓘ button opens it.
    map.getContainer().querySelector(".maplibregl-compact-show")?.classList.remove("maplibregl-compact-show");
  }

  async #whenLoaded(apply: () => void): Promise<void> {
    await this.#loaded;
    apply();
  }
}

/** A style with only our own sources: no tiles, sprites or fonts from anywhere but this app's origin. */
function baseStyle(sources: Record<string, SourceSpecification>, layers: LayerSpecification[]): StyleSpecification {
  return {
    version: 8,
    // MapLibre wants an absolute URL here; the template braces must stay unescaped, so no URL object.
    glyphs: `${location.origin}/glyphs/{fontstack}/{range}.pbf`,
    sources,
    layers: [{ id: "background", type: "background", paint: { "background-color": MAP_COLORS.background } }, ...layers],
  };
}

/**
 * Padding that frames a view clear of the app's panels, plus a margin; on a screen too small for that the panels
 * cover part of the map anyway, and only the margin is kept.
 */
function framePadding(container: HTMLElement, inset: Inset, panelRight: number, panelLeft = 0): Inset {
  const margin = 24;
  const right = Math.max(inset.right, panelRight);
  const left = Math.max(inset.left, panelLeft);
  const fits = container.clientWidth - left - right > 320 && container.clientHeight - inset.top - inset.bottom > 240;
  if (!fits) return { top: margin, right: margin, bottom: margin, left: margin };
  return {
    top: inset.top + margin,
    right: right + margin,
    bottom: inset.bottom + margin,
    left: left + margin,
  };
}

/** A drawing tool as the page chose it (`setSketch`). */
type SketchChoice = { mode: SketchMode; handlers: SketchHandlers; pickLayers: string[] };

type PaintKey = Parameters<MaplibreMap["setPaintProperty"]>[1];
type LayoutKey = Parameters<MaplibreMap["setLayoutProperty"]>[1];
type PaintValue = Parameters<MaplibreMap["setPaintProperty"]>[2];
type LayoutValue = Parameters<MaplibreMap["setLayoutProperty"]>[2];

function sameValue(a: unknown, b: unknown): boolean {
  return a === b || JSON.stringify(a) === JSON.stringify(b);
}
