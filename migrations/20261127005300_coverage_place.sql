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
