-- Deploy proof:accounts to pg

BEGIN;

CREATE TABLE account (id bigint PRIMARY KEY, email text NOT NULL, team_id bigint);

COMMIT;
