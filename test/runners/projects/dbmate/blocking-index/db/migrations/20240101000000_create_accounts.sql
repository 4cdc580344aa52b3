-- migrate:up
CREATE TABLE account (id bigint PRIMARY KEY, email text NOT NULL, team_id bigint);

-- migrate:down
DROP TABLE account;
