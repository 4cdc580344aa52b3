/**
 * What the migration knows about the schema at a point in the file: tables with their columns,
 * constraints (and whether they are validated), indexes, views, sequences and partitions. Built by
 * replaying statements: the earlier migration files (schema history), then this file up to the
 * statement being judged. Objects created in this file are marked `createdInFile`; with a deploy
 * baseline, tables created by pending history files (`createdBy`) count as new too (`isFresh`).
 */
import type { Baseline, PendingRows } from './baseline';
import { columnDependentViews, columnsRead, dependentViews, queryReads, referencingTables, tablesWithTriggersOn } from './dependencies';
import { droppedFunctions, FunctionInfo, functionInfo, switchTriggers, TriggerInfo, triggerInfo } from './routines';
import { Node, T, as, asAlterTableCmd, asColumnDef, asConstraint, asIndexElem, asRangeVar, asString, nameList, nodeKind, typeToString } from '../parse/ast';
import { checkNameColumns, chooseName, columnRefs, defaultIndexName, indexColumnNames } from './names';
import { DEFAULT_SEARCH_PATH, SYSTEM_RELATIONS, qualify, searchPathChange } from './searchPath';
import { LayeredMap, LayeredSet } from './layered';

export { checkNameColumns, chooseName, columnRefs, defaultConstraintName, defaultIndexName } from './names';

export type RelationKind = 'table' | 'partitioned' | 'view' | 'matview' | 'sequence' | 'index';

export interface ColumnInfo {
  name: string;
  type: string;
  notNull: boolean;
  /** The sequence a serial or identity column owns (PostgreSQL's default name, <table>_<column>_seq). */
  sequence?: string;
}

export type ConstraintType = 'check' | 'foreign' | 'unique' | 'primary' | 'exclusion' | 'notnull';

export interface ConstraintInfo {
  name: string;
  type: ConstraintType;
  validated: boolean;
  columns: string[];
  /** For CHECK constraints of the form `col IS NOT NULL`. */
  notNullColumn?: string;
  /** For foreign keys: the referenced table. */
  references?: string;
  /** For foreign keys: the referenced columns as written (empty: the referenced table's primary key). */
  referencedColumns?: string[];
  /** For foreign keys: ON DELETE and ON UPDATE as pg_constraint spells them (a no action, r restrict, c cascade, n set null, d set default). */
  onDelete?: string;
  onUpdate?: string;
  /** For unique/primary keys: the index that enforces them. */
  index?: string;
  /** Statement index (in the current file) that added it. */
  addedAt?: number;
  createdInFile: boolean;
}

export interface IndexInfo {
  name: string;
  table: string;
  unique: boolean;
  /** Key columns named as columns (not expressions). */
  columns: string[];
  /**
   * Other columns it reads: in key expressions, the predicate, INCLUDE. Dropping one of these (or a
   * key column) drops the index; changing its type rebuilds it.
   */
  uses?: string[];
  partial: boolean;
  createdInFile: boolean;
}

/** A relation's name as a statement writes it (a RangeVar, or the parts of a qualified name). */
export interface WrittenName {
  schemaname?: string;
  relname?: string;
}

export interface RelationInfo {
  /** The catalog key: the name in `public`, `schema.name` elsewhere (see Catalog.key). */
  name: string;
  /** The schema, when not `public` (temporary tables: none). */
  schema?: string;
  kind: RelationKind;
  columns: Map<string, ColumnInfo>;
  constraints: Map<string, ConstraintInfo>;
  indexes: Set<string>;
  /** Partition parent, when this table is a partition. */
  partitionOf?: string;
  /** Columns the partition key uses, for a partitioned table. */
  partitionKey?: string[];
  isDefaultPartition?: boolean;
  partitions: Set<string>;
  /** Relations a view or materialized view reads. */
  sources: string[];
  /** The column names a view's or materialized view's query names ('*': all of its relations' columns). */
  columnsRead?: string[];
  /** Its triggers (a new array on every change: records may be shared with a clone). */
  triggers?: TriggerInfo[];
  /** DISABLE TRIGGER ALL: its foreign keys' triggers (checks of its rows, actions for rows referencing it) are off too. */
  foreignKeyTriggersOff?: true;
  unlogged: boolean;
  /** CREATE TEMP TABLE: private to the migration's session, so locking it blocks no one. */
  temporary?: true;
  createdInFile: boolean;
  /** Statement index in the current file that created it. */
  createdAt?: number;
  /** The history file that created it (set while replaying the schema history). */
  createdBy?: string;
  /** Rises with each insertion into a catalog's map, so sorting by it gives the map's order. */
  order?: number;
  /** Rows added by statements after it was created (`none` unless a statement inserted, copied or selected into it). */
  rows?: PendingRows;
}

/**
 * Copy-on-write: `clone()` copies the maps but shares the relation and index records with the
 * original until either side changes one (`own`/`ownIndex` copy it first). Replaying a long
 * migration history clones once per file, and most files touch a few tables of many.
 * Records handed out by `relation()`/`indexesOf()` must be treated as read-only outside this class.
 */
/**
 * What is recorded of an ALTER TABLE of a table the history does not know: the columns the file adds
 * (type, NOT NULL, their later type changes and drops), CHECK and foreign-key constraints, their
 * validation and drop (index-backed constraints would add indexes of a table whose other indexes
 * are unknown).
 */
/** Counts insertions into every catalog's map: RelationInfo.order. */
let insertions = 0;

/** Sets a property of the column a sub-command names, when the catalog knows it. */
function setColumn(rel: RelationInfo, cmd: T.AlterTableCmd, change: Partial<ColumnInfo>): void {
  const column = rel.columns.get(cmd.name ?? '');
  if (column) Object.assign(column, change);
}

const RECORDED_ON_UNKNOWN = new Set<T.AlterTableType | undefined>([
  'AT_ValidateConstraint',
  'AT_DropConstraint',
  'AT_AddColumn',
  'AT_AlterColumnType',
  'AT_SetNotNull',
  'AT_DropNotNull',
  'AT_DropColumn',
]);

function recordedOnUnknown(cmd: T.AlterTableCmd): boolean {
  if (RECORDED_ON_UNKNOWN.has(cmd.subtype)) return true;
  const contype = cmd.subtype === 'AT_AddConstraint' ? asConstraint(cmd.def)?.contype : undefined;
  return contype === 'CONSTR_CHECK' || contype === 'CONSTR_FOREIGN';
}

export class Catalog {
  // Layered: a clone copies what changed since the last flattening, not every entry (layered.ts).
  readonly relations = new LayeredMap<string, RelationInfo>();
  readonly indexes = new LayeredMap<string, IndexInfo>();
  readonly enums = new LayeredSet<string>();
  /** Functions by name (the last one created of each name; records are replaced, never changed). */
  readonly functions = new LayeredMap<string, FunctionInfo>();
  /** Extended statistics objects (CREATE STATISTICS) → the table they are on: DROP STATISTICS locks it. */
  readonly statistics = new LayeredMap<string, string>();
  /** True while replaying the file under analysis (objects made now are `createdInFile`). */
  inFile = false;
  /** The history file being replayed: relations created now record it (`createdBy`). */
  migration?: string;
  /** The deploy baseline of the analysis: tables created by pending migrations are empty in production. */
  baseline?: Baseline;
  currentStatement = -1;
  /** The session's search_path (SET search_path, set_config); a SET LOCAL one is in `localSearchPath`. */
  searchPath: readonly string[] = DEFAULT_SEARCH_PATH;
  /** SET LOCAL search_path: until the transaction ends (COMMIT, ROLLBACK, or the end of the file). */
  private localSearchPath?: readonly string[];
  /** The session's search_path at BEGIN, restored by ROLLBACK. */
  private searchPathAtBegin?: readonly string[];
  /** lookupPath() for the search_path it was derived from. */
  private lookupCache?: { from: readonly string[]; path: readonly string[] };
  /** Records this catalog may change in place (not shared with a clone). */
  private owned = new WeakSet<RelationInfo | IndexInfo>();
  /** Built on first use by constraintNameTaken: a constraint name → the relations that held one. */
  private constraintHolders?: NameIndex;
  /**
   * Built on first use by `referencing`: a table → the relations that held a foreign key to it
   * (a scan of every relation per DML statement was quadratic).
   */
  private referrers?: NameIndex;
  /**
   * Tables the history does not know, holding only the constraints this file adds to them (the
   * rest of what they hold stays unknown, so they are not in `relations`).
   */
  private unknownTables = new LayeredMap<string, RelationInfo>();

