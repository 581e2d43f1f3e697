-- Staff and their work. Staff records (name, role, phone) are the only personal data GridAtlas keeps;
-- residents are never records, only household counts on entrances.

create table worker (
  id integer generated always as identity primary key,
  community_code text not null references community (code),
  role text not null check (role in ('secretary', 'grid_leader', 'grid_worker', 'info_worker')),
  name text not null check (length(name) between 1 and 40),
  phone text check (phone ~ '^[0-9+ -]{5,20}$'),
  started_on date not null,
  retired_on date,
  check (retired_on is null or retired_on >= started_on)
);
create index worker_community_idx on worker (community_code);

-- Grids are referred to by code, which outlives any one plan.
create table worker_assignment (
  worker_id integer not null references worker (id) on delete cascade,
  grid_code text not null check (grid_code ~ '^\d{15}$'),
  assigned_on date not null default current_date,
  primary key (worker_id, grid_code)
);
create index worker_assignment_grid_idx on worker_assignment (grid_code);

create table visit (
  id integer generated always as identity primary key,
  worker_id integer not null references worker (id),
  entrance_id integer references entrance (id),
  building_id integer references building (id),
  visited_on date not null,
  note text check (length(note) <= 500),
  check (num_nonnulls(entrance_id, building_id) = 1)
);
create index visit_entrance_idx on visit (entrance_id, visited_on);
create index visit_building_idx on visit (building_id, visited_on);
create index visit_worker_idx on visit (worker_id, visited_on);
