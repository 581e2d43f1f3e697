-- pg_dump prints a trigger's WHEN clause with the operators it resolved, but `IS DISTINCT FROM` has no syntax to
-- name the schema of its `=`; pg_restore runs with an empty search_path, where geometry's `=` is ambiguous, so a
-- backup of any database with this trigger could not be restored. Comparing the geometries' EWKB (bytea, whose `=`
-- lives in pg_catalog) means the same thing here, "the position changed", and restores.
drop trigger camera_view_pending_update on camera;
create trigger camera_view_pending_update after update on camera for each row
  when ((st_asewkb(old.geom), old.type, old.bearing_deg, old.view_width_deg, old.range_m)
    is distinct from (st_asewkb(new.geom), new.type, new.bearing_deg, new.view_width_deg, new.range_m))
  execute function camera_view_pending_camera();