  clone(): Catalog {
    const copy = new Catalog();
    copy.relations.copyOf(this.relations);
    copy.indexes.copyOf(this.indexes);
    copy.enums.copyOf(this.enums);
    copy.functions.copyOf(this.functions);
    copy.statistics.copyOf(this.statistics);
    // A runner may run the next file on the same connection: the session's search_path carries over.
    copy.searchPath = this.searchPath;
    for (const [k, r] of this.unknownTables) {
      copy.unknownTables.set(k, { ...r, columns: copyRecords(r.columns), constraints: copyRecords(r.constraints) });
    }
    // Everything is shared now: both sides copy a record before changing it.
    this.owned = new WeakSet();
    return copy;
  }

  /**
   * A clone that shares the name indexes (`constraintNameTaken`'s, `referencing`'s) with this
   * catalog: they may list stale holders, never miss one, so one index serves both sides as long as
   * each side changes only through `apply` (which notes what it adds) or notes what it sets from
   * outside (`noteRelation`), instead of every clone of a long history (or every snapshot an
   * editor's analysis restarts from) rebuilding them from every relation on first use. An index
   * that has grown past what it can hold alive (stale holders of an editing session: each edit
   * may add names) is not shared: the clone builds its own on first use.
   */
  cloneForApply(): Catalog {
    const copy = this.clone();
    if (this.constraintHolders?.bounded) copy.constraintHolders = this.constraintHolders;
    if (this.referrers?.bounded) copy.referrers = this.referrers;
    return copy;
  }

  /**
   * A relation set into `relations` or `unknownTables` by a caller (incremental analysis patches a
   * snapshot with entries of a later run): its constraints enter the name indexes, which must not
   * miss a holder.
   */
  noteRelation(key: string): void {
    const rel = this.relations.get(key) ?? this.unknownTables.get(key);
    for (const c of rel?.constraints.keys() ?? []) this.noteConstraint(key, c);
  }

  /**
   * Makes this catalog the start of the next history file, in place of a clone (the CLI carries one
   * catalog through a folder): drops what `clone()` does not carry over of the session, a SET LOCAL
   * search_path and the one saved at BEGIN. The search_path itself carries over, as a runner may run
   * the next file on the same connection.
   */
  nextFile(): void {
    this.localSearchPath = undefined;
    this.searchPathAtBegin = undefined;
  }

  /** The relation, copied first if it is shared with another catalog, so it can be changed. */
  private own(name: string | undefined, anyKey = false): RelationInfo | undefined {
    // `anyKey`: look up '' too (as `relations.get` does; `relation()` treats '' as no name).
    const r = name || (anyKey && name !== undefined) ? this.relations.get(name) : undefined;
    if (!r || this.owned.has(r)) return r;
    const copy: RelationInfo = {
      ...r,
      columns: copyRecords(r.columns),
      constraints: copyRecords(r.constraints),
      indexes: new Set(r.indexes),
      partitions: new Set(r.partitions),
      sources: [...r.sources],
    };
    this.owned.add(copy);
    this.relations.set(name!, copy);
    return copy;
  }

  private ownIndex(name: string): IndexInfo | undefined {
    const i = this.indexes.get(name);
    if (!i || this.owned.has(i)) return i;
    const copy: IndexInfo = { ...i, columns: [...i.columns] };
    this.owned.add(copy);
    this.indexes.set(name, copy);
    return copy;
  }

  relation(name: string | undefined): RelationInfo | undefined {
    return name ? this.relations.get(name) : undefined;
  }

  /**
   * The catalog key of the relation a statement names, resolved as PostgreSQL does: a qualified name
   * is that schema's; an unqualified one is a temporary table, else the first match along
   * search_path (pg_catalog first unless the path places it), else where CREATE would put it.
   * Keys: the bare name in `public`, `schema.name` elsewhere, `pg_catalog.<name>` for system catalogs.
   */
  key(name: WrittenName | undefined): string | undefined {
    const relname = name?.relname;
    if (!relname) return undefined;
    if (name.schemaname) return name.schemaname === 'pg_temp' ? relname : qualify(name.schemaname, relname);
    if (this.relations.get(relname)?.temporary) return relname;
    for (const schema of this.lookupPath()) {
      if (schema === 'pg_catalog') {
        if (SYSTEM_RELATIONS.has(relname)) return qualify(schema, relname);
        continue;
      }
      const key = qualify(schema, relname);
      if (this.relations.has(key) || this.indexes.has(key) || this.unknownTables.has(key)) return key;
    }
    return qualify(this.creationSchema(), relname);
  }

  /** The key of a relation named by a name list (`['audit', 'shipments']`, as DROP writes it). */
  keyOf(names: string[]): string | undefined {
    return this.key({ relname: names[names.length - 1], schemaname: names.length > 1 ? names[names.length - 2] : undefined });
  }

  /** The key a CREATE gives the relation: its schema as written, else the first schema of search_path. */
  newKey(name: WrittenName | undefined): string | undefined {
    return name?.relname ? qualify(this.newSchema(name), name.relname) : undefined;
  }

  /** The schema a CREATE puts the relation in (undefined: public, or a temporary table's own). */
  private newSchema(name: WrittenName): string | undefined {
    if (name.schemaname === 'pg_temp' || (name as T.RangeVar).relpersistence === 't') return undefined;
    const schema = name.schemaname ?? this.creationSchema();
    return schema === 'public' ? undefined : schema;
  }

  /** A relation of pg_catalog (pg_class, pg_index, ...) or information_schema: not a user table. */
  isSystemCatalog(key: string | undefined): boolean {
    // information_schema's views are the SQL standard's window on the same catalogs (created by initdb, never traced).
    if (key?.startsWith('information_schema.')) return true;
    return !!key?.startsWith('pg_catalog.') && SYSTEM_RELATIONS.has(key.slice('pg_catalog.'.length));
  }

  /** The search_path in effect (SET LOCAL over SET). */
  get activeSearchPath(): readonly string[] {
    return this.localSearchPath ?? this.searchPath;
  }

  /** The schemas an unqualified name is looked up in: pg_catalog first unless the path names it. */
  private lookupPath(): readonly string[] {
    // key() runs for every relation of every statement: the path is derived once per search_path.
    const active = this.activeSearchPath;
    if (this.lookupCache?.from === active) return this.lookupCache.path;
    const path = active.filter((s) => s !== '$user' && s !== 'pg_temp');
    this.lookupCache = { from: active, path: path.includes('pg_catalog') ? path : ['pg_catalog', ...path] };
    return this.lookupCache.path;
  }

