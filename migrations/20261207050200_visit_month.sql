-- Retention of visits (issue 16, docs/privacy.md): a visit's details (its day and note) are kept for a limited
-- period (13 months by default), then rolled up into monthly counts per place and worker and deleted. The rollup is
-- what keeps the coverage figures of the past: which entrances were visited in a month, how often, by which worker
-- (staff, assessed monthly) and the last day of the month on which one was (for "last visit" figures). The
-- functions that read and write it live in R__visits.sql.
create table visit_month (
  id integer generated always as identity primary key,
  month date not null check (month = date_trunc('month', month)::date),
  worker_id integer not null references worker (id),
  entrance_id integer references entrance (id) on delete cascade,
  building_id integer references building (id) on delete cascade,
  visits integer not null check (visits > 0),
  last_on date not null check (date_trunc('month', last_on)::date = month),
  check (num_nonnulls(entrance_id, building_id) = 1),
  constraint visit_month_key unique nulls not distinct (month, worker_id, entrance_id, building_id)
);
create index visit_month_entrance_idx on visit_month (entrance_id, last_on);
create index visit_month_building_idx on visit_month (building_id, last_on);
create index visit_month_worker_idx on visit_month (worker_id, last_on);
