/**
 * The catalog's top-level maps and sets, copied in time proportional to what changed since the last
 * flattening instead of to their size. An incremental edit copies the catalog at every restart
 * and snapshot (a map copy of ~4,700 entries: about 1 ms and 0.5 MB at 10,000 statements, the
 * limit on how densely an editor's analysis can take snapshots).
 *
 * Each map is two layers: `base`, entries shared by every copy made since the last flattening and
 * never changed, and its own entries on top (held by the Map itself), with `gone`, the keys of
 * `base` deleted. A copy shares `base` and copies the rest. Once the own part outgrows a share of
 * `base`, a copy flattens the source first (a new `base`, shared from then on). Every read, the
 * size and the order of iteration are those of a plain Map given the same calls: an entry set
 * again keeps its place, one deleted and set again goes to the end (test/unit/layered.test.ts).
 */

/** A copy flattens its source when its own entries and deletions exceed this plus `base.size / FLATTEN_SHARE`. */
const FLATTEN_AT = 64;
const FLATTEN_SHARE = 16;

function outgrown(own: number, gone: number, base: number): boolean {
  return own + gone > FLATTEN_AT + base / FLATTEN_SHARE;
}

export class LayeredMap<K, V> extends Map<K, V> {
  /** Shared with the copies made since it was built: never changed. */
  private base?: Map<K, V>;
  /** Keys of `base` deleted since (set again: among the own entries, in their order). */
  private gone?: Set<K>;
  private count = 0;

  override get(key: K): V | undefined {
    const v = super.get(key);
    if (v !== undefined || !this.base || super.has(key)) return v;
    return this.gone?.has(key) ? undefined : this.base.get(key);
  }

  override has(key: K): boolean {
    return this.holds(key);
  }

  override set(key: K, value: V): this {
    if (!this.holds(key)) this.count++;
    super.set(key, value);
    return this;
  }

  override delete(key: K): boolean {
    const own = super.delete(key);
    const shared = !!this.base && this.base.has(key) && !this.gone?.has(key);
    if (shared) (this.gone ??= new Set()).add(key);
    if (own || shared) this.count--;
    return own || shared;
  }

  override clear(): void {
    super.clear();
    this.base = this.gone = undefined;
    this.count = 0;
  }

  override get size(): number {
    return this.count;
  }

  override forEach(fn: (value: V, key: K, map: Map<K, V>) => void, thisArg?: unknown): void {
    for (const [k, v] of this.layered()) fn.call(thisArg, v, k, this);
  }

  override entries(): MapIterator<[K, V]> {
    return this.layered() as MapIterator<[K, V]>;
  }

  override keys(): MapIterator<K> {
    return keysOf(this.layered()) as MapIterator<K>;
  }

  override values(): MapIterator<V> {
    return valuesOf(this.layered()) as MapIterator<V>;
  }

  override [Symbol.iterator](): MapIterator<[K, V]> {
    return this.layered() as MapIterator<[K, V]>;
  }

  /** Makes this map (empty, fresh) hold what `source` holds, sharing its base (flattened first when its own part has outgrown it). */
  copyOf(source: LayeredMap<K, V>): this {
    if (outgrown(source.ownSize(), source.gone?.size ?? 0, source.base?.size ?? 0)) source.flatten();
    this.base = source.base;
    this.gone = source.gone && new Set(source.gone);
    this.count = source.count;
    for (const [k, v] of source.own()) super.set(k, v);
    return this;
  }

  private holds(key: K): boolean {
    return super.has(key) || (!!this.base && !this.gone?.has(key) && this.base.has(key));
  }

  private ownSize(): number {
    return super.size;
  }

  private own(): IterableIterator<[K, V]> {
    return super.entries();
  }

  /** The entries of both layers as one, in a plain Map's order (read live, as a Map's iterator is). */
  private *layered(): Generator<[K, V], undefined, unknown> {
    const base = this.base;
    if (base) {
      for (const [k, v] of base) {
        if (this.gone?.has(k)) continue;
        yield super.has(k) ? [k, super.get(k) as V] : [k, v];
      }
    }
    for (const entry of super.entries()) if (!base || !base.has(entry[0]) || this.gone?.has(entry[0])) yield entry;
  }

