-- Verify proof:account_team on pg

SELECT 1/count(*) FROM pg_indexes WHERE indexname = 'account_team_idx';
