--! Previous: sha1:0af2206b8f147b4eb1d02398909af3948c74d9fa
--! Hash: sha1:e6b9d6ca0dbde1a0d196b40252d973c2400dd40d

CREATE INDEX CONCURRENTLY account_team_idx ON account (team_id);
