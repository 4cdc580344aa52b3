/**
 * The parser's caches are bounded by bytes, not only by entries (issue 12): edits inside a 330 KB
 * `INSERT ... VALUES` made a new multi-megabyte entry each, until the language server ran out of
 * memory. Heap is measured after a full garbage collection.
 */
import * as assert from 'assert';
import * as v8 from 'v8';
import * as vm from 'vm';
import { plainStatement, Statement, statementTokens } from '../../server/src/core/model/statements';
import { initParser, parseStatementText, scanTokens, TextCache } from '../../server/src/core/parse/parser';

v8.setFlagsFromString('--expose-gc');
const gc = vm.runInNewContext('gc') as () => void;

/** `INSERT INTO t VALUES (...), (...)` of about `size` characters. */
export function bigInsert(size: number): string {
  const rows: string[] = [];
  for (let i = 0, len = 0; len < size; i++) {
    const row = `(${i}, 'name ${i}', ${i * 7})`;
    rows.push(row);
    len += row.length + 2;
  }
  return `INSERT INTO t (a, b, c) VALUES ${rows.join(',\n')};`;
}

function heapMb(): number {
  gc();
  return process.memoryUsage().heapUsed / 1024 / 1024;
}

describe('parser caches', function () {
  this.timeout(120000);
  before(() => initParser());

  it('evict by estimated bytes as well as by entries', () => {
    const cache = new TextCache<number>(100, 1000, 10);
    for (let i = 0; i < 10; i++) cache.set(String(i).padStart(30, 'x'), i);
    assert.ok(cache.weight <= 1000, `${cache.weight}`);
    assert.strictEqual(cache.size, 3);
    assert.strictEqual(cache.get(String(9).padStart(30, 'x')), 9, 'the newest entry stays');
  });

  it('keep a bounded heap over 30 one-character edits of a 330 KB INSERT', () => {
    const base = bigInsert(330 * 1024);
    const start = heapMb();
    for (let k = 0; k < 30; k++) {
      // One character changed, as a keystroke inside the statement does.
      const text = base.replace("'name 5'", `'name ${k % 10}${String.fromCharCode(97 + (k >> 1))}'`);
      parseStatementText(text);
      scanTokens(text);
    }
    const grown = heapMb() - start;
    console.log(`      (heap grew ${grown.toFixed(0)} MB)`);
    assert.ok(grown < 200, `heap grew ${grown.toFixed(0)} MB`);
  });

  it("a statement's tokens are its scanned ones at its offset, moved with it, and kept once", () => {
    const texts = Array.from({ length: 3000 }, (_, i) => `CREATE TABLE t${i} (id bigint PRIMARY KEY, name text NOT NULL, note varchar(${i + 1}) DEFAULT 'x')`);
    const at = (text: string, start: number): Statement =>
      plainStatement(0, { start, end: start + text.length }, text, 'CreateStmt', undefined, true, start + text.length);
    const placed = (text: string, start: number) => scanTokens(text).map((t) => ({ ...t, start: t.start + start, end: t.end + start }));
    const first = statementTokens(at(texts[0], 100));
    const copy = first.map((t) => ({ ...t }));
    assert.deepStrictEqual(first, placed(texts[0], 100));
    assert.strictEqual(statementTokens(at(texts[0], 100)), first, 'the same array while the statement stays');
    assert.deepStrictEqual(statementTokens(at(texts[0], 250)), placed(texts[0], 250), 'moved');
    assert.deepStrictEqual(first, copy, 'the tokens handed out before the move are unchanged');
    // Kept once: the scanner's cache holds no copy of them, so scanning the texts afterwards adds as much again.
    const before = heapMb();
    const kept = texts.map((text, i) => statementTokens(at(text, 1000 * i)));
    const placedOnly = heapMb() - before;
    texts.forEach((text) => scanTokens(text));
    const both = heapMb() - before;
    assert.ok(kept.length && placedOnly < 0.7 * both, `placed tokens ${placedOnly.toFixed(1)} MB; with the scanner's copies ${both.toFixed(1)} MB`);
  });
});
