/**
 * The lock ALTER TABLE takes on the relation it alters, per sub-command: PostgreSQL's
 * AlterTableGetLockLevel (src/backend/commands/tablecmds.c) and the ALTER TABLE reference page.
 * The statement takes the strongest lock of its sub-commands. Every example below runs on a real
 * server in test/engine/alterTable.engine.test.ts, where the model must agree with pg_locks;
 * docs/locks.md is generated from this table.
 */
import type { AlterTableType } from '@pgsql/types';
import type { LockMode } from './modes';

export interface AlterTableLock {
  /** The lock on the altered table (or index, view) itself. */
  mode: LockMode;
  /** Why PostgreSQL takes it, in a few words. */
  why: string;
}

const AE = 'ACCESS EXCLUSIVE';
const SUE = 'SHARE UPDATE EXCLUSIVE';
const SRE = 'SHARE ROW EXCLUSIVE';

const SELECT_VISIBLE = 'changes what running queries see';
const WRITES_ONLY = 'affects writes only, but PostgreSQL keeps the strongest lock';
const PLANNING = 'planner statistics and maintenance settings: no change to results';

/** Sub-commands PostgreSQL builds internally (CREATE OR REPLACE VIEW, re-adding after a type change): no migration writes them. */
export const INTERNAL_SUBTYPES: ReadonlySet<AlterTableType> = new Set([
  'AT_AddColumnToView',
  'AT_CookedColumnDefault',
  'AT_AddIndex',
  'AT_ReAddIndex',
  'AT_ReAddConstraint',
  'AT_ReAddDomainConstraint',
  'AT_ReAddComment',
  'AT_ReAddStatistics',
  'AT_ReplaceRelOptions',
  'AT_DropOids',
]);

/**
 * The base lock per sub-command. Three depend on their arguments (`alterTableLock`): ADD
 * CONSTRAINT (a foreign key takes SHARE ROW EXCLUSIVE), DETACH PARTITION (CONCURRENTLY: SHARE
 * UPDATE EXCLUSIVE) and SET/RESET storage parameters (each parameter has its own level).
 */
