/**
 * applyEdits joins the pieces of the text once (fixes/apply.ts). It must give what applying the
 * edits one by one from the last to the first gives: the reference below, on random edits.
 */
import * as assert from 'assert';
import { applyEdits, TextEdit } from '../../server/src/core';
import { seededRandom } from '../support/random';

/** Edit by edit from the last offset to the first (ties: the later edit first, as a stable sort leaves them). */
function oneByOne(text: string, edits: TextEdit[]): string {
  const sorted = [...edits].sort((a, b) => b.start - a.start || b.end - a.end);
  let out = text;
  for (const e of sorted) out = out.slice(0, e.start) + e.newText + out.slice(e.end);
  return out;
}

/** Non-overlapping edits: insertions (several may share an offset), replacements and deletions, touching or not. */
function randomEdits(next: () => number, length: number): TextEdit[] {
  const edits: TextEdit[] = [];
  let at = 0;
  while (at <= length && edits.length < 8) {
    at += Math.floor(next() * 6);
    if (at > length) break;
    const end = Math.min(length, at + (next() < 0.5 ? 0 : Math.floor(next() * 4)));
    edits.push({ start: at, end, newText: next() < 0.2 ? '' : `<${edits.length}\n>` });
    if (end > at || next() < 0.5) at = end;
  }
  // Any order: callers pass the edits of a fix as the rule made them.
  return edits.sort(() => next() - 0.5);
}

describe('applyEdits', () => {
  it('equals applying the edits one by one from the last, on random edits', () => {
    const next = seededRandom(15);
    const text = 'SELECT 1;\nALTER TABLE t ADD COLUMN c int;\r\nCOMMIT;\n';
    for (let round = 0; round < 5000; round++) {
      const edits = randomEdits(next, text.length);
      assert.strictEqual(applyEdits(text, edits), oneByOne(text, edits), JSON.stringify(edits));
    }
  });

  it('returns the text itself without edits', () => {
    assert.strictEqual(applyEdits('abc', []), 'abc');
  });
});