  /** One layer again: the entries become the base that later copies share (layered()'s order, without a generator: the CLI flattens a history at each file). */
  private flatten(): void {
    const flat = new Map<K, V>();
    const { base, gone } = this;
    if (base) for (const [k, v] of base) if (!gone?.has(k)) flat.set(k, super.has(k) ? (super.get(k) as V) : v);
    for (const [k, v] of super.entries()) if (!base || !base.has(k) || gone?.has(k)) flat.set(k, v);
    super.clear();
    this.base = flat;
    this.gone = undefined;
  }
}

export class LayeredSet<T> extends Set<T> {
  private base?: Set<T>;
  private gone?: Set<T>;
  private count = 0;

  override has(value: T): boolean {
    return this.holds(value);
  }

  override add(value: T): this {
    if (this.holds(value)) return this;
    this.count++;
    super.add(value);
    return this;
  }

  override delete(value: T): boolean {
    const own = super.delete(value);
    const shared = !!this.base && this.base.has(value) && !this.gone?.has(value);
    if (shared) (this.gone ??= new Set()).add(value);
    if (own || shared) this.count--;
    return own || shared;
  }

  override clear(): void {
    super.clear();
    this.base = this.gone = undefined;
    this.count = 0;
  }

  override get size(): number {
    return this.count;
  }

  override forEach(fn: (value: T, key: T, set: Set<T>) => void, thisArg?: unknown): void {
    for (const v of this.layered()) fn.call(thisArg, v, v, this);
  }

  override entries(): SetIterator<[T, T]> {
    return pairsOf(this.layered()) as SetIterator<[T, T]>;
  }

  override keys(): SetIterator<T> {
    return this.layered() as SetIterator<T>;
  }

  override values(): SetIterator<T> {
    return this.layered() as SetIterator<T>;
  }

  override [Symbol.iterator](): SetIterator<T> {
    return this.layered() as SetIterator<T>;
  }

  /** Makes this set (empty, fresh) hold what `source` holds (see LayeredMap.copyOf). */
  copyOf(source: LayeredSet<T>): this {
    if (outgrown(source.ownSize(), source.gone?.size ?? 0, source.base?.size ?? 0)) source.flatten();
    this.base = source.base;
    this.gone = source.gone && new Set(source.gone);
    this.count = source.count;
    for (const v of source.own()) super.add(v);
    return this;
  }

  private holds(value: T): boolean {
    return super.has(value) || (!!this.base && !this.gone?.has(value) && this.base.has(value));
  }

  private ownSize(): number {
    return super.size;
  }

  private own(): IterableIterator<T> {
    return super.values();
  }

  /** A value of the base deleted and added again stands among the own ones, in their order. */
  private *layered(): Generator<T, undefined, unknown> {
    const base = this.base;
    if (base) for (const v of base) if (!this.gone?.has(v)) yield v;
    for (const v of super.values()) if (!base || !base.has(v) || this.gone?.has(v)) yield v;
  }

  private flatten(): void {
    const flat = new Set<T>();
    const { base, gone } = this;
    if (base) for (const v of base) if (!gone?.has(v)) flat.add(v);
    for (const v of super.values()) if (!base || !base.has(v) || gone?.has(v)) flat.add(v);
    super.clear();
    this.base = flat;
    this.gone = undefined;
  }
}

function* keysOf<K, V>(entries: Iterable<[K, V]>): Generator<K, undefined, unknown> {
  for (const [k] of entries) yield k;
}

function* valuesOf<K, V>(entries: Iterable<[K, V]>): Generator<V, undefined, unknown> {
  for (const [, v] of entries) yield v;
}

function* pairsOf<T>(values: Iterable<T>): Generator<[T, T], undefined, unknown> {
  for (const v of values) yield [v, v];
}