export const ALTER_TABLE_LOCKS: Record<AlterTableType, AlterTableLock> = {
  AT_AddColumn: { mode: AE, why: 'may rewrite the table; the new column is visible to SELECT' },
  AT_AddColumnToView: { mode: AE, why: 'CREATE OR REPLACE VIEW' },
  AT_ColumnDefault: { mode: AE, why: WRITES_ONLY },
  AT_CookedColumnDefault: { mode: AE, why: WRITES_ONLY },
  AT_DropNotNull: { mode: AE, why: 'may change query plans' },
  AT_SetNotNull: { mode: AE, why: WRITES_ONLY },
  AT_SetExpression: { mode: AE, why: 'rewrites the table' },
  AT_DropExpression: { mode: AE, why: WRITES_ONLY },
  AT_SetStatistics: { mode: SUE, why: PLANNING },
  AT_SetOptions: { mode: SUE, why: PLANNING },
  AT_ResetOptions: { mode: SUE, why: PLANNING },
  AT_SetStorage: { mode: AE, why: 'may add a TOAST table' },
  AT_SetCompression: { mode: AE, why: WRITES_ONLY },
  AT_DropColumn: { mode: AE, why: SELECT_VISIBLE },
  AT_AddIndex: { mode: AE, why: 'as CREATE INDEX from ADD CONSTRAINT' },
  AT_ReAddIndex: { mode: AE, why: 'internal' },
  AT_AddConstraint: { mode: AE, why: 'a foreign key takes SHARE ROW EXCLUSIVE (it adds triggers); other constraints ACCESS EXCLUSIVE' },
  AT_ReAddConstraint: { mode: AE, why: 'internal' },
  AT_ReAddDomainConstraint: { mode: AE, why: 'internal' },
  AT_AlterConstraint: { mode: AE, why: WRITES_ONLY },
  AT_ValidateConstraint: { mode: SUE, why: 'reads the rows; writes go on' },
  AT_AddIndexConstraint: { mode: AE, why: WRITES_ONLY },
  AT_DropConstraint: { mode: AE, why: 'queries may rely on the constraint (as DROP INDEX)' },
  AT_ReAddComment: { mode: AE, why: 'internal' },
  AT_AlterColumnType: { mode: AE, why: 'may rewrite the table' },
  AT_AlterColumnGenericOptions: { mode: AE, why: 'foreign table options may change plans' },
  AT_ChangeOwner: { mode: AE, why: 'may remove SELECT privileges' },
  AT_ClusterOn: { mode: SUE, why: PLANNING },
  AT_DropCluster: { mode: SUE, why: PLANNING },
  AT_SetLogged: { mode: AE, why: 'rewrites the table' },
  AT_SetUnLogged: { mode: AE, why: 'rewrites the table' },
  AT_DropOids: { mode: AE, why: 'internal' },
  AT_SetAccessMethod: { mode: AE, why: 'rewrites the table' },
  AT_SetTableSpace: { mode: AE, why: 'copies the files' },
  AT_SetRelOptions: { mode: SUE, why: 'per parameter: most SHARE UPDATE EXCLUSIVE, some ACCESS EXCLUSIVE' },
  AT_ResetRelOptions: { mode: SUE, why: 'per parameter: most SHARE UPDATE EXCLUSIVE, some ACCESS EXCLUSIVE' },
  AT_ReplaceRelOptions: { mode: AE, why: 'CREATE OR REPLACE VIEW' },
  AT_EnableTrig: { mode: SRE, why: 'affects writes only' },
  AT_EnableAlwaysTrig: { mode: SRE, why: 'affects writes only' },
  AT_EnableReplicaTrig: { mode: SRE, why: 'affects writes only' },
  AT_DisableTrig: { mode: SRE, why: 'affects writes only' },
  AT_EnableTrigAll: { mode: SRE, why: 'affects writes only' },
  AT_DisableTrigAll: { mode: SRE, why: 'affects writes only' },
  AT_EnableTrigUser: { mode: SRE, why: 'affects writes only' },
  AT_DisableTrigUser: { mode: SRE, why: 'affects writes only' },
  AT_EnableRule: { mode: AE, why: 'may change SELECT rules' },
  AT_EnableAlwaysRule: { mode: AE, why: 'may change SELECT rules' },
  AT_EnableReplicaRule: { mode: AE, why: 'may change SELECT rules' },
  AT_DisableRule: { mode: AE, why: 'may change SELECT rules' },
  AT_AddInherit: { mode: AE, why: 'changes the row type queries see' },
  AT_DropInherit: { mode: AE, why: 'changes the row type queries see' },
  AT_AddOf: { mode: AE, why: 'changes implicit row type conversions' },
  AT_DropOf: { mode: AE, why: 'changes implicit row type conversions' },
  AT_ReplicaIdentity: { mode: AE, why: WRITES_ONLY },
  AT_EnableRowSecurity: { mode: AE, why: SELECT_VISIBLE },
  AT_DisableRowSecurity: { mode: AE, why: SELECT_VISIBLE },
  AT_ForceRowSecurity: { mode: AE, why: SELECT_VISIBLE },
  AT_NoForceRowSecurity: { mode: AE, why: SELECT_VISIBLE },
  AT_GenericOptions: { mode: AE, why: 'foreign table options may change plans' },
  AT_AttachPartition: { mode: SUE, why: 'on the partitioned table (PostgreSQL 12+); the partition itself is locked ACCESS EXCLUSIVE' },
  AT_DetachPartition: { mode: AE, why: 'CONCURRENTLY: SHARE UPDATE EXCLUSIVE, in two transactions' },
  AT_DetachPartitionFinalize: { mode: SUE, why: 'finishes an interrupted DETACH CONCURRENTLY' },
  AT_AddIdentity: { mode: AE, why: WRITES_ONLY },
  AT_SetIdentity: { mode: AE, why: WRITES_ONLY },
  AT_DropIdentity: { mode: AE, why: WRITES_ONLY },
  AT_ReAddStatistics: { mode: AE, why: 'internal' },
};

