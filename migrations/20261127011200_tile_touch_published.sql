-- tile_touch_plan_parcel and tile_touch_grid were one function twice: both find the communities of the published
-- rows a statement changed. tile_touch_published (R__tile_versions.sql) serves both tables, told by its trigger's
-- argument which layers to bump, as tile_touch and tile_touch_plan are. The old functions and the triggers that
-- called them go here; R__tile_versions.sql makes the triggers again.
drop trigger if exists tile_plan_parcel_insert on plan_parcel;
drop trigger if exists tile_plan_parcel_update on plan_parcel;
drop trigger if exists tile_plan_parcel_delete on plan_parcel;
drop trigger if exists tile_grid_insert on grid;
drop trigger if exists tile_grid_update on grid;
drop trigger if exists tile_grid_delete on grid;
drop function if exists tile_touch_plan_parcel();
drop function if exists tile_touch_grid();
