-- The audit trail is append-only: a trigger refuses UPDATE, DELETE and TRUNCATE, so no route (and no bug) can
-- rewrite history; only the retention of visits may blank a visit entry's details (docs/privacy.md).

create or replace function audit_event_append_only() returns trigger language plpgsql as $$
begin
  -- The one exception: the retention of visits (roll_up_visits, R__visits.sql) blanks the details of the entries
  -- of visits it rolls up, and changes nothing else of them.
  if tg_op = 'UPDATE' and current_setting('gridatlas.retention', true) = 'on' and old.entity = 'visit'
    and (new.id, new.at, new.actor, new.action, new.entity) = (old.id, old.at, old.actor, old.action, old.entity)
    and new.entity_id is not distinct from old.entity_id
    and new.community_code is not distinct from old.community_code and new.ip is not distinct from old.ip then
    return new;
  end if;
  raise exception 'audit_event is append-only (% refused)', tg_op using errcode = 'insufficient_privilege';
end;
$$;

create or replace trigger audit_event_no_update before update or delete on audit_event
  for each row execute function audit_event_append_only();
create or replace trigger audit_event_no_truncate before truncate on audit_event
  for each statement execute function audit_event_append_only();
