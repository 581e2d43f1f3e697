-- Views every reader of grids shares: which grids and parcel assignments are in force (the published plan of each
-- subdistrict), and the figures of any grid of any plan computed from its parcels. Figures are never stored, so
-- they can never disagree with the assignment.

create view published_grid as
select g.id, g.plan_id, g.code, g.community_code, g.name, g.locked, g.geom
from grid g
join plan p on p.id = g.plan_id
where p.status = 'published';

create view published_parcel as
select pp.parcel_id, pp.grid_id, g.code as grid_code, pp.community_code
from plan_parcel pp
join plan p on p.id = pp.plan_id and p.status = 'published'
join grid g on g.id = pp.grid_id;

-- A building split between two grids counts as a building of both.
create view grid_figure as
select
  g.id as grid_id,
  g.plan_id,
  g.code,
  g.community_code,
  coalesce(sum(e.households), 0)::integer as households,
  count(e.id)::integer as entrances,
  count(distinct pa.building_id)::integer as buildings,
  count(pp.parcel_id)::integer as parcels,
  coalesce(sum(pa.area_m2), 0)::double precision as area_m2
from grid g
left join plan_parcel pp on pp.grid_id = g.id
left join parcel pa on pa.id = pp.parcel_id
left join entrance e on e.id = pa.entrance_id
group by g.id, g.plan_id, g.code, g.community_code;
