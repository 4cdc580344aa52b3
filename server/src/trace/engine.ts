/**
 * An embedded PostgreSQL (PGlite: PostgreSQL compiled to WASM, in-process, one connection) that
 * runs a statement and reports what it actually did: the locks its backend holds, which relations
 * got new storage (a rewrite), which were scanned. The method is the lock oracle's
 * (test/data/oracle/README.md):
 *  - locks: `pg_locks WHERE pid = pg_backend_pid()` with no join, read right after the statement
 *    inside its transaction (a join with pg_class would add the probe's own catalog locks);
 *    oids are mapped to names afterwards;
 *  - rewrites: `pg_relation_filenode()` before and after;
 *  - scans: `pg_stat_get_xact_numscans/tuples_returned(oid)` before and after (functions over oid
 *    literals take no relation lock, so they cannot mask one).
 * Statements that cannot run in a transaction block (CONCURRENTLY, VACUUM) run bare: their locks
 * are gone when they return, only their storage effects can be seen.
 * PGlite is loaded lazily so that `lockwise lint` never pays for it.
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { pathToFileURL } from 'url';
import type { PGlite } from '@electric-sql/pglite';
import { LockMode, lockRank, PG_LOCK_MODES, strongest } from '../core';

export type RelKind = 'table' | 'partitioned' | 'index' | 'partitioned index' | 'sequence' | 'view' | 'matview' | 'toast' | 'other';

export interface RelationRow {
  oid: number;
  name: string;
  kind: RelKind;
  /** Null for relations without storage (views, partitioned tables). */
  filenode: number | null;
  /** For indexes: the table (or toast table) they belong to. */
  indexOf: number | null;
  /** For toast tables: the table they belong to. */
  toastOf: number | null;
}

/** The user relations of the database (oid >= 16384, not temporary), by oid. */
export class Structure {
  readonly byOid: Map<number, RelationRow>;
  constructor(readonly rows: RelationRow[]) {
    this.byOid = new Map(rows.map((r) => [r.oid, r]));
  }

  byName(name: string): RelationRow | undefined {
    return this.rows.find((r) => r.name === name && r.kind !== 'toast');
  }

  /** The table a relation belongs to: itself, or the owner of an index / toast table / toast index. */
  baseOf(row: RelationRow): RelationRow {
    let r = row;
    for (let i = 0; i < 3; i++) {
      const owner = r.indexOf ?? r.toastOf;
      const next = owner === null ? undefined : this.byOid.get(owner);
      if (!next) break;
      r = next;
    }
    return r;
  }

  /** True for toast tables and their indexes. */
  isToast(row: RelationRow): boolean {
    if (row.kind === 'toast') return true;
    const owner = row.indexOf === null ? undefined : this.byOid.get(row.indexOf);
    return owner?.kind === 'toast';
  }
}

export interface TracedLock {
  relation: string;
  oid: number;
  kind: RelKind;
  /** Every mode held, weakest first. */
  modes: LockMode[];
  strongest: LockMode;
  /** Created by the statement (it did not exist before). */
  created: boolean;
  /** Gone after the statement (dropped, or a transient relation such as a rewrite's new heap). */
  dropped: boolean;
  toast: boolean;
  /** For indexes and toast: the table they belong to (name before the statement). */
  table?: string;
}

export interface ObjectLock {
  type: string;
  identity: string;
  modes: LockMode[];
}

export interface StorageChange {
  relation: string;
  kind: RelKind;
  /** `recreated`: dropped and built again under the same name (ALTER COLUMN TYPE rebuilds the column's indexes that way). */
  change: 'new relfilenode' | 'dropped' | 'recreated';
  table?: string;
  toast: boolean;
}

export interface ScanCount {
  relation: string;
  kind: RelKind;
  /** Sequential scans for tables, index scans for indexes. */
  scans: number;
  tuplesRead: number;
}

export interface EngineError {
  message: string;
  code?: string;
}

export type Observation = 'in-transaction' | 'storage-only' | 'none';

export interface StatementTrace {
  sql: string;
  /** How much could be seen: locks + storage + scans, storage only (ran outside a transaction), or nothing (failed). */
  observed: Observation;
  error?: EngineError;
  durationMs: number;
  locks: TracedLock[];
  objectLocks: ObjectLock[];
  storage: StorageChange[];
  scans: ScanCount[];
  /** The statement wrote something (it has a transaction id). */
  wrote: boolean;
}

