-- Key places of coverage, computed once and kept until what they come from changes: compound gates (school gates
-- for campuses), venues at the front of their building towards its nearest road (where the door is, and what a
-- camera outside can see), and road intersections. Working them out on every read cost more than the rest of the
-- coverage figures together. Any change to compounds, venues, buildings or roads empties the table, and the server
-- fills it again (coverage_place_fill) before it reads.

create table coverage_place (
  key text primary key,
  kind text not null check (kind in ('intersection', 'gate', 'school_gate', 'venue')),
  -- The venue's category; null for gates and intersections.
  category text,
  geom geometry(Point, 4326) not null
);
create index coverage_place_geom_idx on coverage_place using gist (geom);

create function coverage_place_fill() returns void language plpgsql set jit = off as $$
begin
  if exists (select 1 from coverage_place) then
    return;
  end if;
  insert into coverage_place (key, kind, category, geom)
  select 'gate:' || c.id || ':' || d.path[1], case when c.kind = 'campus' then 'school_gate' else 'gate' end,
    null, d.geom
  from compound c cross join lateral ST_Dump(c.gates) as d
  union all
  select 'venue:' || v.id, 'venue', v.category, coalesce(f.geom, v.geom)
  from venue v
  left join community vc on vc.code = v.community_code
  left join subdistrict s on s.code = vc.subdistrict_code
  left join lateral (select b.geom from building b where ST_Intersects(b.geom, v.geom) limit 1) b on true
  left join lateral (select r.geom from road r where b.geom is not null order by r.geom <-> v.geom limit 1) r on true
  cross join lateral (
    select ST_Transform(building_front(ST_Transform(b.geom, s.metric_srid), ST_Transform(r.geom, s.metric_srid), 0.5),
      4326) as geom
  ) f
  union all
  select * from (
    select distinct on (ST_SnapToGrid(d.geom, 1e-7))
      'junction:' || a.id || ':' || b.id || ':' || coalesce(d.path[1], 1), 'intersection', null::text, d.geom
    from road a join road b on a.id < b.id and a.geom && b.geom
    cross join lateral ST_Dump(ST_Intersection(a.geom, b.geom)) as d
    where GeometryType(d.geom) = 'POINT'
  ) j
  on conflict do nothing;
end
$$;

create function coverage_place_forget() returns trigger language plpgsql as $$
begin
  delete from coverage_place;
  return null;
end
$$;

create trigger coverage_place_forget_compound after insert or update or delete or truncate on compound
  for each statement execute function coverage_place_forget();
create trigger coverage_place_forget_venue after insert or update or delete or truncate on venue
  for each statement execute function coverage_place_forget();
create trigger coverage_place_forget_building after insert or update of geom or delete or truncate on building
  for each statement execute function coverage_place_forget();
create trigger coverage_place_forget_road after insert or update of geom or delete or truncate on road
  for each statement execute function coverage_place_forget();
