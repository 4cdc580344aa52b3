SET lock_timeout = '5s';
-- text to varchar(200) must check every value: a rewrite under ACCESS EXCLUSIVE.
ALTER TABLE users ALTER COLUMN name TYPE varchar(200);
