/**
 * The field app's map (MapView with MapLibre), fetched beside the field app's own code rather than inside it: the
 * list of the worker's grids shows as soon as the small part and the phone's copy of the data are there, and the map
 * fills in once MapLibre has arrived and compiled, which is most of a start's time, offline too. The app starts
 * this import together with the field app's (app.tsx), so the map costs no extra round trip.
 */
export const loadFieldMap = () => import("../../map/map-view.tsx");