  /** Where CREATE puts an unqualified relation: the first schema of search_path ("$user" has no schema of its own here). */
  private creationSchema(): string {
    return this.activeSearchPath.find((s) => s !== '$user' && s !== 'pg_catalog' && s !== 'pg_temp') ?? 'public';
  }

  /** The key of `name` (an index, a sequence) in the schema of relation `key`. */
  siblingKey(key: string, name: string | undefined): string | undefined {
    return name ? qualify((this.relations.get(key) ?? this.unknownTables.get(key))?.schema, name) : undefined;
  }

  /** The name of a relation or index key within its schema. */
  localName(key: string): string {
    const table = this.indexes.get(key)?.table ?? key;
    const schema = (this.relations.get(table) ?? this.unknownTables.get(table))?.schema;
    return schema && key.startsWith(`${schema}.`) ? key.slice(schema.length + 1) : key;
  }

  /**
   * The relation (table, view, index, ...) existed before the file under analysis: not created in
   * it, nor an index of a table created in it, nor (with a deploy baseline) created by a pending
   * migration and still empty. Unknown names count as existing (no history).
   */
  existedBeforeFile(name: string | undefined): boolean {
    if (!name || this.isFresh(name)) return false;
    const idx = this.indexes.get(name);
    return !(idx && (idx.createdInFile || this.isFresh(idx.table)));
  }

  /** Locks on it block nobody: created earlier in this file, or by a pending migration and still empty in production. */
  isFresh(name: string | undefined): boolean {
    return this.isNew(name) || this.pendingCreator(name) !== undefined;
  }

  /**
   * The pending migration (not in the deploy baseline) that created the relation, when production
   * has it empty: no statement since filled it from a query or a COPY. Undefined without a baseline.
   */
  pendingCreator(name: string | undefined): string | undefined {
    const rel = this.baseline ? this.relation(name) : undefined;
    if (!rel?.createdBy || rel.rows === 'unknown' || !this.baseline!.pending.has(rel.createdBy)) return undefined;
    return rel.createdBy;
  }

  /** True when the relation exists and was created earlier in the file being analysed. */
  isNew(name: string | undefined): boolean {
    return !!this.relation(name)?.createdInFile;
  }

  /** A column of `table`: the table's, or for a table the history does not know, one this file added to it. */
  column(table: string | undefined, name: string | undefined): ColumnInfo | undefined {
    if (!table || !name) return undefined;
    return (this.relations.get(table) ?? this.unknownTables.get(table))?.columns.get(name);
  }

  /** The constraints known on `table`: its own, or for a table the history does not know, those added to it in this file. */
  constraintsOf(table: string | undefined): ConstraintInfo[] {
    const rel = this.relation(table) ?? (table ? this.unknownTables.get(table) : undefined);
    return [...(rel?.constraints.values() ?? [])];
  }

  /** A constraint of that name exists on some table of `schema` (default public; PostgreSQL picks unused names schema-wide). */
  constraintNameTaken(name: string, schema?: string): boolean {
    // An index (constraint name → relations that had it, possibly stale) instead of a scan of
    // every table: default names are chosen for each unnamed constraint of a long migration.
    if (!this.constraintHolders) {
      this.constraintHolders = new NameIndex();
      // Unknown tables too: built later (after a clone) it must answer as one built earlier and kept up to date.
      for (const map of [this.relations, this.unknownTables]) for (const [key, rel] of map) for (const c of rel.constraints.keys()) this.noteConstraint(key, c);
      this.constraintHolders.built();
    }
    for (const holder of this.constraintHolders.holders(name)) {
      const rel = this.relations.get(holder) ?? this.unknownTables.get(holder);
      if (rel?.constraints.has(name) && rel.schema === schema) return true;
    }
    return false;
  }

  /** Records that `relation` holds constraint `name` (call after every `constraints.set`). */
  private noteConstraint(relation: string, name: string): void {
    const con = (this.relations.get(relation) ?? this.unknownTables.get(relation))?.constraints.get(name);
    if (con && this.relations.has(relation)) this.noteReferrer(relation, con);
    this.constraintHolders?.add(name, relation);
  }

  /** A table, view, sequence or index of that name exists. */
  relationNameTaken(name: string): boolean {
    return this.relations.has(name) || this.indexes.has(name);
  }

  /** The indexes of `table` that read `column`: as a key, in an expression, the predicate or INCLUDE. */
  indexesUsing(table: string, column: string): IndexInfo[] {
    return this.indexesOf(table).filter((i) => i.columns.includes(column) || !!i.uses?.includes(column));
  }

  indexesOf(table: string): IndexInfo[] {
    const rel = this.relation(table);
    if (!rel) return [];
    return [...rel.indexes].map((n) => this.indexes.get(n)).filter((i): i is IndexInfo => !!i);
  }

  /** The columns a foreign key references: as written, else the referenced table's primary key. */
  referencedColumns(fk: ConstraintInfo): string[] {
    if (fk.referencedColumns?.length) return fk.referencedColumns;
    const pk = [...(this.relation(fk.references)?.constraints.values() ?? [])].find((c) => c.type === 'primary');
    return pk?.columns ?? [];
  }

  /** Tables whose foreign keys point at `table`, once per such key, in the catalog's order. */
  referencing(table: string): string[] {
    if (!this.referrers) {
      this.referrers = new NameIndex();
      for (const [key, rel] of this.relations) for (const c of rel.constraints.values()) this.noteReferrer(key, c);
      this.referrers.built();
    }
    const holders = [...this.referrers.holders(table)].map((key) => this.relations.get(key));
    const out: string[] = [];
    for (const rel of holders.filter((r): r is RelationInfo => !!r).sort((a, b) => (a.order ?? 0) - (b.order ?? 0))) {
      for (const c of rel.constraints.values()) if (c.type === 'foreign' && c.references === table) out.push(rel.name);
    }
    return out;
  }

  private noteReferrer(holder: string, con: ConstraintInfo): void {
    if (con.type === 'foreign' && con.references !== undefined) this.referrers?.add(con.references, holder);
  }

  private newRelation(name: string, kind: RelationKind, schema?: string): RelationInfo {
    const rel: RelationInfo = {
      name,
      ...(schema ? { schema } : {}),
      kind,
      columns: new Map(),
      constraints: new Map(),
      indexes: new Set(),
      partitions: new Set(),
      sources: [],
      unlogged: false,
      createdInFile: this.inFile,
      createdAt: this.inFile ? this.currentStatement : undefined,
      createdBy: this.inFile ? undefined : this.migration,
      order: ++insertions,
    };
    this.owned.add(rel);
    this.relations.set(name, rel);
    return rel;
  }

  private addIndex(info: Omit<IndexInfo, 'createdInFile'>): void {
    const index: IndexInfo = { ...info, createdInFile: this.inFile };
    this.owned.add(index);
    this.indexes.set(info.name, index);
    this.own(info.table)?.indexes.add(info.name);
  }

  /** A serial or identity column's sequence: created with it (in its schema), dropped with it. */
  private ownSequence(rel: RelationInfo, column: ColumnInfo): void {
    column.sequence = qualify(rel.schema, `${this.localName(rel.name)}_${column.name}_seq`);
    if (!this.relations.has(column.sequence)) this.newRelation(column.sequence, 'sequence', rel.schema);
  }

