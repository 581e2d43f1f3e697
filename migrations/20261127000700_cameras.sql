-- Public video cameras (监控点位) with the geometry of what they can see. Types follow GB/T 28181:
-- dome 球机 (360°), half-dome 半球, fixed 固定枪机, PTZ 遥控枪机 (counted over its full sweep).

create table camera (
  id integer generated always as identity primary key,
  community_code text references community (code),
  parcel_id integer references parcel (id),
  name text not null,
  type text not null check (type in ('dome', 'half_dome', 'fixed', 'ptz')),
  status text not null check (status in ('online', 'offline', 'planned')),
  -- Degrees clockwise from north.
  bearing_deg double precision not null check (bearing_deg >= 0 and bearing_deg < 360),
  view_width_deg double precision not null check (view_width_deg > 0 and view_width_deg <= 360),
  range_m double precision not null check (range_m > 0 and range_m <= 500),
  mount_height_m double precision not null check (mount_height_m > 0 and mount_height_m <= 100),
  -- Which of bearing_deg, view_width_deg, range_m, mount_height_m are defaults for the type, not surveyed.
  defaulted text[] not null default '{}',
  site text not null default 'other' check (site in ('intersection', 'gate', 'school', 'venue', 'road', 'other')),
  geom geometry(Point, 4326) not null
);
create index camera_geom_idx on camera using gist (geom);
create index camera_community_idx on camera (community_code);
