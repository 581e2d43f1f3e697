-- Hazard points (安全隐患点) and the history of their lifecycle:
-- reported → assigned → in_progress → resolved → verified, reopenable from resolved or verified.

create table hazard_category (
  code text primary key,
  name_zh text not null,
  name_en text not null
);

insert into hazard_category (code, name_zh, name_en) values
  ('fire', '消防隐患', 'Fire safety'),
  ('gas', '燃气隐患', 'Gas'),
  ('ebike_charging', '电动车违规充电', 'E-bike charging'),
  ('structure', '房屋结构', 'Building structure'),
  ('falling_objects', '高空坠物', 'Falling objects'),
  ('traffic', '交通安全', 'Traffic'),
  ('food', '食品安全', 'Food safety'),
  ('fraud_ads', '违规小广告', 'Illegal small advertisements'),
  ('other', '其他', 'Other');

create table hazard (
  id integer generated always as identity primary key,
  community_code text references community (code),
  parcel_id integer references parcel (id),
  venue_id integer references venue (id),
  category text not null references hazard_category (code),
  severity text not null check (severity in ('low', 'medium', 'high')),
  status text not null default 'reported'
    check (status in ('reported', 'assigned', 'in_progress', 'resolved', 'verified')),
  title text not null check (length(title) between 1 and 120),
  note text check (length(note) <= 1000),
  geom geometry(Point, 4326) not null,
  reported_at timestamptz not null default now(),
  -- Photos and documents come later; the list of attachment references has its place now.
  attachments jsonb not null default '[]'::jsonb
);
create index hazard_geom_idx on hazard using gist (geom);
create index hazard_community_idx on hazard (community_code, status);

create table hazard_transition (
  id integer generated always as identity primary key,
  hazard_id integer not null references hazard (id) on delete cascade,
  from_status text,
  to_status text not null,
  at timestamptz not null default now(),
  actor text not null,
  note text check (length(note) <= 1000)
);
create index hazard_transition_hazard_idx on hazard_transition (hazard_id, at);
