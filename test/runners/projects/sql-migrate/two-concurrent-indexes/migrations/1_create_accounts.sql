-- +migrate Up
CREATE TABLE account (id bigint PRIMARY KEY, email text NOT NULL, team_id bigint);

-- +migrate Down
DROP TABLE account;
