-- The audit trail is append-only: a trigger refuses UPDATE, DELETE and TRUNCATE, so no route (and no bug) can
-- rewrite history.

create or replace function audit_event_append_only() returns trigger language plpgsql as $$
begin
  raise exception 'audit_event is append-only (% refused)', tg_op using errcode = 'insufficient_privilege';
end;
$$;

create or replace trigger audit_event_no_update before update or delete on audit_event
  for each row execute function audit_event_append_only();
create or replace trigger audit_event_no_truncate before truncate on audit_event
  for each statement execute function audit_event_append_only();
