-- Verify proof:account_email on pg

SELECT 1/count(*) FROM pg_indexes WHERE indexname = 'account_email_idx';
