-- Bumps the data_version row of the table a statement changed (issue 16: the server's cache of whole-area answers
-- is keyed by these counters). One row per table, so writers of different tables never wait on each other; writers
-- of one table commit one after the other, as tile_bump's do. The city loader's side-by-side transactions
-- (gridatlas.tile_bump = off) skip it and bump every row once at the end (data_bump_all, from refreshTileLayers).
create or replace function data_touch() returns trigger language plpgsql as $$
begin
  if coalesce(current_setting('gridatlas.tile_bump', true), '') <> 'off' then
    update data_version set version = version + 1 where source = tg_table_name;
  end if;
  return null;
end;
$$;

create or replace function data_bump_all() returns void language sql as $$
  update data_version set version = version + 1
$$;

-- Every table of the schema carries the trigger except those no cached answer is built from, listed in
-- data_version_exempt() with the reason. A table added by a later migration gets it when this file is re-applied
-- (the repeatable files run after every new migration); server/src/db/data-version.db.test.ts checks it.
create or replace function data_version_exempt() returns text[] language sql immutable as $$
  select array[
    -- the caller's scope is part of every cache key, so accounts and their roles are read per request, not cached
    'account', 'account_role', 'session', 'password_link',
    -- bookkeeping of requests and the schema: read by no cached answer
    'audit_event', 'idempotency_key', 'schema_migration', 'schema_repeatable', 'data_version',
    -- the tiles' own versions (tile_layer); the summaries are rebuilt from tables that carry the trigger
    'tile_layer'
  ]
$$;

do $$
declare
  t text;
begin
  for t in
    select c.relname from pg_class c join pg_namespace n on n.oid = c.relnamespace
    where n.nspname = 'public' and c.relkind in ('r', 'p') and not c.relispartition
      and c.relname <> all (data_version_exempt())
      and not exists (select from pg_depend d where d.objid = c.oid and d.deptype = 'e')
  loop
    insert into data_version (source) values (t) on conflict do nothing;
    execute format('drop trigger if exists data_touch on %I', t);
    execute format(
      'create trigger data_touch after insert or update or delete or truncate on %I for each statement execute function data_touch()',
      t);
  end loop;
end;
$$;
