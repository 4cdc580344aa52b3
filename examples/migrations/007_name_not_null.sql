BEGIN;
SET LOCAL lock_timeout = '5s';
-- Unsafe: scans the whole table under ACCESS EXCLUSIVE, held until COMMIT.
ALTER TABLE users ALTER COLUMN name SET NOT NULL;
UPDATE users SET status = 'active' WHERE status IS NULL;
COMMIT;
