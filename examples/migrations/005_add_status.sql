SET lock_timeout = '5s';
-- Safe on PostgreSQL 11+: a constant default is stored in the catalog, no rewrite.
ALTER TABLE users ADD COLUMN status text NOT NULL DEFAULT 'active';
