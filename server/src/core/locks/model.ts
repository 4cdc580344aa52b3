/**
 * The lock model: for one statement, given the schema known before it and the PostgreSQL version,
 * every relation it locks (with mode and role), whether it rewrites or scans the table, and which
 * concurrent operations it blocks. Checked against locks measured on real engines (test/unit/oracle
 * and test/engine).
 */
import { alterTableLock } from './alterTable';
import { Node, T, as, asAlterTableCmd, asColumnDef, asConstraint, asDefElem, asRangeVar, nameList, nodeKind, findAll } from '../parse/ast';
import { Catalog } from '../model/catalog';
import { parsePlpgsql } from '../parse/parser';
import { LockMode, blockedOperations, lockModeFromNumber, Operation, OPERATIONS, lockRank } from './modes';
import { alterColumnTypeVerdict } from './typeChange';
import { addColumnRewrites, fillsExistingRows, validatesInlineForeignKey } from './addColumn';
import { dropCascadeLocks, dropColumnCascadeLocks } from './cascade';
import { mergeLock } from './branches';
import { rowsCondition } from './foreignKeys';
import { writeLocks } from './rowWrites';
import { BodyModel, triggerLocks } from './triggers';
import { callLocks } from './calls';
import { UTILITY_HANDLERS, commentLock, likeSources } from './utility';
import { droppedFunctions, functionStatements } from '../model/routines';
import type { ZoneSetting } from '../model/timeline';

export type LockRole =
  | 'target'
  | 'target_index'
  | 'referenced'
  | 'referenced_index'
  | 'referencing'
  | 'partition'
  | 'partition_index'
  | 'default_partition'
  | 'source'
  | 'sequence'
  | 'dependent'
  | 'dependent_index'
  | 'trigger'
  | 'trigger_index'
  | 'function'
  | 'function_index';

export interface RelationLock {
  relation: string;
  mode: LockMode;
  role: LockRole;
  /** Set when this lock does not stop queries (e.g. REINDEX CONCURRENTLY's lock on the old, dead index). */
  harmless?: string;
  /** Released before the statement ends, so an end-of-statement pg_locks snapshot does not show it. */
  releasedEarly?: boolean;
  /** `mode` is taken only if a DO block's branch or loop runs (core/locks/branches.ts): why. */
  condition?: string;
  /** With `condition`: the weaker mode taken whether or not it runs (absent: none). */
  certainMode?: LockMode;
}

export interface StatementEffect {
  locks: RelationLock[];
  /** Non-relation locks, e.g. the enum type of ALTER TYPE ... ADD VALUE. */
  objectLocks: { object: string; mode: LockMode }[];
  /** The table (and every index) is rewritten into new files. */
  rewrite: boolean;
  /** The table is read in full (constraint check, index build, rewrite). */
  scan: boolean;
  /** Builds an index (a scan plus a sort, proportional to table size). */
  indexBuild: boolean;
  /** Writes rows (INSERT/UPDATE/DELETE/COPY). */
  dataChange: boolean;
  concurrently: boolean;
  /** Cannot run inside a transaction block. */
  noTransaction: boolean;
  /** Statement only touches objects created earlier in the file (or, with a deploy baseline, by pending migrations). */
  onlyNewObjects: boolean;
  /** Assumptions made because history was missing, and version notes. */
  notes: string[];
  /** The main relation (first target), if any. */
  target?: string;
  /** ALTER TABLE: the verdict of each sub-command, by its index in `cmds` (empty for other statements). */
  commands: CommandVerdict[];
}

/** What one ALTER TABLE sub-command does to the table's data, as the model sees it. */
export interface CommandVerdict {
  scan: boolean;
  rewrite: boolean;
  /** Why it rewrites or not, when the model decided on evidence (e.g. a type change). */
  reason?: string;
  /** The verdict rests on an assumption (the history does not tell). */
  assumed: boolean;
}

/** Where the modules of the model (cascade.ts, ...) record the locks they find. */
export interface LockSink {
  lock(relation: string | undefined, mode: LockMode, role: LockRole, harmless?: string): void;
  /** A lock taken only if `condition` holds (e.g. the statement changes rows): a "may take" lock. */
  mayLock(relation: string | undefined, mode: LockMode, role: LockRole, condition: string, harmless?: string): void;
  /** Adds a lock as it is (conditional or not), merged with what the relation holds already. */
  merge(lock: RelationLock): void;
  note(text: string): void;
}

export interface ModelOptions {
  pgVersion: number;
  /** The session TimeZone in effect (timeline); undefined: not known. */
  timeZone?: ZoneSetting;
  /** Trigger and called functions the statement runs in (their statements firing or calling them again: no recursion). */
  firing?: string[];
}

const ALL_OPERATIONS = OPERATIONS.map((o) => o.name);

class EffectBuilder implements LockSink {
  readonly effect: StatementEffect = {
    locks: [],
    objectLocks: [],
    rewrite: false,
    scan: false,
    indexBuild: false,
    dataChange: false,
    concurrently: false,
    noTransaction: false,
    onlyNewObjects: false,
    notes: [],
    commands: [],
  };

  lock(relation: string | undefined, mode: LockMode, role: LockRole, harmless?: string): void {
    if (!relation) return;
    const existing = this.effect.locks.find((l) => l.relation === relation);
    if (existing?.condition) return mergeLock(this.effect.locks, { relation, mode, role, ...(harmless ? { harmless } : {}) });
    if (existing) {
      if (lockRank(mode) > lockRank(existing.mode)) {
        existing.mode = mode;
        existing.harmless = harmless;
      }
      return;
    }
    this.effect.locks.push({ relation, mode, role, ...(harmless ? { harmless } : {}) });
    if (role === 'target' && !this.effect.target) this.effect.target = relation;
  }

  mayLock(relation: string | undefined, mode: LockMode, role: LockRole, condition: string, harmless?: string): void {
    if (relation) this.merge({ relation, mode, role, condition, ...(harmless ? { harmless } : {}) });
  }

  merge(lock: RelationLock): void {
    mergeLock(this.effect.locks, lock);
  }

  note(text: string): void {
    if (!this.effect.notes.includes(text)) this.effect.notes.push(text);
  }

  /** Runs `model` for ALTER TABLE sub-command `cmds[index]`, recording its own scan and rewrite. */
  command(index: number, model: () => void): void {
    const { scan, rewrite } = this.effect;
    this.effect.scan = this.effect.rewrite = false;
    this.effect.commands[index] = { scan: false, rewrite: false, assumed: false };
    model();
    Object.assign(this.effect.commands[index], { scan: this.effect.scan, rewrite: this.effect.rewrite });
    this.effect.scan ||= scan;
    this.effect.rewrite ||= rewrite;
  }

  /** The reason for the current sub-command's verdict. */
  reason(text: string, assumed: boolean): void {
    const verdict = this.effect.commands[this.effect.commands.length - 1];
    if (verdict) Object.assign(verdict, { reason: text, assumed });
  }
}

export function modelStatement(node: Node | undefined, catalog: Catalog, options: ModelOptions): StatementEffect {
  const b = new EffectBuilder();
  const kind = nodeKind(node) ?? '';
  const handler = HANDLERS[kind];
  if (handler) handler(b, node as Node, catalog, options);
  else UTILITY_HANDLERS[kind]?.(b, node as Node, catalog, (inner) => modelStatement(inner, catalog, options));
  for (const l of b.effect.locks) if (!l.harmless && temporary(catalog, l.relation)) l.harmless = TEMPORARY_TABLE;
  systemCatalogLocks(b, catalog);
  b.effect.onlyNewObjects =
    b.effect.locks.length > 0 && b.effect.locks.every((l) => catalog.isFresh(l.relation) || catalog.isFresh(catalog.indexes.get(l.relation)?.table));
  return b.effect;
}

