-- The tables that point at a parcel had no index on that column, so deleting parcels — build_territory rebuilding a
-- subdistrict's parcels, an import replacing them — checked each deleted parcel against the whole of venue, hazard,
-- camera and plan_parcel: about 1.5 s of a demo rebuild, and growing with every subdistrict a city adds. The same
-- indexes serve the tile scope filters (`parcel_id in (parcels of some grids)`) and a parcel's places on its card.
create index venue_parcel_idx on venue (parcel_id);
create index hazard_parcel_idx on hazard (parcel_id);
create index camera_parcel_idx on camera (parcel_id);
create index plan_parcel_parcel_idx on plan_parcel (parcel_id);
