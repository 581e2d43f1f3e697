-- The territory: subdistrict → communities → blocks → parcels, and what stands on it (roads, water, compounds,
-- buildings, entrances). Geometry is stored in EPSG:4326; lengths and areas are measured in the subdistrict's
-- metric CRS (metric_srid, a CGCS2000 3-degree Gauss-Krüger zone, EPSG:4550 for Tongliao).

create table subdistrict (
  code text primary key check (code ~ '^\d{9}$'),
  name text not null,
  name_en text,
  metric_srid integer not null default 4550 references spatial_ref_sys (srid),
  -- Where the data comes from and how exact it is; shown in the map's attribution.
  attribution text not null default '',
  geom geometry(MultiPolygon, 4326) not null
);

create table community (
  code text primary key check (code ~ '^\d{12}$'),
  subdistrict_code text not null references subdistrict (code),
  name text not null,
  name_en text,
  -- The household band a grid of this community should hold (the local standard is 200 to 300).
  band_min integer not null default 200 check (band_min >= 0),
  band_max integer not null default 300,
  geom geometry(MultiPolygon, 4326) not null,
  check (band_max >= band_min)
);
create index community_geom_idx on community using gist (geom);

create table road (
  id integer generated always as identity primary key,
  subdistrict_code text not null references subdistrict (code),
  class text not null check (class in ('arterial', 'secondary', 'local')),
  name text,
  geom geometry(LineString, 4326) not null
);
create index road_geom_idx on road using gist (geom);

create table water (
  id integer generated always as identity primary key,
  subdistrict_code text not null references subdistrict (code),
  kind text not null check (kind in ('river', 'canal', 'lake', 'pond')),
  name text,
  geom geometry(MultiPolygon, 4326) not null
);
create index water_geom_idx on water using gist (geom);

-- A face of the road network (road centre lines and water outlines, polygonized) inside one community.
create table block (
  id integer generated always as identity primary key,
  community_code text not null references community (code),
  kind text not null default 'land' check (kind in ('land', 'water')),
  geom geometry(Polygon, 4326) not null
);
create index block_geom_idx on block using gist (geom);
create index block_community_idx on block (community_code);

-- A gated residential estate (小区) or an old courtyard area (院落). Splitting one between grids is a cost.
create table compound (
  id integer generated always as identity primary key,
  community_code text not null references community (code),
  name text not null,
  kind text not null check (kind in ('estate', 'old_area', 'campus')),
  geom geometry(Polygon, 4326) not null,
  gates geometry(MultiPoint, 4326)
);
create index compound_geom_idx on compound using gist (geom);
create index compound_community_idx on compound (community_code);

create table building (
  id integer generated always as identity primary key,
  community_code text not null references community (code),
  compound_id integer references compound (id),
  kind text not null check (kind in ('slab', 'tower', 'lowrise', 'shop', 'public')),
  name text not null,
  floors integer not null check (floors between 1 and 120),
  geom geometry(Polygon, 4326) not null
);
create index building_geom_idx on building using gist (geom);
create index building_community_idx on building (community_code);
create index building_compound_idx on building (compound_id);

-- A stairwell entrance (单元). Households are counted here and nowhere else; an entrance is never split.
create table entrance (
  id integer generated always as identity primary key,
  building_id integer not null references building (id) on delete cascade,
  seq integer not null check (seq >= 1),
  households integer not null check (households >= 0),
  -- True where the count is an estimate (from floor area) rather than a recorded figure.
  households_estimated boolean not null default false,
  -- The door.
  geom geometry(Point, 4326) not null,
  -- The part of the footprint this entrance serves (a slab is cut into equal sections along its long axis).
  section geometry(Polygon, 4326) not null,
  unique (building_id, seq)
);
create index entrance_geom_idx on entrance using gist (geom);
create index entrance_building_idx on entrance (building_id);

-- The atom of territory: the land around one entrance section, or a piece of empty land. The parcels of a
-- community tile it with no gaps and no overlaps, so any set of them has exact boundaries and exact counts.
create table parcel (
  id integer generated always as identity primary key,
  community_code text not null references community (code),
  block_id integer not null references block (id),
  entrance_id integer unique references entrance (id),
  building_id integer references building (id),
  compound_id integer references compound (id),
  geom geometry(MultiPolygon, 4326) not null,
  area_m2 double precision not null,
  -- (id, community_code) is what plan_parcel refers to, so a grid can never take a parcel of another community.
  unique (id, community_code),
  check ((entrance_id is null) = (building_id is null))
);
create index parcel_geom_idx on parcel using gist (geom);
create index parcel_community_idx on parcel (community_code);
create index parcel_building_idx on parcel (building_id);
create index parcel_compound_idx on parcel (compound_id);
