-- The vector tile of each layer, built in PostGIS (ST_AsMVT): `<layer>_tile(z, x, y, p_communities, p_grids)`.
-- The scope arguments carry what the caller may see, the same rules as the JSON routes: p_communities null reads
-- everything; otherwise rows of those communities, plus (p_grids) rows on the parcels of those grids of the
-- published plan. Rows are found with the GiST index of their geometry against the tile's box in EPSG:4326, with
-- a margin of 64 of the tile's 4096 units so that lines and labels continue across tile edges. Low zooms read
-- the summaries of R__tile_versions.sql (per community, per grid, simplified) instead of the rows.

-- The tile in Web Mercator, and its box with the margin in EPSG:4326 for the index.
create or replace function tile_bounds(z integer, x integer, y integer, out env geometry, out box geometry)
language sql immutable parallel safe as $$
  select ST_TileEnvelope(z, x, y), ST_Transform(ST_TileEnvelope(z, x, y, margin => 64.0 / 4096), 4326)
$$;

-- The tile with its margin in Web Mercator, for the summaries' indexes (tile_bounds.box is EPSG:4326, for rows).
create or replace function tile_margin(z integer, x integer, y integer) returns geometry
language sql immutable parallel safe as $$
  select ST_TileEnvelope(z, x, y, margin => 64.0 / 4096)
$$;

-- Parcels of the published plan in some grids: what a worker reaches.
create or replace function tile_grid_parcels(p_grids text[]) returns table (parcel_id integer, building_id integer)
language sql stable parallel safe as $$
  select pp.parcel_id, pa.building_id from published_parcel pp join parcel pa on pa.id = pp.parcel_id
  where pp.grid_code = any(p_grids)
$$;

create or replace function grids_tile(z integer, x integer, y integer, p_communities text[] default null,
  p_grids text[] default null) returns bytea
language sql stable parallel safe as $$
  with b as (select ST_TileEnvelope(z, x, y) as env, tile_margin(z, x, y) as box),
  -- Zooms below 12: one feature per community with its grids' totals (a grid is a few pixels there).
  c as (
    select t.code as community_code, t.name, t.households, t.grids, t.grids_under, t.grids_ok, t.grids_over,
      ST_AsMVTGeom(t.geom_simple, b.env, 4096, 64, true) as geom
    from tile_community t, b
    where z < 12 and t.geom_simple && b.box and (p_communities is null or t.code = any(p_communities))
  ),
  g as (
    select t.code, t.community_code, t.name, t.households, t.entrances, t.buildings, t.status,
      ST_AsMVTGeom(case when z >= 14 then t.geom else t.geom_simple end, b.env, 4096, 64, true) as geom
    from tile_grid t, b
    where z >= 12 and t.geom && b.box
      and (p_communities is null or t.community_code = any(p_communities) or t.code = any(p_grids))
  ),
  l as (
    select t.code, t.community_code, ST_AsMVTGeom(t.label, b.env, 4096, 0, true) as geom
    from tile_grid t, b
    where z >= 12 and t.label && b.box
      and (p_communities is null or t.community_code = any(p_communities) or t.code = any(p_grids))
  )
  select coalesce((select ST_AsMVT(c, 'grid_communities', 4096, 'geom') from c where geom is not null), '')
    || coalesce((select ST_AsMVT(g, 'grids', 4096, 'geom') from g where geom is not null), '')
    || coalesce((select ST_AsMVT(l, 'grids_label', 4096, 'geom') from l where geom is not null), '')
$$;

create or replace function buildings_tile(z integer, x integer, y integer, p_communities text[] default null,
  p_grids text[] default null) returns bytea
language sql stable parallel safe as $$
  with b as (select * from tile_bounds(z, x, y)),
  f as (
    select bl.id, bl.name, bl.kind, bl.floors, bl.community_code, bl.compound_id, e.households, e.entrances,
      ST_AsMVTGeom(ST_Transform(bl.geom, 3857), b.env, 4096, 64, true) as geom
    from building bl
    cross join b
    cross join lateral (
      select coalesce(sum(households), 0)::int as households, count(*)::int as entrances
      from entrance where building_id = bl.id
    ) e
    where z >= 14 and bl.geom && b.box
      and (p_communities is null or bl.community_code = any(p_communities)
        or bl.id in (select building_id from tile_grid_parcels(p_grids)))
  ),
  -- A building's name (its number, "3号楼") at one point inside it, written once per building: a polygon labelled
  -- by MapLibre itself would get a label in every tile it crosses. Tiles stop at zoom 16 (the TileJSON's maxzoom;
  -- closer zooms draw them enlarged), so the names and the entrances below ride in the z16 tiles and the map style
  -- shows them from 17 and 18.
  l as (
    select bl.id, bl.name, bl.floors, ST_AsMVTGeom(ST_Transform(ST_PointOnSurface(bl.geom), 3857), b.env, 4096, 0, true)
      as geom
    from building bl, b
    where z >= 16 and bl.geom && b.box
      and (p_communities is null or bl.community_code = any(p_communities)
        or bl.id in (select building_id from tile_grid_parcels(p_grids)))
  ),
  -- The entrances (单元) at their doors, with their number and households.
  e as (
    select en.id, en.building_id, en.seq, en.households,
      ST_AsMVTGeom(ST_Transform(en.geom, 3857), b.env, 4096, 0, true) as geom
    from entrance en join building bl on bl.id = en.building_id, b
    where z >= 16 and en.geom && b.box
      and (p_communities is null or bl.community_code = any(p_communities)
        or bl.id in (select building_id from tile_grid_parcels(p_grids)))
  )
  select coalesce((select ST_AsMVT(f, 'buildings', 4096, 'geom', 'id') from f where geom is not null), '')
    || coalesce((select ST_AsMVT(l, 'buildings_label', 4096, 'geom', 'id') from l where geom is not null), '')
    || coalesce((select ST_AsMVT(e, 'entrances', 4096, 'geom', 'id') from e where geom is not null), '')
