-- The territory builder: blocks from the road network, parcels from the entrance sections of buildings, their
-- adjacency graph, and which parcel each venue, hazard and camera stands on. It lives in PostGIS so that the demo
-- loader and the OpenStreetMap importer build territory the same way, and it can be rerun for a subdistrict at
-- any time: plans that assign the old parcels are carried over to the new ones.

-- The largest polygon of a geometry, so that a section or a clipped face is always one Polygon.
create or replace function largest_polygon(g geometry) returns geometry
language sql immutable strict parallel safe as $$
  select d.geom from ST_Dump(ST_CollectionExtract(g, 3)) d order by ST_Area(d.geom) desc limit 1
$$;

-- Cuts a building footprint into n sections of equal length along its long axis (the axis of its oriented
-- envelope), numbered from the west end (from the south end for a north–south building): one per entrance of a
-- slab. Works in metric_srid and returns geometries in the footprint's SRID. Where a cut leaves several pieces
-- (a U-shaped footprint), the section is the largest of them.
create or replace function building_sections(footprint geometry, n integer, metric_srid integer)
returns table (seq integer, geom geometry)
language plpgsql immutable strict parallel safe as $$
declare
  g geometry := ST_Transform(footprint, metric_srid);
  ring geometry := ST_ExteriorRing(ST_OrientedEnvelope(g));
  p0 geometry := ST_PointN(ring, 1);
  p1 geometry := ST_PointN(ring, 2);
  p2 geometry := ST_PointN(ring, 3);
  origin geometry := ST_Centroid(g);
  angle double precision;
  r geometry;
  x0 double precision;
  step double precision;
  k integer;
begin
  if n <= 1 then
    seq := 1;
    geom := largest_polygon(footprint);
    return next;
    return;
  end if;
  if ST_Distance(p0, p1) >= ST_Distance(p1, p2) then
    angle := atan2(ST_Y(p1) - ST_Y(p0), ST_X(p1) - ST_X(p0));
  else
    angle := atan2(ST_Y(p2) - ST_Y(p1), ST_X(p2) - ST_X(p1));
  end if;
  if cos(angle) < -1e-9 or (abs(cos(angle)) <= 1e-9 and sin(angle) < 0) then
    angle := angle + pi();
  end if;
  r := ST_Rotate(g, -angle, origin);
  x0 := ST_XMin(r);
  step := (ST_XMax(r) - x0) / n;
  for k in 1..n loop
    seq := k;
    geom := ST_Transform(
      largest_polygon(ST_Rotate(ST_Intersection(r, ST_MakeEnvelope(
        case when k = 1 then x0 - 1 else x0 + (k - 1) * step end, ST_YMin(r) - 1,
        case when k = n then ST_XMax(r) + 1 else x0 + k * step end, ST_YMax(r) + 1,
        metric_srid)), angle, origin)),
      ST_SRID(footprint));
    return next;
  end loop;
end;
$$;

-- Sets parcel_id and community_code of the venues, hazards and cameras standing on the subdistrict's parcels
-- (a point on a boundary between parcels takes the lowest parcel id).
-- Points are taken from the extent of the subdistrict's parcels first (their GiST indexes): probing the parcels for
-- every point of the whole database made loading a city subdistrict by subdistrict quadratic.
create or replace function locate_on_parcels(p_subdistrict text) returns void
language plpgsql as $$
declare
  box geometry;