/** What a DML statement or query reaches besides what it names: foreign keys and triggers of the rows it writes, the functions it calls. */
function reachedLocks(b: EffectBuilder, catalog: Catalog, node: Node, options: ModelOptions): void {
  writeLocks(b, catalog, node, bodyModel(catalog, options), options.firing);
  callLocks(b, catalog, node, bodyModel(catalog, options), options.firing);
}

/** Models a trigger's or a called function's statements in the context of the statement that runs them. */
function bodyModel(catalog: Catalog, options: ModelOptions): BodyModel {
  return (node, firing) => modelStatement(node, catalog, { ...options, firing });
}

/** Why a lock on a temporary table is harmless; the trace does not see these (it names no pg_temp relation). */
export const TEMPORARY_TABLE = 'a temporary table, private to this session';

/** Why a lock on a system catalog (pg_class, pg_index, ...) is harmless; the trace reads user relations only. */
export const SYSTEM_CATALOG = 'a system catalog: every DDL statement takes this lock, it blocks none';

/**
 * Locks on system catalogs (a migration that reads pg_class, or writes pg_index as lemmy does) are
 * not user-table locks; a write says what it is.
 */
function systemCatalogLocks(b: EffectBuilder, catalog: Catalog): void {
  for (const l of b.effect.locks) {
    if (!catalog.isSystemCatalog(l.relation)) continue;
    l.harmless = SYSTEM_CATALOG;
    if (l.role === 'target' && lockRank(l.mode) >= lockRank('ROW EXCLUSIVE'))
      b.note(`writes the system catalog ${l.relation} directly (superuser only): PostgreSQL's own checks of its rows do not run`);
  }
}

/** A temporary table (or an index on one). */
function temporary(catalog: Catalog, relation: string): boolean {
  return !!(catalog.relation(relation)?.temporary || catalog.relation(catalog.indexes.get(relation)?.table)?.temporary);
}

type Handler = (b: EffectBuilder, node: Node, catalog: Catalog, options: ModelOptions) => void;

/** ACCESS EXCLUSIVE on every index of a table (rewrites, TRUNCATE, DROP, ...). */
function lockAllIndexes(b: EffectBuilder, catalog: Catalog, table: string, mode: LockMode, role: LockRole = 'target_index', harmless?: string) {
  for (const idx of catalog.indexesOf(table)) b.lock(idx.name, mode, role, harmless);
}

/** Every partition below a partitioned table, at any depth. */
function partitionsOf(catalog: Catalog, table: string): string[] {
  return [...(catalog.relation(table)?.partitions ?? [])].flatMap((p) => [p, ...partitionsOf(catalog, p)]);
}

/** Every partition of `rv`'s table (unless ONLY) gets the table's lock (LOCK TABLE, CREATE INDEX, ANALYZE: measured). */
function lockPartitions(b: EffectBuilder, catalog: Catalog, rv: T.RangeVar | undefined, mode: LockMode): void {
  const table = catalog.key(rv);
  if (table && rv?.inh) for (const p of partitionsOf(catalog, table)) b.lock(p, mode, 'partition');
}

/** LOCK TABLE: the mode on the table, its partitions and, for a view, what it reads (LockViewRecurse). */
function lockTableCommand(b: EffectBuilder, catalog: Catalog, rv: T.RangeVar | undefined, mode: LockMode): void {
  const name = catalog.key(rv);
  b.lock(name, mode, 'target');
  lockPartitions(b, catalog, rv, mode);
  readThroughViews(b, catalog, name, new Set(), mode);
}

/** TRUNCATE gives a table and its indexes new files; a partitioned table has none, its partitions do (measured). */
function truncatedStorage(b: EffectBuilder, catalog: Catalog, table: string): void {
  if (catalog.relation(table)?.kind !== 'partitioned') return lockAllIndexes(b, catalog, table, 'ACCESS EXCLUSIVE');
  for (const p of partitionsOf(catalog, table)) {
    b.lock(p, 'ACCESS EXCLUSIVE', 'partition');
    lockAllIndexes(b, catalog, p, 'ACCESS EXCLUSIVE', 'partition_index');
  }
}

function rewriteTable(b: EffectBuilder, catalog: Catalog, table: string) {
  b.effect.rewrite = true;
  b.effect.scan = true;
  lockAllIndexes(b, catalog, table, 'ACCESS EXCLUSIVE');
}

