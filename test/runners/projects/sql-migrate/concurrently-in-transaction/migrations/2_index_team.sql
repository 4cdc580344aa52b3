-- +migrate Up
CREATE INDEX CONCURRENTLY account_team_idx ON account (team_id);

-- +migrate Down
DROP INDEX CONCURRENTLY account_team_idx;
