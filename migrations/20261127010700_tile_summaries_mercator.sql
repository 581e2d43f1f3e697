-- The grid and community summaries are read by tiles only, and tiles are drawn in Web Mercator: they now keep
-- their geometry in EPSG:3857, transformed once when a summary is refreshed instead of on every tile. A grid tile
-- at zoom 12 over the middle of the city holds some 1,400 grids; transforming their outlines and label points
-- on each render was a quarter of its time (35 → 27 ms warm on this machine), and the first transform a
-- connection makes pays for setting PROJ up (about 40 ms). Same coordinates, same tiles.

alter table tile_grid
  alter column geom type geometry(MultiPolygon, 3857) using ST_Transform(geom, 3857),
  alter column geom_simple type geometry(Geometry, 3857) using ST_Transform(geom_simple, 3857),
  alter column label type geometry(Point, 3857) using ST_Transform(label, 3857);

alter table tile_community
  alter column geom_simple type geometry(Geometry, 3857) using ST_Transform(geom_simple, 3857),
  alter column label type geometry(Point, 3857) using ST_Transform(label, 3857);

-- The tile with its margin in Web Mercator, for the summaries' indexes (tile_bounds.box is EPSG:4326, for rows).
create function tile_margin(z integer, x integer, y integer) returns geometry
language sql immutable parallel safe as $$
  select ST_TileEnvelope(z, x, y, margin => 64.0 / 4096)
$$;

-- As in 20261127010000_tile_layers.sql; simplified in degrees as before, then transformed.
create or replace function tile_refresh(codes text[]) returns void language plpgsql set jit = off as $$
begin
  if codes is null or cardinality(codes) = 0 then
    return;
  end if;
  delete from tile_grid where community_code = any(codes);
  insert into tile_grid (grid_id, code, community_code, name, households, entrances, buildings, status, geom,
    geom_simple, label)
  select g.id, g.code, g.community_code, g.name, f.households, f.entrances, f.buildings,
    case when f.households < c.band_min then 'under' when f.households > c.band_max then 'over' else 'ok' end,
    ST_Transform(g.geom, 3857), ST_Transform(ST_SimplifyPreserveTopology(g.geom, 0.00003), 3857),
    ST_Transform(ST_PointOnSurface(g.geom), 3857)
  from published_grid g
  join grid_figure f on f.grid_id = g.id
  join community c on c.code = g.community_code
  where g.community_code = any(codes) and f.community_code = any(codes) and g.geom is not null;

  delete from tile_community where code = any(codes);
  insert into tile_community (code, name, name_en, households, grids, grids_under, grids_ok, grids_over, venues,
    hazards_open, cameras, geom_simple, label)
  select c.code, c.name, c.name_en,
    coalesce((select sum(e.households) from entrance e join building b on b.id = e.building_id
      where b.community_code = c.code), 0),
    coalesce(t.grids, 0), coalesce(t.n_under, 0), coalesce(t.n_ok, 0), coalesce(t.n_over, 0), 0, 0, 0,
    ST_Transform(ST_SimplifyPreserveTopology(c.geom, 0.0002), 3857), ST_Transform(ST_PointOnSurface(c.geom), 3857)
  from community c
  left join (
    select community_code, count(*) grids, count(*) filter (where status = 'under') n_under,
      count(*) filter (where status = 'ok') n_ok, count(*) filter (where status = 'over') n_over
    from tile_grid where community_code = any(codes) group by community_code
  ) t on t.community_code = c.code
  where c.code = any(codes);
  perform tile_refresh_counts(codes);
end;
$$;

-- The tile functions that read the summaries, as in 20261127010100_tile_functions.sql with the summaries'
-- geometry used as stored.
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

create or replace function venues_tile(z integer, x integer, y integer, p_communities text[] default null,
  p_grids text[] default null) returns bytea
language sql stable parallel safe as $$
  with b as (select *, tile_margin(z, x, y) as margin from tile_bounds(z, x, y)),
  c as (
    select t.code as community_code, t.venues as count, ST_AsMVTGeom(t.label, b.env, 4096, 0, true) as geom
    from tile_community t, b
    where z < 13 and t.venues > 0 and t.label && b.margin and (p_communities is null or t.code = any(p_communities))
  ),
  f as (
    select v.id, v.name, v.category, v.community_code,
      ST_AsMVTGeom(ST_Transform(v.geom, 3857), b.env, 4096, 64, true) as geom
    from venue v, b
    where z >= 13 and v.geom && b.box
      and (p_communities is null or v.community_code = any(p_communities)
        or v.parcel_id in (select parcel_id from tile_grid_parcels(p_grids)))
  )
  select coalesce((select ST_AsMVT(c, 'venues_by_community', 4096, 'geom') from c where geom is not null), '')
    || coalesce((select ST_AsMVT(f, 'venues', 4096, 'geom', 'id') from f where geom is not null), '')
$$;

create or replace function hazards_tile(z integer, x integer, y integer, p_communities text[] default null,
  p_grids text[] default null) returns bytea
language sql stable parallel safe as $$
  with b as (select *, tile_margin(z, x, y) as margin from tile_bounds(z, x, y)),
  c as (
    select t.code as community_code, t.hazards_open as count, ST_AsMVTGeom(t.label, b.env, 4096, 0, true) as geom
    from tile_community t, b
    where z < 13 and t.hazards_open > 0 and t.label && b.margin
      and (p_communities is null or t.code = any(p_communities))
  ),
  f as (
    select h.id, h.title, h.category, h.severity, h.status, h.community_code,
      ST_AsMVTGeom(ST_Transform(h.geom, 3857), b.env, 4096, 64, true) as geom
    from hazard h, b
    where z >= 13 and h.geom && b.box
      and (p_communities is null or h.community_code = any(p_communities)
        or h.parcel_id in (select parcel_id from tile_grid_parcels(p_grids)))
  )
  select coalesce((select ST_AsMVT(c, 'hazards_by_community', 4096, 'geom') from c where geom is not null), '')
    || coalesce((select ST_AsMVT(f, 'hazards', 4096, 'geom', 'id') from f where geom is not null), '')
$$;

create or replace function cameras_tile(z integer, x integer, y integer, p_communities text[] default null,
  p_grids text[] default null) returns bytea
language sql stable parallel safe as $$
  with b as (select *, tile_margin(z, x, y) as margin from tile_bounds(z, x, y)),
  c as (
    select t.code as community_code, t.cameras as count, ST_AsMVTGeom(t.label, b.env, 4096, 0, true) as geom
    from tile_community t, b
    where z < 13 and t.cameras > 0 and t.label && b.margin and (p_communities is null or t.code = any(p_communities))
  ),
  f as (
    select k.id, k.name, k.type, k.status, k.bearing_deg, k.view_width_deg, k.range_m, k.site, k.community_code,
      ST_AsMVTGeom(ST_Transform(k.geom, 3857), b.env, 4096, 64, true) as geom
    from camera k, b
    where z >= 13 and k.geom && b.box and (p_communities is null or k.community_code = any(p_communities))
  )
  select coalesce((select ST_AsMVT(c, 'cameras_by_community', 4096, 'geom') from c where geom is not null), '')
    || coalesce((select ST_AsMVT(f, 'cameras', 4096, 'geom', 'id') from f where geom is not null), '')
$$;

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