/** Storage parameters PostgreSQL changes under ACCESS EXCLUSIVE (reloptions.c); the others take SHARE UPDATE EXCLUSIVE. */
const ACCESS_EXCLUSIVE_OPTIONS = new Set(['user_catalog_table', 'security_barrier', 'security_invoker', 'check_option', 'buffering', 'fastupdate']);

/** The lock one sub-command takes on the relation it alters. */
export function alterTableLock(subtype: AlterTableType, args: { foreignKey?: boolean; concurrent?: boolean; options?: string[] } = {}): LockMode {
  if (subtype === 'AT_AddConstraint' && args.foreignKey) return SRE;
  if (subtype === 'AT_DetachPartition' && args.concurrent) return SUE;
  if ((subtype === 'AT_SetRelOptions' || subtype === 'AT_ResetRelOptions') && args.options?.some((o) => ACCESS_EXCLUSIVE_OPTIONS.has(o.toLowerCase())))
    return AE;
  // A sub-command of a newer parser than this table knows: ALTER TABLE's default.
  return ALTER_TABLE_LOCKS[subtype]?.mode ?? AE;
}

/** The schema the examples run on (test/engine/alterTable.engine.test.ts). */
export const ALTER_TABLE_SETUP = `
DO $$ BEGIN IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'lockwise_owner') THEN CREATE ROLE lockwise_owner; END IF; END $$;
CREATE TABLE p (id int PRIMARY KEY, code int UNIQUE, note text, n int);
CREATE TABLE c (id int PRIMARY KEY, p_id int REFERENCES p, note text, n int, CONSTRAINT c_n_pos CHECK (n > 0) NOT VALID);
CREATE INDEX c_note_idx ON c (note);
CREATE INDEX c_lower_idx ON c (lower(note));
CREATE UNIQUE INDEX p_n_key ON p (n);
CREATE TABLE parent_t (id int);
CREATE TABLE child_t (id int);
CREATE TYPE row_t AS (id int, note text);
CREATE TABLE typed_t OF row_t;
CREATE TABLE plain_t (id int, note text);
CREATE TABLE ids (id int NOT NULL, g int GENERATED ALWAYS AS IDENTITY, e int GENERATED ALWAYS AS (id * 2) STORED);
CREATE TABLE ev (id int, at date) PARTITION BY RANGE (at);
CREATE TABLE ev_2024 PARTITION OF ev FOR VALUES FROM ('2024-01-01') TO ('2025-01-01');
CREATE TABLE ev_2025 (id int, at date);
CREATE INDEX ev_at_idx ON ev (at);
CREATE TABLE ev2 (id int, at date) PARTITION BY RANGE (at);
CREATE TABLE ev2_2024 PARTITION OF ev2 FOR VALUES FROM ('2024-01-01') TO ('2025-01-01');
CREATE INDEX ev2_at_idx ON ONLY ev2 (at);
CREATE INDEX ev2_2024_at_idx ON ev2_2024 (at);
CREATE FUNCTION noop() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RETURN NEW; END $$;
CREATE TRIGGER c_noop BEFORE INSERT ON c FOR EACH ROW EXECUTE FUNCTION noop();
CREATE RULE c_notify AS ON INSERT TO c DO ALSO NOTIFY c;
CREATE VIEW v AS SELECT id FROM p;
CREATE MATERIALIZED VIEW mv AS SELECT id FROM p;
CREATE INDEX mv_id_idx ON mv (id);
CREATE TABLE heir_t (id int) INHERITS (parent_t);
CREATE UNLOGGED TABLE unlogged_t (id int);
`;

export interface AlterTableExample {
  subtype: AlterTableType;
  sql: string;
  /**
   * The example sets what is already there (core PostgreSQL has one table access method, and a
   * second tablespace needs a folder on the server): its lock is measured, its rewrite is not.
   */
  sameValue?: true;
}

const ex = (subtype: AlterTableType, sql: string, sameValue?: true): AlterTableExample => ({ subtype, sql, ...(sameValue ? { sameValue } : {}) });

