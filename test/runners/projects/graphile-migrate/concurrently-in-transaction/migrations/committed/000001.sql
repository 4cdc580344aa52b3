--! Previous: -
--! Hash: sha1:0af2206b8f147b4eb1d02398909af3948c74d9fa

CREATE TABLE account (id bigint PRIMARY KEY, email text NOT NULL, team_id bigint);
