-- Which camera views must be built again (camera_view_pending): listed by triggers when a camera moves or turns, or
-- a building or road near its view changes; the server builds them before it reads any view.

create or replace function camera_view_pending_camera() returns trigger language plpgsql as $$
begin
  insert into camera_view_pending (camera_id) values (new.id) on conflict do nothing;
  return null;
end
$$;

create or replace trigger camera_view_pending_insert after insert on camera for each row
  execute function camera_view_pending_camera();

-- pg_restore runs with an empty search_path, where geometry's `=` (which `IS DISTINCT FROM` would use on the
-- points) is ambiguous: comparing their EWKB (bytea, whose `=` lives in pg_catalog) means the same, and restores.
create or replace trigger camera_view_pending_update after update on camera for each row
  when ((st_asewkb(old.geom), old.type, old.bearing_deg, old.view_width_deg, old.range_m)
    is distinct from (st_asewkb(new.geom), new.type, new.bearing_deg, new.view_width_deg, new.range_m))
  execute function camera_view_pending_camera();

-- A building that appears, moves or goes changes the views it touches, within a metre (a camera on a shop front
-- stands 0.3 m off its wall).
create or replace function camera_view_pending_near() returns trigger language plpgsql as $$
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
create or replace function camera_view_pending_all() returns trigger language plpgsql as $$
begin
  insert into camera_view_pending (camera_id) select id from camera on conflict do nothing;
  return null;
end
$$;

create or replace trigger camera_view_pending_building after insert or delete or update of geom on building
  for each row execute function camera_view_pending_near();
create or replace trigger camera_view_pending_road after insert or delete or update of geom on road
  for each statement execute function camera_view_pending_all();
create or replace trigger camera_view_pending_building_truncate after truncate on building
  for each statement execute function camera_view_pending_all();
create or replace trigger camera_view_pending_road_truncate after truncate on road
  for each statement execute function camera_view_pending_all();

-- The point on a building's outline nearest to `toward` (its nearest road), moved `out_m` towards it: where a
-- shop's door, and a camera on its front, face the street. All in one metric CRS.
create or replace function building_front(building geometry, toward geometry, out_m double precision) returns geometry
language sql immutable parallel safe as $$
  select case when d < 1e-9 then p
    else ST_Translate(p, (ST_X(q) - ST_X(p)) / d * out_m, (ST_Y(q) - ST_Y(p)) / d * out_m) end
  from (select ST_ClosestPoint(ST_Boundary(building), toward) as p) a
  cross join lateral (select ST_ClosestPoint(toward, a.p) as q) b
  cross join lateral (select ST_Distance(a.p, b.q) as d) c
$$;
