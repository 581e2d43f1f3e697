-- Vector tiles (issue 10) need two things from the database: a version per tile layer that changes in the same
-- transaction as any change to what the layer draws, so tile URLs can carry it and be cached forever; and
-- figures aggregated ahead of time for low zooms, so that no tile is built from millions of rows. Both are kept by
-- statement triggers (one per table and event, since transition tables allow one event per trigger). Drafts do not
-- touch them: only the published plan is drawn. Versions are bumped with a row update, so concurrent writers of a
-- layer commit one after the other and the version order is the commit order.

-- A bulk loader (the city loader, which loads subdistricts side by side, one transaction each) sets
-- gridatlas.tile_bump = 'off' in its own transactions, so that they do not wait on each other's row lock, and bumps
-- every layer once when it is done (refreshTileLayers); nothing else sets it.
create or replace function tile_bump(layers text[]) returns void language sql as $$
  update tile_layer set version = version + 1, changed_at = now()
  where layer = any(layers) and coalesce(current_setting('gridatlas.tile_bump', true), '') <> 'off'
$$;

-- Recomputes the grid and community summaries of some communities from the published plan; simplified in degrees,
-- stored in Web Mercator (the tiles draw them untransformed).
create or replace function tile_refresh(codes text[]) returns void language plpgsql set jit = off as $$
begin
  if codes is null or cardinality(codes) = 0 then
    return;
  end if;
  delete from tile_grid where community_code = any(codes);
  insert into tile_grid (grid_id, code, community_code, name, households, entrances, buildings, status, geom,
    geom_simple, label)
  select g.id, g.code, g.community_code, g.name, f.households, f.entrances, f.buildings, f.status,
    ST_Transform(g.geom, 3857), ST_Transform(ST_SimplifyPreserveTopology(g.geom, 0.00003), 3857),
    ST_Transform(ST_PointOnSurface(g.geom), 3857)
  from published_grid g
  join grid_figure f on f.grid_id = g.id
  where g.community_code = any(codes) and f.community_code = any(codes) and g.geom is not null;

  delete from tile_community where code = any(codes);
  insert into tile_community (code, name, name_en, households, grids, grids_under, grids_ok, grids_over, geom_simple,
    label)
  select c.code, c.name, c.name_en,
    coalesce((select sum(e.households) from entrance e join building b on b.id = e.building_id
      where b.community_code = c.code), 0),
    coalesce(t.grids, 0), coalesce(t.n_under, 0), coalesce(t.n_ok, 0), coalesce(t.n_over, 0),
    ST_Transform(ST_SimplifyPreserveTopology(c.geom, 0.0002), 3857), ST_Transform(ST_PointOnSurface(c.geom), 3857)
  from community c
  left join (
    select community_code, count(*) grids, count(*) filter (where status = 'under') n_under,
      count(*) filter (where status = 'ok') n_ok, count(*) filter (where status = 'over') n_over
    from tile_grid where community_code = any(codes) group by community_code
  ) t on t.community_code = c.code
  where c.code = any(codes);
end;
$$;

-- Generic statement trigger. Arguments: the layers to bump (comma-separated); what to refresh ('none' or 'full');
-- an SQL expression over a changed row `r` giving its community code; a condition on `r` that must hold for some
-- changed row (default: any row). A statement that changed no such row bumps nothing.
create or replace function tile_touch() returns trigger language plpgsql as $$
declare
  src text;
  hit boolean;
  codes text[];
begin
  src := case tg_op when 'INSERT' then 'select * from n' when 'DELETE' then 'select * from o'
    else 'select * from n union all select * from o' end;
  execute format(
    'select count(*) > 0, array_agg(distinct c) filter (where c is not null) from (select %s as c from (%s) r where %s) q',
    coalesce(nullif(tg_argv[2], ''), 'null::text'), src, coalesce(nullif(tg_argv[3], ''), 'true'))
  into hit, codes;
  if not hit then
    return null;
  end if;
  if tg_argv[1] = 'full' then
    perform tile_refresh(codes);
  end if;
  perform tile_bump(string_to_array(tg_argv[0], ','));
  return null;
