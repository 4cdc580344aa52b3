-- Deploy proof:account_team to pg
-- requires: accounts

BEGIN;

CREATE INDEX CONCURRENTLY account_team_idx ON account (team_id);

COMMIT;
