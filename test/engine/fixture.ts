/**
 * The lock oracle's fixture schema and statement catalogue (a copy of the oracle's catalog.mjs, with
 * which test/data/oracle/pg15.json was measured), used by the live lock-model suite and the pg15.json
 * unit test.
 * `target`: the relation whose rewrite/scan is judged; `tx: false`: cannot run in a transaction block.
 */
export interface OracleStatement {
  id: string;
  sql: string;
  target: string | null;
  tx?: false;
  /** PostgreSQL rejects it on the fixture (measured on PG 15; the message must match). */
  error?: string;
}

export const FIXTURE_SQL = `
DO $$ BEGIN
  IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'app_reader') THEN CREATE ROLE app_reader; END IF;
  IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'app_owner') THEN CREATE ROLE app_owner; END IF;
END $$;

CREATE TYPE mood AS ENUM ('sad', 'ok', 'happy');
CREATE SEQUENCE ext_seq;
CREATE FUNCTION touch_fn() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RETURN NEW; END $$;

-- referenced parent table
CREATE TABLE orgs (id bigint PRIMARY KEY, name text NOT NULL);
INSERT INTO orgs SELECT g, 'org' || g FROM generate_series(1, 6) g;

-- main target table
CREATE TABLE users (
  id         int PRIMARY KEY,
  org_id     bigint,
  team_id    bigint,
  email      varchar(10) NOT NULL,
  name       varchar(50),
  bio        text,
  code       text,
  nick       text CONSTRAINT users_nick_not_null CHECK (nick IS NOT NULL),
  age        int,
  score      int,
  status     text NOT NULL DEFAULT 'active',
  mood       mood,
  ts         timestamp,
  created_at timestamptz NOT NULL DEFAULT now()
);
ALTER TABLE users ADD CONSTRAINT users_score_nonneg CHECK (score >= 0) NOT VALID;
ALTER TABLE users ADD CONSTRAINT users_team_fk FOREIGN KEY (team_id) REFERENCES orgs (id) NOT VALID;
CREATE INDEX users_email_idx ON users (email);
CREATE INDEX users_name_idx ON users (name);
CREATE INDEX users_score_idx ON users (score);
CREATE UNIQUE INDEX users_code_uidx ON users (code);
CREATE TRIGGER users_audit_trg AFTER UPDATE ON users FOR EACH ROW EXECUTE FUNCTION touch_fn();
INSERT INTO users (id, org_id, team_id, email, name, bio, code, nick, age, score, mood, ts)
SELECT g, g, g, 'u' || g || '@x.io', 'name ' || g, 'bio ' || g, 'c' || g, 'n' || g, 20 + g, g * 10, 'ok',
       '2024-01-01'::timestamp + g * interval '1 day'
FROM generate_series(1, 5) g;

CREATE VIEW active_users AS SELECT email, status FROM users WHERE status = 'active';
CREATE MATERIALIZED VIEW user_counts AS SELECT org_id, count(*) AS n FROM users GROUP BY org_id;
CREATE UNIQUE INDEX user_counts_org_idx ON user_counts (org_id);

-- table without dependents (comparison for the view case, SET UNLOGGED)
CREATE TABLE plain (id int PRIMARY KEY, v text);
INSERT INTO plain SELECT g, 'v' || g FROM generate_series(1, 5) g;

CREATE UNLOGGED TABLE scratch (id int PRIMARY KEY, v text);
INSERT INTO scratch SELECT g, 'v' || g FROM generate_series(1, 5) g;

-- leaf table with a FK to orgs (DROP TABLE / FK side effects)
CREATE TABLE memberships (user_id int NOT NULL, org_id bigint NOT NULL REFERENCES orgs (id), PRIMARY KEY (user_id, org_id));
INSERT INTO memberships SELECT g, 1 + g % 3 FROM generate_series(1, 5) g;

-- table without a primary key (ADD PRIMARY KEY [USING INDEX])
CREATE TABLE audit_log (id bigint, uid bigint NOT NULL, msg text);
INSERT INTO audit_log SELECT g, g, 'm' || g FROM generate_series(1, 5) g;
CREATE UNIQUE INDEX audit_log_id_uidx ON audit_log (id);
CREATE UNIQUE INDEX audit_log_uid_uidx ON audit_log (uid);

-- partitioned table without a default partition
CREATE TABLE events (id bigint NOT NULL, created_at date NOT NULL, payload text) PARTITION BY RANGE (created_at);
CREATE TABLE events_2024 PARTITION OF events FOR VALUES FROM ('2024-01-01') TO ('2025-01-01');
CREATE TABLE events_2025 PARTITION OF events FOR VALUES FROM ('2025-01-01') TO ('2026-01-01');
CREATE INDEX events_created_idx ON events (created_at);
INSERT INTO events SELECT g, DATE '2024-03-01' + g * 60, 'p' || g FROM generate_series(1, 6) g;
-- stand-alone tables to be attached
CREATE TABLE events_2026 (id bigint NOT NULL, created_at date NOT NULL, payload text);
INSERT INTO events_2026 SELECT g, DATE '2026-02-01' + g, 'p' || g FROM generate_series(1, 5) g;
CREATE TABLE events_2027 (id bigint NOT NULL, created_at date NOT NULL, payload text,
  CONSTRAINT events_2027_range CHECK (created_at >= DATE '2027-01-01' AND created_at < DATE '2028-01-01'));
INSERT INTO events_2027 SELECT g, DATE '2027-02-01' + g, 'p' || g FROM generate_series(1, 5) g;

-- partitioned table WITH a default partition
CREATE TABLE metrics (id bigint, day date NOT NULL, v int) PARTITION BY RANGE (day);
CREATE TABLE metrics_2024 PARTITION OF metrics FOR VALUES FROM ('2024-01-01') TO ('2025-01-01');
CREATE TABLE metrics_default PARTITION OF metrics DEFAULT;
INSERT INTO metrics SELECT g, DATE '2024-01-10' + g, g FROM generate_series(1, 5) g;
INSERT INTO metrics SELECT g, DATE '2030-01-10' + g, g FROM generate_series(6, 8) g;
CREATE TABLE metrics_2025 (id bigint, day date NOT NULL, v int);
INSERT INTO metrics_2025 SELECT g, DATE '2025-01-10' + g, g FROM generate_series(1, 5) g;
`;

