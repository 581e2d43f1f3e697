-- One search box on every map page (issue 17): names, numbers and addresses are found by substring (ILIKE
-- '%…%'), which a B-tree cannot serve; pg_trgm's GIN indexes can, and its similarity() ranks near matches.
create extension if not exists pg_trgm;

create index building_name_trgm on building using gin (name gin_trgm_ops);
create index compound_name_trgm on compound using gin (name gin_trgm_ops);
create index venue_name_trgm on venue using gin (name gin_trgm_ops);
create index venue_address_trgm on venue using gin (address gin_trgm_ops);
create index grid_name_trgm on grid using gin (name gin_trgm_ops);
create index community_name_trgm on community using gin (name gin_trgm_ops);
