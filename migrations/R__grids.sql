-- What every reader of grids shares: which grids and parcel assignments are in force (the published plan of each
-- subdistrict), and the figures of any grid of any plan computed from its parcels. Figures are never stored, so
-- they can never disagree with the assignment.

-- The band rule: a grid's households against its community's band (band_min … band_max, both in the band; the local
-- standard is 200 to 300). Written here only: grid_figure.status, plan_grid_figures().status, the grid tiles'
-- summaries and the workspace's status board take it from here, and the server and the web pass theirs on.
create or replace function band_status(households integer, band_min integer, band_max integer) returns text
language sql immutable parallel safe as $$
  select case when households < band_min then 'under' when households > band_max then 'over' else 'ok' end
$$;

create or replace view published_grid as
select g.id, g.plan_id, g.code, g.community_code, g.name, g.locked, g.geom
from grid g
join plan p on p.id = g.plan_id
where p.status = 'published';

create or replace view published_parcel as
select pp.parcel_id, pp.grid_id, g.code as grid_code, pp.community_code
from plan_parcel pp
join plan p on p.id = pp.plan_id and p.status = 'published'
join grid g on g.id = pp.grid_id;

-- The figures of any grid of any plan from its parcels, and its band status. A building split between two grids
-- counts as a building of both. A condition on grid_id or plan_id reaches the grid table, so reading a few grids
-- aggregates only theirs. Lengths and areas are summed in the order of parcel ids: a sum of floating-point numbers
-- depends on their order, and a grid's figures must not depend on the query that asked for them.
create or replace view grid_figure as
select f.grid_id, f.plan_id, f.code, f.community_code, f.households, f.entrances, f.buildings, f.parcels, f.area_m2,
  band_status(f.households, c.band_min, c.band_max) as status
from (
  select
    g.id as grid_id,
    g.plan_id,
    g.code,
    g.community_code,
    coalesce(sum(e.households), 0)::integer as households,
    count(e.id)::integer as entrances,
    count(distinct pa.building_id)::integer as buildings,
    count(pp.parcel_id)::integer as parcels,
    coalesce(sum(pa.area_m2 order by pa.id), 0)::double precision as area_m2
  from grid g
  left join plan_parcel pp on pp.grid_id = g.id
  left join parcel pa on pa.id = pp.parcel_id
  left join entrance e on e.id = pa.entrance_id
  group by g.id, g.plan_id, g.code, g.community_code
) f
join community c on c.code = f.community_code;

/**
 * Live figures of the grids of a plan (all, or those in p_grids): those of grid_figure (households, entrances,
 * buildings, parcels, area, band status), and from the parcels and their adjacency graph:
 * perimeter = Σ parcel perimeters − 2 × Σ boundaries shared inside the grid; boundary on roads = the grid's share
 * of the community's outer boundary + boundaries with other grids that run between blocks (along roads or water).
 * A building or compound is split when the plan puts its parcels in more than one grid.
 */
create or replace function plan_grid_figures(p_plan integer, p_grids integer[] default null)
returns table (
  grid_id integer, code text, community_code text, name text, locked boolean,
  households integer, entrances integer, buildings integer, parcels integer,
  area_m2 double precision, perimeter_m double precision, boundary_on_road_m double precision,
  buildings_split integer, compounds_split integer, status text
)
-- plpgsql keeps the plan of its query between calls: an edit asks for the figures of two or three grids, and
-- planning this query anew took longer than running it.
language plpgsql stable as $$
begin
  return query
  with g as (
    select g.id, g.code, g.community_code, g.name, g.locked
    from grid g
    where g.plan_id = p_plan and (p_grids is null or g.id = any (p_grids))
  ),
  f as (
    select f.grid_id, f.households, f.entrances, f.buildings, f.parcels, f.area_m2, f.status
    from grid_figure f
    where f.plan_id = p_plan and (p_grids is null or f.grid_id = any (p_grids))
  ),
  members as materialized (
    select pp.grid_id, pa.id, pa.building_id, pa.compound_id, pa.perimeter_m, pa.outer_m
    from plan_parcel pp
    join parcel pa on pa.id = pp.parcel_id
    where pp.plan_id = p_plan and pp.grid_id in (select g.id from g)
  ),
  base as (
    select m.grid_id, sum(m.perimeter_m order by m.id) as perimeter_sum, sum(m.outer_m order by m.id) as outer_sum
    from members m
    group by m.grid_id
  ),
  -- Only the edges touching the grids asked for, found from their parcels through the edge indexes.
  touching as materialized (
    select e.a, e.b, e.length_m, e.on_road from parcel_edge e where e.a in (select m.id from members m)
    union
    select e.a, e.b, e.length_m, e.on_road from parcel_edge e where e.b in (select m.id from members m)
  ),
  edges as materialized (
    select t.a, t.b, t.length_m, t.on_road, xa.grid_id as ga, xb.grid_id as gb
    from touching t
    join plan_parcel xa on xa.plan_id = p_plan and xa.parcel_id = t.a
    join plan_parcel xb on xb.plan_id = p_plan and xb.parcel_id = t.b
  ),
  internal as (
    select e.ga as grid_id, sum(e.length_m order by e.a, e.b) as len from edges e where e.ga = e.gb group by e.ga
  ),
  cut_on_road as (
    select x.grid_id, sum(x.length_m order by x.a, x.b) as len
    from (
      select e.ga as grid_id, e.a, e.b, e.length_m from edges e where e.ga <> e.gb and e.on_road
      union all
      select e.gb, e.a, e.b, e.length_m from edges e where e.ga <> e.gb and e.on_road
    ) x
    group by x.grid_id
  ),
  -- A building or compound of these grids is split when any of its parcels lies in another grid of the plan.
  split_buildings as (
    select distinct m.building_id
    from members m
    join parcel o on o.building_id = m.building_id
    join plan_parcel op on op.plan_id = p_plan and op.parcel_id = o.id
    where op.grid_id <> m.grid_id
  ),
  split_compounds as (
    select distinct m.compound_id
    from (select distinct mm.grid_id, mm.compound_id from members mm where mm.compound_id is not null) m
    join parcel o on o.compound_id = m.compound_id
    join plan_parcel op on op.plan_id = p_plan and op.parcel_id = o.id
    where op.grid_id <> m.grid_id
  ),
  splits as (
    select m.grid_id,
      count(distinct m.building_id) filter (where m.building_id in (select sb.building_id from split_buildings sb))::integer as b,
      count(distinct m.compound_id) filter (where m.compound_id in (select sc.compound_id from split_compounds sc))::integer as c
    from members m
    group by m.grid_id
  )
  select g.id, g.code, g.community_code, g.name, g.locked,
    f.households, f.entrances, f.buildings, f.parcels, f.area_m2,
    (coalesce(b.perimeter_sum, 0) - 2 * coalesce(i.len, 0))::double precision,
    (coalesce(b.outer_sum, 0) + coalesce(r.len, 0))::double precision,
    coalesce(s.b, 0), coalesce(s.c, 0), f.status
  from g
  join f on f.grid_id = g.id
  left join base b on b.grid_id = g.id
  left join internal i on i.grid_id = g.id
  left join cut_on_road r on r.grid_id = g.id
  left join splits s on s.grid_id = g.id
  order by g.code;
end;
$$;
