-- Camera coverage kept in the database: each grid's road stretches (coverage_grid_road, computed on first use and
-- forgotten when roads change) and the key places (coverage_place, filled before a read and emptied by any change to
-- what they come from).

create or replace function multirange_length(float8multirange) returns double precision
language sql immutable parallel safe as $$
  select coalesce(sum(upper(r) - lower(r)), 0) from unnest($1) as r
$$;

-- Computes the road stretches of the given grids where they are missing or their grid has changed. JIT is off:
-- PostGIS functions declare high costs, so PostgreSQL would compile this query for longer than it runs.
-- Two requests reading a grid for the first time at once: the second waits for the first on coverage_grid's key,
-- skips the grid and reads what the first committed.
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

create or replace function coverage_grid_forget_all() returns trigger language plpgsql as $$
begin
  delete from coverage_grid;
  return null;
end
$$;

create or replace trigger coverage_grid_forget_road after insert or delete or update of geom on road
  for each statement execute function coverage_grid_forget_all();
create or replace trigger coverage_grid_forget_road_truncate after truncate on road
  for each statement execute function coverage_grid_forget_all();

-- Key places of coverage, computed once and kept until what they come from changes: compound gates (school gates
-- for campuses), venues at the front of their building towards its nearest road (where the door is, and what a
-- camera outside can see), and road intersections. Working them out on every read cost more than the rest of the
-- coverage figures together; the server calls this before it reads.
create or replace function coverage_place_fill() returns void language plpgsql set jit = off as $$
begin
  if exists (select 1 from coverage_place) then
    return;
  end if;
  insert into coverage_place (key, kind, category, geom)
  select 'gate:' || c.id || ':' || d.path[1], case when c.kind = 'campus' then 'school_gate' else 'gate' end,
    null, d.geom
  from compound c cross join lateral ST_Dump(c.gates) as d
  union all
  select 'venue:' || v.id, 'venue', v.category, coalesce(f.geom, v.geom)
  from venue v
  left join community vc on vc.code = v.community_code
  left join subdistrict s on s.code = vc.subdistrict_code
  left join lateral (select b.geom from building b where ST_Intersects(b.geom, v.geom) limit 1) b on true
  left join lateral (select r.geom from road r where b.geom is not null order by r.geom <-> v.geom limit 1) r on true
  cross join lateral (
    select ST_Transform(building_front(ST_Transform(b.geom, s.metric_srid), ST_Transform(r.geom, s.metric_srid), 0.5),
      4326) as geom
  ) f
  union all
  select * from (
    select distinct on (ST_SnapToGrid(d.geom, 1e-7))
      'junction:' || a.id || ':' || b.id || ':' || coalesce(d.path[1], 1), 'intersection', null::text, d.geom
    from road a join road b on a.id < b.id and a.geom && b.geom
    cross join lateral ST_Dump(ST_Intersection(a.geom, b.geom)) as d
    where GeometryType(d.geom) = 'POINT'
  ) j
  on conflict do nothing;
end
$$;

-- Any change to compounds, venues, buildings or roads empties the key places.
create or replace function coverage_place_forget() returns trigger language plpgsql as $$
begin
  delete from coverage_place;
  return null;
end
$$;

create or replace trigger coverage_place_forget_compound after insert or update or delete or truncate on compound
  for each statement execute function coverage_place_forget();
create or replace trigger coverage_place_forget_venue after insert or update or delete or truncate on venue
  for each statement execute function coverage_place_forget();
create or replace trigger coverage_place_forget_building after insert or update of geom or delete or truncate on building
  for each statement execute function coverage_place_forget();
create or replace trigger coverage_place_forget_road after insert or update of geom or delete or truncate on road
  for each statement execute function coverage_place_forget();
