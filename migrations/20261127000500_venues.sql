-- Venues (场所) that are inspected, and their inspections. A venue points at the parcel it stands on, so its grid
-- follows whatever plan is in force without being rewritten.

create table venue_category (
  code text primary key,
  name_zh text not null,
  name_en text not null,
  -- How often a venue of this category is due for inspection.
  inspection_interval_days integer not null check (inspection_interval_days > 0)
);

insert into venue_category (code, name_zh, name_en, inspection_interval_days) values
  ('health_shop', '养生保健店铺', 'Health-product shop', 30),
  ('youth_room', '未成年人工作室', 'Youth room', 90),
  ('cultural_facility', '公共文化设施', 'Public cultural facility', 90),
  ('school', '学校', 'School', 60),
  ('kindergarten', '幼儿园', 'Kindergarten', 60),
  ('market', '农贸市场', 'Market', 30),
  ('pharmacy', '药店', 'Pharmacy', 60),
  ('internet_cafe', '网吧', 'Internet café', 30),
  ('hotel', '宾馆', 'Hotel', 60),
  ('restaurant', '餐饮店', 'Restaurant', 60),
  ('clinic', '诊所', 'Clinic', 90),
  ('elderly_care', '养老服务站', 'Elderly care station', 90);

create table venue (
  id integer generated always as identity primary key,
  community_code text references community (code),
  parcel_id integer references parcel (id),
  category text not null references venue_category (code),
  name text not null,
  address text,
  geom geometry(Point, 4326) not null
);
create index venue_geom_idx on venue using gist (geom);
create index venue_community_idx on venue (community_code, category);

create table inspection (
  id integer generated always as identity primary key,
  venue_id integer not null references venue (id) on delete cascade,
  inspected_on date not null,
  inspector_id integer references worker (id),
  result text not null check (result in ('ok', 'issues_found', 'closed_down')),
  note text check (length(note) <= 1000),
  follow_up text check (length(follow_up) <= 1000),
  joint_with_police boolean not null default false
);
create index inspection_venue_idx on inspection (venue_id, inspected_on);
