import type { LayerSpecification, SourceSpecification } from "maplibre-gl";
import { useCallback, useEffect, useMemo, useState } from "react";
import {
  type ApiError,
  type BaseMapSetting,
  fetchBaseMapSetting,
  fetchCommunities,
  fetchCompounds,
  fetchSubdistrict,
  fetchWater,
  toApiError,
} from "../api.ts";
import { blocksLayers, blocksSource } from "../features/blocks/blocks-layer.ts";
import { buildingsLayers, buildingsSource } from "../features/buildings/buildings-layer.ts";
import { communitiesLayers, communitiesSource } from "../features/communities/communities-layer.ts";
import {
  compoundLabelPoints,
  compoundsLabelsSource,
  compoundsLayers,
  compoundsSource,
} from "../features/compounds/compounds-layer.ts";
import { roadsLayers, roadsSource } from "../features/roads/roads-layer.ts";
import { waterLabelPoints, waterLabelsSource, waterLayers, waterSource } from "../features/water/water-layer.ts";
import { bilingualPart, htmlLang, type Lang, type MessageKey, type Translate, useLang } from "../i18n/lang.ts";
import { type BaseCommunity, type BaseMap, inDrawOrder, sourcesOf } from "../map/base-map.ts";

/**
 * The one drawing order of the app's maps, bottom to top: land, water, compounds and buildings; the grids (or a
 * plan's parcels) in their colours under the roads, which are what people find their way by; outlines over both;
 * names on top. Each screen draws those of these layers its features define, less what it leaves out below; a
 * page's own layers (points, views, previews) go over all of them.
 */
export const DRAW_ORDER = [
  // Zoomed out over a city, below the zoom where blocks are drawn.
  "grids-overview",
  "blocks-fill",
  "water-fill",
  "compounds-fill",
  "buildings-fill",
  "buildings-line",
  "grids-fill",
  "parcels-fill",
  "parcels-line",
  "roads-casing",
  "roads-line",
  "grids-line",
  "compounds-line",
  "communities-dim",
  "communities-casing",
  "communities-line",
  "grids-highlight",
  "parcel-edges-line",
  "parcels-highlight",
  // Boundaries of the plan compared against that are gone, dashed over everything else.
  "parcel-edges-old",
  "water-label",
  "roads-label",
  "compounds-label",
  "entrances-point",
  "entrances-label",
  "buildings-label",
  "grids-label",
  "plan-labels",
  "communities-label",
] as const;

/** The screens that draw the base map. */
export type BaseScreen = "map" | "plan" | "workspace" | "leader" | "cameras" | "data" | "field";

/** What a screen leaves out of the base map, so that its own layers read clearly. */
const LEFT_OUT: Record<BaseScreen, readonly string[]> = {
  map: [],
  plan: [],
  // The status colours of the grids over plain land; no names but the roads' and the communities'.
  workspace: [
    "buildings-fill",
    "buildings-line",
    "buildings-label",
    "entrances-point",
    "entrances-label",
    "water-label",
    "compounds-label",
  ],
  // Points over the land: buildings would hide them.
  leader: ["buildings-fill", "buildings-line", "buildings-label", "entrances-point", "entrances-label"],
  // Buildings stay (they block the views); the views and blind spots need no more names than the roads'.
  cameras: ["water-label", "compounds-label"],
  // Buildings show whether imported points land on them.
  data: [],
  // Tiles only, which the phone caches for work offline: the label points come from requests it would not have.
  field: ["water-label", "compounds-label"],
};

/** Every source of the base map: vector tiles but for the label points, written once per water body and compound. */
const BASE_SOURCES: Record<string, SourceSpecification> = {
  blocks: blocksSource,
  water: waterSource,
  "water-labels": waterLabelsSource,
  compounds: compoundsSource,
  "compounds-labels": compoundsLabelsSource,
  roads: roadsSource,
  buildings: buildingsSource,
  communities: communitiesSource,
};

/**
 * The layers `screen` draws, in the drawing order: the base map's and `extra` (the grids of the map screen, the
 * parcels of the plan views). `focus` is the community the others are shaded around.
 */
export function baseLayers(
  screen: BaseScreen,
  { lang, focus, extra = [] }: { lang: Lang; focus: string | null; extra?: readonly LayerSpecification[] },
): LayerSpecification[] {
  const all = [
    ...blocksLayers(),
    ...waterLayers(),
    ...compoundsLayers(),
    ...buildingsLayers({ lang }),
    ...roadsLayers(),
    ...communitiesLayers({ lang, focus }),
    ...extra,
  ];
  return inDrawOrder(
    all,
    DRAW_ORDER.filter((id) => !LEFT_OUT[screen].includes(id)),
  );
}

/** A feature's sources and layers drawn between the base map's (the map screen's grids, the plan views' parcels). */
export type BaseExtra = { sources: Record<string, SourceSpecification>; layers: readonly LayerSpecification[] };

/** The sources of the layers `screen` draws, of the base map's and `extra`'s (which do not change with the focus). */
export function baseSources(screen: BaseScreen, extra?: BaseExtra): Record<string, SourceSpecification> {
  // Which layers a screen draws does not depend on the language or the focus: any will do.
  const layers = baseLayers(screen, { lang: "zh", focus: null, extra: extra?.layers });
  return sourcesOf({ ...BASE_SOURCES, ...extra?.sources }, layers);
}