const KINDS: Record<string, RelKind> = {
  r: 'table',
  p: 'partitioned',
  i: 'index',
  I: 'partitioned index',
  S: 'sequence',
  v: 'view',
  m: 'matview',
  t: 'toast',
};

/**
 * Relations are named by the catalog's key (core/model/searchPath.ts `qualify`): bare in public,
 * `schema.name` elsewhere. Catalogs qualified: a migration may put a table named pg_class first in search_path.
 */
const STRUCTURE_SQL = `SELECT c.oid::int AS oid, CASE WHEN n.nspname = 'public' THEN c.relname ELSE n.nspname || '.' || c.relname END AS name,
  c.relkind::text AS relkind,
  pg_relation_filenode(c.oid)::int AS filenode, i.indrelid::int AS index_of, t.oid::int AS toast_of
  FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
  LEFT JOIN pg_catalog.pg_index i ON i.indexrelid = c.oid LEFT JOIN pg_catalog.pg_class t ON t.reltoastrelid = c.oid AND c.relkind = 't'
  WHERE c.oid >= 16384 AND n.nspname NOT LIKE 'pg_temp%' AND n.nspname NOT LIKE 'pg_toast_temp%' ORDER BY c.oid`;

// No join here: see the header. PGlite before 0.4 reported pid NULL in pg_locks (single-user backend).
const LOCKS_SQL = `SELECT locktype, relation::int AS relation, classid::int AS classid, objid::int AS objid, objsubid::int AS objsubid,
  mode, granted FROM pg_catalog.pg_locks WHERE pid = pg_backend_pid() OR (pid IS NULL AND pg_backend_pid() = 0)`;

const oidArray = (oids: number[]) => `'{${oids.join(',')}}'::oid[]`;

const STATS_SQL = (oids: number[]) => `SELECT o::int AS oid, pg_stat_get_xact_numscans(o)::int AS scans,
  pg_stat_get_xact_tuples_returned(o)::int AS returned FROM unnest(${oidArray(oids)}) AS o`;

interface LockRow {
  locktype: string;
  relation: number | null;
  classid: number | null;
  objid: number | null;
  objsubid: number | null;
  mode: string;
  granted: boolean;
}

interface StructureRow {
  oid: number;
  name: string;
  relkind: string;
  filenode: number | null;
  index_of: number | null;
  toast_of: number | null;
}

interface StatsRow {
  oid: number;
  scans: number;
  returned: number;
}

/** Where the PGlite module is loaded from: the package, or the copy the build puts in dist/pglite/. */
let moduleSpecifier = '@electric-sql/pglite';
let moduleDir: string | undefined;

/** Loads PGlite from a folder holding its index.cjs, pglite.wasm, pglite.data and initdb.wasm. */
export function usePgliteFrom(dir: string): void {
  moduleDir = dir;
  moduleSpecifier = pathToFileURL(path.join(dir, 'index.cjs')).href;
}

type PgliteModule = typeof import('@electric-sql/pglite');
let modulePromise: Promise<PgliteModule> | undefined;

function loadPglite(): Promise<PgliteModule> {
  modulePromise ??= import(moduleSpecifier) as Promise<PgliteModule>;
  return modulePromise;
}

export interface CreateOptions {
  /** A data directory from `dump()`: loads in about a second instead of an 8-12 s initdb. */
  dataDir?: Blob;
  /**
   * Folder where the freshly initialised (empty) data directory is kept between runs, so only the
   * first run ever pays for initdb. `false` disables it. Default: $LOCKWISE_CACHE_DIR, else
   * $XDG_CACHE_HOME/lockwise or ~/.cache/lockwise.
   */
  cacheDir?: string | false;
}

export function defaultCacheDir(): string {
  if (process.env.LOCKWISE_CACHE_DIR) return process.env.LOCKWISE_CACHE_DIR;
  const base = process.env.XDG_CACHE_HOME || path.join(os.homedir(), '.cache');
  return path.join(base, 'lockwise');
}

/** Settings every trace runs with, so results do not depend on the host (as in the oracle). */
const SESSION_SETUP = "SET client_min_messages = warning; SET TimeZone = 'UTC'";

/**
 * What the tracer needs from a connection: PGlite, or a client of a real server (the replay suite
 * traces on one). One connection: pg_locks is read for its own backend.
 */
