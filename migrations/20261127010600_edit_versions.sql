-- Cameras and workers are edited from forms that show what was read a while ago. Each row carries a version,
-- bumped by every update, so that an edit sent with the version it was made against is refused (409) when someone
-- changed the row in between, instead of silently overwriting their change. Plans have had this since the editor.
alter table camera add column version integer not null default 1;
alter table worker add column version integer not null default 1;
