-- Visits as the coverage figures read them, and the two rules of docs/privacy.md about visits: which places are
-- small (a visit there is a record about one identifiable household) and the retention of visit details.

-- A small place holds fewer than 3 households: an entrance by its own count, a building (visited as a whole) by the
-- sum of its entrances. Visits there are shown one by one only to the worker who made them, their community's
-- secretary and admins (server/src/db/privacy.ts applies the rule); everyone else sees them inside grid and
-- building figures.
create or replace function small_place(entrance integer, building integer) returns boolean
language sql stable parallel safe as $$
  select case
    when entrance is not null then coalesce((select e.households < 3 from entrance e where e.id = entrance), true)
    else coalesce((select sum(e.households) < 3 from entrance e where e.building_id = building), true)
  end
$$;

-- Every visit the figures count: the details of the retention period and the monthly rollup of older months,
-- whose visits count on the last day of the month one was made (`record_id` is negative for those). Figures read
-- this view, never `visit` alone, so the past stays as it was when the retention job runs.
create or replace view visit_record as
  select v.id::bigint as record_id, v.worker_id, v.entrance_id, v.building_id, v.visited_on, 1 as visits
  from visit v
  union all
  select -m.id::bigint, m.worker_id, m.entrance_id, m.building_id, m.last_on, m.visits
  from visit_month m;

-- The retention job's one step, in one transaction and safe to repeat: visits of every month before the month of
-- `keep_from` become counts per month, place and worker in visit_month (added to what an earlier run left) and are
-- deleted; the audit entries of those visits lose their details (place, day, note), keeping who recorded a visit
-- and when. Returns the number of visits rolled up.
create or replace function roll_up_visits(keep_from date) returns integer
language plpgsql as $$
declare
  cutoff date := date_trunc('month', keep_from)::date;
  n integer;
begin
  with gone as (
    delete from visit where visited_on < cutoff
    returning worker_id, entrance_id, building_id, visited_on
  ),
  added as (
    insert into visit_month (month, worker_id, entrance_id, building_id, visits, last_on)
    select date_trunc('month', visited_on)::date, worker_id, entrance_id, building_id, count(*), max(visited_on)
    from gone group by 1, 2, 3, 4
    on conflict on constraint visit_month_key do update
      set visits = visit_month.visits + excluded.visits, last_on = greatest(visit_month.last_on, excluded.last_on)
  )
  select count(*) into n from gone;
  perform set_config('gridatlas.retention', 'on', true);
  update audit_event
  set diff = jsonb_build_object('rolled_up', left(diff->>'visited_on', 7))
  where entity = 'visit' and action = 'visit_create'
    and diff->>'visited_on' ~ '^\d{4}-\d{2}-\d{2}$' and (diff->>'visited_on')::date < cutoff;
  perform set_config('gridatlas.retention', 'off', true);
  return n;
end;
$$;
