/**
 * `statementAt` (hover, code actions) finds the statement at an offset by binary search: it must
 * answer as a scan of every statement does, at every offset of the fixtures (DO blocks and their
 * bodies, syntax errors, runner files) and at offsets spread through the corpus.
 */
import * as assert from 'assert';
import * as fs from 'fs';
import * as path from 'path';
import { analyze, initParser, statementAt } from '../../server/src/core';
import type { Analysis, StatementAnalysis } from '../../server/src/core';
import { itWithCorpus, realWorldFiles, sqlFilesUnder } from '../support/corpus';

/** The innermost statement holding the offset, by a scan of all of them (the former implementation). */
function scanned(analysis: Analysis, offset: number): StatementAnalysis | undefined {
  let found: StatementAnalysis | undefined;
  for (const s of analysis.statements) {
    const { start, end } = s.statement.span;
    if (offset >= start && offset <= Math.max(end, s.statement.terminatorEnd)) {
      if (!found || s.statement.span.start >= found.statement.span.start) found = s;
    }
  }
  return found;
}

function checkFile(file: string, step: number): number {
  const text = fs.readFileSync(file, 'utf8');
  const analysis = analyze(text);
  let checked = 0;
  for (let offset = 0; offset <= text.length; offset += step) {
    assert.strictEqual(statementAt(analysis, offset), scanned(analysis, offset), `${file} at offset ${offset}`);
    checked++;
  }
  return checked;
}

const FIXTURES = path.join(__dirname, '..', '..', '..', 'test', 'fixtures');

describe('statementAt', () => {
  before(() => initParser());

  it('answers as a scan of every statement, at every offset of the rule and runner fixtures', () => {
    const files = [...sqlFilesUnder(path.join(FIXTURES, 'rules')), ...sqlFilesUnder(path.join(FIXTURES, 'runners'))];
    assert.ok(files.length > 100, `${files.length} fixture files`);
    let withDo = 0;
    for (const file of files) {
      checkFile(file, 1);
      if (/\bDO\s+(\$|')/i.test(fs.readFileSync(file, 'utf8'))) withDo++;
    }
    assert.ok(withDo > 3, `${withDo} fixtures with DO blocks`);
  });

  it('answers between statements, inside a DO body, after the last statement and on an empty file', () => {
    const text =
      '-- a comment\nCREATE TABLE t (id int);\n\nDO $$ BEGIN\n  ALTER TABLE t ADD COLUMN a int;\n  UPDATE t SET a = 1;\nEND $$;\n\nALTER TABLE t ADD COLUMN broken intt x;\n-- the end\n';
    const analysis = analyze(text);
    const at = (needle: string) => statementAt(analysis, text.indexOf(needle))?.statement.kind;
    assert.strictEqual(at('-- a comment'), undefined);
    assert.strictEqual(at('TABLE t (id'), 'CreateStmt');
    assert.strictEqual(at('ADD COLUMN a int'), 'AlterTableStmt');
    assert.strictEqual(at('SET a = 1'), 'UpdateStmt');
    assert.strictEqual(at('BEGIN\n'), 'DoStmt');
    assert.strictEqual(at('-- the end'), undefined);
    for (let offset = 0; offset <= text.length; offset++) assert.strictEqual(statementAt(analysis, offset), scanned(analysis, offset), `offset ${offset}`);
    assert.strictEqual(statementAt(analyze(''), 0), undefined);
  });

  itWithCorpus('answers as a scan of every statement at offsets spread through the corpus', (corpus) => {
    const files = [...realWorldFiles(corpus, 64 * 1024), ...sqlFilesUnder(path.join(corpus, 'postgres_regress'))];
    let checked = 0;
    for (const file of files) checked += checkFile(file, 97);
    assert.ok(checked > 10000, `${checked} offsets`);
  });
});
