-- Stale views are listed instead of deleted. Finding cameras without a view meant scanning every camera on every
-- read and every camera change (milliseconds at a city's 50,000 cameras, on a path that has 15 ms in all); a list
-- of the cameras whose view must be built again is read and emptied in one indexed statement, and the old view
-- stays readable until the new one replaces it in the same transaction. The reach column goes: a building can only
-- change a view it touches (it cuts the view, or cut it), so the view's own box finds them, and storing a second
-- indexed geometry per camera cost a quarter of rebuilding all views.

create table camera_view_pending (
  camera_id integer primary key references camera (id) on delete cascade
);

drop trigger camera_view_forget_camera on camera;
drop trigger camera_view_forget_building on building;
drop trigger camera_view_forget_road on road;
drop trigger camera_view_forget_building_truncate on building;
drop trigger camera_view_forget_road_truncate on road;
drop function camera_view_forget_camera();
drop function camera_view_forget_near();
drop function camera_view_forget_all();

create function camera_view_pending_camera() returns trigger language plpgsql as $$
begin
  insert into camera_view_pending (camera_id) values (new.id) on conflict do nothing;
  return null;
end
$$;

create trigger camera_view_pending_insert after insert on camera for each row
  execute function camera_view_pending_camera();
create trigger camera_view_pending_update after update on camera for each row
  when ((old.geom, old.type, old.bearing_deg, old.view_width_deg, old.range_m)
    is distinct from (new.geom, new.type, new.bearing_deg, new.view_width_deg, new.range_m))
  execute function camera_view_pending_camera();

-- A building that appears, moves or goes changes the views it touches, within a metre (a camera on a shop front
-- stands 0.3 m off its wall).
create function camera_view_pending_near() returns trigger language plpgsql as $$
begin
  if tg_op <> 'INSERT' then
    insert into camera_view_pending (camera_id)
    select camera_id from camera_view where geom && ST_Expand(old.geom, 0.00001) on conflict do nothing;
  end if;
  if tg_op <> 'DELETE' then
    insert into camera_view_pending (camera_id)
    select camera_id from camera_view where geom && ST_Expand(new.geom, 0.00001) on conflict do nothing;
  end if;
  return null;
end
$$;

-- Roads change rarely (an import), and decide where shop-front cameras stand: every view is built again.
create function camera_view_pending_all() returns trigger language plpgsql as $$
begin
  insert into camera_view_pending (camera_id) select id from camera on conflict do nothing;
  return null;
end
$$;

create trigger camera_view_pending_building after insert or delete or update of geom on building
  for each row execute function camera_view_pending_near();
create trigger camera_view_pending_road after insert or delete or update of geom on road
  for each statement execute function camera_view_pending_all();
create trigger camera_view_pending_building_truncate after truncate on building
  for each statement execute function camera_view_pending_all();
create trigger camera_view_pending_road_truncate after truncate on road
  for each statement execute function camera_view_pending_all();

alter table camera_view drop column reach;

insert into camera_view_pending (camera_id)
select k.id from camera k where not exists (select 1 from camera_view v where v.camera_id = k.id);
