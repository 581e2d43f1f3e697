-- Stale views are listed instead of deleted. Finding cameras without a view meant scanning every camera on every
-- read and every camera change (milliseconds at a city's 50,000 cameras, on a path that has 15 ms in all); a list
-- of the cameras whose view must be built again is read and emptied in one indexed statement, and the old view
-- stays readable until the new one replaces it in the same transaction. The reach column goes: a building can only
-- change a view it touches (it cuts the view, or cut it), so the view's own box finds them, and storing a second
-- indexed geometry per camera cost a quarter of rebuilding all views.

create table camera_view_pending (
  camera_id integer primary key references camera (id) on delete cascade
);

alter table camera_view drop column reach;

insert into camera_view_pending (camera_id)
select k.id from camera k where not exists (select 1 from camera_view v where v.camera_id = k.id);