/** One statement per sub-command a migration can write (and the variants that change the lock). */
export const ALTER_TABLE_EXAMPLES: AlterTableExample[] = [
  ex('AT_AddColumn', 'ALTER TABLE p ADD COLUMN x int'),
  ex('AT_ColumnDefault', "ALTER TABLE p ALTER COLUMN note SET DEFAULT 'x'"),
  ex('AT_ColumnDefault', 'ALTER TABLE p ALTER COLUMN note DROP DEFAULT'),
  ex('AT_DropNotNull', 'ALTER TABLE ids ALTER COLUMN id DROP NOT NULL'),
  ex('AT_SetNotNull', 'ALTER TABLE p ALTER COLUMN n SET NOT NULL'),
  ex('AT_DropExpression', 'ALTER TABLE ids ALTER COLUMN e DROP EXPRESSION'),
  ex('AT_SetStatistics', 'ALTER TABLE p ALTER COLUMN n SET STATISTICS 500'),
  ex('AT_SetOptions', 'ALTER TABLE p ALTER COLUMN n SET (n_distinct = 10)'),
  ex('AT_ResetOptions', 'ALTER TABLE p ALTER COLUMN n RESET (n_distinct)'),
  ex('AT_SetStorage', 'ALTER TABLE p ALTER COLUMN note SET STORAGE EXTERNAL'),
  ex('AT_SetCompression', 'ALTER TABLE p ALTER COLUMN note SET COMPRESSION pglz'),
  ex('AT_DropColumn', 'ALTER TABLE p DROP COLUMN note'),
  ex('AT_AddConstraint', 'ALTER TABLE p ADD CONSTRAINT p_n_pos CHECK (n > 0) NOT VALID'),
  ex('AT_AddConstraint', 'ALTER TABLE c ADD CONSTRAINT c_n_fk FOREIGN KEY (n) REFERENCES p NOT VALID'),
  ex('AT_AddIndexConstraint', 'ALTER TABLE p ADD CONSTRAINT p_n_uniq UNIQUE USING INDEX p_n_key'),
  ex('AT_AlterConstraint', 'ALTER TABLE c ALTER CONSTRAINT c_p_id_fkey DEFERRABLE'),
  ex('AT_ValidateConstraint', 'ALTER TABLE c VALIDATE CONSTRAINT c_n_pos'),
  ex('AT_DropConstraint', 'ALTER TABLE c DROP CONSTRAINT c_n_pos'),
  ex('AT_AlterColumnType', 'ALTER TABLE p ALTER COLUMN note TYPE varchar(20)'),
  ex('AT_ChangeOwner', 'ALTER TABLE p OWNER TO lockwise_owner'),
  ex('AT_ClusterOn', 'ALTER TABLE c CLUSTER ON c_note_idx'),
  ex('AT_DropCluster', 'ALTER TABLE c SET WITHOUT CLUSTER'),
  ex('AT_SetLogged', 'ALTER TABLE unlogged_t SET LOGGED'),
  ex('AT_SetUnLogged', 'ALTER TABLE plain_t SET UNLOGGED'),
  ex('AT_SetAccessMethod', 'ALTER TABLE plain_t SET ACCESS METHOD heap', true),
  ex('AT_SetTableSpace', 'ALTER TABLE plain_t SET TABLESPACE pg_default', true),
  ex('AT_SetRelOptions', 'ALTER TABLE p SET (fillfactor = 70)'),
  ex('AT_SetRelOptions', 'ALTER TABLE p SET (autovacuum_enabled = false)'),
  ex('AT_SetRelOptions', 'ALTER TABLE p SET (user_catalog_table = true)'),
  ex('AT_ResetRelOptions', 'ALTER TABLE p RESET (fillfactor)'),
  ex('AT_EnableTrig', 'ALTER TABLE c ENABLE TRIGGER c_noop'),
  ex('AT_DisableTrig', 'ALTER TABLE c DISABLE TRIGGER c_noop'),
  ex('AT_EnableAlwaysTrig', 'ALTER TABLE c ENABLE ALWAYS TRIGGER c_noop'),
  ex('AT_EnableReplicaTrig', 'ALTER TABLE c ENABLE REPLICA TRIGGER c_noop'),
  ex('AT_EnableTrigAll', 'ALTER TABLE c ENABLE TRIGGER ALL'),
  ex('AT_DisableTrigAll', 'ALTER TABLE c DISABLE TRIGGER ALL'),
  ex('AT_EnableTrigUser', 'ALTER TABLE c ENABLE TRIGGER USER'),
  ex('AT_DisableTrigUser', 'ALTER TABLE c DISABLE TRIGGER USER'),
  ex('AT_EnableRule', 'ALTER TABLE c ENABLE RULE c_notify'),
  ex('AT_DisableRule', 'ALTER TABLE c DISABLE RULE c_notify'),
  ex('AT_EnableAlwaysRule', 'ALTER TABLE c ENABLE ALWAYS RULE c_notify'),
  ex('AT_EnableReplicaRule', 'ALTER TABLE c ENABLE REPLICA RULE c_notify'),
  ex('AT_AddInherit', 'ALTER TABLE child_t INHERIT parent_t'),
  ex('AT_DropInherit', 'ALTER TABLE heir_t NO INHERIT parent_t'),
  ex('AT_AddOf', 'ALTER TABLE plain_t OF row_t'),
  ex('AT_DropOf', 'ALTER TABLE typed_t NOT OF'),
  ex('AT_ReplicaIdentity', 'ALTER TABLE p REPLICA IDENTITY FULL'),
  ex('AT_EnableRowSecurity', 'ALTER TABLE p ENABLE ROW LEVEL SECURITY'),
  ex('AT_DisableRowSecurity', 'ALTER TABLE p DISABLE ROW LEVEL SECURITY'),
  ex('AT_ForceRowSecurity', 'ALTER TABLE p FORCE ROW LEVEL SECURITY'),
  ex('AT_NoForceRowSecurity', 'ALTER TABLE p NO FORCE ROW LEVEL SECURITY'),
  ex('AT_AttachPartition', "ALTER TABLE ev ATTACH PARTITION ev_2025 FOR VALUES FROM ('2025-01-01') TO ('2026-01-01')"),
  ex('AT_DetachPartition', 'ALTER TABLE ev DETACH PARTITION ev_2024'),
  ex('AT_AddIdentity', 'ALTER TABLE ids ALTER COLUMN id ADD GENERATED ALWAYS AS IDENTITY'),
  ex('AT_SetIdentity', 'ALTER TABLE ids ALTER COLUMN g SET INCREMENT BY 2'),
  ex('AT_DropIdentity', 'ALTER TABLE ids ALTER COLUMN g DROP IDENTITY'),
  ex('AT_SetRelOptions', 'ALTER INDEX c_note_idx SET (fillfactor = 70)'),
  ex('AT_ResetRelOptions', 'ALTER INDEX c_note_idx RESET (fillfactor)'),
  ex('AT_SetTableSpace', 'ALTER INDEX c_note_idx SET TABLESPACE pg_default', true),
  ex('AT_SetStatistics', 'ALTER INDEX c_lower_idx ALTER COLUMN 1 SET STATISTICS 500'),
  ex('AT_AttachPartition', 'ALTER INDEX ev2_at_idx ATTACH PARTITION ev2_2024_at_idx'),
  ex('AT_SetRelOptions', 'ALTER VIEW v SET (security_barrier = true)'),
  ex('AT_ChangeOwner', 'ALTER VIEW v OWNER TO lockwise_owner'),
  ex('AT_ColumnDefault', 'ALTER VIEW v ALTER COLUMN id SET DEFAULT 1'),
  ex('AT_ClusterOn', 'ALTER MATERIALIZED VIEW mv CLUSTER ON mv_id_idx'),
  ex('AT_SetRelOptions', 'ALTER MATERIALIZED VIEW mv SET (fillfactor = 70)'),
  ex('AT_ChangeOwner', 'ALTER MATERIALIZED VIEW mv OWNER TO lockwise_owner'),
];
