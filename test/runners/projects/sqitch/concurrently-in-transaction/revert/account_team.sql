-- Revert proof:account_team from pg

DROP INDEX CONCURRENTLY account_team_idx;
