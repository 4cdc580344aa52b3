import * as assert from 'assert';
import { EVERY_BRANCH, splitStatements } from '../../server/src/core/parse/splitter';

function pieces(text: string): string[] {
  return splitStatements(text).chunks.map((c) => text.slice(c.start, c.end));
}

describe('splitStatements', () => {
  it('splits on semicolons outside strings, identifiers and comments', () => {
    const text = `SELECT 'a;b'; SELECT "x;y" FROM t; -- c;d\nSELECT 1 /* e; /* nested; */ f; */ ;`;
    assert.deepStrictEqual(pieces(text), [`SELECT 'a;b'`, `SELECT "x;y" FROM t`, 'SELECT 1']);
  });

  it("handles doubled quotes and E'' backslash escapes", () => {
    const text = `SELECT 'it''s;'; SELECT E'a\\';b'; SELECT 'c\\'; SELECT 2;`;
    assert.deepStrictEqual(pieces(text), [`SELECT 'it''s;'`, `SELECT E'a\\';b'`, `SELECT 'c\\'`, 'SELECT 2']);
  });

  it('handles dollar quotes with and without tags, but not $1 parameters', () => {
    const text = `CREATE FUNCTION f() RETURNS int AS $$ SELECT 1; $$ LANGUAGE sql;\nDO $body$ BEGIN PERFORM 1; END $body$;\nPREPARE p AS SELECT $1; SELECT 3;`;
    assert.deepStrictEqual(pieces(text), [
      'CREATE FUNCTION f() RETURNS int AS $$ SELECT 1; $$ LANGUAGE sql',
      'DO $body$ BEGIN PERFORM 1; END $body$',
      'PREPARE p AS SELECT $1',
      'SELECT 3',
    ]);
  });

  it('the text the first call splits first takes every branch of the loop (so V8 has seen each before it optimises)', () => {
    const { chunks, comments, skipped } = splitStatements(EVERY_BRANCH);
    assert.deepStrictEqual(
      skipped.map((s) => s.reason),
      ['meta-command', 'copy-data'],
    );
    const texts = chunks.map((c) => EVERY_BRANCH.slice(c.start, c.end));
    assert.deepStrictEqual(texts.slice(0, 2), ['COPY t FROM stdin', 'CREATE FUNCTION f() RETURNS int BEGIN ATOMIC SELECT CASE WHEN true THEN 1 END; END']);
    const last = texts[2];
    // Each kind of quote, a parameter, both dollar quotes, and more words than BEGIN ATOMIC tracking reads.
    for (const part of ["E'a\\'b'", "'c''d'", '"q""i"', '$1', '$t$x$t$', '$$y$$']) assert.ok(last.includes(part), part);
    assert.ok(last.split(/\s+/).length > 12);
    assert.deepStrictEqual(
      comments.map((c) => c.line),
      [false, true],
    );
    assert.ok(comments[0].text.includes('/* b */'), 'a nested block comment');
    assert.match(EVERY_BRANCH, /;\n $/, 'spaces at the very end');
  });

  it('keeps BEGIN ATOMIC ... END bodies whole', () => {
    const text = `CREATE FUNCTION f() RETURNS int LANGUAGE sql BEGIN ATOMIC SELECT 1; SELECT CASE WHEN true THEN 2 END; END;\nSELECT 4;`;
    assert.deepStrictEqual(pieces(text), [
      'CREATE FUNCTION f() RETURNS int LANGUAGE sql BEGIN ATOMIC SELECT 1; SELECT CASE WHEN true THEN 2 END; END',
      'SELECT 4',
    ]);
  });

  it('does not treat a transaction BEGIN as an atomic body', () => {
    assert.deepStrictEqual(pieces('BEGIN; SELECT 1; COMMIT;'), ['BEGIN', 'SELECT 1', 'COMMIT']);
  });

  it('skips COPY FROM stdin data up to \\.', () => {
    const text = `COPY t (a, b) FROM stdin;\n1\tx;y\n2\t'z\n\\.\nSELECT 5;`;
    const result = splitStatements(text);
    assert.deepStrictEqual(pieces(text), ['COPY t (a, b) FROM stdin', 'SELECT 5']);
    assert.strictEqual(result.skipped[0].reason, 'copy-data');
  });

  it('skips psql meta-commands', () => {
    const text = `\\set ON_ERROR_STOP on\nSELECT 1;\n\\i other.sql\nSELECT 2 \\gset\nSELECT 3;`;
    assert.deepStrictEqual(pieces(text), ['SELECT 1', 'SELECT 2', 'SELECT 3']);
  });

  it('reports an unterminated last statement and collects comments', () => {
    const text = `-- lockwise-ignore x\nSELECT 1;\nSELECT 2`;
    const result = splitStatements(text);
    assert.deepStrictEqual(pieces(text), ['SELECT 1', 'SELECT 2']);
    assert.strictEqual(result.chunks[1].terminated, false);
    assert.strictEqual(result.comments[0].text, '-- lockwise-ignore x');
  });

  it('survives unbalanced quotes and comments without looping', () => {
    for (const text of [`SELECT 'abc`, `SELECT "abc`, `SELECT /* abc`, `SELECT $$ abc`, `SELECT $a$ x $b$`, `'`, `$`, `/*/`]) {
      const result = splitStatements(text);
      assert.ok(result.chunks.length <= 1, text);
    }
  });
});
