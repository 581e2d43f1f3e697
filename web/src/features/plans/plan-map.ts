import { useEffect, useMemo, useRef } from "react";
import type { GridFigures } from "../../api.ts";
import type { AtlasMap } from "../../map/atlas-map.ts";
import type { MapOverlay } from "../../map/map-view.tsx";
import { labelCollection, type PlanState, type Territory } from "./plan-data.ts";
import { colourGrids, GRID_PALETTE, gridAdjacency, gridLabelPoints } from "./plan-model.ts";

/** A parcel in no grid. */
const NO_GRID_COLOUR = "#bbbbbb";

/** What a plan view draws over the base map: the community's parcels, their edges and the grid labels. */
export function usePlanOverlay(territory: Territory | null, state: PlanState | null): MapOverlay {
  const labels = useMemo(
    () =>
      territory && state ? labelCollection(gridLabelPoints(territory.info, state.gridOf), state.figures) : undefined,
    [territory, state],
  );
  return useMemo(
    () => ({ data: { parcels: territory?.parcels, "parcel-edges": territory?.edges, "plan-labels": labels } }),
    [territory, labels],
  );
}

/** Grid colours: neighbours differ; a grid keeps its colour across edits where it can. */
export function useGridColours(territory: Territory | null, state: PlanState | null): (grid?: string) => string {
  const colours = useRef(new Map<string, number>());
  const byGrid = useMemo(() => {
    if (!territory || !state) return new Map<string, string>();
    const adj = gridAdjacency(territory.edgeList, state.gridOf);
    colours.current = colourGrids(state.figures.keys(), adj, colours.current);
    return new Map([...colours.current].map(([code, i]) => [code, GRID_PALETTE[i] as string]));
  }, [territory, state]);
  return useMemo(() => (grid?: string) => (grid && byGrid.get(grid)) || NO_GRID_COLOUR, [byGrid]);
}

/**
 * The editor's feature states: each parcel in its grid's colour, marked when in the selected grid, in a stroke's
 * preview or a shape waiting to be assigned, a loose piece of the selected grid, or focused; the edges between
 * grids drawn as boundaries, those of the selected grid bolder. Only what changed is sent to the map.
 */
export function useParcelStates(
  atlas: AtlasMap | null,
  territory: Territory | null,
  state: PlanState | null,
  colourOf: (grid?: string) => string,
  marks: { selected: string | null; selectedFigures?: GridFigures; pending: number[]; focus: number[] },
) {
  const sentParcels = useRef(new Map<number, string>());
  const sentEdges = useRef(new Map<number, string>());
  const sentFor = useRef<Territory | null>(null);
  const { selected, selectedFigures, pending, focus } = marks;
  const gridOf = state?.gridOf;
  useEffect(() => {
    if (!atlas || !territory || !gridOf) return;
    // Another community's parcels replaced the source: send every state again.
    if (sentFor.current !== territory) {
      sentFor.current = territory;
      sentParcels.current.clear();
      sentEdges.current.clear();
    }
    const pendingSet = new Set(pending);
    const focusSet = new Set(focus);
    const pieces = new Set(
      selectedFigures && !selectedFigures.contiguous ? selectedFigures.pieces.slice(1).flat() : [],
    );
    const parcelStates: Array<[number, Record<string, unknown>]> = [];
    for (const id of territory.info.keys()) {
      const grid = gridOf.get(id);
      const s = {
        color: colourOf(grid),
        selected: grid !== undefined && grid === selected,
        pending: pendingSet.has(id),
        piece: pieces.has(id),
        focus: focusSet.has(id),
      };
      const key = JSON.stringify(s);
      if (sentParcels.current.get(id) !== key) {
        sentParcels.current.set(id, key);
        parcelStates.push([id, s]);
      }
    }
    atlas.setFeatureStates("parcels", parcelStates);
    const edgeStates: Array<[number, Record<string, unknown>]> = [];
    for (const e of territory.edgeList) {
      const ga = gridOf.get(e.a);
      const gb = gridOf.get(e.b);
      const boundary = ga !== gb;
      const s = { boundary, selected: boundary && selected !== null && (ga === selected || gb === selected) };
      const key = JSON.stringify(s);
      if (sentEdges.current.get(e.id) !== key) {
        sentEdges.current.set(e.id, key);
        edgeStates.push([e.id, s]);
      }
    }
    atlas.setFeatureStates("parcel-edges", edgeStates);
  }, [atlas, territory, gridOf, colourOf, selected, selectedFigures, pending, focus]);
}