  /** A renamed sequence stays owned by its column (renaming a table or column keeps its sequence's name). */
  private renameOwnedSequence(from: string, to: string): void {
    for (const [name, shared] of this.relations) {
      // Runs for every sequence renamed or moved: no array per relation.
      if (!ownsSequence(shared, from)) continue;
      for (const c of this.own(name, true)!.columns.values()) if (c.sequence === from) c.sequence = to;
    }
  }

  /** Drops the sequence a column owns (with its column or table). */
  private dropOwnedSequence(column: ColumnInfo | undefined): void {
    if (column?.sequence && this.relations.get(column.sequence)?.kind === 'sequence') this.relations.delete(column.sequence);
  }

  private dropRelation(name: string): void {
    const rel = this.relations.get(name);
    if (!rel) return;
    for (const column of rel.columns.values()) this.dropOwnedSequence(column);
    for (const idx of rel.indexes) this.indexes.delete(idx);
    if (rel.partitionOf) this.own(rel.partitionOf)?.partitions.delete(name);
    this.relations.delete(name);
  }

  /** Applies a statement's effect on the schema. Unknown statements change nothing. */
  apply(node: Node | undefined, statementIndex = -1): void {
    this.currentStatement = statementIndex;
    const kind = nodeKind(node);
    switch (kind) {
      case 'CreateStmt':
        return this.createTable(as(node, 'CreateStmt')!);
      case 'IndexStmt':
        return this.createIndex(as(node, 'IndexStmt')!);
      case 'AlterTableStmt':
        return this.alterTable(as(node, 'AlterTableStmt')!);
      case 'RenameStmt':
        return this.rename(as(node, 'RenameStmt')!);
      case 'DropStmt':
        return this.drop(as(node, 'DropStmt')!);
      case 'ViewStmt':
        return this.createView(as(node, 'ViewStmt')!);
      case 'CreateTableAsStmt':
        return this.createTableAs(as(node, 'CreateTableAsStmt')!);
      case 'InsertStmt':
      case 'CopyStmt':
      case 'MergeStmt':
        return this.addRows(node!);
      case 'CreateSeqStmt':
        return this.createSequence(as(node, 'CreateSeqStmt')!);
      case 'CreateStatsStmt':
        return this.createStatistics(as(node, 'CreateStatsStmt')!);
      case 'CreateFunctionStmt': {
        const fn = functionInfo(as(node, 'CreateFunctionStmt')!);
        if (fn) this.functions.set(fn.name, fn);
        return;
      }
      case 'CreateTrigStmt': {
        const stmt = as(node, 'CreateTrigStmt')!;
        const trigger = triggerInfo(stmt);
        if (trigger) this.setTriggers(this.key(stmt.relation), (ts) => [...ts.filter((t) => t.name !== trigger.name), trigger]);
        return;
      }
      case 'VariableSetStmt':
      case 'SelectStmt':
        return this.setSearchPath(node);
      case 'TransactionStmt':
        return this.endSearchPath(as(node, 'TransactionStmt')!);
      case 'AlterObjectSchemaStmt':
        return this.setSchema(as(node, 'AlterObjectSchemaStmt')!);
      case 'CreateEnumStmt': {
        const e = as(node, 'CreateEnumStmt')!;
        this.enums.add(nameList(e.typeName).join('.'));
        return;
      }
      default:
        return;
    }
  }

  private createView(v: T.ViewStmt): void {
    const name = this.newKey(v.view) ?? '';
    const view = !this.relations.has(name)
      ? this.newRelation(name, 'view', this.newSchema(v.view!))
      : // CREATE OR REPLACE VIEW: the new query decides what the view reads (what a later DROP ... CASCADE drops).
        v.replace && this.relations.get(name)?.kind === 'view'
        ? this.own(name)
        : undefined;
    if (view) Object.assign(view, { sources: this.sourceTables(v.query), columnsRead: columnsRead(v.query) });
  }

  private createTableAs(c: T.CreateTableAsStmt): void {
    const name = this.newKey(c.into?.rel);
    const kindOf: RelationKind = c.objtype === 'OBJECT_MATVIEW' ? 'matview' : 'table';
    if (!name || this.relations.has(name)) return;
    const rel = this.newRelation(name, kindOf, this.newSchema(c.into!.rel!));
    if (c.into?.rel?.relpersistence === 't') rel.temporary = true;
    rel.sources = this.sourceTables(c.query);
    if (kindOf === 'matview') rel.columnsRead = columnsRead(c.query);
    if (!c.into?.skipData) rel.rows = 'unknown';
  }

  /** The relations a query reads (for views and materialized views), by key; a CTE's name is not one. */
  sourceTables(query: Node | undefined): string[] {
    const out: string[] = [];
    const { ctes, rangeVars } = queryReads(query);
    for (const rv of rangeVars) {
      if (!rv.schemaname && ctes.has(rv.relname)) continue;
      const key = this.key(rv);
      if (key && !out.includes(key)) out.push(key);
    }
    return out;
  }

  /** SET [LOCAL] search_path, RESET, set_config('search_path', ...). SET LOCAL lasts until the transaction ends. */
  private setSearchPath(node: Node | undefined): void {
    const change = searchPathChange(node);
    if (!change) return;
    const path = change.path ?? DEFAULT_SEARCH_PATH;
    if (change.local) this.localSearchPath = path;
    else {
      this.searchPath = path;
      this.localSearchPath = undefined;
    }
  }

  /** BEGIN remembers the session's search_path; COMMIT ends SET LOCAL, ROLLBACK undoes SET too. */
  private endSearchPath(tx: T.TransactionStmt): void {
    if (tx.kind === 'TRANS_STMT_BEGIN' || tx.kind === 'TRANS_STMT_START') this.searchPathAtBegin = this.searchPath;
    if (tx.kind !== 'TRANS_STMT_COMMIT' && tx.kind !== 'TRANS_STMT_ROLLBACK') return;
    if (tx.kind === 'TRANS_STMT_ROLLBACK' && this.searchPathAtBegin) this.searchPath = this.searchPathAtBegin;
    this.localSearchPath = this.searchPathAtBegin = undefined;
  }

  /**
   * ALTER TABLE / VIEW / SEQUENCE ... SET SCHEMA: the relation moves with its indexes and owned
   * sequences, keeping their names.
   */
  private setSchema(stmt: T.AlterObjectSchemaStmt): void {
    const from = this.key(stmt.relation);
    const rel = this.relation(from);
    if (!rel || !stmt.newschema || rel.kind === 'index') return;
    const schema = stmt.newschema === 'public' ? undefined : stmt.newschema;
    const moved = (key: string) => qualify(schema, this.localName(key));
    const sequences = [...rel.columns.values()].map((c) => c.sequence).filter((q): q is string => !!q && this.relations.has(q));
    const indexes = [...rel.indexes].map((i) => [i, moved(i)]);
    for (const seq of sequences) this.moveRelation(seq, moved(seq), schema);
    this.moveRelation(from!, moved(from!), schema);
    for (const [key, to] of indexes) this.moveIndexKey(key, to);
  }

  /** Rows written into a table: it is no longer empty (literal VALUES rows keep it small). */
  private addRows(node: Node): void {
    const insert = as(node, 'InsertStmt');
    const copy = as(node, 'CopyStmt');
    if (copy && !copy.is_from) return;
    const target = this.key((insert ?? copy ?? as(node, 'MergeStmt'))?.relation);
    const rel = this.relation(target);
    if (!rel || rel.rows === 'unknown') return;
    const values = !!insert && !!as(insert.selectStmt, 'SelectStmt')?.valuesLists?.length;
    this.own(target)!.rows = values ? 'values' : 'unknown';
  }

