-- Cameras and workers are edited from forms that show what was read a while ago: every update bumps the row's
-- version, so that an edit sent with the version it was made against is refused (409) when someone changed the row
-- in between.

create or replace function bump_version() returns trigger language plpgsql as $$
begin
  new.version := old.version + 1;
  return new;
end
$$;

create or replace trigger camera_bump_version before update on camera for each row execute function bump_version();
create or replace trigger worker_bump_version before update on worker for each row execute function bump_version();
create or replace trigger venue_category_bump_version before update on venue_category for each row
  execute function bump_version();
create or replace trigger base_map_setting_bump_version before update on base_map_setting for each row
  execute function bump_version();
