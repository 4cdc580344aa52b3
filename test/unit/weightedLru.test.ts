/**
 * The analysis worker keeps big documents' analyses in a WeightedLru (server/src/lsp/bounded.ts):
 * bounded by construction by the text they were made of, the most recent always kept.
 */
import * as assert from 'assert';
import { WeightedLru } from '../../server/src/lsp/bounded';

describe('WeightedLru (what the analysis worker keeps)', () => {
  const lru = () => new WeightedLru<{ length: number }>(100, (v) => v.length);

  it('keeps the others within the budget, dropping the least recently set first', () => {
    const m = lru();
    m.set('a', { length: 40 });
    m.set('b', { length: 40 });
    m.set('c', { length: 40 });
    assert.deepStrictEqual(m.keys(), ['a', 'b', 'c']);
    m.set('d', { length: 10 });
    assert.deepStrictEqual(m.keys(), ['b', 'c', 'd'], 'a, b and c weighed 120 besides d');
    m.set('b', { length: 40 });
    assert.deepStrictEqual(m.keys(), ['c', 'd', 'b'], 'setting again makes an entry the most recent');
  });

  it('always keeps the most recent entry, however heavy; one heavy entry leaves once another is set', () => {
    const m = lru();
    m.set('small', { length: 10 });
    m.set('huge', { length: 1000 });
    assert.deepStrictEqual(m.keys(), ['small', 'huge']);
    m.set('next', { length: 10 });
    assert.deepStrictEqual(m.keys(), ['next']);
  });

  it('the weight of everything held stays within the budget plus the most recent entry, whatever the sequence', () => {
    const m = lru();
    let seed = 7;
    for (let i = 0; i < 2000; i++) {
      seed = (seed * 1103515245 + 12345) % 2147483648;
      const key = `k${seed % 17}`;
      const length = seed % 90;
      if (seed % 11 === 0) {
        m.delete(key);
        continue;
      }
      m.set(key, { length });
      const held = m.keys();
      const others = held.slice(0, -1).reduce((sum, k) => sum + m.get(k)!.length, 0);
      assert.strictEqual(held[held.length - 1], key);
      assert.ok(others <= 100, `others weigh ${others}`);
    }
  });
});
