/**
 * What a statement read of the catalog: which relations, indexes, enums and constraint names, so an
 * incremental run can tell whether its lock model verdict still holds after an edit changed some of
 * them. Reads are recorded by replacing the catalog's maps with recording ones (the catalog's code
 * is unchanged: every access goes through them) and by wrapping the two lookups that answer from a
 * scan or a cache: `referencing` (recorded as `fk:<table>`) and `constraintNameTaken` (`c:<name>`).
 * Any other scan of every relation is recorded as "read everything".
 */
import { Catalog } from '../model/catalog';
import { LayeredMap, LayeredSet } from '../model/layered';

/** The keys read since the last `take()`; `everything` after a scan of a whole map. */
export class ReadLog {
  private keys = new Set<string>();
  private everything = false;
  /** While false (copying a catalog), nothing is recorded. */
  on = true;

  note(key: string): void {
    if (this.on) this.keys.add(key);
  }

  noteEverything(): void {
    if (this.on) this.everything = true;
  }

  /** The keys read since the last call (undefined: everything), and a fresh log. */
  take(): string[] | undefined {
    const out = this.everything ? undefined : [...this.keys];
    this.keys = new Set();
    this.everything = false;
    return out;
  }
}

/** The fields `adopt` gives a map or set it turns into a recording one. */
interface Recording {
  log: ReadLog;
  prefix: string;
}

/** Never constructed: a catalog's own map becomes one (`adopt`). Keys of other types would be recorded by their text: only string-keyed maps are recorded. */
class RecordingMap<V> extends LayeredMap<string, V> implements Recording {
  declare readonly log: ReadLog;
  declare readonly prefix: string;

  override get(key: string): V | undefined {
    this.log.note(this.prefix + key);
    return super.get(key);
  }

  override has(key: string): boolean {
    this.log.note(this.prefix + key);
    return super.has(key);
  }

  override set(key: string, value: V): this {
    this.log.note(this.prefix + key);
    return super.set(key, value);
  }

  override delete(key: string): boolean {
    this.log.note(this.prefix + key);
    return super.delete(key);
  }

  override get size(): number {
    this.log.noteEverything();
    return super.size;
  }

  override entries(): MapIterator<[string, V]> {
    this.log.noteEverything();
    return super.entries();
  }

  override keys(): MapIterator<string> {
    this.log.noteEverything();
    return super.keys();
  }

  override values(): MapIterator<V> {
    this.log.noteEverything();
    return super.values();
  }

  override forEach(fn: (value: V, key: string, map: Map<string, V>) => void, thisArg?: unknown): void {
    this.log.noteEverything();
    super.forEach(fn, thisArg);
  }

  override [Symbol.iterator](): MapIterator<[string, V]> {
    this.log.noteEverything();
    return super[Symbol.iterator]();
  }
}

/** Never constructed: a catalog's own set becomes one (`adopt`). */
class RecordingSet extends LayeredSet<string> implements Recording {
  declare readonly log: ReadLog;
  declare readonly prefix: string;

  override has(value: string): boolean {
    this.log.note(this.prefix + value);
    return super.has(value);
  }

  override add(value: string): this {
    this.log.note(this.prefix + value);
    return super.add(value);
  }

  override delete(value: string): boolean {
    this.log.note(this.prefix + value);
    return super.delete(value);
  }

  override get size(): number {
    this.log.noteEverything();
    return super.size;
  }

  override entries(): SetIterator<[string, string]> {
    this.log.noteEverything();
    return super.entries();
  }

  override keys(): SetIterator<string> {
    this.log.noteEverything();
    return super.keys();
  }

  override values(): SetIterator<string> {
    this.log.noteEverything();
    return super.values();
  }

  override forEach(fn: (value: string, key: string, set: Set<string>) => void, thisArg?: unknown): void {
    this.log.noteEverything();
    super.forEach(fn, thisArg);
  }

  override [Symbol.iterator](): SetIterator<string> {
    this.log.noteEverything();
    return super[Symbol.iterator]();
  }
}

/** The two catalog lookups that answer from a scan or a cache, recorded as one key each. */
interface CatalogLookups {
  referencing(...args: unknown[]): string[];
  constraintNameTaken(...args: unknown[]): boolean;
  /** Where the two record (a symbol: no field of the catalog's data, see scalarFields). */
  [READ_LOG]: ReadLog;
}

