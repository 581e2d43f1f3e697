import { useCallback, useRef, useState } from "react";
import { useLang } from "../i18n/lang.ts";
import type { AtlasMap } from "./atlas-map.ts";

/**
 * Picking a point on the map for something new (a hazard, a planned camera): from `start` until `stop` the cursor
 * is a crosshair and `picking` is true, for the page's click handler to take the next click as the point.
 */
export function usePointPick(atlas: AtlasMap | null) {
  const [picking, setPicking] = useState(false);
  // The map's click handlers are set up once, when it is ready: they reach the map through this ref.
  const atlasRef = useRef(atlas);
  atlasRef.current = atlas;
  const start = useCallback(() => {
    setPicking(true);
    atlasRef.current?.setCursor("crosshair");
  }, []);
  const stop = useCallback(() => {
    setPicking(false);
    atlasRef.current?.setCursor("");
  }, []);
  return { picking, start, stop };
}

/** The bar shown while a point is picked: what to click, and a button to give up. */
export function PickHint(props: { className: string; testId: string; text: string; onCancel: () => void }) {
  const { t } = useLang();
  return (
    <div className={props.className} role="status" data-testid={props.testId}>
      {props.text}
      <button type="button" onClick={props.onCancel}>
        {t("leaderMap.cancel")}
      </button>
    </div>
  );
}
