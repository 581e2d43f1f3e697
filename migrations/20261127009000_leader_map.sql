-- The leader's map (issue 7) reads venues with their inspection state and hazards with their lifecycle, and lets
-- workers and secretaries move hazards through it. The rules the API enforces are held here too, so that no
-- route (and no bug) can write a transition the lifecycle forbids, and every reader computes "due" and "overdue"
-- the same way.

-- The lifecycle: reported → assigned → in_progress → resolved → verified; a resolved or verified hazard can be
-- reopened (back to assigned, to the same grid's team). The first row of a hazard's history is its report.
alter table hazard_transition add constraint hazard_transition_lifecycle check (
  case
    when from_status is null then to_status = 'reported'
    else (from_status, to_status) in (
      ('reported', 'assigned'),
      ('assigned', 'in_progress'),
      ('in_progress', 'resolved'),
      ('resolved', 'verified'),
      ('resolved', 'assigned'),
      ('verified', 'assigned')
    )
  end
);

-- The account that made a transition through the app; null for history imported from before accounts existed
-- (the demo's), whose actor is only a name.
alter table hazard_transition add column actor_username text;

-- The replay of hazards over months and the statistics filter and bucket by the report date.
create index hazard_reported_at_idx on hazard (reported_at);
create index hazard_transition_to_idx on hazard_transition (to_status, hazard_id, at);
create index hazard_venue_idx on hazard (venue_id) where venue_id is not null;

-- Where each venue stands with its inspections: the last one, when the next is due (last + the category's
-- interval) and a status. Never inspected counts apart from overdue; a venue whose last inspection found it
-- closed down is not due. "due" means due within the coming week. Computed at read time, so a changed interval
-- or a new inspection shows at once.
create view venue_inspection_status as
select
  v.id as venue_id,
  li.id as last_inspection_id,
  li.inspected_on as last_inspected_on,
  li.result as last_result,
  (li.inspected_on + vc.inspection_interval_days) as due_on,
  case
    when li.id is null then 'never'
    when li.result = 'closed_down' then 'closed'
    when li.inspected_on + vc.inspection_interval_days < current_date then 'overdue'
    when li.inspected_on + vc.inspection_interval_days < current_date + 7 then 'due'
    else 'ok'
  end as status
from venue v
join venue_category vc on vc.code = v.category
left join lateral (
  select i.id, i.inspected_on, i.result
  from inspection i
  where i.venue_id = v.id
  order by i.inspected_on desc, i.id desc
  limit 1
) li on true;
