-- Vector tiles (issue 10) need two things from the database: a version per tile layer that changes in the same
-- transaction as any change to what the layer draws, so tile URLs can carry it and be cached forever; and
-- figures aggregated ahead of time for low zooms, so that no tile is built from millions of rows. Both are kept by
-- statement triggers (R__tile_versions.sql: one per table and event, since transition tables allow one event per
-- trigger). Drafts do not touch them: only the published plan is drawn. Versions are bumped with a row update, so
-- concurrent writers of a layer commit one after the other and the version order is the commit order.

create table tile_layer (
  layer text primary key,
  version bigint not null default 1,
  changed_at timestamptz not null default now()
);
insert into tile_layer (layer)
select unnest(array['blocks', 'buildings', 'cameras', 'communities', 'compounds', 'grids', 'hazards', 'parcels',
  'roads', 'venues', 'water']);

-- Each grid of the published plan with its figures, its outline simplified for zooms 12–13 and a label point.
create table tile_grid (
  grid_id integer primary key references grid (id) on delete cascade,
  code text not null,
  community_code text not null,
  name text not null,
  households integer not null,
  entrances integer not null,
  buildings integer not null,
  status text not null check (status in ('under', 'ok', 'over')),
  geom geometry(MultiPolygon, 4326) not null,
  geom_simple geometry(Geometry, 4326) not null,
  label geometry(Point, 4326) not null
);
create index tile_grid_geom_idx on tile_grid using gist (geom);
create index tile_grid_label_idx on tile_grid using gist (label);
create index tile_grid_community_idx on tile_grid (community_code);

-- Each community with the totals low zooms draw instead of its grids, venues, hazards and cameras.
create table tile_community (
  code text primary key references community (code) on delete cascade,
  name text not null,
  name_en text,
  households integer not null,
  grids integer not null,
  grids_under integer not null,
  grids_ok integer not null,
  grids_over integer not null,
  venues integer not null,
  hazards_open integer not null,
  cameras integer not null,
  geom_simple geometry(Geometry, 4326) not null,
  label geometry(Point, 4326) not null
);
create index tile_community_geom_idx on tile_community using gist (geom_simple);
create index tile_community_label_idx on tile_community using gist (label);

-- A building's community decides the summary an entrance change touches; parcels are found by block on a rebuild.
create index if not exists parcel_block_idx on parcel (block_id);
