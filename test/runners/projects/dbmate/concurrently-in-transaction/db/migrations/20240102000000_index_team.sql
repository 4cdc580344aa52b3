-- migrate:up
CREATE INDEX CONCURRENTLY account_team_idx ON account (team_id);

-- migrate:down
DROP INDEX CONCURRENTLY account_team_idx;
