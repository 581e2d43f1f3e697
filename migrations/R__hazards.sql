-- A hazard is reported from the map and from a venue's inspection: both must write the same two rows (the hazard,
-- status reported, and the first line of its history), so the pair is written in one place, here.
create or replace function report_hazard(
  p_geom geometry(Point, 4326),
  p_parcel_id integer,
  p_community_code text,
  p_venue_id integer,
  p_category text,
  p_severity text,
  p_title text,
  p_note text,
  p_actor text,
  p_actor_username text
) returns integer
language plpgsql as $$
declare
  new_id integer;
  at_now timestamptz := now();
begin
  insert into hazard (community_code, parcel_id, venue_id, category, severity, status, title, note, geom, reported_at)
  values (p_community_code, p_parcel_id, p_venue_id, p_category, p_severity, 'reported', p_title, p_note, p_geom, at_now)
  returning id into new_id;
  insert into hazard_transition (hazard_id, from_status, to_status, at, actor, actor_username, note)
  values (new_id, null, 'reported', at_now, p_actor, p_actor_username, null);
  return new_id;
end;
$$;
