-- Which stretches of road each grid of the published plan holds, for coverage figures and blind spots. A road's
-- centre line usually runs along the edge between two grids (blocks are faces of the road network), and then it
-- serves both: a stretch belongs to every grid within half a metre of it. Computed by the server on first use of a
-- grid and kept while the grid's geometry is unchanged (a published grid never changes; a new plan brings new
-- grids); a change to the roads forgets them all.

create table coverage_grid (
  grid_id integer primary key references grid (id) on delete cascade,
  -- md5 of the grid's geometry when this was computed: a grid whose geometry changed is computed again.
  geom_key text not null,
  -- The grid in its subdistrict's metric CRS (so no SRID constraint: it is configurable per subdistrict).
  geom_m geometry not null
);
create index coverage_grid_geom_m_idx on coverage_grid using gist (geom_m);

create table coverage_grid_road (
  grid_id integer not null references coverage_grid (grid_id) on delete cascade,
  road_id integer not null references road (id) on delete cascade,
  -- In metres from the road's start, measured in the metric CRS, as camera_view_road.seen.
  along float8multirange not null,
  primary key (grid_id, road_id)
);
create index coverage_grid_road_road_idx on coverage_grid_road (road_id);

create function multirange_length(float8multirange) returns double precision
language sql immutable parallel safe as $$
  select coalesce(sum(upper(r) - lower(r)), 0) from unnest($1) as r
$$;

-- Computes the road stretches of the given grids where they are missing or their grid has changed. JIT is off:
-- PostGIS functions declare high costs, so PostgreSQL would compile this query for longer than it runs.
create function coverage_grid_refresh(grid_ids integer[]) returns void language sql set jit = off as $$
  delete from coverage_grid cg using grid g
  where cg.grid_id = g.id and g.id = any(grid_ids) and cg.geom_key <> md5(ST_AsEWKB(g.geom));

  with fresh as materialized (
    select g.id, g.geom, s.metric_srid as srid, ST_Transform(g.geom, s.metric_srid) as geom_m
    from grid g
    join community c on c.code = g.community_code
    join subdistrict s on s.code = c.subdistrict_code
    where g.id = any(grid_ids) and g.geom is not null
      and not exists (select 1 from coverage_grid cg where cg.grid_id = g.id)
  ),
  saved as (
    insert into coverage_grid (grid_id, geom_key, geom_m)
    select f.id, md5(ST_AsEWKB(f.geom)), f.geom_m from fresh f
    returning grid_id
  ),
  near as materialized (
    select f.id as grid_id, ST_Buffer(f.geom_m, 0.5, 'quad_segs=2') as zone, r.id as road_id,
      ST_Transform(r.geom, f.srid) as road_m
    from fresh f join road r on r.geom && ST_Expand(f.geom, 0.0001)
  )
  insert into coverage_grid_road (grid_id, road_id, along)
  select n.grid_id, n.road_id, range_agg(float8range(least(m.a, m.b), greatest(m.a, m.b)))
  from near n
  cross join lateral ST_Dump(ST_Intersection(n.road_m, n.zone)) as d
  cross join lateral (
    select ST_LineLocatePoint(n.road_m, ST_StartPoint(d.geom)) * ST_Length(n.road_m) as a,
      ST_LineLocatePoint(n.road_m, ST_EndPoint(d.geom)) * ST_Length(n.road_m) as b
  ) m
  where GeometryType(d.geom) = 'LINESTRING' and n.grid_id in (select grid_id from saved)
  group by n.grid_id, n.road_id;
$$;

create function coverage_grid_forget_all() returns trigger language plpgsql as $$
begin
  delete from coverage_grid;
  return null;
end
$$;

create trigger coverage_grid_forget_road after insert or delete or update of geom on road
  for each statement execute function coverage_grid_forget_all();
create trigger coverage_grid_forget_road_truncate after truncate on road
  for each statement execute function coverage_grid_forget_all();
