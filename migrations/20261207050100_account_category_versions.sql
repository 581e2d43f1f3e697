-- Accounts and venue categories are shared rows edited from forms, like cameras and workers: each carries a version
-- the edit must send back (428 without it, 409 when someone changed the row since). An account's version moves
-- with what the accounts page edits (name, disabled, roles), not with its owner's password or sign-ins.
alter table account add column version integer not null default 1;
alter table venue_category add column version integer not null default 1;

-- Sign-in is throttled in memory, per account and client address (server/src/auth/throttle.ts), and never locks
-- an account: these columns were never written, and showed every account as "not locked" whatever the throttle did.
alter table account drop column failed_sign_ins, drop column locked_until;
