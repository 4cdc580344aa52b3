SET lock_timeout = '5s';
-- Breaks running application code that still uses the old names.
ALTER TABLE orders RENAME COLUMN total TO amount;
ALTER TABLE users DROP COLUMN status;
