/**
 * A map bounded by the total weight of its values (e.g. the text length of analysed documents):
 * the most recently set entry always stays, older ones are dropped oldest-first while the others
 * weigh more than the budget together. What the analysis worker keeps of big documents.
 */
/**
 * Text (UTF-16 code units) of the big documents the analysis worker keeps besides the most recent
 * one: an analysis holds roughly 100 bytes of heap per character, so the others stay within about 200 MB.
 */
export const KEPT_TEXT = 2 * 1024 * 1024;

export class WeightedLru<V> {
  /** Least recently set first. */
  private readonly entries = new Map<string, V>();

  constructor(
    readonly budget: number,
    private readonly weight: (value: V) => number,
  ) {}

  get(key: string): V | undefined {
    return this.entries.get(key);
  }

  /** Sets `key` as the most recent entry, then drops the oldest others past the budget. */
  set(key: string, value: V): void {
    this.entries.delete(key);
    let others = 0;
    for (const v of this.entries.values()) others += this.weight(v);
    for (const [k, v] of this.entries) {
      if (others <= this.budget) break;
      this.entries.delete(k);
      others -= this.weight(v);
    }
    this.entries.set(key, value);
  }

  delete(key: string): void {
    this.entries.delete(key);
  }

  keys(): string[] {
    return [...this.entries.keys()];
  }
}
