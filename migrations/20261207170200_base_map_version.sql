-- The base map setting is a shared row edited from a form, like cameras and accounts: an admin's change carries the
-- version it was made against (428 without it, 409 when another admin changed the setting since).
alter table base_map_setting add column version integer not null default 1;