const HANDLERS: Record<string, Handler> = {
  AlterTableStmt(b, node, catalog, options) {
    const stmt = as(node, 'AlterTableStmt')!;
    const table = catalog.key(stmt.relation) ?? '';
    if (stmt.objtype === 'OBJECT_INDEX') {
      (stmt.cmds ?? []).forEach((c, i) => {
        const cmd = asAlterTableCmd(c);
        if (cmd) b.command(i, () => alterIndexCmd(b, catalog, table, cmd));
      });
      return;
    }
    if (stmt.objtype === 'OBJECT_SEQUENCE') {
      b.lock(table, 'ACCESS EXCLUSIVE', 'target');
      return;
    }
    (stmt.cmds ?? []).forEach((c, i) => {
      const cmd = asAlterTableCmd(c);
      if (cmd) b.command(i, () => alterTableCmd(b, catalog, table, cmd, options));
    });
  },

  RenameStmt(b, node, catalog) {
    const stmt = as(node, 'RenameStmt')!;
    const name = catalog.key(stmt.relation);
    switch (stmt.renameType) {
      case 'OBJECT_INDEX':
        b.lock(name, 'SHARE UPDATE EXCLUSIVE', 'target_index');
        return;
      case 'OBJECT_TABCONSTRAINT':
        // The index of a key or exclusion constraint is renamed with it (as ALTER INDEX ... RENAME; measured).
        b.lock(name, 'ACCESS EXCLUSIVE', 'target');
        b.lock(catalog.relation(name)?.constraints.get(stmt.subname ?? '')?.index, 'SHARE UPDATE EXCLUSIVE', 'target_index');
        return;
      case 'OBJECT_TABLE':
      case 'OBJECT_VIEW':
      case 'OBJECT_MATVIEW':
      case 'OBJECT_SEQUENCE':
      case 'OBJECT_FOREIGN_TABLE':
      case 'OBJECT_COLUMN':
      case 'OBJECT_TRIGGER':
      case 'OBJECT_RULE':
      case 'OBJECT_POLICY':
        b.lock(name, 'ACCESS EXCLUSIVE', 'target');
        return;
      default:
        return;
    }
  },

  IndexStmt(b, node, catalog) {
    const stmt = as(node, 'IndexStmt')!;
    const table = catalog.key(stmt.relation);
    b.effect.indexBuild = true;
    b.effect.scan = true;
    if (stmt.concurrent) {
      b.effect.concurrently = true;
      b.effect.noTransaction = true;
      b.lock(table, 'SHARE UPDATE EXCLUSIVE', 'target');
      b.note('CONCURRENTLY waits for every transaction that is writing the table, or holds an older snapshot, to finish');
    } else {
      b.lock(table, 'SHARE', 'target');
      lockPartitions(b, catalog, stmt.relation, 'SHARE');
    }
  },

  DropStmt(b, node, catalog) {
    const stmt = as(node, 'DropStmt')!;
    if (stmt.removeType === 'OBJECT_SCHEMA') return dropSchemaLocks(b, catalog, stmt);
    if (stmt.removeType === 'OBJECT_STATISTIC_EXT') return dropStatisticsLocks(b, catalog, stmt);
    for (const obj of stmt.objects ?? []) {
      const names = nameList(as(obj, 'List')?.items);
      const name = catalog.keyOf(names) ?? '';
      switch (stmt.removeType) {
        case 'OBJECT_TABLE':
        case 'OBJECT_FOREIGN_TABLE': {
          b.lock(name, 'ACCESS EXCLUSIVE', 'target');
          lockAllIndexes(b, catalog, name, 'ACCESS EXCLUSIVE');
          // Dropping the FK's triggers on the referenced table takes ACCESS EXCLUSIVE there (measured).
          for (const con of catalog.relation(name)?.constraints.values() ?? []) {
            if (con.type === 'foreign' && con.references && con.references !== name) b.lock(con.references, 'ACCESS EXCLUSIVE', 'referenced');
          }
          for (const part of catalog.relation(name)?.partitions ?? []) b.lock(part, 'ACCESS EXCLUSIVE', 'partition');
          for (const column of catalog.relation(name)?.columns.values() ?? [])
            b.lock(column.sequence, 'ACCESS EXCLUSIVE', 'sequence', 'dropped with its table, which is locked already');
          break;
        }
        case 'OBJECT_INDEX':
          dropIndexLocks(b, catalog, stmt, name);
          break;
        case 'OBJECT_MATVIEW':
          b.lock(name, 'ACCESS EXCLUSIVE', 'target');
          lockAllIndexes(b, catalog, name, 'ACCESS EXCLUSIVE');
          break;
        case 'OBJECT_VIEW':
        case 'OBJECT_SEQUENCE':
          b.lock(name, 'ACCESS EXCLUSIVE', 'target');
          break;
        case 'OBJECT_TRIGGER':
        case 'OBJECT_RULE':
        case 'OBJECT_POLICY': {
          // objects are [schema?, table, trigger]
          const table = catalog.keyOf(names.slice(0, -1));
          const trigger = names[names.length - 1];
          const known = stmt.removeType === 'OBJECT_TRIGGER' && stmt.missing_ok ? catalog.relation(table) : undefined;
          // IF EXISTS of a trigger that is not there locks nothing (measured); the history may have missed one.
          if (known && !known.triggers?.some((t) => t.name === trigger))
            b.mayLock(table, 'ACCESS EXCLUSIVE', 'target', `only if trigger ${trigger} exists (the migration history never created it)`);
          else b.lock(table, 'ACCESS EXCLUSIVE', 'target');
          break;
        }
        default:
          break;
      }
    }
    if (stmt.behavior === 'DROP_CASCADE')
      dropCascadeLocks(b, catalog, stmt.removeType, stmt.removeType === 'OBJECT_FUNCTION' ? droppedFunctions(stmt) : droppedNames(stmt, catalog));
  },

  ReindexStmt(b, node, catalog, options) {
    const stmt = as(node, 'ReindexStmt')!;
    const concurrently = (stmt.params ?? []).some((p) => asDefElem(p)?.defname === 'concurrently');
    const name = catalog.key(stmt.relation) ?? stmt.name ?? '';
    const kind = stmt.kind;
    if (concurrently) {
      b.effect.concurrently = true;
      b.effect.noTransaction = true;
      if (options.pgVersion < 12) b.note('REINDEX CONCURRENTLY needs PostgreSQL 12 or later');
    }
    if (kind !== 'REINDEX_OBJECT_TABLE' && kind !== 'REINDEX_OBJECT_INDEX') {
      b.note('REINDEX of a whole schema, database or system locks every table in it in turn');
      b.effect.noTransaction = true;
      return;
    }
    b.effect.indexBuild = true;
    b.effect.scan = true;
    const table = kind === 'REINDEX_OBJECT_TABLE' ? name : catalog.indexes.get(name)?.table;
    const indexes = kind === 'REINDEX_OBJECT_TABLE' ? catalog.indexesOf(name).map((i) => i.name) : [name];
    b.lock(table, concurrently ? 'SHARE UPDATE EXCLUSIVE' : 'SHARE', 'target');
    for (const idx of indexes) {
      if (concurrently) b.lock(idx, 'ACCESS EXCLUSIVE', 'target_index', 'taken only on the old index, after queries stopped using it');
      else b.lock(idx, 'ACCESS EXCLUSIVE', 'target_index');
    }
    if (!concurrently) b.note('REINDEX takes ACCESS EXCLUSIVE on the index: every query that would plan on the table waits, reads included');
  },

  VacuumStmt(b, node, catalog) {
    const stmt = as(node, 'VacuumStmt')!;
    const options = (stmt.options ?? []).map((o) => asDefElem(o)?.defname);
    const full = options.includes('full');
    const relations = (stmt.rels ?? []).map((r) => as(r, 'VacuumRelation')?.relation);
    const rels = relations.map((r) => catalog.key(r));
    if (stmt.is_vacuumcmd) b.effect.noTransaction = true;
    for (const r of relations) lockPartitions(b, catalog, r, full && stmt.is_vacuumcmd ? 'ACCESS EXCLUSIVE' : 'SHARE UPDATE EXCLUSIVE');
    for (const rel of rels) {
      if (full && stmt.is_vacuumcmd) {
        b.lock(rel, 'ACCESS EXCLUSIVE', 'target');
        if (rel) {
          lockAllIndexes(b, catalog, rel, 'ACCESS EXCLUSIVE');
          b.effect.rewrite = true;
        }
      } else {
        b.lock(rel, 'SHARE UPDATE EXCLUSIVE', 'target');
        b.effect.scan = true;
      }
    }
  },

  ClusterStmt(b, node, catalog) {
    const stmt = as(node, 'ClusterStmt')!;
    const table = catalog.key(stmt.relation);
    if (!table) {
      b.note('CLUSTER without a table re-clusters every previously clustered table');
      b.effect.noTransaction = true;
      return;
    }
    b.lock(table, 'ACCESS EXCLUSIVE', 'target');
    rewriteTable(b, catalog, table);
  },

  TruncateStmt(b, node, catalog, options) {
    const stmt = as(node, 'TruncateStmt')!;
    for (const r of stmt.relations ?? []) {
      const name = catalog.key(asRangeVar(r));
      b.lock(name, 'ACCESS EXCLUSIVE', 'target');
      if (name) truncatedStorage(b, catalog, name);
      if (name && stmt.behavior === 'DROP_CASCADE') {
        for (const child of catalog.referencing(name)) {
          b.lock(child, 'ACCESS EXCLUSIVE', 'referenced');
          lockAllIndexes(b, catalog, child, 'ACCESS EXCLUSIVE', 'referenced_index');
        }
      }
    }
    const truncated = b.effect.locks.filter((l) => l.mode === 'ACCESS EXCLUSIVE' && !l.role.endsWith('index'));
    const writes = truncated.map((l) => ({ table: l.relation, event: 'TRUNCATE' as const }));
    triggerLocks(b, catalog, writes, bodyModel(catalog, options), options.firing);
    b.effect.dataChange = true;
  },

  RefreshMatViewStmt(b, node, catalog) {
    const stmt = as(node, 'RefreshMatViewStmt')!;
    const name = catalog.key(stmt.relation) ?? '';
    b.effect.scan = true;
    if (stmt.concurrent) {
      b.effect.concurrently = true;
      b.lock(name, 'EXCLUSIVE', 'target');
    } else {
      b.lock(name, 'ACCESS EXCLUSIVE', 'target');
      rewriteTable(b, catalog, name);
    }
    for (const src of catalog.relation(name)?.sources ?? []) {
      b.lock(src, 'ACCESS SHARE', 'source');
      // The query runs: the rewriter locks the tables under the views it reads (measured, lockReach).
      readThroughViews(b, catalog, src, new Set());
    }
  },

  CreateStmt(b, node, catalog) {
    const stmt = as(node, 'CreateStmt')!;
    const parent = catalog.key(asRangeVar(stmt.inhRelations?.[0]));
    for (const source of likeSources(stmt, catalog)) b.lock(source, 'ACCESS SHARE', 'source');
    if (stmt.partbound && parent) {
      b.lock(parent, 'ACCESS EXCLUSIVE', 'target');
      // The parent's indexes are cloned onto the new partition (measured).
      lockAllIndexes(b, catalog, parent, 'SHARE UPDATE EXCLUSIVE');
      const def = [...(catalog.relation(parent)?.partitions ?? [])].find((p) => catalog.relation(p)?.isDefaultPartition);
      if (def) {
        b.lock(def, 'ACCESS EXCLUSIVE', 'default_partition');
        b.note(`the default partition ${def} is scanned for rows that belong in the new partition`);
      }
    } else if (parent) {
      b.lock(parent, 'SHARE UPDATE EXCLUSIVE', 'target');
    }
    for (const elt of stmt.tableElts ?? []) {
      const col = asColumnDef(elt);
      const cons = col ? (col.constraints ?? []) : [elt];
      for (const c of cons) {
        const con = asConstraint(c);
        const referenced = con?.contype === 'CONSTR_FOREIGN' ? catalog.key(con.pktable) : undefined;
        if (referenced && referenced !== catalog.newKey(stmt.relation)) b.lock(referenced, 'SHARE ROW EXCLUSIVE', 'referenced');
      }
    }
  },

  CreateForeignTableStmt(b, node, catalog, options) {
    const base = as(node, 'CreateForeignTableStmt')!.base;
    if (base) HANDLERS.CreateStmt(b, { CreateStmt: base }, catalog, options);
  },

  ViewStmt(b, node, catalog) {
    const stmt = as(node, 'ViewStmt')!;
    const name = catalog.key(stmt.view);
    if (stmt.replace && catalog.relation(name)) b.lock(name, 'ACCESS EXCLUSIVE', 'target');
    // Only parsed, not rewritten: the views it reads are locked, not their base tables.
    for (const source of catalog.sourceTables(stmt.query)) b.lock(source, 'ACCESS SHARE', 'source');
  },

  CreateTableAsStmt(b, node, catalog, options) {
    const stmt = as(node, 'CreateTableAsStmt')!;
    readSources(b, catalog, stmt.query, node);
    // WITH NO DATA plans the query without running it: no function is called.
    if (!stmt.into?.skipData) callLocks(b, catalog, node, bodyModel(catalog, options), options.firing);
    if (!stmt.into?.skipData) b.effect.scan = false;
  },

  AlterSeqStmt(b, node, catalog) {
    const stmt = as(node, 'AlterSeqStmt')!;
    b.lock(catalog.key(stmt.sequence), 'SHARE ROW EXCLUSIVE', 'target');
    for (const o of stmt.options ?? []) {
      const opt = asDefElem(o);
      if (opt?.defname === 'owned_by') {
        const names = nameList(as(opt.arg, 'List')?.items);
        if (names.length >= 2) b.lock(catalog.keyOf(names.slice(0, -1)), 'ACCESS SHARE', 'referenced');
      } else if (opt?.defname) {
        // RESTART, INCREMENT, ... write a new sequence file (measured as a relfilenode change).
        b.effect.rewrite = true;
      }
    }
  },

  CreateTrigStmt(b, node, catalog) {
    const stmt = as(node, 'CreateTrigStmt')!;
    b.lock(catalog.key(stmt.relation), 'SHARE ROW EXCLUSIVE', 'target');
    // A constraint trigger's FROM table is only looked up (CreateTrigger: ACCESS SHARE).
    b.lock(catalog.key(stmt.constrrel), 'ACCESS SHARE', 'referenced');
  },

  CreatePolicyStmt(b, node, catalog) {
    const stmt = as(node, 'CreatePolicyStmt')!;
    b.lock(catalog.key(stmt.table), 'ACCESS EXCLUSIVE', 'target');
  },

  AlterPolicyStmt(b, node, catalog) {
    const stmt = as(node, 'AlterPolicyStmt')!;
    b.lock(catalog.key(stmt.table), 'ACCESS EXCLUSIVE', 'target');
  },

  CommentStmt(b, node, catalog) {
    const stmt = as(node, 'CommentStmt')!;
    commentLock(b, catalog, stmt.objtype, stmt.object);
  },

  GrantStmt(b, node, catalog, options) {
    const stmt = as(node, 'GrantStmt')!;
    if (stmt.objtype !== 'OBJECT_TABLE' || stmt.targtype !== 'ACL_TARGET_OBJECT') return;
    // PostgreSQL 18 takes ACCESS SHARE on the table; 15 and 17 take no table lock (measured).
    if (options.pgVersion >= 18) for (const o of stmt.objects ?? []) b.lock(catalog.key(asRangeVar(o)), 'ACCESS SHARE', 'target');
    b.note("GRANT/REVOKE update the table's catalog row: CREATE INDEX, VACUUM and ALTER TABLE on it wait for this transaction");
  },

  LockStmt(b, node, catalog) {
    const stmt = as(node, 'LockStmt')!;
    const mode = lockModeFromNumber(stmt.mode);
    for (const r of stmt.relations ?? []) lockTableCommand(b, catalog, asRangeVar(r), mode);
  },

  AlterEnumStmt(b, node, _catalog, options) {
    const stmt = as(node, 'AlterEnumStmt')!;
    b.effect.objectLocks.push({ object: nameList(stmt.typeName).join('.'), mode: 'EXCLUSIVE' });
    if (stmt.newVal && options.pgVersion < 12) b.effect.noTransaction = true;
  },

  AlterObjectSchemaStmt(b, node, catalog) {
    const stmt = as(node, 'AlterObjectSchemaStmt')!;
    const table = catalog.key(stmt.relation);
    b.lock(table, 'ACCESS EXCLUSIVE', 'target');
    // The sequences its columns own move with it (AlterSeqNamespaces: ACCESS EXCLUSIVE, measured).
    for (const column of catalog.relation(table)?.columns.values() ?? []) b.lock(column.sequence, 'ACCESS EXCLUSIVE', 'sequence');
  },

  InsertStmt(b, node, catalog, options) {
    const stmt = as(node, 'InsertStmt')!;
    b.lock(catalog.key(stmt.relation), 'ROW EXCLUSIVE', 'target');
    for (const seq of defaultedSequences(stmt, catalog)) b.lock(seq, 'ROW EXCLUSIVE', 'sequence', 'nextval: conflicts only with ALTER or DROP of the sequence');
    for (const ref of checkedReferences(stmt, catalog))
      b.lock(ref, 'ROW SHARE', 'referenced', 'the foreign key check reads the referenced row (FOR KEY SHARE)');
    readSources(b, catalog, { ...stmt, relation: undefined }, node);
    for (const seq of selectedSequences(stmt, catalog))
      b.mayLock(
        seq,
        'ROW EXCLUSIVE',
        'sequence',
        rowsCondition(catalog.key(stmt.relation) ?? '', 'INSERT'),
        'nextval: conflicts only with ALTER or DROP of the sequence',
      );
    reachedLocks(b, catalog, node, options);
    b.effect.dataChange = true;
  },

  UpdateStmt(b, node, catalog, options) {
    const stmt = as(node, 'UpdateStmt')!;
    b.lock(catalog.key(stmt.relation), 'ROW EXCLUSIVE', 'target');
    readSources(b, catalog, { ...stmt, relation: undefined }, node);
    reachedLocks(b, catalog, node, options);
    b.effect.dataChange = true;
    if (!stmt.whereClause) b.effect.scan = true;
  },

  DeleteStmt(b, node, catalog, options) {
    const stmt = as(node, 'DeleteStmt')!;
    b.lock(catalog.key(stmt.relation), 'ROW EXCLUSIVE', 'target');
    readSources(b, catalog, { ...stmt, relation: undefined }, node);
    reachedLocks(b, catalog, node, options);
    b.effect.dataChange = true;
    if (!stmt.whereClause) b.effect.scan = true;
  },

  MergeStmt(b, node, catalog, options) {
    const stmt = as(node, 'MergeStmt')!;
    b.lock(catalog.key(stmt.relation), 'ROW EXCLUSIVE', 'target');
    readSources(b, catalog, { ...stmt, relation: undefined }, node);
    reachedLocks(b, catalog, node, options);
    b.effect.dataChange = true;
  },

  CopyStmt(b, node, catalog, options) {
    const stmt = as(node, 'CopyStmt')!;
    if (stmt.query) for (const l of modelStatement(stmt.query, catalog, options).locks) b.merge(l);
    if (!stmt.relation) return;
    b.lock(catalog.key(stmt.relation), stmt.is_from ? 'ROW EXCLUSIVE' : 'ACCESS SHARE', 'target');
    if (stmt.is_from) reachedLocks(b, catalog, node, options);
    if (stmt.is_from) b.effect.dataChange = true;
  },

  SelectStmt(b, node, catalog, options) {
    const stmt = as(node, 'SelectStmt')!;
    const forUpdate = (stmt.lockingClause ?? []).length > 0;
    readSources(b, catalog, stmt, node, forUpdate ? 'ROW SHARE' : 'ACCESS SHARE');
    reachedLocks(b, catalog, node, options);
  },

  CreateStatsStmt(b, node, catalog) {
    // CreateStatistics opens its table with SHARE UPDATE EXCLUSIVE (statscmds.c; pinned on a server
    // in test/engine/lockClasses.engine.test.ts).
    for (const r of as(node, 'CreateStatsStmt')!.relations ?? []) b.lock(catalog.key(asRangeVar(r)), 'SHARE UPDATE EXCLUSIVE', 'target');
  },

  CreateDomainStmt() {},
  CallStmt(b, node, catalog, options) {
    // CALL runs the procedure: the locks of its body's statements are taken (those under a branch may be).
    const fn = catalog.functions.get(nameList(as(node, 'CallStmt')!.funccall?.funcname).pop() ?? '');
    if (!fn || options.firing?.includes(fn.name)) return;
    const firing = [...(options.firing ?? []), fn.name];
    for (const part of functionStatements(fn))
      for (const l of modelStatement(part.node, catalog, { ...options, firing }).locks)
        b.merge(part.condition ? { ...l, condition: l.condition ?? `${part.condition} in ${fn.name}()` } : { ...l });
  },
  DoStmt(b, node) {
    // COMMIT or ROLLBACK in the body (PostgreSQL 11+) only work when the block runs outside a transaction block.
    if (doControlsTransactions(node)) b.effect.noTransaction = true;
  },
};

