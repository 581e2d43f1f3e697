-- The adjacency graph of parcels, built once with the parcels: which parcels share a boundary of positive length
-- (touching at a point is not adjacency), how long it is, its line, and whether it runs along a road or water
-- (the two parcels lie in different blocks). Grid figures (perimeter, contiguity, boundary on roads), the editor's
-- grid outlines and the rebalancer all read it instead of intersecting polygons on every edit.

alter table parcel
  add column perimeter_m double precision not null default 0,
  -- Length of the parcel's boundary on its community's outer boundary (which follows arterials and the river).
  add column outer_m double precision not null default 0;

create table parcel_edge (
  a integer not null references parcel (id) on delete cascade,
  b integer not null references parcel (id) on delete cascade,
  community_code text not null references community (code),
  length_m double precision not null check (length_m > 0),
  on_road boolean not null,
  geom geometry(MultiLineString, 4326) not null,
  primary key (a, b),
  check (a < b)
);
create index parcel_edge_b_idx on parcel_edge (b);
create index parcel_edge_community_idx on parcel_edge (community_code);
