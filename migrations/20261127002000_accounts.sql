-- Accounts, their roles and scopes, and server-side sessions. Every read and write is decided on the server from
-- these rows: admin (everything), planner (the subdistrict's plans), leader (reads everything, changes nothing),
-- secretary (one community), worker (the grids assigned to one worker record). An account may hold several roles.

create table account (
  id integer generated always as identity primary key,
  username text not null unique check (username ~ '^[a-z0-9][a-z0-9_.-]{1,39}$'),
  display_name text not null check (length(display_name) between 1 and 60),
  -- scrypt$N$r$p$salt$hash (base64); never the password.
  password_hash text not null,
  must_change_password boolean not null default true,
  disabled boolean not null default false,
  failed_sign_ins integer not null default 0,
  locked_until timestamptz,
  created_at timestamptz not null default now(),
  password_changed_at timestamptz
);

create table account_role (
  id integer generated always as identity primary key,
  account_id integer not null references account (id) on delete cascade,
  role text not null check (role in ('admin', 'planner', 'leader', 'secretary', 'worker')),
  -- A secretary's community.
  community_code text references community (code),
  -- A worker account acts as this worker record and reaches the grids assigned to it.
  worker_id integer references worker (id),
  check ((role = 'secretary') = (community_code is not null)),
  check ((role = 'worker') = (worker_id is not null))
);
create unique index account_role_unique_idx
  on account_role (account_id, role, coalesce(community_code, ''), coalesce(worker_id, 0));

-- The cookie carries a random token; only its SHA-256 is stored, so a database dump cannot be replayed.
create table session (
  id text primary key,
  account_id integer not null references account (id) on delete cascade,
  csrf_token text not null,
  created_at timestamptz not null default now(),
  last_seen_at timestamptz not null default now(),
  expires_at timestamptz not null,
  ip text,
  user_agent text
);
create index session_account_idx on session (account_id);