export interface SqlSession {
  exec(sql: string): Promise<unknown>;
  query<R>(sql: string): Promise<{ rows: R[] }>;
  close(): Promise<void>;
}

export class TraceEngine {
  /** Read scan counters before and after each statement (two more queries per statement). */
  measureScans = true;

  private constructor(
    private readonly db: SqlSession,
    readonly version: string,
    readonly major: number,
    private readonly pglite?: PGlite,
  ) {}

  static async create(options: CreateOptions = {}): Promise<TraceEngine> {
    const { PGlite: Pglite } = await loadPglite();
    const db = options.dataDir ? await Pglite.create({ loadDataDir: options.dataDir }) : await createFromCache(Pglite, options.cacheDir ?? defaultCacheDir());
    return TraceEngine.over(db, db);
  }

  /** A tracer over an open session (its settings are changed as every trace's are). */
  static async over(session: SqlSession, pglite?: PGlite): Promise<TraceEngine> {
    await session.exec(SESSION_SETUP);
    const row = (await session.query<{ v: string; n: number }>("SELECT version() AS v, current_setting('server_version_num')::int AS n")).rows[0];
    return new TraceEngine(session, row.v, Math.floor(Number(row.n) / 10000), pglite);
  }

  /**
   * Limits for the session. statement_timeout: a real server cancels a statement at that limit, but
   * PGlite runs in this process and never does, so the CLI also runs the trace in a process it can
   * kill (trace/bounded.ts). temp_file_limit: PGlite does enforce it, and a runaway recursive CTE
   * (whose rows spill to temporary files, held in memory by PGlite) fails at it instead of growing
   * the process by hundreds of megabytes. Both pinned in test/engine/traceBounds.engine.test.ts.
   */
  async setLimits(limits: { statementTimeoutMs?: number; tempFileLimitKb?: number }): Promise<void> {
    if (limits.statementTimeoutMs) await this.db.exec(`SET statement_timeout = ${Math.max(1, Math.round(limits.statementTimeoutMs))}`);
    if (limits.tempFileLimitKb) await this.db.exec(`SET temp_file_limit = ${Math.max(1, Math.round(limits.tempFileLimitKb))}`);
  }

  /** Runs SQL (one or more statements, simple query protocol). */
  async exec(sql: string): Promise<void> {
    await this.db.exec(sql);
  }

  async query<R>(sql: string): Promise<R[]> {
    return (await this.db.query<R>(sql)).rows;
  }

  /** The data directory, to start other engines from this state with `create({ dataDir })`. */
  async dump(): Promise<Blob> {
    if (!this.pglite) throw new Error('only an embedded engine can dump its data directory');
    return this.pglite.dumpDataDir('none');
  }

  async close(): Promise<void> {
    if (!this.pglite?.closed) await this.db.close();
  }

  async structure(): Promise<Structure> {
    const rows = await this.query<StructureRow>(STRUCTURE_SQL);
    return new Structure(
      rows.map((r) => ({
        oid: r.oid,
        name: r.name,
        kind: KINDS[r.relkind] ?? 'other',
        filenode: r.filenode,
        indexOf: r.index_of,
        toastOf: r.toast_of,
      })),
    );
  }

  /**
   * Runs `sql` inside the transaction that is open on the connection and reports the locks it
   * added (or strengthened), its storage changes and its scans. Locks already held from earlier
   * statements of the transaction are passed in `held` (relation oid → modes) and left out.
   */
  async traceInOpenTransaction(sql: string, held: Map<number, Set<LockMode>> = new Map()): Promise<StatementTrace & { held: Map<number, Set<LockMode>> }> {
    const before = await this.structure();
    const oids = before.rows.map((r) => r.oid);
    const statsBefore = oids.length && this.measureScans ? await this.query<StatsRow>(STATS_SQL(oids)) : [];
    const t0 = performance.now();
    try {
      await this.db.exec(sql);
    } catch (error) {
      return { ...emptyTrace(sql, 'none', performance.now() - t0, asEngineError(error)), held };
    }
    const durationMs = performance.now() - t0;
    const raw = await this.query<LockRow>(LOCKS_SQL);
    const statsAfter = oids.length && this.measureScans ? await this.query<StatsRow>(STATS_SQL(oids)) : [];
    const after = await this.structure();
    const nowHeld = heldModes(raw);
    const added = subtractHeld(nowHeld, held);
    return {
      sql,
      observed: 'in-transaction',
      durationMs,
      locks: describeLocks(added, before, after),
      objectLocks: await this.describeObjects(raw),
      storage: storageChanges(before, after),
      scans: scanDeltas(statsBefore, statsAfter, before),
      wrote: raw.some((l) => l.locktype === 'transactionid'),
      held: nowHeld,
    };
  }

