import { useCallback, useEffect, useRef, useState } from "react";
import {
  type AffectedGrid,
  type CameraFeature,
  type CameraPatch,
  type Cameras,
  changeCamera,
  fetchCameras,
  type NewCamera,
  placeCamera,
  removeCamera,
  toApiError,
} from "../../api.ts";
import type { GridDelta } from "./camera-card.tsx";

/**
 * A community's cameras and the changes made to them, one at a time: each change is saved at once and its answer
 * taken in (the camera, or its removal, and through `coverage` the affected grids' figures, whose before → after
 * are `deltas`). Every change carries the version of the camera as last read: someone else's change in between is
 * refused (409) rather than overwritten, and the cameras and coverage are then read again.
 */
export function useCameraChanges(
  community: string | null,
  coverage: { takeIn: (affected: AffectedGrid[]) => GridDelta[] | null; refresh: () => void },
  fail: (err: unknown) => void,
) {
  const [cameras, setCameras] = useState<Cameras | null>(null);
  const [saving, setSaving] = useState(false);
  const [deltas, setDeltas] = useState<GridDelta[] | null>(null);
  /** Bumped when the server refuses a change, so the card shows the camera's values again. */
  const [refused, setRefused] = useState(0);
  const savingRef = useRef(false);
  const camerasRef = useRef(cameras);
  camerasRef.current = cameras;
  const { takeIn, refresh } = coverage;

  useEffect(() => {
    setDeltas(null);
    setCameras(null);
    if (!community) return;
    let current = true;
    fetchCameras(community).then((fc) => current && setCameras(fc as Cameras), fail);
    return () => {
      current = false;
    };
  }, [community, fail]);

  /** Takes a change's answer in: the camera (or its removal), the affected grids' new figures and their deltas. */
  const absorb = useCallback(
    (camera: CameraFeature | null, removed: number | null, affected: AffectedGrid[]) => {
      setCameras((fc) => {
        if (!fc) return fc;
        const features = fc.features.filter((f) => f.properties.id !== removed);
        if (!camera) return { ...fc, features };
        const i = features.findIndex((f) => f.properties.id === camera.properties.id);
        const next = [...features];
        if (i >= 0) next[i] = camera as (typeof features)[number];
        else next.push(camera as (typeof features)[number]);
        return { ...fc, features: next };
      });
      const changed = takeIn(affected);
      if (changed) setDeltas(changed);
      refresh();
    },
    [takeIn, refresh],
  );

  /** Runs one change at a time: another asked for while one is being saved is dropped. */
  const once = useCallback((change: () => Promise<unknown>) => {
    if (savingRef.current) return;
    savingRef.current = true;
    setSaving(true);
    void change().finally(() => {
      savingRef.current = false;
      setSaving(false);
    });
  }, []);

  /** Changes a camera; `settle` runs once the change is saved or refused. */
  const patch = useCallback(
    (id: number, change: CameraPatch, settle: () => void) =>
      once(() => {
        const read = camerasRef.current?.features.find((f) => f.properties.id === id)?.properties.version;
        return changeCamera(id, read === undefined ? change : { ...change, version: read })
          .then(
            (res) => absorb(res.camera as unknown as CameraFeature, null, res.grids),
            (err: unknown) => {
              setRefused((n) => n + 1);
              fail(err);
              if (toApiError(err).status === 409 && community) {
                fetchCameras(community).then((fc) => setCameras(fc as Cameras), fail);
                refresh();
              }
            },
          )
          .finally(settle);
      }),
    [once, absorb, fail, refresh, community],
  );

  /** Places a camera (planned, or as the suggestion has it); `placed` gets its id. */
  const place = useCallback(
    (camera: NewCamera, placed: (id: number) => void) =>
      once(() =>
        placeCamera(camera).then((res) => {
          const f = res.camera as unknown as CameraFeature;
          absorb(f, null, res.grids);
          placed(f.properties.id);
        }, fail),
      ),
    [once, absorb, fail],
  );

  const remove = useCallback(
    (id: number, removed: () => void) =>
      once(() => {
        const read = camerasRef.current?.features.find((f) => f.properties.id === id)?.properties.version ?? 0;
        return removeCamera(id, read).then((res) => {
          absorb(null, res.id, res.grids);
          removed();
        }, fail);
      }),
    [once, absorb, fail],
  );

  return { cameras, saving, savingRef, deltas, setDeltas, refused, patch, place, remove };
}
