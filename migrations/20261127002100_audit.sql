-- The audit trail: who did what to which entity, with a JSON diff, written in the same transaction as the change.
-- Append-only: a trigger (R__audit.sql) refuses UPDATE, DELETE and TRUNCATE, so no route (and no bug) can rewrite history.

create table audit_event (
  id integer generated always as identity primary key,
  at timestamptz not null default now(),
  actor text not null,
  action text not null,
  entity text not null,
  entity_id text,
  community_code text,
  diff jsonb not null default '{}'::jsonb,
  ip text
);
create index audit_event_at_idx on audit_event (at desc);
create index audit_event_entity_idx on audit_event (entity, entity_id);
create index audit_event_actor_idx on audit_event (actor, at desc);
