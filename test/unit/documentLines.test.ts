/**
 * lsp/lint.ts converts the analysis worker's spans with the open document's own line starts
 * (vscode-languageserver-textdocument keeps them up to date edit by edit) instead of a LineIndex of
 * the whole text, when no line ends in a carriage return. This is the equality it relies on: after
 * any edits without a carriage return, every offset's position is the LineIndex's of the same text.
 */
import * as assert from 'assert';
import { TextDocument } from 'vscode-languageserver-textdocument';
import { LineIndex } from '../../server/src/core';
import { seededRandom } from '../support/random';

const PIECES = ['ALTER TABLE t ADD COLUMN c int;', '\n', '\n\n', ' ', 'é', '😀', 'x', "'a\nb'", '-- note\n'];

describe("the open document's line starts", () => {
  for (const seed of [1, 2, 3]) {
    it(`give LineIndex's positions after random edits without a carriage return (seed ${seed})`, () => {
      const next = seededRandom(seed);
      const pick = () => PIECES[Math.floor(next() * PIECES.length)];
      let text = Array.from({ length: 200 }, pick).join('');
      const doc = TextDocument.create('file:///a.sql', 'sql', 1, text);
      doc.positionAt(0);
      for (let version = 2; version < 60; version++) {
        const start = Math.floor(next() * (text.length + 1));
        const end = Math.min(text.length, start + Math.floor(next() * 6));
        const insert = next() < 0.7 ? pick() : '';
        TextDocument.update(doc, [{ range: { start: doc.positionAt(start), end: doc.positionAt(end) }, text: insert }], version);
        text = text.slice(0, start) + insert + text.slice(end);
        assert.strictEqual(doc.getText(), text);
        const lines = new LineIndex(text);
        for (let offset = 0; offset <= text.length; offset++) assert.deepStrictEqual(doc.positionAt(offset), lines.positionAt(offset), `offset ${offset}`);
      }
    });
  }

  it('differ from LineIndex inside a \\r\\n, which is why a text with a carriage return gets a LineIndex', () => {
    const text = 'SELECT 1;\r\nSELECT 2;';
    assert.notDeepStrictEqual(TextDocument.create('file:///a.sql', 'sql', 1, text).positionAt(10), new LineIndex(text).positionAt(10));
  });
});
