import type { LayerSpecification, SourceSpecification } from "maplibre-gl";
import { useEffect, useMemo, useRef, useState } from "react";
import { createPortal } from "react-dom";
import { AtlasMap, type FeatureRef, type Inset } from "./atlas-map.ts";
import type { BaseMap } from "./base-map.ts";
import type { BBox } from "./geo.ts";
import { type MapPrint, MeasureTool, NorthArrow, PrintButton } from "./map-tools.tsx";
import { PhoneMapTools, usePhone } from "./phone-map-tools.tsx";
import { PlaceSearch } from "./place-search.tsx";

export type MapViewProps = {
  /** The extent shown first. Read once, when the map is created. */
  bbox: BBox;
  /** The sources the layers draw from: GeoJSON, or vector tiles of /tiles. Read once, when the map is created. */
  sources: Record<string, SourceSpecification>;
  /** Every layer in drawing order; changes are applied as they come. */
  layers: LayerSpecification[];
  /** Features per source; a source's data is sent to the map when its object changes. */
  data: Record<string, GeoJSON.GeoJSON | undefined>;
  selection: FeatureRef | null;
  locale: Record<string, string>;
  /** Room the app's panels take along the edges. Read once, when the map is created. */
  inset: Inset;
  attribution: string;
  /** Called once the map exists, with the handle for camera moves and event subscriptions. */
  onReady: (map: AtlasMap) => void;
  className?: string;
  /**
   * The map tools every office map has: the search box, measuring, the north arrow (default on; the field app's
   * phone map leaves them out).
   */
  tools?: boolean;
  /** Shows a print button that prints this plan and community through the server (for roles that may print). */
  print?: MapPrint | null;
  /** The search finds the grids of this plan (the editor's draft) instead of the published plan's. */
  searchPlan?: number;
};

type Slots = { search: HTMLElement; tools: HTMLElement };

/** The React face of `AtlasMap`: creates it once, then keeps its layers, data and selection in step with props. */
export function MapView(props: MapViewProps) {
  const container = useRef<HTMLDivElement>(null);
  const [atlas, setAtlas] = useState<AtlasMap | null>(null);
  const [slots, setSlots] = useState<Slots | null>(null);
  const phone = usePhone();
  const sent = useRef(new Map<string, GeoJSON.GeoJSON>());
  // The first values only: the map is created once and updated through the effects below.
  const initial = useRef(props);

  useEffect(() => {
    if (!container.current) return;
    const { bbox, sources, layers, locale, inset } = initial.current;
    const map = new AtlasMap({ container: container.current, bbox, sources, layers, locale, inset });
    setAtlas(map);
    if (initial.current.tools !== false) {
      setSlots({
        search: map.controlSlot("top-right", "map-search-slot"),
        tools: map.controlSlot("bottom-right", "map-tools-slot"),
      });
    }
    initial.current.onReady(map);
    return () => {
      map.destroy();
      sent.current.clear();
      setSlots(null);
    };
  }, []);

  useEffect(() => atlas?.syncLayers(props.layers), [atlas, props.layers]);

  useEffect(() => {
    if (!atlas) return;
    for (const [source, data] of Object.entries(props.data)) {
      if (data && sent.current.get(source) !== data) {
        atlas.setData(source, data);
        sent.current.set(source, data);
      }
    }
  }, [atlas, props.data]);

  useEffect(() => atlas?.select(props.selection), [atlas, props.selection]);
  useEffect(() => atlas?.setLocale(props.locale), [atlas, props.locale]);
  useEffect(() => atlas?.setAttribution(props.attribution), [atlas, props.attribution]);

  return (
    <>
      <div ref={container} className={props.className} data-testid="map" />
      {atlas &&
        slots &&
        phone &&
        createPortal(<PhoneMapTools atlas={atlas} print={props.print} searchPlan={props.searchPlan} />, slots.search)}
      {atlas && slots && !phone && createPortal(<PlaceSearch atlas={atlas} plan={props.searchPlan} />, slots.search)}
      {atlas &&
        slots &&
        !phone &&
        createPortal(
          <>
            {props.print && <PrintButton print={props.print} />}
            <MeasureTool atlas={atlas} />
            <NorthArrow />
          </>,
          slots.tools,
        )}
    </>
  );
}

/** What a page draws over its base map: its own sources, its layers (above the base's) and their data. */
export type MapOverlay = {
  sources?: Record<string, SourceSpecification>;
  layers?: LayerSpecification[];
  data?: Record<string, GeoJSON.GeoJSON | undefined>;
};

type BaseMapViewProps = Omit<MapViewProps, "bbox" | "sources" | "layers" | "data" | "locale" | "attribution"> & {
  base: BaseMap;
  /** Kept the same object while nothing in it changes (a memo): its layers and data are sent on when it changes. */
  overlay?: MapOverlay;
};

/**
 * A page's MapView over its base map: extent, strings, attribution, sources, layers and data come from `base`,
 * with the page's `overlay` added to them.
 */
export function BaseMapView({ base, overlay, ...props }: BaseMapViewProps) {
  const layers = useMemo(() => [...base.layers, ...(overlay?.layers ?? [])], [base.layers, overlay?.layers]);
  const data = useMemo(() => ({ ...base.data, ...overlay?.data }), [base.data, overlay?.data]);
  return (
    <MapView
      className="map"
      bbox={base.bbox}
      sources={{ ...base.sources, ...overlay?.sources }}
      layers={layers}
      data={data}
      locale={base.locale}
      attribution={base.attribution}
      {...props}
    />
  );
}