  /** Relation locks (user relations) the open transaction holds now. */
  async heldLocks(): Promise<Map<number, Set<LockMode>>> {
    return heldModes(await this.query<LockRow>(LOCKS_SQL));
  }

  /** BEGIN, trace the statement, ROLLBACK: the database is unchanged afterwards. */
  async traceRolledBack(sql: string): Promise<StatementTrace> {
    await this.db.exec('BEGIN');
    try {
      const { held: _held, ...trace } = await this.traceInOpenTransaction(sql);
      return trace;
    } finally {
      await this.db.exec('ROLLBACK');
    }
  }

  /** BEGIN, trace the statement, COMMIT (ROLLBACK when it failed). */
  async traceCommitted(sql: string): Promise<StatementTrace> {
    await this.db.exec('BEGIN');
    let ok = false;
    try {
      const { held: _held, ...trace } = await this.traceInOpenTransaction(sql);
      ok = !trace.error;
      return trace;
    } finally {
      await this.db.exec(ok ? 'COMMIT' : 'ROLLBACK');
    }
  }

  /** For statements that cannot run in a transaction block: run bare, observe storage effects only. */
  async traceOutsideTransaction(sql: string): Promise<StatementTrace> {
    const before = await this.structure();
    const t0 = performance.now();
    try {
      await this.db.exec(sql);
    } catch (error) {
      return emptyTrace(sql, 'none', performance.now() - t0, asEngineError(error));
    }
    const durationMs = performance.now() - t0;
    const after = await this.structure();
    return { ...emptyTrace(sql, 'storage-only', durationMs), storage: storageChanges(before, after) };
  }

  private async describeObjects(raw: LockRow[]): Promise<ObjectLock[]> {
    const byKey = new Map<string, { classid: number; objid: number; objsubid: number; modes: LockMode[] }>();
    for (const l of raw) {
      if (l.locktype !== 'object' || l.classid === null || l.objid === null) continue;
      const key = `${l.classid}:${l.objid}:${l.objsubid ?? 0}`;
      const entry = byKey.get(key) ?? { classid: l.classid, objid: l.objid, objsubid: l.objsubid ?? 0, modes: [] };
      const mode = PG_LOCK_MODES[l.mode];
      if (mode && !entry.modes.includes(mode)) entry.modes.push(mode);
      byKey.set(key, entry);
    }
    const out: ObjectLock[] = [];
    for (const o of byKey.values()) {
      const rows = await this.query<{ type: string; identity: string | null }>(
        `SELECT type, identity FROM pg_identify_object(${o.classid}, ${o.objid}, ${o.objsubid})`,
      ).catch(() => []);
      const identity = rows[0]?.identity;
      // Objects that are gone after the statement (e.g. a constraint created and dropped internally) are noise.
      if (!identity) continue;
      out.push({ type: rows[0].type, identity, modes: sortModes(o.modes) });
    }
    return out;
  }
}

/**
 * A new database from the empty data directory that initdb made on an earlier run (cached on disk,
 * keyed by the PGlite build's file sizes), or from a real initdb whose result is then cached.
 */
async function createFromCache(Pglite: PgliteModule['PGlite'], cacheDir: string | false): Promise<PGlite> {
  const file = cacheDir === false ? undefined : path.join(cacheDir, `pglite-initdb-${buildKey()}.tar`);
  if (file && fs.existsSync(file)) {
    try {
      return await Pglite.create({ loadDataDir: new Blob([fs.readFileSync(file)]) });
    } catch {
      // A damaged or foreign cache entry: fall through to initdb and overwrite it.
    }
  }
  const db = await Pglite.create();
  if (file) await writeCache(file, await db.dumpDataDir('none'));
  return db;
}

async function writeCache(file: string, blob: Blob): Promise<void> {
  try {
    fs.mkdirSync(path.dirname(file), { recursive: true });
    const tmp = `${file}.${process.pid}.tmp`;
    fs.writeFileSync(tmp, Buffer.from(await blob.arrayBuffer()));
    fs.renameSync(tmp, file);
  } catch {
    // A read-only home must not stop the trace; the next run just pays for initdb again.
  }
}

