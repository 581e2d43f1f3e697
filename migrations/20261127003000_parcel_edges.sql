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

/**
 * Rebuilds parcel_edge and the parcels' perimeter_m / outer_m for every community of a subdistrict.
 * Shared boundaries shorter than 1 cm are corners, not adjacency.
 */
create function build_parcel_edges(p_subdistrict text) returns integer
language plpgsql as $$
declare
  srid integer;
  n integer;
begin
  select metric_srid into srid from subdistrict where code = p_subdistrict;
  if srid is null then
    raise exception 'no subdistrict %', p_subdistrict;
  end if;

  delete from parcel_edge e using community c
  where e.community_code = c.code and c.subdistrict_code = p_subdistrict;

  insert into parcel_edge (a, b, community_code, length_m, on_road, geom)
  select a, b, community_code, length_m, on_road, geom
  from (
    select
      pa.id as a,
      pb.id as b,
      pa.community_code,
      pa.block_id <> pb.block_id as on_road,
      ST_Multi(ST_CollectionExtract(ST_Intersection(ST_Boundary(pa.geom), ST_Boundary(pb.geom)), 2)) as geom
    from parcel pa
    join community c on c.code = pa.community_code and c.subdistrict_code = p_subdistrict
    join parcel pb on pb.community_code = pa.community_code and pb.id > pa.id and pb.geom && pa.geom
    where ST_Intersects(pa.geom, pb.geom)
  ) shared
  cross join lateral (select ST_Length(ST_Transform(shared.geom, srid)) as length_m) m
  where not ST_IsEmpty(shared.geom) and m.length_m >= 0.01;
  get diagnostics n = row_count;

  update parcel p
  set perimeter_m = ST_Perimeter(ST_Transform(p.geom, srid)),
      outer_m = greatest(0, ST_Perimeter(ST_Transform(p.geom, srid)) - coalesce((
        select sum(e.length_m) from parcel_edge e where e.a = p.id or e.b = p.id), 0))
  from community c
  where c.code = p.community_code and c.subdistrict_code = p_subdistrict;

  return n;
end;
$$;
