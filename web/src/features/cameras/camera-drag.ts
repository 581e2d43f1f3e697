import { useCallback, useRef, useState } from "react";
import type { CameraFeature } from "../../api.ts";
import type { LngLat } from "../../map/geo.ts";

/** A camera being moved (to `at`) or turned (to `bearing`) by the pointer. */
export type Drag = { id: number; mode: "move" | "rotate"; at?: LngLat; bearing?: number };
/** Values typed in the camera's card, shown on the map before they are saved. */
export type Preview = { id: number; bearing_deg?: number; view_width_deg?: number; range_m?: number };

/**
 * A camera as the user is changing it, before the server answers: dragged to a place or a bearing on the map, or
 * given other values in its card. `live` gives a camera as it stands now; `end` drops both once the change is
 * saved or refused. The drag is also held in a ref, for the map's handlers, which are bound once.
 */
export function useCameraDrag() {
  const [drag, setDrag] = useState<Drag | null>(null);
  const [preview, setPreview] = useState<Preview | null>(null);
  const dragRef = useRef<Drag | null>(null);
  const setDragNow = useCallback((d: Drag | null) => {
    dragRef.current = d;
    setDrag(d);
  }, []);

  /** A camera as it stands while dragged or previewed; the server's answer replaces it. */
  const live = useCallback(
    (f: CameraFeature): CameraFeature => {
      const id = f.properties.id;
      let out = f;
      if (drag?.id === id) {
        out = {
          ...out,
          geometry: drag.at ? { type: "Point", coordinates: drag.at } : out.geometry,
          properties: { ...out.properties, bearing_deg: drag.bearing ?? out.properties.bearing_deg },
        };
      }
      if (preview?.id === id) out = { ...out, properties: { ...out.properties, ...preview } };
      return out;
    },
    [drag, preview],
  );

  const end = useCallback(() => {
    setDragNow(null);
    setPreview(null);
  }, [setDragNow]);

  return { drag, dragRef, setDrag: setDragNow, preview, setPreview, live, end };
}
