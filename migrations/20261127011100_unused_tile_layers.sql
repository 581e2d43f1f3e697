-- The venues, hazards, cameras and parcels tile layers were kept current on every change but no page drew them: the
-- leader's map and the cameras page draw their points from the JSON routes, and the editor its parcels. Their tile
-- functions, their triggers, their versions and the per-community counts only they read go (R__tiles.sql and
-- R__tile_versions.sql no longer define them; a fresh database never had the functions and triggers).

drop trigger if exists tile_venue_insert on venue;
drop trigger if exists tile_venue_update on venue;
drop trigger if exists tile_venue_delete on venue;
drop trigger if exists tile_hazard_insert on hazard;
drop trigger if exists tile_hazard_update on hazard;
drop trigger if exists tile_hazard_delete on hazard;
drop trigger if exists tile_camera_insert on camera;
drop trigger if exists tile_camera_update on camera;
drop trigger if exists tile_camera_delete on camera;
drop trigger if exists tile_parcel_insert on parcel;
drop trigger if exists tile_parcel_update on parcel;
drop trigger if exists tile_parcel_delete on parcel;

drop function if exists venues_tile(integer, integer, integer, text[], text[]);
drop function if exists hazards_tile(integer, integer, integer, text[], text[]);
drop function if exists cameras_tile(integer, integer, integer, text[], text[]);
drop function if exists parcels_tile(integer, integer, integer, text[], text[]);
drop function if exists tile_refresh_counts(text[]);

alter table tile_community drop column venues, drop column hazards_open, drop column cameras;

delete from tile_layer where layer in ('venues', 'hazards', 'cameras', 'parcels');
