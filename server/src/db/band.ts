/**
 * A grid's households against its community's band. The rule is the SQL function `band_status()`
 * (migrations/R__grids.sql); `grid_figure.status` and `plan_grid_figures().status` carry it, and the server passes it
 * on instead of comparing households with the band again.
 */
export const BAND_STATUSES = ["under", "ok", "over"] as const;
export type BandStatus = (typeof BAND_STATUSES)[number];