/** Identifies the PGlite build in use: sizes of its WASM and file-system bundle. */
function buildKey(): string {
  try {
    const dir = moduleDir ?? path.dirname(require.resolve(moduleSpecifier));
    return ['pglite.wasm', 'pglite.data'].map((f) => fs.statSync(path.join(dir, f)).size.toString(36)).join('-');
  } catch {
    return 'unknown';
  }
}

function emptyTrace(sql: string, observed: Observation, durationMs: number, error?: EngineError): StatementTrace {
  return { sql, observed, durationMs, locks: [], objectLocks: [], storage: [], scans: [], wrote: false, ...(error ? { error } : {}) };
}

export function asEngineError(error: unknown): EngineError {
  const e = error as { message?: unknown; code?: unknown };
  return { message: typeof e?.message === 'string' ? e.message : String(error), ...(typeof e?.code === 'string' ? { code: e.code } : {}) };
}

function sortModes(modes: Iterable<LockMode>): LockMode[] {
  return [...new Set(modes)].sort((a, b) => lockRank(a) - lockRank(b));
}

/** Relation oid → modes held, from raw pg_locks rows (the probe's own lock on pg_locks excluded). */
function heldModes(raw: LockRow[]): Map<number, Set<LockMode>> {
  const out = new Map<number, Set<LockMode>>();
  for (const l of raw) {
    if (l.locktype !== 'relation' || l.relation === null || l.relation < 16384) continue;
    const mode = PG_LOCK_MODES[l.mode];
    if (!mode) continue;
    const set = out.get(l.relation) ?? new Set<LockMode>();
    set.add(mode);
    out.set(l.relation, set);
  }
  return out;
}

function subtractHeld(now: Map<number, Set<LockMode>>, held: Map<number, Set<LockMode>>): Map<number, Set<LockMode>> {
  const out = new Map<number, Set<LockMode>>();
  for (const [oid, modes] of now) {
    const fresh = [...modes].filter((m) => !held.get(oid)?.has(m));
    if (fresh.length) out.set(oid, new Set(fresh));
  }
  return out;
}

function describeLocks(locks: Map<number, Set<LockMode>>, before: Structure, after: Structure): TracedLock[] {
  const out: TracedLock[] = [];
  for (const [oid, set] of locks) {
    const pre = before.byOid.get(oid);
    const post = after.byOid.get(oid);
    // Relations that exist neither before nor after were created and dropped inside the statement (a rewrite's transient heap).
    const row = pre ?? post;
    const modes = sortModes(set);
    const structure = pre ? before : after;
    const base = row ? structure.baseOf(row) : undefined;
    out.push({
      relation: row?.name ?? `oid ${oid}`,
      oid,
      kind: row?.kind ?? 'other',
      modes,
      strongest: strongest(modes) ?? modes[0],
      created: !pre,
      dropped: !post,
      toast: row ? structure.isToast(row) : false,
      ...(base && row && base.oid !== row.oid ? { table: base.name } : {}),
    });
  }
  return out.sort((a, b) => a.oid - b.oid);
}

function storageChanges(before: Structure, after: Structure): StorageChange[] {
  const out: StorageChange[] = [];
  for (const b of before.rows) {
    if (b.filenode === null) continue;
    const a = after.byOid.get(b.oid);
    const again = !a && after.rows.some((r) => r.name === b.name && r.kind === b.kind);
    const change = again ? 'recreated' : !a ? 'dropped' : a.filenode !== b.filenode ? 'new relfilenode' : undefined;
    if (!change) continue;
    const base = before.baseOf(b);
    out.push({ relation: b.name, kind: b.kind, change, toast: before.isToast(b), ...(base.oid !== b.oid ? { table: base.name } : {}) });
  }
  return out;
}

function scanDeltas(before: StatsRow[], after: StatsRow[], structure: Structure): ScanCount[] {
  const prev = new Map(before.map((r) => [r.oid, r]));
  const out: ScanCount[] = [];
  for (const a of after) {
    const b = prev.get(a.oid);
    const scans = a.scans - (b?.scans ?? 0);
    const tuplesRead = a.returned - (b?.returned ?? 0);
    const row = structure.byOid.get(a.oid);
    if ((scans || tuplesRead) && row) out.push({ relation: row.name, kind: row.kind, scans, tuplesRead });
  }
  return out;
}