  private createTable(stmt: T.CreateStmt): void {
    const name = this.newKey(stmt.relation) ?? '';
    if (!name || (this.relations.has(name) && stmt.if_not_exists)) return;
    this.dropRelation(name);
    const rel = this.newRelation(name, stmt.partspec ? 'partitioned' : 'table', this.newSchema(stmt.relation!));
    if (stmt.partspec) {
      const elems = (stmt.partspec.partParams ?? []).map((p) => as(p, 'PartitionElem'));
      rel.partitionKey = [...new Set(elems.flatMap((e) => (e?.name ? [e.name] : columnRefs(e?.expr))))];
    }
    rel.unlogged = stmt.relation?.relpersistence === 'u';
    if (stmt.relation?.relpersistence === 't') rel.temporary = true;
    const parent = this.key(asRangeVar(stmt.inhRelations?.[0]));
    if (stmt.partbound && parent) {
      rel.partitionOf = parent;
      rel.isDefaultPartition = !!stmt.partbound.is_default;
      const parentRel = this.own(parent);
      parentRel?.partitions.add(name);
      // A partition inherits its parent's columns and gets copies of its indexes.
      if (parentRel) {
        for (const [k, c] of parentRel.columns) rel.columns.set(k, { ...c });
        for (const idx of this.indexesOf(parent)) {
          this.addIndex({ ...idx, name: qualify(rel.schema, defaultIndexName(this.localName(name), idx.columns, 'idx')), table: name });
        }
      }
    }
    for (const elt of stmt.tableElts ?? []) {
      const col = asColumnDef(elt);
      if (col?.colname) {
        this.addColumn(rel, col);
        continue;
      }
      const con = asConstraint(elt);
      if (con) this.addConstraint(rel, con, []);
    }
  }

  addColumn(rel: RelationInfo, col: T.ColumnDef): void {
    const name = col.colname ?? '';
    const type = typeToString(col.typeName);
    // serial is integer plus a sequence default: the column's type is the integer.
    const info: ColumnInfo = { name, type: SERIAL_TYPES[type] ?? type, notNull: !!col.is_not_null };
    rel.columns.set(name, info);
    if (/^(big|small)?serial[248]?$/.test(type) || type === 'serial4' || type === 'serial8' || type === 'serial2') {
      info.notNull = true;
      this.ownSequence(rel, info);
    }
    for (const c of col.constraints ?? []) {
      const con = asConstraint(c);
      if (!con) continue;
      if (con.contype === 'CONSTR_IDENTITY') this.ownSequence(rel, info);
      if (con.contype === 'CONSTR_NOTNULL' || con.contype === 'CONSTR_PRIMARY' || con.contype === 'CONSTR_IDENTITY') info.notNull = true;
      if (con.contype === 'CONSTR_NULL') info.notNull = false;
      const indexBacked = con.contype === 'CONSTR_PRIMARY' || con.contype === 'CONSTR_UNIQUE' || con.contype === 'CONSTR_EXCLUSION';
      if (indexBacked && this.unknownTables.get(rel.name) === rel) continue;
      this.addConstraint(rel, con, [name]);
    }
  }

  /** Adds a table constraint; `columns` are given for column constraints. */
  addConstraint(rel: RelationInfo, con: T.Constraint, columns: string[]): ConstraintInfo | undefined {
    // Object literals in the order the spreads of `base` gave (no spread per constraint: this runs for every column of every table).
    const validated = !con.skip_validation;
    const createdInFile = this.inFile;
    const addedAt = this.inFile ? this.currentStatement : undefined;
    let info: ConstraintInfo;
    switch (con.contype) {
      case 'CONSTR_CHECK': {
        const name =
          con.conname ?? chooseName(this.localName(rel.name), checkNameColumns(con.raw_expr), 'check', (n) => this.constraintNameTaken(n, rel.schema));
        const cols = columns.length ? columns : columnRefs(con.raw_expr);
        info = { validated, createdInFile, addedAt, name, type: 'check', columns: cols, notNullColumn: isNotNullCheck(con.raw_expr) };
        break;
      }
      case 'CONSTR_FOREIGN': {
        const fkCols = columns.length ? columns : nameList(con.fk_attrs);
        const name = con.conname ?? chooseName(this.localName(rel.name), fkCols, 'fkey', (n) => this.constraintNameTaken(n, rel.schema));
        const references = this.key(con.pktable);
        const referencedColumns = nameList(con.pk_attrs);
        const onDelete = con.fk_del_action ?? 'a';
        const onUpdate = con.fk_upd_action ?? 'a';
        info = { validated, createdInFile, addedAt, name, type: 'foreign', columns: fkCols, references, referencedColumns, onDelete, onUpdate };
        break;
      }
      case 'CONSTR_PRIMARY':
      case 'CONSTR_UNIQUE': {
        const key = con.indexname ? this.keyUsingIndex(rel, con, qualify(rel.schema, con.indexname)) : this.keyConstraint(rel, con, columns);
        // The defaults in a literal of their own: what the key constraint sets itself (validated, createdInFile) wins.
        info = { ...{ validated, createdInFile, addedAt }, ...key };
        break;
      }
      case 'CONSTR_EXCLUSION':
        info = { ...{ validated, createdInFile, addedAt }, ...this.exclusionConstraint(rel, con) };
        break;
      default:
        return undefined;
    }
    rel.constraints.set(info.name, info);
    this.noteConstraint(rel.name, info.name);
    return info;
  }

  /**
   * The name PostgreSQL gives an index-backed constraint (ChooseRelationName with `isconstraint`):
   * unused by any relation and any constraint, `_key1`, `_key2`, ... when `_key` is taken.
   */
  private indexBackedName(rel: RelationInfo, columns: string[], label: string): string {
    return chooseName(
      this.localName(rel.name),
      columns,
      label,
      (n) => this.relationNameTaken(qualify(rel.schema, n)) || this.constraintNameTaken(n, rel.schema),
    );
  }

  /** PRIMARY KEY / UNIQUE: a new unique index of the constraint's name (INCLUDE columns name it too). */
  private keyConstraint(rel: RelationInfo, con: T.Constraint, columns: string[]): ConstraintInfo {
    const primary = con.contype === 'CONSTR_PRIMARY';
    const cols = columns.length ? columns : nameList(con.keys);
    const including = nameList(con.including);
    const name = con.conname ?? this.indexBackedName(rel, primary ? [] : [...cols, ...including], primary ? 'pkey' : 'key');
    const index = qualify(rel.schema, name);
    this.addIndex({ name: index, table: rel.name, unique: true, columns: cols, uses: including, partial: false });
    if (primary) this.setNotNull(rel, cols);
    return { name, type: primary ? 'primary' : 'unique', validated: true, columns: cols, index, createdInFile: this.inFile };
  }

  /** ADD PRIMARY KEY / UNIQUE USING INDEX: the constraint takes the index; a constraint name renames the index. */
  private keyUsingIndex(rel: RelationInfo, con: T.Constraint, indexKey: string): ConstraintInfo {
    const primary = con.contype === 'CONSTR_PRIMARY';
    const existing = this.indexes.get(indexKey);
    const name = con.conname ?? con.indexname!;
    const index = qualify(rel.schema, name);
    if (existing && index !== indexKey) this.renameIndex(indexKey, name);
    const owned = this.ownIndex(index);
    if (owned) owned.unique = true;
    const cols = existing?.columns ?? nameList(con.keys);
    if (primary) this.setNotNull(rel, cols);
    return { name, type: primary ? 'primary' : 'unique', validated: true, columns: cols, index, createdInFile: this.inFile };
  }