end;
$$;

-- The communities of the published rows a statement changed in plan_parcel or grid (which both carry plan_id and
-- community_code). The editor's painting path writes plan_parcel of drafts many times a minute: a static check,
-- planned once, finds that no published row changed and returns. Argument: the layers to bump (comma-separated).
create or replace function tile_touch_published() returns trigger language plpgsql as $$
declare
  codes text[];
begin
  if tg_op = 'INSERT' then
    select array_agg(distinct r.community_code) into codes from n r join plan p on p.id = r.plan_id
    where p.status = 'published';
  elsif tg_op = 'DELETE' then
    select array_agg(distinct r.community_code) into codes from o r join plan p on p.id = r.plan_id
    where p.status = 'published';
  else
    select array_agg(distinct r.community_code) into codes
    from (select plan_id, community_code from n union all select plan_id, community_code from o) r
    join plan p on p.id = r.plan_id where p.status = 'published';
  end if;
  if codes is not null then
    perform tile_refresh(codes);
    perform tile_bump(string_to_array(tg_argv[0], ','));
  end if;
  return null;
end;
$$;

-- Publishing (or archiving) a plan changes every grid of its subdistrict. Argument: the layers to bump.
create or replace function tile_touch_plan() returns trigger language plpgsql as $$
declare
  codes text[];
begin
  if tg_op = 'DELETE' then
    select array_agg(c.code) into codes from community c
    where c.subdistrict_code in (select subdistrict_code from o where status = 'published');
  else
    select array_agg(c.code) into codes from community c
    where c.subdistrict_code in (
      select n.subdistrict_code from n join o on o.id = n.id
      where n.status is distinct from o.status and 'published' in (n.status, o.status));
  end if;
  if codes is not null then
    perform tile_refresh(codes);
    perform tile_bump(string_to_array(tg_argv[0], ','));
  end if;
  return null;
end;
$$;

-- One trigger per event (transition tables allow one), all calling `fn` with the same arguments.
create or replace function pg_temp.tile_install(tbl text, fn text, args text) returns void language plpgsql as $$
begin
  execute format('create or replace trigger %I after insert on %I referencing new table as n for each statement execute function %s(%s)',
    'tile_' || tbl || '_insert', tbl, fn, args);
  execute format('create or replace trigger %I after update on %I referencing new table as n old table as o for each statement execute function %s(%s)',
    'tile_' || tbl || '_update', tbl, fn, args);
  execute format('create or replace trigger %I after delete on %I referencing old table as o for each statement execute function %s(%s)',
    'tile_' || tbl || '_delete', tbl, fn, args);
end;
$$;

select pg_temp.tile_install('road', 'tile_touch', '''roads'', ''none''');
select pg_temp.tile_install('water', 'tile_touch', '''water'', ''none''');
select pg_temp.tile_install('block', 'tile_touch', '''blocks'', ''none''');
select pg_temp.tile_install('compound', 'tile_touch', '''compounds'', ''none''');
select pg_temp.tile_install('building', 'tile_touch', '''buildings,communities,compounds,grids'', ''full'', ''r.community_code''');
select pg_temp.tile_install('entrance', 'tile_touch',
  '''buildings,communities,compounds,grids'', ''full'', ''(select b.community_code from building b where b.id = r.building_id)''');
select pg_temp.tile_install('community', 'tile_touch', '''communities,grids'', ''full'', ''r.code''');
select pg_temp.tile_install('plan_parcel', 'tile_touch_published', '''communities,grids''');
select pg_temp.tile_install('grid', 'tile_touch_published', '''communities,grids''');

create or replace trigger tile_plan_update after update on plan referencing new table as n old table as o
  for each statement execute function tile_touch_plan('communities,grids');
create or replace trigger tile_plan_delete after delete on plan referencing old table as o
  for each statement execute function tile_touch_plan('communities,grids');

-- Summaries of communities that have none: a database that held communities before tiles existed, or one whose
-- summaries a migration emptied because what they hold changed. Does nothing otherwise.
select tile_refresh(array(
  select c.code from community c where not exists (select 1 from tile_community t where t.code = c.code)));
