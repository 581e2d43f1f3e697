-- Why: times are read in the subdistrict's own zone wherever they are shown (audit trail, conflicts, hazards, visits,
-- plans), whatever zone the browser or the server runs in. The zone belongs to the place, so it lives on its row;
-- the check refuses a name PostgreSQL does not know.
alter table subdistrict add column time_zone text not null default 'Asia/Shanghai'
  check (now() at time zone time_zone is not null);
