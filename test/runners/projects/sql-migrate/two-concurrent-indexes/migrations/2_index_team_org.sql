-- +migrate Up
ALTER TABLE account ADD COLUMN org_id bigint;
CREATE INDEX CONCURRENTLY account_team_idx ON account (team_id);
CREATE INDEX CONCURRENTLY account_org_idx ON account (org_id);

-- +migrate Down
DROP INDEX account_org_idx;
DROP INDEX account_team_idx;
ALTER TABLE account DROP COLUMN org_id;