/** DROP SCHEMA: every relation in it is dropped with it (CASCADE; without, it must be empty), ACCESS EXCLUSIVE. */
/** DROP INDEX [CONCURRENTLY] [IF EXISTS]: the index and its table. */
function dropIndexLocks(b: EffectBuilder, catalog: Catalog, stmt: T.DropStmt, name: string) {
  const idx = catalog.indexes.get(name);
  if (stmt.concurrent) {
    b.effect.concurrently = true;
    b.effect.noTransaction = true;
    b.lock(idx?.table, 'SHARE UPDATE EXCLUSIVE', 'target');
    b.note('DROP INDEX CONCURRENTLY waits for every transaction using the table to finish');
  } else {
    b.lock(idx?.table, 'ACCESS EXCLUSIVE', 'target');
    if (!idx) b.note(`the table of index ${name} is not known from the migration history: it is locked ACCESS EXCLUSIVE too`);
  }
  // IF EXISTS of an index a known history never created may find nothing (PostgreSQL then locks nothing).
  if (!idx && stmt.missing_ok && catalog.relations.size > 0)
    b.mayLock(name, 'ACCESS EXCLUSIVE', 'target_index', `only if index ${name} exists (the migration history never created it)`);
  else b.lock(name, 'ACCESS EXCLUSIVE', 'target_index');
}