  /** EXCLUDE: an index named after its columns (`<table>_<cols>_excl`, `expr` for an expression). */
  private exclusionConstraint(rel: RelationInfo, con: T.Constraint): ConstraintInfo {
    // exclusions: [IndexElem, operator name list] pairs.
    const elems = (con.exclusions ?? []).map((pair) => asIndexElem(as(pair, 'List')?.items?.[0]));
    const cols = elems.map((e) => e?.name ?? '').filter((c) => c);
    const uses = [...elems.flatMap((e) => columnRefs(e?.expr)), ...columnRefs(con.where_clause), ...nameList(con.including)];
    const name = con.conname ?? this.indexBackedName(rel, indexColumnNames(elems), 'excl');
    const index = qualify(rel.schema, name);
    this.addIndex({ name: index, table: rel.name, unique: false, columns: cols, uses, partial: !!con.where_clause });
    return { name, type: 'exclusion', validated: true, columns: [...new Set([...cols, ...uses])], index, createdInFile: this.inFile };
  }

  private setNotNull(rel: RelationInfo, columns: string[]): void {
    for (const c of columns) {
      const col = rel.columns.get(c);
      if (col) col.notNull = true;
    }
  }

  private createIndex(stmt: T.IndexStmt): void {
    const table = this.key(stmt.relation) ?? '';
    // The index lives in its table's schema; its default name starts with the table's name as written.
    const schema = this.relation(table)?.schema ?? (stmt.relation ? this.newSchema(stmt.relation) : undefined);
    const elems = (stmt.indexParams ?? []).map(asIndexElem);
    const including = (stmt.indexIncludingParams ?? []).map(asIndexElem);
    const columns = elems.map((e) => e?.name ?? '').filter((c) => c);
    const taken = (n: string) => this.relationNameTaken(qualify(schema, n));
    if (stmt.idxname && taken(stmt.idxname) && stmt.if_not_exists) return;
    const name = qualify(schema, stmt.idxname ?? chooseName(stmt.relation?.relname ?? '', indexColumnNames([...elems, ...including]), 'idx', taken));
    // What else the index reads: dropping any of these columns drops it, changing its type rebuilds it.
    const uses = [...elems.flatMap((e) => columnRefs(e?.expr)), ...columnRefs(stmt.whereClause), ...including.map((e) => e?.name ?? '')];
    const info = { name, table, unique: !!stmt.unique, columns, uses: [...new Set(uses)].filter((c) => c), partial: !!stmt.whereClause };
    this.addIndex(info);
    // An index on a partitioned table (not ON ONLY) creates one on every partition (measured: DETACH locks them).
    for (const part of stmt.relation?.inh ? (this.relation(table)?.partitions ?? []) : []) this.addPartitionIndex(part, info);
  }

  /** The partition's copy of a parent index, named as PostgreSQL names it, unless one on the same columns exists. */
  private addPartitionIndex(partition: string, parentIndex: Omit<IndexInfo, 'createdInFile'>): void {
    const cols = parentIndex.columns;
    const same = this.indexesOf(partition).some((i) => i.columns.join(',') === cols.join(','));
    const rel = this.relation(partition);
    if (same || !rel) return;
    const name = qualify(rel.schema, defaultIndexName(this.localName(partition), cols.length ? cols : ['expr'], 'idx'));
    this.addIndex({ ...parentIndex, name, table: partition });
  }

  private alterTable(stmt: T.AlterTableStmt): void {
    const name = this.key(stmt.relation) ?? '';
    const rel = stmt.cmds?.length ? this.own(name) : this.relation(name);
    for (const c of stmt.cmds ?? []) {
      const cmd = asAlterTableCmd(c);
      if (!cmd) continue;
      if (rel) this.alterTableCmd(rel, cmd);
      else if (name && stmt.objtype === 'OBJECT_TABLE' && recordedOnUnknown(cmd))
        this.alterTableCmd(this.unknownTable(name, this.newSchema(stmt.relation!)), cmd);
    }
  }

  /**
   * DROP COLUMN: PostgreSQL drops with it every index and constraint that uses it (expression and
   * partial indexes, multi-column keys, the foreign keys it carries) and, with CASCADE, the foreign
   * keys of other tables that reference it (measured).
   */
  private dropColumn(rel: RelationInfo, column: string, cascade = false): void {
    if (cascade) for (const view of columnDependentViews(this, rel.name, column)) this.dropRelation(view);
    // First the foreign keys referencing it: an implicit reference reads the primary key dropped below.
    for (const other of this.referencing(rel.name)) {
      const referencing = this.own(other, true)!;
      for (const fk of [...referencing.constraints.values()]) {
        if (fk.type === 'foreign' && fk.references === rel.name && this.referencedColumns(fk).includes(column)) referencing.constraints.delete(fk.name);
      }
    }
    this.dropOwnedSequence(rel.columns.get(column));
    rel.columns.delete(column);
    for (const con of [...rel.constraints.values()]) if (con.columns.includes(column)) this.dropConstraint(rel, con.name);
    for (const idx of this.indexesUsing(rel.name, column)) this.dropIndex(idx.name);
  }

  /** Drops a constraint and the index that enforces it. */
  private dropConstraint(rel: RelationInfo, name: string): void {
    const con = rel.constraints.get(name);
    if (con?.index) this.dropIndex(con.index);
    rel.constraints.delete(name);
  }

  private dropIndex(name: string): void {
    const idx = this.indexes.get(name);
    if (!idx) return;
    this.own(idx.table)?.indexes.delete(name);
    this.indexes.delete(name);
  }

  private unknownTable(name: string, schema: string | undefined): RelationInfo {
    let rel = this.unknownTables.get(name);
    if (!rel) {
      rel = {
        name,
        ...(schema ? { schema } : {}),
        kind: 'table',
        columns: new Map(),
        constraints: new Map(),
        indexes: new Set(),
        partitions: new Set(),
        sources: [],
        unlogged: false,
        createdInFile: false,
      };
      this.unknownTables.set(name, rel);
    }
    return rel;
  }

  private alterTableCmd(rel: RelationInfo, cmd: T.AlterTableCmd): void {
    if (cmd.subtype) Catalog.ALTER_TABLE[cmd.subtype]?.(this, rel, cmd);
  }