begin
  select ST_SetSRID(ST_Extent(p.geom)::geometry, 4326) into box
  from parcel p join community c on c.code = p.community_code
  where c.subdistrict_code = p_subdistrict;
  if box is null then
    return;
  end if;
  update venue t set parcel_id = l.id, community_code = l.community_code
  from venue s cross join lateral (
    select p.id, p.community_code from parcel p join community c on c.code = p.community_code
    where c.subdistrict_code = p_subdistrict and ST_Intersects(p.geom, s.geom) order by p.id limit 1
  ) l where t.id = s.id and s.geom && box;
  update hazard t set parcel_id = l.id, community_code = l.community_code
  from hazard s cross join lateral (
    select p.id, p.community_code from parcel p join community c on c.code = p.community_code
    where c.subdistrict_code = p_subdistrict and ST_Intersects(p.geom, s.geom) order by p.id limit 1
  ) l where t.id = s.id and s.geom && box;
  update camera t set parcel_id = l.id, community_code = l.community_code
  from camera s cross join lateral (
    select p.id, p.community_code from parcel p join community c on c.code = p.community_code
    where c.subdistrict_code = p_subdistrict and ST_Intersects(p.geom, s.geom) order by p.id limit 1
  ) l where t.id = s.id and s.geom && box;
end;
$$;

-- The adjacency rule of parcel_edge, shared by build_parcel_edges and build_territory: reads the temporary table
-- _pe_parcel (id, community_code, block_id, geom in EPSG:4326) and fills the temporary tables _pe_edge (a, b,
-- community_code, length_m, on_road, geom: pairs of one community sharing at least 1 cm of boundary) and _pe_length
-- (id, perimeter_m, outer_m). The shared boundary is intersected once per pair of overlapping boxes (the offset
-- keeps the planner from repeating the intersection in each condition that reads it); a parcel's shared lengths
-- are summed in the order of its neighbours' ids, so that outer_m does not depend on the order rows were written.
create or replace function compute_parcel_edges(p_srid integer) returns void
language plpgsql as $$
begin
  drop table if exists _pe_edge, _pe_length;
  create index on _pe_parcel using gist (geom);
  analyze _pe_parcel;

  create temp table _pe_edge on commit drop as
    select a, b, community_code, length_m, on_road, geom
    from (
      select
        pa.id as a,
        pb.id as b,
        pa.community_code,
        pa.block_id <> pb.block_id as on_road,
        ST_Multi(ST_CollectionExtract(ST_Intersection(ST_Boundary(pa.geom), ST_Boundary(pb.geom)), 2)) as geom
      from _pe_parcel pa
      join _pe_parcel pb on pb.community_code = pa.community_code and pb.id > pa.id and pb.geom && pa.geom
      offset 0
    ) shared
    cross join lateral (select ST_Length(ST_Transform(shared.geom, p_srid)) as length_m) m
    where not ST_IsEmpty(shared.geom) and m.length_m >= 0.01
    order by a, b;

  create temp table _pe_length on commit drop as
    select p.id, m.perimeter_m, greatest(0, m.perimeter_m - coalesce(s.shared_m, 0)) outer_m
    from _pe_parcel p
    cross join lateral (select ST_Perimeter(ST_Transform(p.geom, p_srid)) as perimeter_m) m
    left join (
      select e.id, sum(e.length_m order by e.other) shared_m
      from (select a id, b other, length_m from _pe_edge union all select b, a, length_m from _pe_edge) e
      group by e.id
    ) s on s.id = p.id;
end;
$$;

/**
 * Rebuilds parcel_edge and the parcels' perimeter_m / outer_m for every community of a subdistrict.
 * Shared boundaries shorter than 1 cm are corners, not adjacency.
 */
create or replace function build_parcel_edges(p_subdistrict text) returns integer
language plpgsql set jit = off as $$
declare
  srid integer;
  n integer;
begin
  select metric_srid into srid from subdistrict where code = p_subdistrict;
  if srid is null then
    raise exception 'no subdistrict %', p_subdistrict;
  end if;

  drop table if exists _pe_parcel;
  create temp table _pe_parcel on commit drop as
    select p.id, p.community_code, p.block_id, p.geom
    from parcel p join community c on c.code = p.community_code
    where c.subdistrict_code = p_subdistrict;
  perform compute_parcel_edges(srid);

  delete from parcel_edge e using community c
  where e.community_code = c.code and c.subdistrict_code = p_subdistrict;
  insert into parcel_edge (a, b, community_code, length_m, on_road, geom)
  select a, b, community_code, length_m, on_road, geom from _pe_edge order by a, b;
  get diagnostics n = row_count;

  update parcel p set perimeter_m = l.perimeter_m, outer_m = l.outer_m from _pe_length l where p.id = l.id;

  return n;