function dropSchemaLocks(b: EffectBuilder, catalog: Catalog, stmt: T.DropStmt) {
  const schemas = new Set((stmt.objects ?? []).map((o) => as(o, 'String')?.sval));
  for (const rel of catalog.relations.values()) {
    if (!rel.schema || !schemas.has(rel.schema)) continue;
    b.lock(rel.name, 'ACCESS EXCLUSIVE', 'target');
    lockAllIndexes(b, catalog, rel.name, 'ACCESS EXCLUSIVE');
  }
}

/** DROP STATISTICS: RemoveStatisticsById locks the table the statistics are on (measured on 15). */
function dropStatisticsLocks(b: EffectBuilder, catalog: Catalog, stmt: T.DropStmt) {
  for (const name of droppedNames(stmt, catalog)) b.lock(catalog.statistics.get(name), 'SHARE UPDATE EXCLUSIVE', 'target');
}

/** The catalog key of each relation a DROP names. */
function droppedNames(stmt: T.DropStmt, catalog: Catalog): string[] {
  return (stmt.objects ?? []).map((obj) => catalog.keyOf(nameList(as(obj, 'List')?.items)) ?? '').filter(Boolean);
}

/** True when a PL/pgSQL DO body has a COMMIT or ROLLBACK statement (parsed, so comments and strings do not count). */
function doControlsTransactions(node: Node): boolean {
  const args = (as(node, 'DoStmt')?.args ?? []).map(asDefElem);
  const language = args.find((a) => a?.defname === 'language')?.arg;
  if (language && as(language, 'String')?.sval?.toLowerCase() !== 'plpgsql') return false;
  const body = as(args.find((a) => a?.defname === 'as')?.arg, 'String')?.sval;
  if (!body || !/\b(commit|rollback)\b/i.test(body) || body.includes('$lockwise_do$')) return false;
  const tree = parsePlpgsql(`CREATE FUNCTION lockwise_do_block() RETURNS void LANGUAGE plpgsql AS $lockwise_do$${body}$lockwise_do$`);
  return findAll(tree, 'PLpgSQL_stmt_commit').length > 0 || findAll(tree, 'PLpgSQL_stmt_rollback').length > 0;
}

const WRITES: Record<string, true> = { InsertStmt: true, UpdateStmt: true, DeleteStmt: true, MergeStmt: true };

/**
 * The tables a DML statement reads (every clause: FROM, WHERE, subqueries in SET or RETURNING,
 * CTE bodies). A CTE's name is not a table; a writable CTE's target is written (ROW EXCLUSIVE).
 * Measured on PostgreSQL 15 by the replay suite (documenso's WITH ... INSERT ... RETURNING).
 */
function readSources(b: EffectBuilder, catalog: Catalog, root: unknown, statement: Node, mode: LockMode = 'ACCESS SHARE') {
  const ctes = findAll<T.CommonTableExpr>(statement, 'CommonTableExpr');
  const names = new Set(ctes.map((c) => c.ctename));
  for (const cte of ctes) {
    const kind = nodeKind(cte.ctequery);
    if (!kind || !WRITES[kind]) continue;
    const target = (Object.values(cte.ctequery as object)[0] as { relation?: T.RangeVar }).relation;
    b.lock(catalog.key(target), 'ROW EXCLUSIVE', 'target');
  }
  for (const rv of findAll<T.RangeVar>(root, 'RangeVar')) {
    if (!rv.schemaname && names.has(rv.relname)) continue;
    const key = catalog.key(rv);
    b.lock(key, mode, 'source');
    readThroughViews(b, catalog, key, new Set(), mode);
  }
}