const READ_LOG = Symbol('read log');
const lookup = Catalog.prototype as unknown as Record<'referencing' | 'constraintNameTaken', (...args: unknown[]) => never>;

/*
 * One function for every recording catalog, reading the log from the catalog, instead of closures
 * over each catalog and log: V8's scavenges still reached a walk's closures after the walk was
 * over (as with the walk's callbacks, analyzer.ts), and with them its catalog copies.
 */
function recordedReferencing(this: CatalogLookups, ...args: unknown[]): string[] {
  return quietly(this[READ_LOG], KEY.referencing + String(args[0]), () => lookup.referencing.apply(this, args));
}

function recordedConstraintNameTaken(this: CatalogLookups, ...args: unknown[]): boolean {
  return quietly(this[READ_LOG], KEY.constraintName + String(args[0]), () => lookup.constraintNameTaken.apply(this, args));
}

/**
 * Prefixes of the recorded keys: a catalog map or set records `<field>:<key>`, e.g.
 * `relations:users`, whatever fields the catalog has (a field added later is recorded too).
 */
export const KEY = {
  relation: 'relations:',
  unknownTable: 'unknownTables:',
  referencing: 'referencing:',
  constraintName: 'constraintName:',
  scalar: 'scalar:',
} as const;

/** Fields that are not schema: copy-on-write bookkeeping and caches (`constraintNameTaken`'s, `referencing`'s, search_path's lookup order). */
export const CATALOG_BOOKKEEPING: ReadonlySet<string> = new Set(['owned', 'constraintHolders', 'lookupCache', 'referrers']);

/**
 * Makes `catalog` record its reads in `log` (in place; a clone of it records nothing): its maps
 * and sets entry by entry. Its other fields (the search_path, ...) are values that every
 * statement may read: `scalarFields` tells when one changes. False when the catalog holds a
 * structure neither covers (then it must not be relied upon).
 */
export function recordReads(catalog: Catalog, log: ReadLog): boolean {
  const fields = catalog as unknown as Record<string, unknown>;
  for (const [field, value] of Object.entries(fields)) {
    if (CATALOG_BOOKKEEPING.has(field)) continue;
    if (value instanceof LayeredMap) adopt(value, RecordingMap.prototype, { log, prefix: `${field}:` });
    else if (value instanceof LayeredSet) adopt(value, RecordingSet.prototype, { log, prefix: `${field}:` });
    // A plain map or set: its methods are not the recording ones' base.
    else if (value instanceof Map || value instanceof Set || value instanceof WeakMap || value instanceof WeakSet) return false;
  }
  // Keyed by the first argument only (a name in any schema): what differs is found by name.
  const lookups = catalog as unknown as CatalogLookups;
  lookups[READ_LOG] = log;
  lookups.referencing = recordedReferencing;
  lookups.constraintNameTaken = recordedConstraintNameTaken;
  return true;
}

/**
 * Turns a map or set of a fresh clone into a recording one in place (its prototype and fields
 * set): copying every entry into a new one doubled the cost of each restart of a walk (a clone of
 * the catalog's maps, then a copy of those; 10,000 statements: 14% of what an edit allocates).
 */
function adopt(collection: LayeredMap<string, unknown> | LayeredSet<string>, proto: RecordingMap<unknown> | RecordingSet, fields: Recording): void {
  Object.setPrototypeOf(collection, proto);
  Object.assign(collection, fields);
}

/** A lookup recorded as one key (what it scans is summed up by that key). */
function quietly<T>(log: ReadLog, key: string, fn: () => T): T {
  log.note(key);
  return quiet(log, fn);
}

/** Runs `fn` without recording its reads. */
export function quiet<T>(log: ReadLog, fn: () => T): T {
  const was = log.on;
  log.on = false;
  try {
    return fn();
  } finally {
    log.on = was;
  }
}

/** Write-only: the statement index records are stamped with (`createdAt`, `addedAt`), never read. */
const WRITE_ONLY_FIELDS: ReadonlySet<string> = new Set(['currentStatement']);

/** The catalog's fields besides its maps and sets (and bookkeeping): values every statement may read. */
export function scalarFields(catalog: Catalog): [string, unknown][] {
  return Object.entries(catalog as unknown as Record<string, unknown>).filter(
    ([field, value]) =>
      !CATALOG_BOOKKEEPING.has(field) && !WRITE_ONLY_FIELDS.has(field) && typeof value !== 'function' && !(value instanceof Map) && !(value instanceof Set),
  );
}
