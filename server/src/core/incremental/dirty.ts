/**
 * Where an incremental run may differ from the previous run at the same statement, as read keys
 * (tracking.ts): catalog entries (`relations:users`), entries of rule state derived from the text
 * (`added-column:...`), line numbers. A statement whose recorded reads miss them all sees what it
 * saw before. The set grows as statements change what they write, and its catalog part is made
 * exact again at every snapshot of the previous run by comparing those entries.
 */
import { Catalog, ConstraintInfo, RelationInfo } from '../model/catalog';
import { deepEqual } from './equality';
import { CATALOG_BOOKKEEPING, KEY, quiet, ReadLog } from './tracking';

/** Catalog entries a convergence replaced in a previous run's snapshots: key → value, or ABSENT. */
export type CatalogPatch = Map<string, unknown>;
export const ABSENT = Symbol('absent');

/** A snapshot's catalog as it stands: the clone, with the entries a later run replaced. */
export interface CatalogAt {
  catalog: Catalog;
  patch?: CatalogPatch;
}

/** Write-only statement indexes in catalog records: never read, and they move with an edit. */
// `order` only sorts `referencing`'s answer, which is recorded as a lookup of its own.
const WRITE_ONLY = new Set(['createdAt', 'addedAt', 'order']);
/** Compared entry by entry, or not schema. */
const NOT_COMPARED_WHOLE = new Set([...CATALOG_BOOKKEEPING, 'currentStatement', 'referencing', 'constraintNameTaken']);

export class Dirty {
  private readonly keys = new Set<string>();
  private everything = false;
  /**
   * A relation changed since the last exact comparison, and how is not known: every
   * `referencing` and `constraintNameTaken` answer may have changed with it.
   */
  private relationChanged = false;
  /** Bumped on every change (callers cache what they computed from the set). */
  version = 0;

  get empty(): boolean {
    return !this.everything && this.keys.size === 0;
  }

  /** Whether reads (undefined: everything) may have seen a difference (`except`: a key not counted). */
  hits(reads: readonly string[] | undefined, except?: string): boolean {
    if (this.empty) return false;
    if (!reads || this.everything) return true;
    // Only the key not counted may differ (a line-blind check once lines moved): nothing to look up.
    if (except !== undefined && !this.relationChanged && this.keys.size === 1 && this.keys.has(except)) return false;
    for (const k of reads) {
      if (k !== except && this.keys.has(k)) return true;
      if (this.relationChanged && (k.startsWith(KEY.referencing) || k.startsWith(KEY.constraintName))) return true;
    }
    return false;
  }

  /**
   * What a statement touched may now differ (it read a difference, or its text changed). `exact`:
   * the keys come from comparing entries, with what `referencing` and `constraintNameTaken` read.
   */
  add(reads: readonly string[] | undefined, exact = false): void {
    this.version++;
    if (!reads) {
      this.everything = true;
      return;
    }
    for (const k of reads) {
      // A value every statement may read (scalarFields) may differ.
      if (k.startsWith(KEY.scalar)) this.everything = true;
      this.keys.add(k);
      if (!exact && (k.startsWith(KEY.relation) || k.startsWith(KEY.unknownTable))) this.relationChanged = true;
    }
  }

  /** The catalog entries in the set (with this, a converged run patches the previous run's snapshots). */
  patchFrom(catalog: Catalog, log: ReadLog): CatalogPatch {
    return quiet(log, () => {
      const patch: CatalogPatch = new Map();
      for (const key of this.keys) {
        const value = entryOf(catalog, key);
        if (value !== NOT_AN_ENTRY) patch.set(key, value);
      }
      return patch;
    });
  }

  /** Only derived keys, exact: no `referencing`/`constraintNameTaken` answer depends on an unknown change. */
  get exactAndBounded(): boolean {
    return !this.everything && !this.relationChanged;
  }

  /**
   * The exact difference between catalog `a` and the previous run's snapshot `b` at the same
   * statement, given that they differ at most where this set says: only those entries are
   * compared (`log` is silenced meanwhile). Keys of other things than the catalog are kept.
   */
  narrowed(a: Catalog, b: CatalogAt, log: ReadLog): Dirty {
    return quiet(log, () => {
      const exact = new Dirty();
      if (!deepEqual(a, b.catalog, notComparedWhole(a), WRITE_ONLY)) exact.everything = true;
      else for (const key of this.everything ? [...this.keys, ...entryKeys(a, b)] : this.keys) compareEntry(exact, key, a, b);
      return exact;
    });
  }
}

