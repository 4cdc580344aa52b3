-- Every user belongs to an org.
SET lock_timeout = '5s';
ALTER TABLE users ADD CONSTRAINT users_org_id_fkey FOREIGN KEY (org_id) REFERENCES orgs (id);