/**
 * A query that runs is rewritten first, and the rewriter locks the tables under every view it
 * expands (ACCESS SHARE; ROW SHARE for SELECT ... FOR UPDATE), views of views included (measured on
 * PostgreSQL 15 by the replay suite: lemmy's CREATE MATERIALIZED VIEW ... AS SELECT * FROM
 * post_aggregates_view locks user_; FOR UPDATE in lockReach).
 */
function readThroughViews(b: EffectBuilder, catalog: Catalog, name: string | undefined, seen: Set<string>, mode: LockMode = 'ACCESS SHARE') {
  const rel = catalog.relation(name);
  if (!rel || rel.kind !== 'view' || seen.has(rel.name)) return;
  seen.add(rel.name);
  for (const src of rel.sources) {
    b.lock(src, mode, 'source');
    readThroughViews(b, catalog, src, seen, mode);
  }
}

/**
 * One ALTER TABLE sub-command: the lock of locks/alterTable.ts on the altered table, then what the
 * sub-command does besides (other relations, scans, rewrites).
 */
function alterTableCmd(b: EffectBuilder, catalog: Catalog, table: string, cmd: T.AlterTableCmd, options: ModelOptions) {
  const args = {
    foreignKey: asConstraint(cmd.def)?.contype === 'CONSTR_FOREIGN',
    concurrent: !!as(cmd.def, 'PartitionCmd')?.concurrent,
    options: optionNames(cmd),
  };
  b.lock(table, cmd.subtype ? alterTableLock(cmd.subtype, args) : 'ACCESS EXCLUSIVE', 'target');
  alterTableWork(b, catalog, table, cmd, options);
}

/** What a sub-command does besides its lock on the table: columns here, the rest in tableWork. */
function alterTableWork(b: EffectBuilder, catalog: Catalog, table: string, cmd: T.AlterTableCmd, options: ModelOptions) {
  const rel = catalog.relation(table);
  switch (cmd.subtype) {
    case 'AT_AddColumn': {
      const col = asColumnDef(cmd.def);
      if (!col) return;
      addColumnEffect(b, catalog, table, col, options);
      return;
    }
    case 'AT_SetNotNull': {
      const column = catalog.column(table, cmd.name);
      if (column?.notNull) return;
      const check = catalog.constraintsOf(table).find((c) => c.type === 'check' && c.validated && c.notNullColumn === cmd.name);
      if (check && options.pgVersion >= 12) {
        b.note(`the validated CHECK ${check.name} proves the column has no NULLs: no scan`);
        return;
      }
      b.effect.scan = true;
      if (!rel) b.note(`${table} is not known from the migration history: assumed to have no validated CHECK (${cmd.name} IS NOT NULL)`);
      return;
    }
    case 'AT_SetIdentity':
    case 'AT_DropIdentity':
      // The identity's sequence: altered (as ALTER SEQUENCE) or dropped with it.
      b.lock(identitySequence(table, cmd.name), cmd.subtype === 'AT_SetIdentity' ? 'SHARE ROW EXCLUSIVE' : 'ACCESS EXCLUSIVE', 'sequence');
      return;
    case 'AT_DropColumn': {
      b.lock(catalog.column(table, cmd.name)?.sequence, 'ACCESS EXCLUSIVE', 'sequence', 'dropped with its column');
      foreignKeyReach(b, catalog, table, cmd.name ?? '');
      for (const idx of catalog.indexesUsing(table, cmd.name ?? '')) b.lock(idx.name, 'ACCESS EXCLUSIVE', 'target_index');
      if (cmd.behavior === 'DROP_CASCADE') dropColumnCascadeLocks(b, catalog, table, cmd.name ?? '');
      return;
    }
    case 'AT_AlterColumnType': {
      foreignKeyReach(b, catalog, table, cmd.name ?? '');
      const verdict = alterColumnTypeVerdict(cmd, catalog.column(table, cmd.name)?.type, options.pgVersion, options.timeZone);
      b.reason(verdict.reason, verdict.assumed);
      if (verdict.rewrite) {
        rewriteTable(b, catalog, table);
        if (verdict.assumed) b.note(`assumed to rewrite: ${verdict.reason}`);
      } else {
        b.note(`no rewrite: ${verdict.reason}`);
        for (const idx of catalog.indexesUsing(table, cmd.name ?? '')) b.lock(idx.name, 'ACCESS EXCLUSIVE', 'target_index');
      }
      return;
    }
    default:
      return tableWork(b, catalog, table, cmd, options);
  }
}

function tableWork(b: EffectBuilder, catalog: Catalog, table: string, cmd: T.AlterTableCmd, options: ModelOptions) {
  const rel = catalog.relation(table);
  switch (cmd.subtype) {
    case 'AT_ClusterOn':
      b.lock(catalog.siblingKey(table, cmd.name), 'SHARE UPDATE EXCLUSIVE', 'target_index');
      return;
    case 'AT_AddInherit':
    case 'AT_DropInherit': {
      // INHERIT opens the new parent SHARE UPDATE EXCLUSIVE, NO INHERIT the old one ACCESS SHARE (measured, PostgreSQL 15).
      const parent = catalog.key(as(cmd.def, 'RangeVar'));
      b.lock(parent, cmd.subtype === 'AT_AddInherit' ? 'SHARE UPDATE EXCLUSIVE' : 'ACCESS SHARE', 'referenced');
      return;
    }
    case 'AT_AddOf':
      // The composite type's row type is a relation of its own (pg_class), read to compare columns.
      b.lock(catalog.keyOf(nameList(as(cmd.def, 'TypeName')?.names)), 'ACCESS SHARE', 'referenced');
      return;
    case 'AT_AddConstraint':
    case 'AT_AddIndexConstraint': {
      const con = asConstraint(cmd.def);
      if (con) addConstraintEffect(b, catalog, table, con);
      return;
    }
    case 'AT_ValidateConstraint': {
      b.effect.scan = true;
      const con = rel?.constraints.get(cmd.name ?? '');
      if (con?.type === 'foreign') b.lock(con.references, 'ROW SHARE', 'referenced');
      return;
    }
    case 'AT_DropConstraint': {
      const con = rel?.constraints.get(cmd.name ?? '');
      if (con?.type === 'foreign') b.lock(con.references, 'ACCESS EXCLUSIVE', 'referenced');
      if (con?.index) b.lock(con.index, 'ACCESS EXCLUSIVE', 'target_index');
      if (!con && rel)
        b.note(`constraint ${cmd.name} is not known from the migration history; if it is a foreign key, the referenced table is locked ACCESS EXCLUSIVE too`);
      return;
    }
    case 'AT_ChangeOwner':
      lockAllIndexes(b, catalog, table, 'ACCESS EXCLUSIVE');
      return;
    case 'AT_SetLogged':
    case 'AT_SetUnLogged':
      rewriteTable(b, catalog, table);
      persistenceCheckLocks(b, catalog, table, cmd.subtype === 'AT_SetLogged');
      return;
    case 'AT_SetAccessMethod':
    case 'AT_SetTableSpace':
    case 'AT_SetExpression':
      rewriteTable(b, catalog, table);
      return;
    case 'AT_AttachPartition':
      return attachPartition(b, catalog, table, cmd);
    case 'AT_DetachPartition':
    case 'AT_DetachPartitionFinalize':
      return detachPartition(b, catalog, table, cmd, options);
    default:
      return;
  }
}