/** The top-level fields compared whole: not the maps and sets (compared entry by entry) nor bookkeeping. */
function notComparedWhole(catalog: Catalog): Set<string> {
  const out = new Set(NOT_COMPARED_WHOLE);
  for (const [field, value] of Object.entries(catalog)) if (value instanceof Map || value instanceof Set) out.add(field);
  return out;
}

const NOT_AN_ENTRY = Symbol('not a catalog entry');

/** The value a key names in a catalog (ABSENT when missing), or NOT_AN_ENTRY for keys of other things. */
function entryOf(catalog: Catalog, key: string): unknown {
  const colon = key.indexOf(':');
  const container = colon > 0 ? (catalog as unknown as Record<string, unknown>)[key.slice(0, colon)] : undefined;
  const name = key.slice(colon + 1);
  if (container instanceof Map) return container.has(name) ? container.get(name) : ABSENT;
  if (container instanceof Set) return container.has(name) ? true : ABSENT;
  return NOT_AN_ENTRY;
}

/** Every entry key of both catalogs (when what differs is not known: everything is compared). */
function entryKeys(a: Catalog, b: CatalogAt): Set<string> {
  const keys = new Set<string>(b.patch?.keys() ?? []);
  for (const catalog of [a, b.catalog]) {
    for (const [field, value] of Object.entries(catalog)) {
      if (CATALOG_BOOKKEEPING.has(field)) continue;
      if (value instanceof Map || value instanceof Set) for (const k of value.keys()) keys.add(`${field}:${String(k)}`);
    }
  }
  return keys;
}

/** The entry in a snapshot, its patch first. */
function entryAt(at: CatalogAt, key: string): unknown {
  if (at.patch?.has(key)) return at.patch.get(key);
  return entryOf(at.catalog, key);
}

/** Adds `key` when the entry it names differs, with what `referencing` and `constraintNameTaken` answer from a differing relation. */
function compareEntry(dirty: Dirty, key: string, a: Catalog, b: CatalogAt): void {
  // Answers recomputed from the relations that differ; values compared whole before.
  if (key.startsWith(KEY.referencing) || key.startsWith(KEY.constraintName) || key.startsWith(KEY.scalar)) return;
  const x = entryOf(a, key);
  if (x === NOT_AN_ENTRY) return dirty.add([key], true);
  const y = entryAt(b, key);
  if (x === y || deepEqual(x, y, undefined, WRITE_ONLY)) return;
  const keys = [key];
  if (key.startsWith(KEY.relation) || key.startsWith(KEY.unknownTable)) keys.push(...constraintAnswers(x, y));
  dirty.add(keys, true);
}

/** The `constraintNameTaken` and `referencing` answers two versions of a relation give differently: names held by one only, targets of foreign keys that differ. */
function constraintAnswers(x: unknown, y: unknown): string[] {
  const constraints = (r: unknown) => (r === ABSENT ? new Map<string, ConstraintInfo>() : (r as RelationInfo).constraints);
  const a = constraints(x);
  const b = constraints(y);
  const out: string[] = [];
  for (const [mine, theirs] of [
    [a, b],
    [b, a],
  ]) {
    for (const [name, c] of mine) {
      const other = theirs.get(name);
      if (!other) out.push(KEY.constraintName + name);
      if (c.references !== undefined && (!other || !deepEqual(c, other, undefined, WRITE_ONLY))) out.push(KEY.referencing + c.references);
    }
  }
  // A relation that appears or goes takes its name's foreign keys with it (referencing answers by relation).
  if (x === ABSENT || y === ABSENT) for (const c of [...a.values(), ...b.values()]) if (c.references !== undefined) out.push(KEY.referencing + c.references);
  return out;
}

/** A clone of a snapshot's catalog with its patch applied. */
export function applyPatch(catalog: Catalog, patch: CatalogPatch | undefined): Catalog {
  for (const [key, value] of patch ?? []) {
    const colon = key.indexOf(':');
    const container = (catalog as unknown as Record<string, unknown>)[key.slice(0, colon)];
    const name = key.slice(colon + 1);
    if (container instanceof Map) {
      if (value === ABSENT) container.delete(name);
      else container.set(name, value);
      // The catalog may share its name indexes with other snapshots (cloneForApply): they must not miss what is set here.
      if (value !== ABSENT && (key.startsWith(KEY.relation) || key.startsWith(KEY.unknownTable))) catalog.noteRelation(name);
    } else if (container instanceof Set) {
      if (value === ABSENT) container.delete(name);
      else container.add(name);
    }
  }
  return catalog;
}

/** Two patches in order (the later wins). */
export function mergePatches(first: CatalogPatch | undefined, then: CatalogPatch): CatalogPatch {
  return first ? new Map([...first, ...then]) : then;
}