/**
 * The raster base map an admin set (天地图 with the office's key, an intranet tile server): drawn at the bottom,
 * under the vector map less its land fill, which would hide it. None by default: the offline map alone.
 */
export function withRaster(
  setting: BaseMapSetting | undefined,
  sources: Record<string, SourceSpecification>,
  layers: LayerSpecification[],
): { sources: Record<string, SourceSpecification>; layers: LayerSpecification[] } {
  if (!setting?.raster_url) return { sources, layers };
  return {
    sources: {
      ...sources,
      "raster-base": {
        type: "raster",
        tiles: [setting.raster_url],
        tileSize: 256,
        ...(setting.attribution ? { attribution: setting.attribution } : {}),
      },
    },
    layers: [
      { id: "raster-base", type: "raster", source: "raster-base" },
      ...layers.filter((l) => l.id !== "blocks-fill"),
    ],
  };
}

/** MapLibre's own UI strings in the user's language. */
export function mapLocale(t: Translate): Record<string, string> {
  return {
    "Map.Title": t("app.title"),
    "NavigationControl.ZoomIn": t("map.zoomIn"),
    "NavigationControl.ZoomOut": t("map.zoomOut"),
    "AttributionControl.ToggleAttribution": t("map.toggleAttribution"),
    "ScaleControl.Meters": t("map.meters"),
    "ScaleControl.Kilometers": t("map.kilometers"),
  };
}

/** What the base map is built from (the rest comes as tiles), loaded once and kept across screens. */
const BASE_LOADERS = {
  // The raster base map is optional: a failure to read its setting leaves the offline map alone.
  raster: () => fetchBaseMapSetting().catch((): BaseMapSetting => ({ raster_url: null, attribution: "", version: 0 })),
  subdistrict: fetchSubdistrict,
  communities: fetchCommunities,
  water: fetchWater,
  compounds: fetchCompounds,
};
type BaseLoaded = { [K in keyof typeof BASE_LOADERS]: Awaited<ReturnType<(typeof BASE_LOADERS)[K]>> };
let baseLoading: Promise<BaseLoaded> | null = null;

function loadBase(): Promise<BaseLoaded> {
  baseLoading ??= Promise.all(Object.entries(BASE_LOADERS).map(async ([k, load]) => [k, await load()] as const)).then(
    (entries) => Object.fromEntries(entries) as BaseLoaded,
  );
  baseLoading.catch(() => {
    baseLoading = null;
  });
  return baseLoading;
}

export type BaseMapOptions = {
  /** The community the others are shaded around, picked once the communities are known. */
  focus?: (communities: BaseCommunity[]) => string | null;
  /** A feature drawn between the base map's layers (keep the object stable: a module constant). */
  extra?: BaseExtra;
};

/**
 * The subdistrict's base map as `screen` draws it: loaded once (shared by every screen), with the document titled
 * after the page. Data and layers are kept apart in memos, so a change of language restyles without reloading.
 */
export function useBaseMap(
  screen: BaseScreen,
  title: MessageKey,
  options: BaseMapOptions = {},
): { map: BaseMap | null; error: ApiError | null; compoundName: (id: number) => string | undefined } {
  const { lang, t } = useLang();
  const [base, setBase] = useState<BaseLoaded | null>(null);
  const [error, setError] = useState<ApiError | null>(null);

  useEffect(() => {
    loadBase().then(setBase, (err: unknown) => setError(toApiError(err)));
  }, []);

  useEffect(() => {
    document.documentElement.lang = htmlLang(lang);
    document.title = `${t("app.title")} · ${t(title)}`;
  }, [lang, t, title]);

  const communities = base?.communities.features;
  const focus = (communities && options.focus?.(communities)) ?? null;
  const { extra } = options;
  const raster = base?.raster;
  const layers = useMemo(
    () => withRaster(raster, {}, baseLayers(screen, { lang, focus, extra: extra?.layers })).layers,
    [screen, lang, focus, extra, raster],
  );
  const sources = useMemo(() => withRaster(raster, baseSources(screen, extra), []).sources, [screen, extra, raster]);
  const data = useMemo(() => {
    if (!base) return null;
    const labels = {
      "water-labels": waterLabelPoints(base.water),
      "compounds-labels": compoundLabelPoints(base.compounds),
    };
    return Object.fromEntries(Object.entries(labels).filter(([id]) => id in sources));
  }, [base, sources]);
  const locale = useMemo(() => mapLocale(t), [t]);
  const map = useMemo(
    () =>
      base &&
      data && {
        bbox: base.subdistrict.bbox,
        sources,
        layers,
        data,
        locale,
        attribution: bilingualPart(lang, base.subdistrict.attribution),
        communities: base.communities.features,
      },
    [base, sources, layers, data, locale, lang],
  );
  const compoundName = useCallback(
    (id: number) => base?.compounds.features.find((f) => f.properties.id === id)?.properties.name,
    [base],
  );
  return { map, error, compoundName };
}
