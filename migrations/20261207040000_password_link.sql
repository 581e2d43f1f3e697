-- One-time set-password links (issue 16): an account an admin creates or resets gets a random link instead of a
-- password someone else knows. Only the token's SHA-256 is stored; a link works once and for 72 hours.
create table password_link (
  token_hash text primary key,
  account_id integer not null references account (id) on delete cascade,
  created_by text not null,
  created_at timestamptz not null default now(),
  expires_at timestamptz not null,
  used_at timestamptz
);

create index password_link_account on password_link (account_id);
