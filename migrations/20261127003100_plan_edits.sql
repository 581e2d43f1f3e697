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