end;
$$;

-- Builds (or rebuilds) the blocks, parcels and parcel_edge graph of a subdistrict from its roads, water,
-- communities, buildings and entrance sections. Works in the subdistrict's metric CRS on a 1 mm grid and nodes
-- all outlines of the subdistrict together, so neighbouring parcels share their edges exactly, across blocks and
-- communities too; stores EPSG:4326 in normalized form with counter-clockwise shells (as GeoJSON wants), so that
-- a rerun on the same data writes the same geometry.
--
-- Blocks: the faces of the road centre lines, water outlines and community boundaries, noded and polygonized;
-- each lies in one community, and faces inside water have kind 'water'.
-- Parcels: in a block with buildings, points every p_spacing_m along the outline of each entrance section make a
-- Voronoi diagram; the cells of one section, dissolved and clipped to the block, are its cell V_i. Every face of
-- (block outlines ∪ section outlines ∪ cell outlines) goes to the section it lies in, or else to the section of
-- its cell, so parcel i is (V_i minus all sections) ∪ S_i and the parcels tile the block. Pieces of a parcel cut
-- off from its section are merged into the neighbour they share most boundary with. A block without buildings,
-- and every water block, is one parcel of empty land.
-- Rerun: old parcels are replaced; every plan keeps its grids, each new parcel taking the grid of the old
-- parcel of the same entrance (empty land, or an entrance that had no parcel — a building added since: of the
-- old parcel under its point on surface, else of its neighbour with the longest shared boundary), and grid
-- geometries are recomputed. Returns what it did, as JSON.
create or replace function build_territory(p_subdistrict text, p_spacing_m double precision default 5)
returns jsonb
language plpgsql set jit = off as $$
declare
  srid integer;
  grid_m constant double precision := 0.001;
  n_blocks integer;
  n_parcels integer;
  n_merged integer := 0;
  n_carried integer := 0;
  n_unassigned integer := 0;
  moved integer;
