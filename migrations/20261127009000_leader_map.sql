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
