-- Two requests that read a grid's coverage for the first time at once (the cameras page asks for the coverage
-- and the blind spots together) both found its road stretches missing and both inserted them: the second failed
-- on coverage_grid's key. Now the second waits for the first on that key, skips the grid and reads what the first
-- committed.

create or replace function coverage_grid_refresh(grid_ids integer[]) returns void language sql set jit = off as $$
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
    on conflict (grid_id) do nothing
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