/**
 * The sequences an INSERT draws from (nextval takes ROW EXCLUSIVE on each): those of the serial and
 * identity columns it leaves to their default, by omitting them from the column list, writing
 * DEFAULT, or giving fewer values than the table has columns. Only for rows written out (VALUES,
 * DEFAULT VALUES): an INSERT ... SELECT that finds no rows never calls nextval (measured on the
 * replayed histories, whose tables are empty).
 */
function defaultedSequences(stmt: T.InsertStmt, catalog: Catalog): string[] {
  const columns = [...(catalog.relation(catalog.key(stmt.relation))?.columns.values() ?? [])];
  if (!columns.some((c) => c.sequence)) return [];
  // INSERT ... DEFAULT VALUES
  if (!stmt.selectStmt) return columns.flatMap((c) => c.sequence ?? []);
  const rows = valuesRows(
    stmt,
    columns.map((c) => c.name),
  );
  const defaulted = (column: string) => rows.some((row) => !row.has(column) || nodeKind(row.get(column)) === 'SetToDefault');
  return columns.filter((c) => c.sequence && defaulted(c.name)).map((c) => c.sequence!);
}

/**
 * INSERT ... SELECT: the sequences of the serial and identity columns it leaves out of its column
 * list, drawn from once per row it inserts (none when the query finds no rows).
 */
function selectedSequences(stmt: T.InsertStmt, catalog: Catalog): string[] {
  if (!stmt.selectStmt || as(stmt.selectStmt, 'SelectStmt')?.valuesLists?.length || !stmt.cols?.length) return [];
  const listed = new Set(stmt.cols.map((c) => as(c, 'ResTarget')?.name));
  const columns = [...(catalog.relation(catalog.key(stmt.relation))?.columns.values() ?? [])];
  return columns.filter((c) => c.sequence && !listed.has(c.name)).map((c) => c.sequence!);
}

/** An INSERT's VALUES rows, column → the value written (a column a row leaves out is missing). */
function valuesRows(stmt: T.InsertStmt, columns: string[]): Map<string, Node>[] {
  const listed = (stmt.cols ?? []).map((c) => as(c, 'ResTarget')?.name ?? '');
  const targets = listed.length ? listed : columns;
  const rows = (as(stmt.selectStmt, 'SelectStmt')?.valuesLists ?? []).map((r) => as(r, 'List')?.items ?? []);
  return rows.map((items) => new Map(targets.slice(0, items.length).map((name, k) => [name, items[k]])));
}

/**
 * The tables an INSERT's foreign key checks read (ROW SHARE, FOR KEY SHARE on the referenced row):
 * those of the foreign keys whose columns a written-out row (VALUES) sets to something other than
 * NULL. Like nextval, only for rows written out: an INSERT ... SELECT may insert none.
 */
function checkedReferences(stmt: T.InsertStmt, catalog: Catalog): string[] {
  const rel = catalog.relation(catalog.key(stmt.relation));
  const keys = [...(rel?.constraints.values() ?? [])].filter((c) => c.type === 'foreign' && c.references);
  if (!rel || !keys.length) return [];
  const rows = valuesRows(stmt, [...rel.columns.keys()]);
  const set = (row: Map<string, Node>, column: string) => {
    const value = row.get(column);
    return value !== undefined && nodeKind(value) !== 'SetToDefault' && !(nodeKind(value) === 'A_Const' && as(value, 'A_Const')?.isnull);
  };
  return keys.filter((k) => rows.some((row) => k.columns.every((c) => set(row, c)))).map((k) => k.references!);
}

/**
 * ALTER INDEX: the index's lock per sub-command as for tables (SET TABLESPACE copies it under
 * ACCESS EXCLUSIVE); ATTACH PARTITION locks the attached index ACCESS EXCLUSIVE and reads both tables.
 */
function alterIndexCmd(b: EffectBuilder, catalog: Catalog, index: string, cmd: T.AlterTableCmd) {
  if (cmd.subtype === 'AT_AttachPartition') {
    const part = catalog.key(as(cmd.def, 'PartitionCmd')?.name);
    b.lock(index, 'SHARE UPDATE EXCLUSIVE', 'target_index');
    b.lock(part, 'ACCESS EXCLUSIVE', 'partition_index');
    b.lock(catalog.indexes.get(index)?.table, 'ACCESS SHARE', 'target');
    b.lock(part ? catalog.indexes.get(part)?.table : undefined, 'ACCESS SHARE', 'partition');
    return;
  }
  const options = cmd.subtype === 'AT_SetRelOptions' || cmd.subtype === 'AT_ResetRelOptions' ? optionNames(cmd) : undefined;
  b.lock(index, cmd.subtype ? alterTableLock(cmd.subtype, { options }) : 'ACCESS EXCLUSIVE', 'target_index');
}

/** Names of the storage parameters SET (...) / RESET (...) lists. */
function optionNames(cmd: T.AlterTableCmd): string[] {
  const list = as(cmd.def, 'List')?.items ?? [];
  return list.map((item) => as(item, 'DefElem')?.defname ?? '').filter(Boolean);
}

/** PostgreSQL's default name for an identity column's sequence (ChooseRelationName: <table>_<column>_seq). */
function identitySequence(table: string, column: string | undefined): string | undefined {
  return column ? `${table}_${column}_seq` : undefined;
}

/**
 * Changing the type of a column, or dropping it, drops (and for a type change re-creates) every
 * foreign key on it, at either end: the other table's FK triggers go with it, under ACCESS
 * EXCLUSIVE (measured on PostgreSQL 15 by the replay suite: harbor's `ALTER TABLE
 * vulnerability_record ALTER COLUMN id TYPE BIGINT` locks report_vulnerability_record).
 */
function foreignKeyReach(b: EffectBuilder, catalog: Catalog, table: string, column: string) {
  for (const con of catalog.relation(table)?.constraints.values() ?? []) {
    if (con.type === 'foreign' && con.columns.includes(column) && con.references !== table) b.lock(con.references, 'ACCESS EXCLUSIVE', 'referenced');
  }
  for (const other of catalog.referencing(table)) {
    if (other === table) continue;
    for (const con of catalog.relation(other)?.constraints.values() ?? []) {
      if (con.type === 'foreign' && con.references === table && catalog.referencedColumns(con).includes(column))
        b.lock(other, 'ACCESS EXCLUSIVE', 'referenced');
    }
  }
}

/**
 * SET LOGGED opens every table its foreign keys reference, SET UNLOGGED every table whose foreign
 * keys reference it, to check their persistence: ACCESS SHARE, released right after the check
 * (measured: the PG 15 trace of the failing `orgs SET UNLOGGED` shows it on users; PGlite's
 * end-of-statement snapshot of a successful one does not).
 */
function persistenceCheckLocks(b: EffectBuilder, catalog: Catalog, table: string, toLogged: boolean) {
  const rel = catalog.relation(table);
  const others = toLogged ? [...(rel?.constraints.values() ?? [])].filter((c) => c.type === 'foreign').map((c) => c.references) : catalog.referencing(table);
  for (const other of others) {
    if (!other || other === table || b.effect.locks.some((l) => l.relation === other)) continue;
    b.effect.locks.push({
      relation: other,
      mode: 'ACCESS SHARE',
      role: 'referenced',
      harmless: 'held only while the foreign key is checked',
      releasedEarly: true,
    });
  }
}

