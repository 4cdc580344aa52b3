-- Unsafe: blocks every write to users while the index builds.
CREATE INDEX users_org_id_idx ON users (org_id);
