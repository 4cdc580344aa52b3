SET lock_timeout = '5s';
-- Unsafe: validates every row while holding SHARE ROW EXCLUSIVE on users and orgs.
ALTER TABLE users ADD CONSTRAINT users_org_id_fkey FOREIGN KEY (org_id) REFERENCES orgs (id);
