-- Plans: an assignment of every parcel to a grid. One plan per subdistrict is published; the others are drafts
-- or archived (formerly published, kept with their validity period so they can be reopened and compared).

create table plan (
  id integer generated always as identity primary key,
  subdistrict_code text not null references subdistrict (code),
  name text not null,
  status text not null check (status in ('draft', 'published', 'archived')),
  -- Bumped by every edit; an edit carries the version it was made against and is refused when it is stale.
  version integer not null default 0,
  based_on integer references plan (id),
  owner text,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  valid_from timestamptz,
  valid_to timestamptz
);
create unique index plan_one_published_idx on plan (subdistrict_code) where status = 'published';

create table grid (
  id integer generated always as identity primary key,
  plan_id integer not null references plan (id) on delete cascade,
  -- 网格编码: community code (12 digits) + 3-digit sequence; stable across plans for a grid that survives.
  code text not null check (code ~ '^\d{15}$'),
  community_code text not null references community (code),
  name text not null,
  locked boolean not null default false,
  -- The union of the grid's parcels, kept in step with plan_parcel by whoever changes the assignment.
  geom geometry(MultiPolygon, 4326),
  unique (plan_id, code),
  unique (id, plan_id, community_code),
  check (left(code, 12) = community_code)
);
create index grid_geom_idx on grid using gist (geom);
create index grid_plan_idx on grid (plan_id);

create table plan_parcel (
  plan_id integer not null references plan (id) on delete cascade,
  parcel_id integer not null,
  grid_id integer not null,
  community_code text not null,
  primary key (plan_id, parcel_id),
  foreign key (parcel_id, community_code) references parcel (id, community_code),
  -- The grid is of the same plan and the same community as the parcel: a grid never crosses a community.
  foreign key (grid_id, plan_id, community_code) references grid (id, plan_id, community_code) on delete cascade
);
create index plan_parcel_grid_idx on plan_parcel (grid_id);