  /**
   * What each ALTER TABLE sub-command changes in the catalog (the lock each takes is
   * locks/alterTable.ts's); sub-commands not listed change nothing the catalog records.
   */
  private static readonly ALTER_TABLE: Partial<Record<T.AlterTableType, (c: Catalog, rel: RelationInfo, cmd: T.AlterTableCmd) => void>> = {
    AT_AddColumn: (c, rel, cmd) => {
      const col = asColumnDef(cmd.def);
      if (col && !(cmd.missing_ok && rel.columns.has(col.colname ?? ''))) c.addColumn(rel, col);
    },
    AT_DropColumn: (c, rel, cmd) => c.dropColumn(rel, cmd.name ?? '', cmd.behavior === 'DROP_CASCADE'),
    AT_AlterColumnType: (_c, rel, cmd) => {
      const column = rel.columns.get(cmd.name ?? '');
      const def = asColumnDef(cmd.def);
      if (column && def) column.type = typeToString(def.typeName);
    },
    AT_SetNotNull: (_c, rel, cmd) => setColumn(rel, cmd, { notNull: true }),
    AT_DropNotNull: (_c, rel, cmd) => setColumn(rel, cmd, { notNull: false }),
    AT_AddConstraint: (c, rel, cmd) => {
      const con = asConstraint(cmd.def);
      if (con) c.addConstraint(rel, con, []);
    },
    AT_ValidateConstraint: (_c, rel, cmd) => {
      const con = rel.constraints.get(cmd.name ?? '');
      if (con) con.validated = true;
    },
    AT_DropConstraint: (c, rel, cmd) => c.dropConstraint(rel, cmd.name ?? ''),
    // Disabled triggers do not fire (locks/triggers.ts); ALL includes the foreign keys' (locks/foreignKeys.ts).
    AT_DisableTrig: (_c, rel, cmd) => void (rel.triggers = switchTriggers(rel.triggers, false, (t) => t.name === cmd.name)),
    AT_EnableReplicaTrig: (_c, rel, cmd) => void (rel.triggers = switchTriggers(rel.triggers, false, (t) => t.name === cmd.name)),
    AT_EnableTrig: (_c, rel, cmd) => void (rel.triggers = switchTriggers(rel.triggers, true, (t) => t.name === cmd.name)),
    AT_EnableAlwaysTrig: (_c, rel, cmd) => void (rel.triggers = switchTriggers(rel.triggers, true, (t) => t.name === cmd.name)),
    AT_DisableTrigUser: (_c, rel) => void (rel.triggers = switchTriggers(rel.triggers, false, () => true)),
    AT_EnableTrigUser: (_c, rel) => void (rel.triggers = switchTriggers(rel.triggers, true, () => true)),
    AT_DisableTrigAll: (_c, rel) => {
      rel.triggers = switchTriggers(rel.triggers, false, () => true);
      rel.foreignKeyTriggersOff = true;
    },
    AT_EnableTrigAll: (_c, rel) => {
      rel.triggers = switchTriggers(rel.triggers, true, () => true);
      delete rel.foreignKeyTriggersOff;
    },
    AT_SetLogged: (_c, rel) => void (rel.unlogged = false),
    AT_SetUnLogged: (_c, rel) => void (rel.unlogged = true),
    AT_AttachPartition: (c, rel, cmd) => c.attachPartition(rel, as(cmd.def, 'PartitionCmd')),
    AT_DetachPartition: (c, rel, cmd) => {
      const part = c.own(c.key(as(cmd.def, 'PartitionCmd')?.name));
      if (!part) return;
      part.partitionOf = undefined;
      rel.partitions.delete(part.name);
    },
  };

  /** ATTACH PARTITION: the partition gets a copy of each of the parent's indexes it lacks. */
  private attachPartition(rel: RelationInfo, def: T.PartitionCmd | undefined): void {
    const part = this.own(this.key(def?.name));
    if (!part) return;
    part.partitionOf = rel.name;
    part.isDefaultPartition = !!def?.bound?.is_default;
    rel.partitions.add(part.name);
    for (const idx of this.indexesOf(rel.name)) this.addPartitionIndex(part.name, idx);
  }

  /** A table, view or sequence renamed: its indexes, constraints, owned sequences, and what refers to it follow. */
  private renameRelation(target: string, newName: string): void {
    const rel = this.own(target, true);
    if (!rel) return;
    this.relations.delete(target);
    rel.name = newName;
    rel.order = ++insertions;
    this.relations.set(newName, rel);
    for (const c of rel.constraints.keys()) this.noteConstraint(newName, c);
    if (rel.kind === 'sequence') this.renameOwnedSequence(target, newName);
    for (const idx of [...rel.indexes]) {
      const owned = this.ownIndex(idx);
      if (owned) owned.table = newName;
    }
    // What refers to it: tables with foreign keys to it (itself too), its partitions.
    for (const otherName of new Set([newName, ...this.referencing(target), ...rel.partitions])) {
      const other = this.own(otherName, true);
      if (!other) continue;
      for (const c of other.constraints.values()) {
        if (c.references !== target) continue;
        c.references = newName;
        this.noteReferrer(otherName, c);
      }
      if (other.partitionOf === target) other.partitionOf = newName;
    }
  }

  /**
   * A renamed column keeps its constraints, indexes and the foreign keys that reference it, under
   * the new name (kratos renames a foreign-key column, then changes its type: that still reaches
   * the referenced table).
   */
  private renameColumnUses(rel: RelationInfo, from: string, to: string): void {
    const renamed = (columns: string[]) => columns.map((c) => (c === from ? to : c));
    for (const con of rel.constraints.values()) {
      con.columns = renamed(con.columns);
      if (con.notNullColumn === from) con.notNullColumn = to;
    }
    for (const idx of [...rel.indexes]) {
      const shared = this.indexes.get(idx);
      const owned = shared?.columns.includes(from) || shared?.uses?.includes(from) ? this.ownIndex(idx) : undefined;
      if (owned) {
        owned.columns = renamed(owned.columns);
        if (owned.uses) owned.uses = renamed(owned.uses);
      }
    }
    for (const other of this.referencing(rel.name)) {
      for (const con of this.own(other, true)!.constraints.values())
        if (con.type === 'foreign' && con.references === rel.name && con.referencedColumns) con.referencedColumns = renamed(con.referencedColumns);
    }
  }

  /** ALTER INDEX ... RENAME: the constraint the index enforces is renamed with it (measured). */
  private renameIndex(target: string, newName: string): void {
    const table = this.relation(this.indexes.get(target)?.table);
    const con = [...(table?.constraints.values() ?? [])].find((c) => c.index === target);
    this.moveIndexKey(target, qualify(table?.schema, newName));
    if (con) this.moveConstraint(this.own(table!.name)!, con.name, newName);
  }

  /** An index under a new key (renamed, or moved with its table to another schema); its constraint follows. */
  private moveIndexKey(from: string, to: string): void {
    const idx = this.ownIndex(from);
    if (!idx) return;
    this.indexes.delete(from);
    idx.name = to;
    this.indexes.set(to, idx);
    const rel = this.own(idx.table);
    if (!rel) return;
    rel.indexes.delete(from);
    rel.indexes.add(to);
    for (const con of rel.constraints.values()) if (con.index === from) con.index = to;
  }

  /** A relation under a new key in `schema` (SET SCHEMA). */
  private moveRelation(from: string, to: string, schema: string | undefined): void {
    this.renameRelation(from, to);
    const rel = this.own(to, true);
    if (!rel) return;
    if (schema) rel.schema = schema;
    else delete rel.schema;
  }

  /** RENAME CONSTRAINT: the index of a primary key, unique or exclusion constraint is renamed with it (measured). */
  private renameConstraint(table: string, from: string, to: string): void {
    const rel = this.own(table, true);
    const con = rel?.constraints.get(from);
    if (!rel || !con) return;
    if (con.index && this.indexes.has(con.index)) return this.renameIndex(con.index, to);
    this.moveConstraint(rel, from, to);
  }

  private moveConstraint(rel: RelationInfo, from: string, to: string): void {
    const con = rel.constraints.get(from);
    if (!con) return;
    rel.constraints.delete(from);
    con.name = to;
    rel.constraints.set(to, con);
    this.noteConstraint(rel.name, to);
  }