export const STATEMENTS: OracleStatement[] = [
  { id: 'add_column_nullable', sql: 'ALTER TABLE users ADD COLUMN c_new int', target: 'users' },
  { id: 'add_column_nullable_no_view', sql: 'ALTER TABLE plain ADD COLUMN c_new int', target: 'plain' },
  { id: 'add_column_const_default', sql: 'ALTER TABLE users ADD COLUMN c_new int DEFAULT 42', target: 'users' },
  { id: 'add_column_default_now', sql: 'ALTER TABLE users ADD COLUMN c_new timestamptz DEFAULT now()', target: 'users' },
  { id: 'add_column_default_clock_timestamp', sql: 'ALTER TABLE users ADD COLUMN c_new timestamptz DEFAULT clock_timestamp()', target: 'users' },
  { id: 'add_column_default_random', sql: 'ALTER TABLE users ADD COLUMN c_new float8 DEFAULT random()', target: 'users' },
  { id: 'add_column_default_gen_random_uuid', sql: 'ALTER TABLE users ADD COLUMN c_new uuid DEFAULT gen_random_uuid()', target: 'users' },
  { id: 'add_column_not_null_default', sql: 'ALTER TABLE users ADD COLUMN c_new int NOT NULL DEFAULT 0', target: 'users' },
  { id: 'add_column_generated_stored', sql: 'ALTER TABLE users ADD COLUMN c_new int GENERATED ALWAYS AS (score * 2) STORED', target: 'users' },
  { id: 'add_column_bigserial', sql: 'ALTER TABLE users ADD COLUMN c_new bigserial', target: 'users' },
  { id: 'add_column_identity', sql: 'ALTER TABLE users ADD COLUMN c_new bigint GENERATED ALWAYS AS IDENTITY', target: 'users' },
  { id: 'add_column_references', sql: 'ALTER TABLE users ADD COLUMN org2_id bigint REFERENCES orgs (id)', target: 'users' },
  { id: 'drop_column', sql: 'ALTER TABLE users DROP COLUMN bio', target: 'users' },
  { id: 'drop_column_indexed', sql: 'ALTER TABLE users DROP COLUMN code', target: 'users' },
  { id: 'rename_column', sql: 'ALTER TABLE users RENAME COLUMN bio TO biography', target: 'users' },
  { id: 'rename_table', sql: 'ALTER TABLE users RENAME TO members', target: 'users' },
  { id: 'rename_index', sql: 'ALTER INDEX users_email_idx RENAME TO users_email_idx2', target: 'users' },
  { id: 'type_int_to_bigint', sql: 'ALTER TABLE users ALTER COLUMN score TYPE bigint', target: 'users' },
  { id: 'type_int_to_bigint_pk', sql: 'ALTER TABLE users ALTER COLUMN id TYPE bigint', target: 'users' },
  { id: 'type_varchar_widen', sql: 'ALTER TABLE users ALTER COLUMN name TYPE varchar(100)', target: 'users' },
  {
    id: 'type_varchar10_to_20_view_dep',
    sql: 'ALTER TABLE users ALTER COLUMN email TYPE varchar(20)',
    target: 'users',
    error: 'cannot alter type of a column used by a view or rule',
  },
  { id: 'type_varchar_to_text', sql: 'ALTER TABLE users ALTER COLUMN name TYPE text', target: 'users' },
  { id: 'type_text_to_varchar5', sql: 'ALTER TABLE users ALTER COLUMN code TYPE varchar(5)', target: 'users' },
  { id: 'type_using_cast', sql: 'ALTER TABLE users ALTER COLUMN age TYPE bigint USING age::bigint', target: 'users' },
  { id: 'type_using_noop', sql: 'ALTER TABLE users ALTER COLUMN name TYPE varchar(100) USING name', target: 'users' },
  { id: 'type_timestamp_to_timestamptz', sql: 'ALTER TABLE users ALTER COLUMN ts TYPE timestamptz', target: 'users' },
  { id: 'set_not_null', sql: 'ALTER TABLE users ALTER COLUMN age SET NOT NULL', target: 'users' },
  { id: 'set_not_null_with_valid_check', sql: 'ALTER TABLE users ALTER COLUMN nick SET NOT NULL', target: 'users' },
  { id: 'drop_not_null', sql: 'ALTER TABLE users ALTER COLUMN status DROP NOT NULL', target: 'users' },
  { id: 'set_default', sql: 'ALTER TABLE users ALTER COLUMN age SET DEFAULT 18', target: 'users' },
  { id: 'drop_default', sql: 'ALTER TABLE users ALTER COLUMN status DROP DEFAULT', target: 'users' },
  { id: 'add_check', sql: 'ALTER TABLE users ADD CONSTRAINT users_age_chk CHECK (age >= 0)', target: 'users' },
  { id: 'add_check_not_valid', sql: 'ALTER TABLE users ADD CONSTRAINT users_age_chk CHECK (age >= 0) NOT VALID', target: 'users' },
  { id: 'validate_check', sql: 'ALTER TABLE users VALIDATE CONSTRAINT users_score_nonneg', target: 'users' },
  { id: 'add_fk', sql: 'ALTER TABLE users ADD CONSTRAINT users_org_fk FOREIGN KEY (org_id) REFERENCES orgs (id)', target: 'users' },
  { id: 'add_fk_not_valid', sql: 'ALTER TABLE users ADD CONSTRAINT users_org_fk FOREIGN KEY (org_id) REFERENCES orgs (id) NOT VALID', target: 'users' },
  { id: 'validate_fk', sql: 'ALTER TABLE users VALIDATE CONSTRAINT users_team_fk', target: 'users' },
  { id: 'add_unique', sql: 'ALTER TABLE users ADD CONSTRAINT users_email_key UNIQUE (email)', target: 'users' },
  { id: 'add_unique_using_index', sql: 'ALTER TABLE users ADD CONSTRAINT users_code_key UNIQUE USING INDEX users_code_uidx', target: 'users' },
  { id: 'add_primary_key', sql: 'ALTER TABLE audit_log ADD PRIMARY KEY (uid)', target: 'audit_log' },
  { id: 'add_primary_key_nullable_col', sql: 'ALTER TABLE audit_log ADD PRIMARY KEY (id)', target: 'audit_log' },
  {
    id: 'add_primary_key_using_index',
    sql: 'ALTER TABLE audit_log ADD CONSTRAINT audit_log_pkey PRIMARY KEY USING INDEX audit_log_uid_uidx',
    target: 'audit_log',
  },
  {
    id: 'add_primary_key_using_index_nullable_col',
    sql: 'ALTER TABLE audit_log ADD CONSTRAINT audit_log_pkey PRIMARY KEY USING INDEX audit_log_id_uidx',
    target: 'audit_log',
  },
  { id: 'drop_constraint_check', sql: 'ALTER TABLE users DROP CONSTRAINT users_nick_not_null', target: 'users' },
  { id: 'drop_constraint_fk', sql: 'ALTER TABLE users DROP CONSTRAINT users_team_fk', target: 'users' },
  { id: 'create_index', sql: 'CREATE INDEX users_age_idx ON users (age)', target: 'users' },
  { id: 'create_unique_index', sql: 'CREATE UNIQUE INDEX users_nick_uidx ON users (nick)', target: 'users' },
  { id: 'create_index_concurrently', sql: 'CREATE INDEX CONCURRENTLY users_age_idx ON users (age)', target: 'users', tx: false },
  { id: 'drop_index', sql: 'DROP INDEX users_email_idx', target: 'users' },
  { id: 'drop_index_concurrently', sql: 'DROP INDEX CONCURRENTLY users_email_idx', target: 'users', tx: false },
  { id: 'reindex_table', sql: 'REINDEX TABLE users', target: 'users' },
  { id: 'reindex_index', sql: 'REINDEX INDEX users_email_idx', target: 'users' },
  { id: 'reindex_table_concurrently', sql: 'REINDEX TABLE CONCURRENTLY users', target: 'users', tx: false },
  { id: 'alter_type_add_value', sql: "ALTER TYPE mood ADD VALUE 'ecstatic'", target: 'users' },
  { id: 'create_table', sql: 'CREATE TABLE new_tbl (id bigint PRIMARY KEY, note text)', target: null },
  { id: 'create_table_with_fk', sql: 'CREATE TABLE new_child (id bigint PRIMARY KEY, org_id bigint REFERENCES orgs (id))', target: null },
  { id: 'drop_table', sql: 'DROP TABLE plain', target: 'plain' },
  { id: 'drop_table_with_fk', sql: 'DROP TABLE memberships', target: 'memberships' },
  { id: 'truncate', sql: 'TRUNCATE users', target: 'users' },
  { id: 'vacuum_full', sql: 'VACUUM FULL users', target: 'users', tx: false },
  { id: 'cluster', sql: 'CLUSTER users USING users_pkey', target: 'users' },
  { id: 'refresh_matview', sql: 'REFRESH MATERIALIZED VIEW user_counts', target: 'user_counts' },
  { id: 'refresh_matview_concurrently', sql: 'REFRESH MATERIALIZED VIEW CONCURRENTLY user_counts', target: 'user_counts' },
  { id: 'set_fillfactor', sql: 'ALTER TABLE users SET (fillfactor = 70)', target: 'users' },
  { id: 'set_statistics', sql: 'ALTER TABLE users ALTER COLUMN age SET STATISTICS 500', target: 'users' },
  { id: 'set_unlogged', sql: 'ALTER TABLE plain SET UNLOGGED', target: 'plain' },
  { id: 'set_unlogged_with_fk', sql: 'ALTER TABLE users SET UNLOGGED', target: 'users' },
  {
    id: 'set_unlogged_referenced',
    sql: 'ALTER TABLE orgs SET UNLOGGED',
    target: 'orgs',
    error: 'could not change table "orgs" to unlogged because it references logged table "users"',
  },
  { id: 'set_logged', sql: 'ALTER TABLE scratch SET LOGGED', target: 'scratch' },
  { id: 'attach_partition', sql: "ALTER TABLE events ATTACH PARTITION events_2026 FOR VALUES FROM ('2026-01-01') TO ('2027-01-01')", target: 'events' },
  {
    id: 'attach_partition_with_check',
    sql: "ALTER TABLE events ATTACH PARTITION events_2027 FOR VALUES FROM ('2027-01-01') TO ('2028-01-01')",
    target: 'events',
  },
  {
    id: 'attach_partition_with_default',
    sql: "ALTER TABLE metrics ATTACH PARTITION metrics_2025 FOR VALUES FROM ('2025-01-01') TO ('2026-01-01')",
    target: 'metrics',
  },
  { id: 'detach_partition', sql: 'ALTER TABLE events DETACH PARTITION events_2024', target: 'events' },
  { id: 'detach_partition_concurrently', sql: 'ALTER TABLE events DETACH PARTITION events_2024 CONCURRENTLY', target: 'events', tx: false },
  { id: 'create_trigger', sql: 'CREATE TRIGGER users_touch BEFORE UPDATE ON users FOR EACH ROW EXECUTE FUNCTION touch_fn()', target: 'users' },
  { id: 'drop_trigger', sql: 'DROP TRIGGER users_audit_trg ON users', target: 'users' },
  { id: 'disable_trigger', sql: 'ALTER TABLE users DISABLE TRIGGER users_audit_trg', target: 'users' },
  { id: 'enable_trigger', sql: 'ALTER TABLE users ENABLE TRIGGER users_audit_trg', target: 'users' },
  { id: 'disable_trigger_all', sql: 'ALTER TABLE users DISABLE TRIGGER ALL', target: 'users' },
  { id: 'comment_on_table', sql: "COMMENT ON TABLE users IS 'people'", target: 'users' },
  { id: 'comment_on_column', sql: "COMMENT ON COLUMN users.email IS 'login'", target: 'users' },
  { id: 'grant_select', sql: 'GRANT SELECT ON users TO app_reader', target: 'users' },
  { id: 'revoke_select', sql: 'REVOKE SELECT ON users FROM app_reader', target: 'users' },
  { id: 'alter_owner', sql: 'ALTER TABLE users OWNER TO app_owner', target: 'users' },
  { id: 'lock_table', sql: 'LOCK TABLE users', target: 'users' },
  { id: 'lock_table_share', sql: 'LOCK TABLE users IN SHARE MODE', target: 'users' },
  { id: 'alter_sequence_restart', sql: 'ALTER SEQUENCE ext_seq RESTART WITH 100', target: 'ext_seq' },
  { id: 'alter_sequence_increment', sql: 'ALTER SEQUENCE ext_seq INCREMENT BY 5', target: 'ext_seq' },
  { id: 'alter_sequence_owned_by', sql: 'ALTER SEQUENCE ext_seq OWNED BY users.id', target: 'ext_seq' },
  { id: 'create_view', sql: 'CREATE VIEW user_emails AS SELECT id, email FROM users', target: null },
  {
    id: 'create_or_replace_view',
    sql: "CREATE OR REPLACE VIEW active_users AS SELECT email, status FROM users WHERE status = 'active'",
    target: 'active_users',
  },
  { id: 'drop_view', sql: 'DROP VIEW active_users', target: 'active_users' },
];
