import * as assert from 'assert';
import { LineIndex, OffsetMapper } from '../../server/src/core/text/positions';
import { seededRandom } from '../support/random';
import { analyze, initParser } from '../../server/src/core';
import { findingJson } from '../../server/src/core/report/findings';
import { textChange } from '../../server/src/core/incremental/shift';

/** Line ends of every kind, so that edits split and join `\r\n` pairs. */
const PIECES = ['\r', '\n', '\r\n', '\n\r', 'a', 'bc', 'é😀', ';', ''];

/** Every line start and every offset's position. */
function indexed(lines: LineIndex, text: string): { lineCount: number; starts: number[]; positions: { line: number; character: number }[] } {
  const starts = Array.from({ length: lines.lineCount }, (_, line) => lines.lineStart(line));
  const positions = Array.from({ length: text.length + 1 }, (_, offset) => lines.positionAt(offset));
  return { lineCount: lines.lineCount, starts, positions };
}

describe('LineIndex', () => {
  it('handles LF, CRLF and lone CR line ends', () => {
    const text = 'a\nbb\r\nccc\rd';
    const idx = new LineIndex(text);
    assert.strictEqual(idx.lineCount, 4);
    assert.deepStrictEqual(idx.positionAt(text.indexOf('d')), { line: 3, character: 0 });
    assert.deepStrictEqual(idx.positionAt(text.indexOf('ccc') + 2), { line: 2, character: 2 });
    assert.strictEqual(idx.offsetAt({ line: 1, character: 99 }), text.indexOf('\r\n'));
    assert.strictEqual(idx.lineEndOffset(1), 4);
  });

  it('finds line feeds without carriage returns the same way (indexOf) as with them (character by character)', () => {
    for (const text of ['', '\n', '\n\n', 'a', 'a\n', '\na', 'a\nbb\n\nccc', '😀\n\tx\n']) {
      const lf = new LineIndex(text);
      // The same text with a lone CR at the end takes the character loop: the same lines before it.
      const cr = new LineIndex(text + '\r');
      assert.strictEqual(lf.lineCount + 1, cr.lineCount, JSON.stringify(text));
      for (let i = 0; i <= text.length; i++) assert.deepStrictEqual(lf.positionAt(i), cr.positionAt(i), `${JSON.stringify(text)} at ${i}`);
    }
  });

  for (const seed of [1, 2, 3, 4]) {
    it(`after an edit, indexes as a fresh scan does, scanning only the change (seed ${seed})`, () => {
      const next = seededRandom(seed);
      const pick = () => PIECES[Math.floor(next() * PIECES.length)];
      let text = Array.from({ length: 60 }, pick).join('');
      let lines = new LineIndex(text);
      for (let edit = 0; edit < 300; edit++) {
        const start = Math.floor(next() * (text.length + 1));
        const end = Math.min(text.length, start + Math.floor(next() * 4));
        const after = text.slice(0, start) + Array.from({ length: Math.floor(next() * 3) }, pick).join('') + text.slice(end);
        const edited = LineIndex.edited(lines, after, textChange(text, after));
        const where = JSON.stringify({ edit, before: text, after });
        assert.deepStrictEqual(indexed(edited, after), indexed(new LineIndex(after), after), where);
        [text, lines] = [after, edited];
      }
    });
  }

  it('round-trips every offset', () => {
    const text = 'x\r\n\ty😀z\r\r\nw';
    const idx = new LineIndex(text);
    for (let i = 0; i <= text.length; i++) {
      const p = idx.positionAt(i);
      if (text[i - 1] === '\r' && text[i] === '\n') continue; // inside a CRLF
      assert.strictEqual(idx.offsetAt(p), i, `offset ${i}`);
    }
  });
});

describe('OffsetMapper', () => {
  it('maps UTF-8 byte offsets to UTF-16 offsets', () => {
    const text = 'é😀a';
    const m = new OffsetMapper(text);
    assert.strictEqual(m.fromUtf8(0), 0);
    assert.strictEqual(m.fromUtf8(2), 1); // after é (2 bytes)
    assert.strictEqual(m.fromUtf8(6), 3); // after 😀 (4 bytes, 2 UTF-16 units)
    assert.strictEqual(m.fromUtf8(7), 4);
  });

  it('maps code-point offsets to UTF-16 offsets', () => {
    const m = new OffsetMapper('😀😀a');
    assert.strictEqual(m.fromCodePoints(2), 4);
  });
});

describe('finding ranges in awkward text', () => {
  before(() => initParser());

  const cases: [string, string][] = [
    ['BOM', '\uFEFFCREATE INDEX i ON users (email);'],
    ['CRLF', 'SELECT 1;\r\nCREATE INDEX i ON users (email);\r\n'],
    ['lone CR', 'SELECT 1;\rCREATE INDEX i ON users (email);'],
    ['tabs and accents', "SELECT 'café';\n\t\tCREATE INDEX i ON users (email);"],
    ['emoji and combining marks', "SELECT '😀e\u0301';\nSELECT 'x'; CREATE INDEX i ON users (email);"],
  ];
  for (const [name, text] of cases) {
    it(name, () => {
      const analysis = analyze(text);
      const f = analysis.findings.find((x) => x.rule === 'require-concurrent-index-creation');
      assert.ok(f, 'finding');
      assert.strictEqual(text.slice(f.span.start, f.span.end), 'CREATE INDEX');
      const j = findingJson(analysis, f);
      const lineText = text.split(/\r\n|\r|\n/)[j.line - 1];
      assert.strictEqual(lineText.slice(j.column - 1, j.endColumn - 1), 'CREATE INDEX');
    });
  }

  it('keeps analysing the statements around a syntax error', () => {
    const text = 'CREATE INDEX a ON users (x);\nSELEC 1;\nCREATE INDEX b ON users (y);';
    const analysis = analyze(text);
    assert.deepStrictEqual(
      analysis.findings.filter((f) => f.rule !== 'require-lock-timeout').map((f) => [f.rule, findingJson(analysis, f).line]),
      [
        ['require-concurrent-index-creation', 1],
        ['syntax-error', 2],
        ['require-concurrent-index-creation', 3],
      ],
    );
  });

  it('analyses statements inside DO blocks with ranges in the body, but not text in comments or strings', () => {
    const text =
      "DO $$\nBEGIN\n  -- CREATE INDEX no ON users (a);\n  RAISE NOTICE 'CREATE INDEX nope ON users (b)';\n  CREATE INDEX yes ON users (c);\nEND $$;";
    const analysis = analyze(text);
    const f = analysis.findings.filter((x) => x.rule === 'require-concurrent-index-creation');
    assert.strictEqual(f.length, 1);
    assert.strictEqual(findingJson(analysis, f[0]).line, 5);
    assert.strictEqual(text.slice(f[0].span.start, f[0].span.end), 'CREATE INDEX');
  });
});