function addColumnEffect(b: EffectBuilder, catalog: Catalog, table: string, col: T.ColumnDef, options: ModelOptions) {
  const constraints = (col.constraints ?? []).map(asConstraint).filter((c): c is T.Constraint => !!c);
  // PostgreSQL rewrites even an empty table (a new relfilenode): only the work it costs differs.
  const empty = catalog.isNew(table) && (catalog.relation(table)?.rows ?? 'none') === 'none';
  for (const rewrite of addColumnRewrites(col, options.pgVersion)) {
    b.note(empty ? `${rewrite.reason} (the table is empty here)` : rewrite.reason);
    rewriteTable(b, catalog, table);
  }
  // Measured on PostgreSQL 15 (test/engine/addColumnConstraints.engine.test.ts).
  for (const con of constraints) {
    switch (con.contype) {
      case 'CONSTR_FOREIGN':
        b.lock(catalog.key(con.pktable), 'SHARE ROW EXCLUSIVE', 'referenced');
        if (validatesInlineForeignKey(col)) b.effect.scan = true;
        break;
      case 'CONSTR_PRIMARY':
      case 'CONSTR_UNIQUE':
        b.effect.indexBuild = true;
        b.effect.scan = true;
        break;
      case 'CONSTR_CHECK':
        // Every existing row is checked, even when the new column is NULL in all of them.
        b.effect.scan = true;
        break;
      case 'CONSTR_NOTNULL':
        // Without a value to store for existing rows, each is read to find that it is NULL (and the statement fails).
        if (!fillsExistingRows(col)) b.effect.scan = true;
        break;
      default:
        break;
    }
  }
}

function addConstraintEffect(b: EffectBuilder, catalog: Catalog, table: string, con: T.Constraint) {
  const rel = catalog.relation(table);
  switch (con.contype) {
    case 'CONSTR_FOREIGN':
      b.lock(table, 'SHARE ROW EXCLUSIVE', 'target');
      b.lock(catalog.key(con.pktable), 'SHARE ROW EXCLUSIVE', 'referenced');
      if (!con.skip_validation) b.effect.scan = true;
      return;
    case 'CONSTR_CHECK':
      b.lock(table, 'ACCESS EXCLUSIVE', 'target');
      if (!con.skip_validation) b.effect.scan = true;
      return;
    case 'CONSTR_PRIMARY':
    case 'CONSTR_UNIQUE': {
      b.lock(table, 'ACCESS EXCLUSIVE', 'target');
      const index = catalog.siblingKey(table, con.indexname);
      if (index) {
        b.lock(index, 'SHARE UPDATE EXCLUSIVE', 'target_index');
        if (con.contype === 'CONSTR_PRIMARY') {
          const idx = catalog.indexes.get(index);
          const nullable = !idx || idx.columns.some((c) => !rel?.columns.get(c)?.notNull);
          if (nullable) {
            b.effect.scan = true;
            b.note(
              idx
                ? 'a nullable key column gets an implicit SET NOT NULL: the table is scanned'
                : 'the index is not known from history: assumed to cover nullable columns (scan for SET NOT NULL)',
            );
          }
        }
      } else {
        b.effect.indexBuild = true;
        b.effect.scan = true;
      }
      return;
    }
    case 'CONSTR_EXCLUSION':
      b.lock(table, 'ACCESS EXCLUSIVE', 'target');
      b.effect.indexBuild = true;
      b.effect.scan = true;
      return;
    case 'CONSTR_NOTNULL':
      b.lock(table, 'ACCESS EXCLUSIVE', 'target');
      b.effect.scan = true;
      return;
    default:
      b.lock(table, 'ACCESS EXCLUSIVE', 'target');
      return;
  }
}

function attachPartition(b: EffectBuilder, catalog: Catalog, table: string, cmd: T.AlterTableCmd) {
  const def = as(cmd.def, 'PartitionCmd');
  const part = catalog.key(def?.name);
  const parentRel = catalog.relation(table);
  if (parentRel?.kind === 'index' || catalog.indexes.has(table)) {
    // ALTER INDEX parent_idx ATTACH PARTITION child_idx
    b.lock(table, 'SHARE UPDATE EXCLUSIVE', 'target_index');
    b.lock(part, 'ACCESS EXCLUSIVE', 'partition_index');
    return;
  }
  b.lock(table, 'SHARE UPDATE EXCLUSIVE', 'target');
  for (const idx of catalog.indexesOf(table)) b.lock(idx.name, 'SHARE UPDATE EXCLUSIVE', 'target_index');
  b.lock(part, 'ACCESS EXCLUSIVE', 'partition');
  const defaultPart = [...(parentRel?.partitions ?? [])].find((p) => catalog.relation(p)?.isDefaultPartition);
  if (defaultPart && !def?.bound?.is_default) {
    b.lock(defaultPart, 'ACCESS EXCLUSIVE', 'default_partition');
    b.note(`the default partition ${defaultPart} is scanned for rows that belong in the new partition`);
  }
  const partRel = catalog.relation(part);
  const hasCheck = [...(partRel?.constraints.values() ?? [])].some((c) => c.type === 'check' && c.validated);
  if (!hasCheck) {
    b.note(`${part} is scanned to prove its rows fit the partition bound (no validated CHECK known)`);
  }
}

function detachPartition(b: EffectBuilder, catalog: Catalog, table: string, cmd: T.AlterTableCmd, options: ModelOptions) {
  const def = as(cmd.def, 'PartitionCmd');
  const part = catalog.key(def?.name);
  const concurrent = !!def?.concurrent || cmd.subtype === 'AT_DetachPartitionFinalize';
  if (concurrent) {
    b.effect.concurrently = true;
    b.effect.noTransaction = cmd.subtype !== 'AT_DetachPartitionFinalize';
    if (options.pgVersion < 14) b.note('DETACH PARTITION CONCURRENTLY needs PostgreSQL 14 or later');
  }
  b.lock(table, concurrent ? 'SHARE UPDATE EXCLUSIVE' : 'ACCESS EXCLUSIVE', 'target');
  b.lock(part, 'ACCESS EXCLUSIVE', 'partition');
  if (part) for (const idx of catalog.indexesOf(part)) b.lock(idx.name, 'ACCESS EXCLUSIVE', 'partition_index');
  const defaultPart = [...(catalog.relation(table)?.partitions ?? [])].find((p) => catalog.relation(p)?.isDefaultPartition && p !== part);
  if (defaultPart && !concurrent) b.lock(defaultPart, 'ACCESS EXCLUSIVE', 'default_partition');
}

/** Operations blocked on each table, including reads blocked by ACCESS EXCLUSIVE on one of its indexes. */
export function blockedByTable(effect: StatementEffect, catalog: { indexes: ReadonlyMap<string, { table: string }> }): Map<string, Operation[]> {
  const out = new Map<string, Set<Operation>>();
  const add = (table: string, ops: Operation[]) => {
    const set = out.get(table) ?? new Set<Operation>();
    for (const op of ops) set.add(op);
    out.set(table, set);
  };
  for (const lock of effect.locks) {
    if (lock.harmless) continue;
    const index = catalog.indexes.get(lock.relation);
    if (index || lock.role.endsWith('index')) {
      // Queries open every index of a table while planning: ACCESS EXCLUSIVE on one stops them all.
      if (lock.mode === 'ACCESS EXCLUSIVE') add(index?.table ?? lock.relation, ALL_OPERATIONS);
      else
        add(
          index?.table ?? lock.relation,
          blockedOperations(lock.mode).filter((o) => o !== 'SELECT'),
        );
      continue;
    }
    add(lock.relation, blockedOperations(lock.mode));
  }
  return new Map([...out].map(([k, v]) => [k, ALL_OPERATIONS.filter((o) => v.has(o))]));
}
