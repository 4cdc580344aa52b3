/**
 * Structural equality and copies of plain data (primitives, arrays, plain objects, Map, Set), for
 * the snapshots of incremental analysis. Shared objects compare equal at once, so comparing two
 * copy-on-write catalogs costs about the records that differ.
 */

/**
 * Equal as data. `skip`: properties of the top-level objects that are not compared (bookkeeping,
 * caches); `ignore`: properties not compared at any depth.
 */
export function deepEqual(a: unknown, b: unknown, skip?: ReadonlySet<string>, ignore?: ReadonlySet<string>): boolean {
  if (a === b) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
  if (Object.getPrototypeOf(a) !== Object.getPrototypeOf(b)) return false;
  if (a instanceof Map) return mapsEqual(a, b as Map<unknown, unknown>, ignore);
  if (a instanceof Set) return setsEqual(a, b as Set<unknown>);
  if (Array.isArray(a)) return arraysEqual(a, b as unknown[], ignore);
  // WeakMap/WeakSet and the like cannot be compared: only the same object is equal.
  if (a instanceof WeakMap || a instanceof WeakSet) return false;
  return objectsEqual(a as Record<string, unknown>, b as Record<string, unknown>, skip, ignore);
}

function mapsEqual(a: Map<unknown, unknown>, b: Map<unknown, unknown>, ignore?: ReadonlySet<string>): boolean {
  if (a.size !== b.size) return false;
  for (const [k, v] of a) {
    const w = b.get(k);
    if (w === undefined && !b.has(k)) return false;
    if (!deepEqual(v, w, undefined, ignore)) return false;
  }
  return true;
}

function setsEqual(a: Set<unknown>, b: Set<unknown>): boolean {
  if (a.size !== b.size) return false;
  for (const v of a) if (!b.has(v)) return false;
  return true;
}

function arraysEqual(a: unknown[], b: unknown[], ignore?: ReadonlySet<string>): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (!deepEqual(a[i], b[i], undefined, ignore)) return false;
  return true;
}

function objectsEqual(a: Record<string, unknown>, b: Record<string, unknown>, skip?: ReadonlySet<string>, ignore?: ReadonlySet<string>): boolean {
  const compared = (o: Record<string, unknown>) => Object.keys(o).filter((k) => !skip?.has(k) && !ignore?.has(k) && o[k] !== undefined);
  const keys = compared(a);
  if (keys.length !== compared(b).length) return false;
  for (const k of keys) if (!Object.prototype.hasOwnProperty.call(b, k) || !deepEqual(a[k], b[k], undefined, ignore)) return false;
  return true;
}

/** A deep copy of plain data; throws on anything else (a rule state key whose snapshot form is not plain data). */
export function plainCopy<V>(value: V): V {
  if (typeof value !== 'object' || value === null) {
    if (typeof value === 'function') throw new Error('not plain data: a function');
    return value;
  }
  if (value instanceof Map) return new Map([...value].map(([k, v]) => [k, plainCopy(v)])) as V;
  if (value instanceof Set) return new Set([...value].map((v) => plainCopy(v))) as V;
  if (Array.isArray(value)) return value.map((v) => plainCopy(v)) as V;
  const proto = Object.getPrototypeOf(value);
  if (proto !== Object.prototype && proto !== null) throw new Error(`not plain data: ${String(proto?.constructor?.name)}`);
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) out[k] = plainCopy(v);
  return out as V;
}