  private rename(stmt: T.RenameStmt): void {
    const target = this.key(stmt.relation) ?? '';
    const newName = stmt.newname ?? '';
    switch (stmt.renameType) {
      case 'OBJECT_TABLE':
      case 'OBJECT_VIEW':
      case 'OBJECT_MATVIEW':
      case 'OBJECT_SEQUENCE':
        return this.renameRelation(target, qualify(this.relation(target)?.schema, newName));
      case 'OBJECT_INDEX':
        return this.renameIndex(target, newName);
      case 'OBJECT_COLUMN': {
        const rel = this.own(target, true);
        const col = rel?.columns.get(stmt.subname ?? '');
        if (!rel || !col) return;
        rel.columns.delete(col.name);
        col.name = newName;
        rel.columns.set(newName, col);
        this.renameColumnUses(rel, stmt.subname ?? '', newName);
        return;
      }
      case 'OBJECT_TABCONSTRAINT':
        return this.renameConstraint(target, stmt.subname ?? '', newName);
      case 'OBJECT_TRIGGER':
        return this.setTriggers(target, (ts) => ts.map((t) => (t.name === stmt.subname ? { ...t, name: newName } : t)));
      case 'OBJECT_FUNCTION':
        return this.renameFunction(nameList(as(stmt.object, 'ObjectWithArgs')?.objname).pop() ?? '', newName);
      default:
        return;
    }
  }

  private createSequence(stmt: T.CreateSeqStmt): void {
    const name = this.newKey(stmt.sequence);
    if (name && !this.relations.has(name)) this.newRelation(name, 'sequence', this.newSchema(stmt.sequence!));
  }

  private createStatistics(stmt: T.CreateStatsStmt): void {
    const [name, table] = [this.keyOf(nameList(stmt.defnames)), this.key(asRangeVar(stmt.relations?.[0]))];
    if (name && table) this.statistics.set(name, table);
  }

  private drop(stmt: T.DropStmt): void {
    if (stmt.removeType === 'OBJECT_SCHEMA') return this.dropSchemas(stmt.objects ?? []);
    if (stmt.behavior === 'DROP_CASCADE') this.dropDependents(stmt);
    if (stmt.removeType === 'OBJECT_STATISTIC_EXT') {
      for (const obj of stmt.objects ?? []) this.statistics.delete(this.keyOf(nameList(as(obj, 'List')?.items)) ?? '');
      return;
    }
    if (stmt.removeType === 'OBJECT_FUNCTION') return this.dropFunctions(droppedFunctions(stmt), stmt.behavior === 'DROP_CASCADE');
    if (stmt.removeType === 'OBJECT_TRIGGER') {
      for (const obj of stmt.objects ?? []) {
        const names = nameList(as(obj, 'List')?.items);
        this.setTriggers(this.keyOf(names.slice(0, -1)), (ts) => ts.filter((t) => t.name !== names[names.length - 1]));
      }
      return;
    }
    for (const obj of stmt.objects ?? []) {
      const name = this.keyOf(nameList(as(obj, 'List')?.items));
      if (!name) continue;
      if (stmt.removeType === 'OBJECT_INDEX') {
        this.dropIndex(name);
      } else if (['OBJECT_TABLE', 'OBJECT_VIEW', 'OBJECT_MATVIEW', 'OBJECT_SEQUENCE', 'OBJECT_FOREIGN_TABLE'].includes(stmt.removeType ?? '')) {
        this.dropRelation(name);
      }
    }
  }

  /** Replaces the triggers of a table the catalog knows. */
  private setTriggers(table: string | undefined, change: (triggers: TriggerInfo[]) => TriggerInfo[]): void {
    const rel = this.own(table);
    if (rel) rel.triggers = change(rel.triggers ?? []);
  }

  /** DROP FUNCTION; with CASCADE the triggers that execute one go too (measured: their tables are locked). */
  private dropFunctions(names: string[], cascade: boolean): void {
    for (const name of names) this.functions.delete(name);
    if (!cascade) return;
    for (const table of tablesWithTriggersOn(this, names)) this.setTriggers(table, (ts) => ts.filter((t) => !names.includes(t.function)));
  }

  /** A renamed function keeps its triggers (they refer to it by oid). */
  private renameFunction(from: string, to: string): void {
    const fn = this.functions.get(from);
    if (!fn) return;
    this.functions.delete(from);
    this.functions.set(to, { ...fn, name: to });
    for (const table of tablesWithTriggersOn(this, [from])) this.setTriggers(table, (ts) => ts.map((t) => (t.function === from ? { ...t, function: to } : t)));
  }

  /** What DROP ... CASCADE drops besides the named relations: the views reading them, the foreign keys referencing them. */
  private dropDependents(stmt: T.DropStmt): void {
    if (!['OBJECT_TABLE', 'OBJECT_VIEW', 'OBJECT_MATVIEW', 'OBJECT_FOREIGN_TABLE'].includes(stmt.removeType ?? '')) return;
    const names = (stmt.objects ?? []).map((obj) => this.keyOf(nameList(as(obj, 'List')?.items)) ?? '').filter((n) => this.relations.has(n));
    for (const view of dependentViews(this, names)) this.dropRelation(view);
    for (const table of names) {
      for (const other of referencingTables(this, table)) {
        const rel = this.own(other)!;
        for (const con of [...rel.constraints.values()]) if (con.type === 'foreign' && con.references === table) rel.constraints.delete(con.name);
      }
    }
  }

  /** DROP SCHEMA: its relations go with it (it fails without CASCADE unless it is empty). */
  private dropSchemas(objects: Node[]): void {
    const schemas = new Set(objects.map((o) => asString(o)));
    for (const rel of [...this.relations.values()]) if (rel.schema && schemas.has(rel.schema)) this.dropRelation(rel.name);
  }
}

/**
 * A name → the relations that held something of that name (a constraint; a foreign key to that
 * table). Entries may be stale (users check the relation), never missing. Stale entries pile up in
 * an index shared across the clones of an editing session (each edit may note new names), so it
 * counts the pairs it gained since it was built: past as many again (plus slack for a file that
 * adds many), it is no longer shared (cloneForApply) and a clone builds a fresh one.
 */
class NameIndex {
  private readonly map = new Map<string, Set<string>>();
  private pairs = 0;
  private atBuild = 0;

  add(name: string, holder: string): void {
    let holders = this.map.get(name);
    if (!holders) this.map.set(name, (holders = new Set()));
    if (holders.has(holder)) return;
    holders.add(holder);
    this.pairs++;
  }

  holders(name: string): Iterable<string> {
    return this.map.get(name) ?? [];
  }

  /** Built from every relation of a catalog. */
  built(): void {
    this.atBuild = this.pairs;
  }

  get bounded(): boolean {
    return this.pairs <= 2 * this.atBuild + NAME_INDEX_SLACK;
  }
}

/** Pairs a name index may gain beyond its size when built before it is no longer shared. */
const NAME_INDEX_SLACK = 4096;

/** A map of copied records, without the arrays of entries `new Map([...m].map(...))` makes (own() copies every table a file changes). */
function copyRecords<V extends object>(records: Map<string, V>): Map<string, V> {
  const copy = new Map<string, V>();
  for (const [key, record] of records) copy.set(key, { ...record });
  return copy;
}

function ownsSequence(rel: RelationInfo, sequence: string): boolean {
  for (const c of rel.columns.values()) if (c.sequence === sequence) return true;
  return false;
}

/** `col IS NOT NULL` → 'col'. */
export function isNotNullCheck(expr: Node | undefined): string | undefined {
  const test = as(expr, 'NullTest');
  if (!test || test.nulltesttype !== 'IS_NOT_NULL') return undefined;
  return columnRefs(test.arg)[0];
}

const SERIAL_TYPES: Record<string, string> = { serial2: 'int2', serial4: 'int4', serial8: 'int8' };