$$;

-- The base map is the same for everyone signed in (as /api/roads, /api/water, /api/blocks): no scope arguments.
-- Low zooms keep the larger road classes only.
create or replace function roads_tile(z integer, x integer, y integer) returns bytea
language sql stable parallel safe as $$
  with b as (select * from tile_bounds(z, x, y)),
  f as (
    select r.id, r.class, r.name, ST_AsMVTGeom(ST_Transform(r.geom, 3857), b.env, 4096, 64, true) as geom
    from road r, b
    where r.geom && b.box
      and (z >= 14 or r.class = 'arterial' or (z >= 12 and r.class = 'secondary'))
  )
  select coalesce((select ST_AsMVT(f, 'roads', 4096, 'geom', 'id') from f where geom is not null), '')
$$;

create or replace function water_tile(z integer, x integer, y integer) returns bytea
language sql stable parallel safe as $$
  with b as (select * from tile_bounds(z, x, y)),
  f as (
    select w.id, w.kind, w.name, ST_AsMVTGeom(ST_Transform(w.geom, 3857), b.env, 4096, 64, true) as geom
    from water w, b
    where w.geom && b.box
  )
  select coalesce((select ST_AsMVT(f, 'water', 4096, 'geom', 'id') from f where geom is not null), '')
$$;

create or replace function blocks_tile(z integer, x integer, y integer) returns bytea
language sql stable parallel safe as $$
  with b as (select * from tile_bounds(z, x, y)),
  f as (
    select k.id, k.kind, k.community_code, ST_AsMVTGeom(ST_Transform(k.geom, 3857), b.env, 4096, 64, true) as geom
    from block k, b
    where z >= 12 and k.geom && b.box
  )
  select coalesce((select ST_AsMVT(f, 'blocks', 4096, 'geom', 'id') from f where geom is not null), '')
$$;

create or replace function compounds_tile(z integer, x integer, y integer, p_communities text[] default null,
  p_grids text[] default null) returns bytea
language sql stable parallel safe as $$
  with b as (select * from tile_bounds(z, x, y)),
  f as (
    select k.id, k.name, k.kind, k.community_code,
      (select coalesce(sum(e.households), 0)::int from building bl join entrance e on e.building_id = bl.id
        where bl.compound_id = k.id) as households,
      ST_AsMVTGeom(ST_Transform(k.geom, 3857), b.env, 4096, 64, true) as geom
    from compound k, b
    where z >= 13 and k.geom && b.box and (p_communities is null or k.community_code = any(p_communities))
  )
  select coalesce((select ST_AsMVT(f, 'compounds', 4096, 'geom', 'id') from f where geom is not null), '')
$$;

-- Communities: simplified outlines below zoom 13, and one label point each (a polygon label per tile would repeat).
create or replace function communities_tile(z integer, x integer, y integer, p_communities text[] default null,
  p_grids text[] default null) returns bytea
language sql stable parallel safe as $$
  with b as (select ST_TileEnvelope(z, x, y) as env, tile_margin(z, x, y) as box),
  f as (
    select c.code, c.name, c.name_en, t.households, t.grids,
      ST_AsMVTGeom(case when z >= 13 then ST_Transform(c.geom, 3857) else t.geom_simple end, b.env, 4096, 64, true)
        as geom
    from tile_community t join community c on c.code = t.code, b
    where t.geom_simple && b.box and (p_communities is null or t.code = any(p_communities))
  ),
  l as (
    select t.code, t.name, t.name_en, ST_AsMVTGeom(t.label, b.env, 4096, 0, true) as geom
    from tile_community t, b
    where t.label && b.box and (p_communities is null or t.code = any(p_communities))
  )
  select coalesce((select ST_AsMVT(f, 'communities', 4096, 'geom') from f where geom is not null), '')
    || coalesce((select ST_AsMVT(l, 'communities_label', 4096, 'geom') from l where geom is not null), '')
$$;
