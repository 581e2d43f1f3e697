-- Where each venue stands with its inspections: the last one, when the next is due (last + the category's
-- interval) and a status. Never inspected counts apart from overdue; a venue whose last inspection found it
-- closed down is not due. "due" means due within the coming week. Computed at read time, so a changed interval
-- or a new inspection shows at once.
-- The last inspection of every venue comes from one ordered pass over inspection_venue_last_idx (DISTINCT ON); a
-- query for one venue or one community still reaches only its rows, since the planner pushes a condition on
-- venue_id into it.
create or replace view venue_inspection_status as
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
left join (
  select distinct on (i.venue_id) i.venue_id, i.id, i.inspected_on, i.result
  from inspection i
  order by i.venue_id, i.inspected_on desc, i.id desc
) li on li.venue_id = v.id;
