-- The field app's server side (issue 15): writes a flaky network may repeat are made once (idempotency keys), the
-- one-visit-per-worker-place-day rule is held by the database, and photos of hazards and inspections live in the
-- database so that a backup holds them with the records they illustrate.

-- An Idempotency-Key (IETF httpapi draft) is the account's: the same key from two accounts is two keys. The request
-- is remembered by a hash of method, path and body, and the first answer is kept so a repeat gets it again.
create table idempotency_key (
  account_id integer not null references account (id) on delete cascade,
  key text not null check (length(key) between 1 and 255),
  fingerprint text not null check (fingerprint ~ '^[0-9a-f]{64}$'),
  method text not null,
  path text not null,
  -- Null while the first request is in flight.
  status integer check (status between 100 and 599),
  content_type text,
  body bytea,
  created_at timestamptz not null default now(),
  completed_at timestamptz,
  primary key (account_id, key)
);
create index idempotency_key_created_idx on idempotency_key (created_at);

-- Repeats recorded before the rule existed: the first of each worker, place and day stays.
delete from visit v using visit w
where v.worker_id = w.worker_id and v.visited_on = w.visited_on and v.id > w.id
  and (v.entrance_id = w.entrance_id or v.building_id = w.building_id);
create unique index visit_entrance_once_idx on visit (worker_id, entrance_id, visited_on) where entrance_id is not null;
create unique index visit_building_once_idx on visit (worker_id, building_id, visited_on) where building_id is not null;

-- A photo illustrates a hazard (its report, or one of its moves) or an inspection. The image is stored as sent:
-- the phone has already resized it and stripped its metadata; the server checks it is a real JPEG, PNG or WebP.
create table photo (
  id integer generated always as identity primary key,
  hazard_id integer references hazard (id) on delete cascade,
  hazard_transition_id integer references hazard_transition (id) on delete cascade,
  inspection_id integer references inspection (id) on delete cascade,
  content_type text not null check (content_type in ('image/jpeg', 'image/png', 'image/webp')),
  bytes integer not null check (bytes between 1 and 2097152),
  sha256 text not null check (sha256 ~ '^[0-9a-f]{64}$'),
  data bytea not null,
  created_at timestamptz not null default now(),
  created_by integer references account (id) on delete set null,
  check (num_nonnulls(hazard_id, inspection_id) = 1),
  check (hazard_transition_id is null or hazard_id is not null),
  check (octet_length(data) = bytes)
);
create index photo_hazard_idx on photo (hazard_id, hazard_transition_id) where hazard_id is not null;
create index photo_inspection_idx on photo (inspection_id) where inspection_id is not null;
-- Bytes are fetched by id only; keeping them out of line keeps listings of photos cheap.
alter table photo alter column data set storage external;
