-- Whole-area answers (grids, grid cards, buildings, venues, hazards) are cached by the server, keyed by the data
-- they were built from (issue 16). One counter per table, bumped in the changing transaction by a statement trigger
-- (migrations/R__data_version.sql), so a reader that sees the counters also sees the changes they count, whichever
-- path wrote them: routes, imports, plan publishing, jobs, the CLI or psql.
create table data_version (
  source text primary key,
  version bigint not null default 0
);
