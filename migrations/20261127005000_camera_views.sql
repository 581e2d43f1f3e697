-- What each camera sees and which stretches of road that covers, stored so that coverage figures, blind spots and
-- the map read them instead of recomputing. A view is a sector (a disc for dome and PTZ cameras) within the
-- camera's range, cut by the buildings in front of it; the server builds it (an angular sweep over building walls
-- is far faster than overlays in PostGIS) and stores it here. Whenever what a view was built from changes — the
-- camera's position, type, bearing, width or range, or a building or road within its reach — the triggers below
-- delete it, and the server builds the missing views before it reads any; camera changes through the API do both
-- in one transaction.

-- Stretches along a road in metres; float8 rather than numeric keeps the range arithmetic cheap.
create type float8range as range (subtype = float8, subtype_diff = float8mi);

create table camera_view (
  camera_id integer primary key references camera (id) on delete cascade,
  -- Where the view is seen from: the camera's point, or for a camera inside a footprint (mounted on a shop front)
  -- the front of that building facing its nearest road.
  origin geometry(Point, 4326) not null,
  -- The disc of the camera's range around the origin: where a changed building or road can alter the view.
  reach geometry(Polygon, 4326) not null,
  geom geometry(Polygon, 4326) not null,
  area_m2 double precision not null check (area_m2 >= 0),
  computed_at timestamptz not null default now()
);
create index camera_view_geom_idx on camera_view using gist (geom);
create index camera_view_reach_idx on camera_view using gist (reach);

-- The stretches of a road inside a view, in metres from the road's start, measured in the metric CRS.
create table camera_view_road (
  camera_id integer not null references camera_view (camera_id) on delete cascade,
  road_id integer not null references road (id) on delete cascade,
  seen float8multirange not null,
  primary key (camera_id, road_id)
);
create index camera_view_road_road_idx on camera_view_road (road_id);

create function camera_view_forget_camera() returns trigger language plpgsql as $$
begin
  delete from camera_view where camera_id = old.id;
  return null;
end
$$;

create trigger camera_view_forget_camera after update on camera for each row
  when ((old.geom, old.type, old.bearing_deg, old.view_width_deg, old.range_m)
    is distinct from (new.geom, new.type, new.bearing_deg, new.view_width_deg, new.range_m))
  execute function camera_view_forget_camera();

-- A building or road that appears, moves or goes changes the views whose reach it touches.
create function camera_view_forget_near() returns trigger language plpgsql as $$
begin
  if tg_op <> 'INSERT' then
    delete from camera_view where reach && old.geom;
  end if;
  if tg_op <> 'DELETE' then
    delete from camera_view where reach && new.geom;
  end if;
  return null;
end
$$;

create function camera_view_forget_all() returns trigger language plpgsql as $$
begin
  delete from camera_view;
  return null;
end
$$;

create trigger camera_view_forget_building after insert or delete or update of geom on building
  for each row execute function camera_view_forget_near();
create trigger camera_view_forget_road after insert or delete or update of geom on road
  for each row execute function camera_view_forget_near();
create trigger camera_view_forget_building_truncate after truncate on building
  for each statement execute function camera_view_forget_all();
create trigger camera_view_forget_road_truncate after truncate on road
  for each statement execute function camera_view_forget_all();

-- The point on a building's outline nearest to `toward` (its nearest road), moved `out_m` towards it: where a
-- shop's door, and a camera on its front, face the street. All in one metric CRS.
create function building_front(building geometry, toward geometry, out_m double precision) returns geometry
language sql immutable parallel safe as $$
  select case when d < 1e-9 then p
    else ST_Translate(p, (ST_X(q) - ST_X(p)) / d * out_m, (ST_Y(q) - ST_Y(p)) / d * out_m) end
  from (select ST_ClosestPoint(ST_Boundary(building), toward) as p) a
  cross join lateral (select ST_ClosestPoint(toward, a.p) as q) b
  cross join lateral (select ST_Distance(a.p, b.q) as d) c
$$;