begin
  select metric_srid into srid from subdistrict where code = p_subdistrict;
  if srid is null then
    raise exception 'subdistrict % does not exist', p_subdistrict;
  end if;
  drop table if exists _ta_old_parcel, _ta_old_assignment, _ta_community, _ta_water, _ta_blk, _ta_sec, _ta_pt,
    _ta_vor, _ta_cell, _ta_outline, _ta_face, _ta_piece, _ta_parcel, _pe_parcel;

  -- What plans hold now, to carry it over to the new parcels.
  create temp table _ta_old_parcel on commit drop as
    select p.id, p.entrance_id, p.community_code, p.geom
    from parcel p join community c on c.code = p.community_code
    where c.subdistrict_code = p_subdistrict;
  create index on _ta_old_parcel using gist (geom);
  create index on _ta_old_parcel (entrance_id);
  analyze _ta_old_parcel;
  create temp table _ta_old_assignment on commit drop as
    select pp.plan_id, pp.parcel_id, pp.grid_id from plan_parcel pp join _ta_old_parcel o on o.id = pp.parcel_id;

  delete from plan_parcel where parcel_id in (select id from _ta_old_parcel);
  update venue set parcel_id = null where parcel_id in (select id from _ta_old_parcel);
  update hazard set parcel_id = null where parcel_id in (select id from _ta_old_parcel);
  update camera set parcel_id = null where parcel_id in (select id from _ta_old_parcel);
  delete from parcel where id in (select id from _ta_old_parcel);
  delete from block b using community c where c.code = b.community_code and c.subdistrict_code = p_subdistrict;

  -- Blocks.
  create temp table _ta_community on commit drop as
    select code, ST_Transform(geom, srid) g from community where subdistrict_code = p_subdistrict;
  create index on _ta_community using gist (g);
  create temp table _ta_water on commit drop as
    select ST_Transform(geom, srid) g from water where subdistrict_code = p_subdistrict;
  create index on _ta_water using gist (g);

  insert into block (community_code, kind, geom)
  select c.code,
    case when exists (select 1 from _ta_water w where ST_Intersects(w.g, f.pos)) then 'water' else 'land' end,
    ST_ForcePolygonCCW(ST_Normalize(ST_Transform(f.g, 4326)))
  from (
    select d.geom g, ST_PointOnSurface(d.geom) pos
    from (
      select ST_UnaryUnion(ST_Collect(g), grid_m) g from (
        select ST_Transform(geom, srid) g from road where subdistrict_code = p_subdistrict
        union all select ST_Boundary(g) from _ta_water
        union all select ST_Boundary(g) from _ta_community
      ) lines
    ) noded
    cross join lateral ST_Dump(ST_Polygonize(array[noded.g])) d
  ) f
  cross join lateral (select c.code from _ta_community c where ST_Intersects(c.g, f.pos) order by c.code limit 1) c
  order by c.code, ST_YMax(f.g) desc, ST_XMin(f.g);
  get diagnostics n_blocks = row_count;

  -- Parcels. Everything below works on the stored blocks brought back to metres, so that what tiles them here
  -- tiles them in EPSG:4326 too.
  create temp table _ta_blk on commit drop as
    select b.id, b.community_code, b.kind, ST_Transform(b.geom, srid) g
    from block b join community c on c.code = b.community_code
    where c.subdistrict_code = p_subdistrict;
  create index on _ta_blk using spgist (g);
  analyze _ta_blk;

  create temp table _ta_sec on commit drop as
    select e.id entrance_id, e.building_id, bl.compound_id, k.id block_id, k.community_code,
      case when ST_CoveredBy(s.g, k.g) then s.g else largest_polygon(ST_Intersection(s.g, k.g, grid_m)) end g
    from entrance e
    join building bl on bl.id = e.building_id
    join community c on c.code = bl.community_code and c.subdistrict_code = p_subdistrict
    cross join lateral (select ST_Transform(e.section, srid) g) s
    cross join lateral (
      select k.id, k.community_code, k.g from _ta_blk k
      where k.kind = 'land' and ST_Intersects(k.g, ST_PointOnSurface(s.g)) order by k.id limit 1
    ) k;
  delete from _ta_sec where g is null or ST_IsEmpty(g);
  create index on _ta_sec using spgist (g);
  analyze _ta_sec;

  create temp table _ta_pt on commit drop as
    select s.entrance_id, s.block_id, d.geom g
    from _ta_sec s cross join lateral ST_DumpPoints(ST_Segmentize(ST_Boundary(s.g), p_spacing_m)) d;
  create index on _ta_pt using spgist (g);

  -- V_i: the Voronoi cells of a section's points, dissolved and clipped to the block. A cell belongs to the
  -- (lowest) entrance of the points it holds: one probe of the points' index per cell, within the box of the
  -- block's points too (the cells on a block's edge reach far beyond it).
  create temp table _ta_vor on commit drop as
    select p.block_id, d.geom g, (
      select min(q.entrance_id) from _ta_pt q
      where q.g && d.geom and q.g && p.box and q.block_id = p.block_id and ST_Intersects(d.geom, q.g)
    ) entrance_id
    from (
      select block_id, ST_Collect(g) g, ST_SetSRID(ST_Extent(g)::geometry, srid) box from _ta_pt group by block_id
    ) p
    join _ta_blk k on k.id = p.block_id
    cross join lateral ST_Dump(ST_VoronoiPolygons(p.g, 0, k.g)) d;
  -- The cells of one diagram share their edges exactly, so buffer(0) of their collection dissolves them as a union
  -- would (the same polygons, vertices in another order), in half the time.
  create temp table _ta_cell on commit drop as
    select v.block_id, v.entrance_id, ST_Intersection(ST_Buffer(ST_Collect(v.g), 0), k.g) g
    from _ta_vor v join _ta_blk k on k.id = v.block_id
    group by v.block_id, v.entrance_id, k.g
    order by v.block_id, v.entrance_id;
  create index on _ta_cell using spgist (g);
  analyze _ta_cell;

  -- The faces of all outlines of the subdistrict noded together, so that parcels share edges exactly even across
  -- blocks and communities; each goes to the section it lies in, or else to the section of its cell.
  create temp table _ta_outline on commit drop as
    select d.path[1] n, d.geom g, ST_PointOnSurface(d.geom) pos
    from (
      select ST_UnaryUnion(ST_Collect(g), grid_m) g from (
        select ST_Boundary(g) g from _ta_blk
        union all select ST_Boundary(g) from _ta_sec
        union all select ST_Boundary(g) from _ta_cell
      ) lines
    ) n
    cross join lateral ST_Dump(ST_Polygonize(array[n.g])) d;
  create temp table _ta_face on commit drop as
    select k.community_code, f.g, k.id block_id,
      case when k.kind = 'water' then null else coalesce(
        (select s.entrance_id from _ta_sec s
          where s.block_id = k.id and ST_Intersects(s.g, f.pos) order by s.entrance_id limit 1),
        (select c.entrance_id from _ta_cell c
          where c.block_id = k.id and ST_DWithin(c.g, f.pos, 0.01)
          order by ST_Distance(c.g, f.pos), c.entrance_id limit 1)
      ) end entrance_id
    from _ta_outline f
    cross join lateral (
      select k.id, k.kind, k.community_code from _ta_blk k
      where ST_DWithin(k.g, f.pos, 0.01)
      order by ST_Distance(k.g, f.pos), k.id limit 1
    ) k
    order by f.n;

  create temp table _ta_piece on commit drop as
    select row_number() over (order by u.block_id, u.entrance_id, ST_XMin(u.g), ST_YMin(u.g)) pid, u.*, false main
    from (
      select community_code, block_id, entrance_id, (ST_Dump(ST_Union(g, grid_m))).geom g
      from _ta_face group by community_code, block_id, entrance_id
    ) u;
  -- The piece holding its section is the parcel; empty land is whole anyway.
  update _ta_piece p set main = true
  from (
    select distinct on (q.entrance_id) q.pid
    from _ta_piece q join _ta_sec s on s.entrance_id = q.entrance_id
    order by q.entrance_id, ST_Intersects(q.g, ST_PointOnSurface(s.g)) desc, ST_Area(q.g) desc, q.pid
  ) m
  where p.pid = m.pid;
  update _ta_piece set main = true where entrance_id is null;
  create index on _ta_piece using gist (g);
  loop
    with best as (
      select distinct on (o.pid) o.pid, n.entrance_id
      from _ta_piece o
      join _ta_piece n on n.block_id = o.block_id and n.main and n.pid <> o.pid and n.g && o.g
      cross join lateral (select ST_Length(ST_Intersection(o.g, n.g)) len) l
      where not o.main and l.len > 0
      order by o.pid, l.len desc, n.entrance_id
    )
    update _ta_piece p set entrance_id = best.entrance_id, main = true from best where p.pid = best.pid;
    get diagnostics moved = row_count;
    n_merged := n_merged + moved;
    exit when moved = 0;
  end loop;

  -- n is the order parcels are inserted in, so their ids (from the identity) rise with it.
  create temp table _ta_parcel on commit drop as
    select row_number() over (order by u.block_id, u.entrance_id nulls first)::integer n,
      u.community_code, u.block_id, u.entrance_id, s.building_id, s.compound_id, u.g,
      ST_ForcePolygonCCW(ST_Normalize(ST_Transform(u.g, 4326))) geom, null::integer id
    from (
      select community_code, block_id, entrance_id, ST_Multi(ST_CollectionExtract(ST_Union(g, grid_m), 3)) g
      from _ta_piece group by community_code, block_id, entrance_id
    ) u
    left join _ta_sec s on s.entrance_id = u.entrance_id;

  -- The adjacency graph (parcel_edge) and parcel perimeters (20261127003000_parcel_edges.sql), computed before the
  -- parcels are written so that each is written once.
  create temp table _pe_parcel on commit drop as
    select n id, community_code, block_id, geom from _ta_parcel;
  perform compute_parcel_edges(srid);

  -- The new ids come back from the insert itself: matching them on parcel (block, entrance) read the whole parcel
  -- table, which a city grows to 430,000 rows.
  with inserted as (
    insert into parcel (community_code, block_id, entrance_id, building_id, compound_id, geom, area_m2, perimeter_m,
      outer_m)
    select t.community_code, t.block_id, t.entrance_id, t.building_id, t.compound_id, t.geom, ST_Area(t.g),
      l.perimeter_m, l.outer_m
    from _ta_parcel t join _pe_length l on l.id = t.n
    order by t.n
    returning id, block_id, entrance_id
  )
  update _ta_parcel t set id = p.id from inserted p
  where p.block_id = t.block_id and coalesce(p.entrance_id, 0) = coalesce(t.entrance_id, 0)
    and p.entrance_id is not distinct from t.entrance_id;
  get diagnostics n_parcels = row_count;
  insert into parcel_edge (a, b, community_code, length_m, on_road, geom)
  select pa.id, pb.id, e.community_code, e.length_m, e.on_road, e.geom
  from _pe_edge e join _ta_parcel pa on pa.n = e.a join _ta_parcel pb on pb.n = e.b
  order by e.a, e.b;

  -- Carry plans over.
  if exists (select 1 from _ta_old_assignment) then
    insert into plan_parcel (plan_id, parcel_id, grid_id, community_code)
    select a.plan_id, n.id, a.grid_id, n.community_code
    from _ta_parcel n
    cross join lateral (
      (select o.id from _ta_old_parcel o where o.entrance_id = n.entrance_id order by o.id limit 1)
      union all
      (select o.id from _ta_old_parcel o
        where (n.entrance_id is null
            or not exists (select 1 from _ta_old_parcel x where x.entrance_id = n.entrance_id))
          and o.community_code = n.community_code
          and ST_Intersects(o.geom, ST_Transform(ST_PointOnSurface(n.g), 4326))
        order by o.entrance_id is null desc, o.id limit 1)
    ) o
    join _ta_old_assignment a on a.parcel_id = o.id
    join grid g on g.id = a.grid_id and g.community_code = n.community_code;
    get diagnostics n_carried = row_count;
    loop
      insert into plan_parcel (plan_id, parcel_id, grid_id, community_code)
      select distinct on (pl.plan_id, n.id) pl.plan_id, n.id, pp.grid_id, n.community_code
      from (select distinct plan_id from _ta_old_assignment) pl
      cross join _ta_parcel n
      join (
        select a me, b other, length_m from parcel_edge
        union all select b, a, length_m from parcel_edge
      ) ad on ad.me = n.id
      join plan_parcel pp on pp.plan_id = pl.plan_id and pp.parcel_id = ad.other
      where not exists (select 1 from plan_parcel x where x.plan_id = pl.plan_id and x.parcel_id = n.id)
      order by pl.plan_id, n.id, ad.length_m desc, pp.grid_id;
      get diagnostics moved = row_count;
      exit when moved = 0;
    end loop;
    select count(*) into n_unassigned
    from (select distinct plan_id from _ta_old_assignment) pl cross join _ta_parcel n
    where not exists (select 1 from plan_parcel x where x.plan_id = pl.plan_id and x.parcel_id = n.id);
    update grid g set geom = (
      select ST_Multi(ST_Union(p.geom)) from plan_parcel pp join parcel p on p.id = pp.parcel_id
      where pp.grid_id = g.id
    )
    where g.plan_id in (select distinct plan_id from _ta_old_assignment);
  end if;

  perform locate_on_parcels(p_subdistrict);

  return jsonb_build_object(
    'blocks', n_blocks,
    'parcels', n_parcels,
    'pieces_merged', n_merged,
    'assignments_carried_over', n_carried,
    'parcels_unassigned', n_unassigned
  );
end;
$$;
