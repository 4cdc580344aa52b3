/**
 * Where the catalog of an incremental run may differ from the previous run's at the same
 * statement, as read keys (tracking.ts): a statement whose recorded reads miss them all reads the
 * same catalog as before. Grows as statements change what they write; made exact again at every
 * snapshot of the previous run by comparing the two catalogs.
 */
import { Catalog, RelationInfo } from '../model/catalog';
import { deepEqual } from './equality';
import { KEY, ReadLog } from './tracking';

export class Dirty {
  private readonly keys = new Set<string>();
  private everything = false;
  /**
   * A relation changed since the last exact comparison, and how is not known: every
   * `referencing` and `constraintNameTaken` answer may have changed with it.
   */
  private relationChanged = false;

  get empty(): boolean {
    return !this.everything && this.keys.size === 0;
  }

  /** Whether reads (undefined: everything) may have seen a difference. */
  hits(reads: readonly string[] | undefined): boolean {
    if (this.empty) return false;
    if (!reads || this.everything) return true;
    for (const k of reads) {
      if (this.keys.has(k)) return true;
      if (this.relationChanged && (k.startsWith(KEY.referencing) || k.startsWith(KEY.constraintName))) return true;
    }
    return false;
  }

  /**
   * What a statement touched may now differ (it read a difference, or its text changed). `exact`:
   * the keys come from comparing records, with what `referencing` and `constraintNameTaken` read.
   */
  add(reads: readonly string[] | undefined, exact = false): void {
    if (!reads) {
      this.everything = true;
      return;
    }
    for (const k of reads) {
      this.keys.add(k);
      if (!exact && (k.startsWith(KEY.relation) || k.startsWith(KEY.unknownTable))) this.relationChanged = true;
    }
  }

  /**
   * The exact difference between catalog `a` and the previous run's `b` at the same statement,
   * given that they differ at most where this set says: only those entries are compared (`log`
   * is silenced meanwhile). Everything when more than their maps may differ.
   */
  narrowed(a: Catalog, b: Catalog, log: ReadLog): Dirty {
    if (this.everything) return this;
    const was = log.on;
    log.on = false;
    try {
      const exact = new Dirty();
      if (!deepEqual(a, b, NOT_SCHEMA_OR_MAPS)) exact.everything = true;
      else for (const key of this.keys) compareEntry(exact, key, a as unknown as Maps, b as unknown as Maps);
      return exact;
    } finally {
      log.on = was;
    }
  }
}

interface Maps {
  relations: Map<string, RelationInfo>;
  indexes: Map<string, unknown>;
  enums: Set<string>;
  unknownTables: Map<string, RelationInfo>;
}

/** Compared key by key below; `owned` is copy-on-write bookkeeping, the rest caches and the recording wrappers. */
const NOT_SCHEMA_OR_MAPS = new Set(['relations', 'indexes', 'enums', 'unknownTables', 'owned', 'constraintHolders', 'referencing', 'constraintNameTaken']);

/** Adds `key` when the entry it names differs, with what `referencing` and `constraintNameTaken` answer from a differing relation. */
function compareEntry(dirty: Dirty, key: string, a: Maps, b: Maps): void {
  const relations = (map: (m: Maps) => Map<string, RelationInfo>, name: string) => {
    const x = map(a).get(name);
    const y = map(b).get(name);
    if (x === y || deepEqual(x, y)) return;
    const keys = [key];
    for (const r of [x, y])
      for (const c of r?.constraints.values() ?? []) keys.push(KEY.constraintName + c.name, ...(c.references ? [KEY.referencing + c.references] : []));
    dirty.add(keys, true);
  };
  if (key.startsWith(KEY.relation)) relations((m) => m.relations, key.slice(KEY.relation.length));
  else if (key.startsWith(KEY.unknownTable)) relations((m) => m.unknownTables, key.slice(KEY.unknownTable.length));
  else if (key.startsWith(KEY.index)) {
    const name = key.slice(KEY.index.length);
    const x = a.indexes.get(name);
    const y = b.indexes.get(name);
    if (x !== y && !deepEqual(x, y)) dirty.add([key], true);
  } else if (key.startsWith(KEY.enum)) {
    const name = key.slice(KEY.enum.length);
    if (a.enums.has(name) !== b.enums.has(name)) dirty.add([key], true);
  }
  // fk: and c: keys are answers derived from relations: recomputed from the relations that differ.
}
