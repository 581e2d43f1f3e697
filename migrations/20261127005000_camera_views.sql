-- What each camera sees and which stretches of road that covers, stored so that coverage figures, blind spots and
-- the map read them instead of recomputing. A view is a sector (a disc for dome and PTZ cameras) within the
-- camera's range, cut by the buildings in front of it; the server builds it (an angular sweep over building walls
-- is far faster than overlays in PostGIS) and stores it here. Whenever what a view was built from changes — the
-- camera's position, type, bearing, width or range, or a building or road within its reach — triggers
-- (R__cameras.sql) list it to be built again, and the server builds those views before it reads any; camera
-- changes through the API do both in one transaction.

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
