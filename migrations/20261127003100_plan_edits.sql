-- The change history of a plan: every edit as the parcel moves and grid changes it made, so that it can be undone
-- and redone without limit (surviving a page reload), shown as history, and named in a conflict message.
-- An undone edit stays until a new edit discards it (the redo stack).

create table plan_edit (
  id integer generated always as identity primary key,
  plan_id integer not null references plan (id) on delete cascade,
  -- The plan version this edit produced.
  version integer not null,
  actor text not null,
  at timestamptz not null default now(),
  action text not null check (action in ('assign', 'create_grid', 'delete_grid', 'split', 'merge', 'lock', 'rebalance', 'renumber', 'rename')),
  -- [[parcel_id, from_grid_code, to_grid_code], …]
  moves jsonb not null default '[]'::jsonb,
  -- Grid rows this edit created or removed ({ code, name, community_code, locked }) and changed ({ code, field, from, to }).
  grids_created jsonb not null default '[]'::jsonb,
  grids_removed jsonb not null default '[]'::jsonb,
  grid_changes jsonb not null default '[]'::jsonb,
  -- What the planner sees in the history: counts and grids touched, and a reason where one was given.
  summary jsonb not null default '{}'::jsonb,
  state text not null default 'done' check (state in ('done', 'undone', 'discarded'))
);
create index plan_edit_plan_idx on plan_edit (plan_id, id);

-- Who published a plan and why (warnings accepted with a reason).
alter table plan add column published_by text, add column publish_reason text;

-- Renumbering swaps codes within one transaction, so uniqueness is checked at commit.
alter table grid drop constraint grid_plan_id_code_key;
alter table grid add constraint grid_plan_id_code_key unique (plan_id, code) deferrable initially immediate;

-- The code a grid had in the plan its plan was copied from, kept through renumbering, so that worker assignments
-- (which name grids by code) can follow a renumbered grid when the plan is published.
alter table grid add column origin_code text check (origin_code ~ '^\d{15}$');

/**
 * Live figures of the grids of a plan (all, or those in p_grids), computed from parcels and the adjacency graph:
 * perimeter = Σ parcel perimeters − 2 × Σ boundaries shared inside the grid; boundary on roads = the grid's share
 * of the community's outer boundary + boundaries with other grids that run between blocks (along roads or water).
 * A building or compound is split when the plan puts its parcels in more than one grid.
 */
create function plan_grid_figures(p_plan integer, p_grids integer[] default null)
returns table (
  grid_id integer, code text, community_code text, name text, locked boolean,
  households integer, entrances integer, buildings integer, parcels integer,
  area_m2 double precision, perimeter_m double precision, boundary_on_road_m double precision,
  buildings_split integer, compounds_split integer
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
  members as materialized (
    select pp.grid_id, pa.id, pa.entrance_id, pa.building_id, pa.compound_id, pa.area_m2, pa.perimeter_m, pa.outer_m,
      (select e.households from entrance e where e.id = pa.entrance_id) as households
    from plan_parcel pp
    join parcel pa on pa.id = pp.parcel_id
    where pp.plan_id = p_plan and pp.grid_id in (select g.id from g)
  ),
  base as (
    select m.grid_id,
      coalesce(sum(m.households), 0)::integer as households,
      count(m.entrance_id)::integer as entrances,
      count(distinct m.building_id)::integer as buildings,
      count(*)::integer as parcels,
      sum(m.area_m2) as area_m2,
      sum(m.perimeter_m) as perimeter_sum,
      sum(m.outer_m) as outer_sum
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
    select t.length_m, t.on_road, xa.grid_id as ga, xb.grid_id as gb
    from touching t
    join plan_parcel xa on xa.plan_id = p_plan and xa.parcel_id = t.a
    join plan_parcel xb on xb.plan_id = p_plan and xb.parcel_id = t.b
  ),
  internal as (select e.ga as grid_id, sum(e.length_m) as len from edges e where e.ga = e.gb group by e.ga),
  cut_on_road as (
    select x.grid_id, sum(x.length_m) as len
    from (
      select e.ga as grid_id, e.length_m from edges e where e.ga <> e.gb and e.on_road
      union all
      select e.gb, e.length_m from edges e where e.ga <> e.gb and e.on_road
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
    coalesce(b.households, 0), coalesce(b.entrances, 0), coalesce(b.buildings, 0), coalesce(b.parcels, 0),
    coalesce(b.area_m2, 0)::double precision,
    (coalesce(b.perimeter_sum, 0) - 2 * coalesce(i.len, 0))::double precision,
    (coalesce(b.outer_sum, 0) + coalesce(r.len, 0))::double precision,
    coalesce(s.b, 0), coalesce(s.c, 0)
  from g
  left join base b on b.grid_id = g.id
  left join internal i on i.grid_id = g.id
  left join cut_on_road r on r.grid_id = g.id
  left join splits s on s.grid_id = g.id
  order by g.code;
end;
$$;
