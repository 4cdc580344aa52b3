SET lock_timeout = '5s';
-- Unsafe: builds a unique index under ACCESS EXCLUSIVE.
ALTER TABLE users ADD CONSTRAINT users_org_email_key UNIQUE (org_id, email);
