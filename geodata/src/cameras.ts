/** Camera types as the camera table stores them (GB/T 28181: 球机 dome, 半球 half-dome, 固定枪机 fixed, 遥控枪机 PTZ). */
export const CAMERA_TYPES = ["dome", "half_dome", "fixed", "ptz"] as const;
export type CameraType = (typeof CAMERA_TYPES)[number];

/**
 * What a camera of each type sees when nothing was surveyed, by column of the camera table. A value taken from here
 * is listed in the camera's `defaulted`, whoever placed it: the server, an importer or the demo generator
 * (OpenStreetMap's `camera:angle` is the tilt, so a width of view has to come from here). Domes and PTZ cameras are
 * counted over their full sweep.
 */
export const CAMERA_TYPE_DEFAULTS: Record<
  CameraType,
  { bearing_deg: number; view_width_deg: number; range_m: number; mount_height_m: number }
> = {
  dome: { bearing_deg: 0, view_width_deg: 360, range_m: 80, mount_height_m: 6 },
  half_dome: { bearing_deg: 0, view_width_deg: 110, range_m: 25, mount_height_m: 3 },
  fixed: { bearing_deg: 0, view_width_deg: 60, range_m: 60, mount_height_m: 5 },
  ptz: { bearing_deg: 0, view_width_deg: 360, range_m: 150, mount_height_m: 8 },
};
