/**
 * `queryReads` (core/model/dependencies.ts) walks a query once for what views and CREATE TABLE AS
 * record (their source relations, CTE names, the columns they name) instead of four `findAll`
 * walks. It must give what those walks give, in the same order: sources keep their order in the
 * catalog, and so in what DROP ... CASCADE reports. Checked on whole statements (more shapes than
 * view queries alone) of every rule fixture and every corpus file.
 */
import * as assert from 'assert';
import { initParser, RULES } from '../../server/src/core';
import { columnsRead, queryReads } from '../../server/src/core/model/dependencies';
import { buildStatements } from '../../server/src/core/model/statements';
import { findAll, nameList, Node, T } from '../../server/src/core/parse/ast';
import { describeWithCorpus, sqlFilesUnder } from '../support/corpus';
import { loadRuleCases } from '../support/ruleCases';
import * as fs from 'fs';

/** The walks `queryReads` replaced, as they were. */
function reference(node: Node | undefined) {
  const names = findAll<T.ColumnRef>(node, 'ColumnRef').map((r) => nameList(r.fields).pop() ?? '');
  const star = findAll(node, 'A_Star').length > 0;
  return {
    rangeVars: findAll<T.RangeVar>(node, 'RangeVar'),
    ctes: new Set(findAll<T.CommonTableExpr>(node, 'CommonTableExpr').map((c) => c.ctename)),
    columns: [...new Set([...names.filter(Boolean), ...(star ? ['*'] : [])])],
  };
}

function sameReads(text: string): number {
  let checked = 0;
  for (const stmt of buildStatements(text).statements) {
    if (!stmt.node) continue;
    const want = reference(stmt.node);
    const got = queryReads(stmt.node);
    assert.strictEqual(got.rangeVars.length, want.rangeVars.length, stmt.text.slice(0, 80));
    // The same objects, in the same order.
    got.rangeVars.forEach((rv, i) => assert.strictEqual(rv, want.rangeVars[i], stmt.text.slice(0, 80)));
    assert.deepStrictEqual([...got.ctes], [...want.ctes]);
    assert.deepStrictEqual(columnsRead(stmt.node), want.columns);
    // Memoised per tree: the second call answers the same.
    assert.strictEqual(queryReads(stmt.node), got);
    checked++;
  }
  return checked;
}

describe('queryReads', () => {
  before(async () => {
    await initParser();
  });

  it('gives what findAll gives, in its order, on every rule fixture', () => {
    let checked = 0;
    for (const rule of RULES) {
      for (const c of loadRuleCases(rule.id)) for (const text of [c.text, ...c.history]) checked += sameReads(text);
    }
    assert.ok(checked > 500, `only ${checked} statements`);
  });

  it('answers nothing for no query', () => {
    assert.deepStrictEqual(queryReads(undefined).rangeVars, []);
    assert.deepStrictEqual(columnsRead(undefined), []);
  });
});

describeWithCorpus('queryReads over the corpus', function (corpus) {
  this.timeout(120_000);
  before(async () => {
    await initParser();
  });

  it('gives what findAll gives, in its order, on every corpus statement', () => {
    let checked = 0;
    for (const file of sqlFilesUnder(corpus)) checked += sameReads(fs.readFileSync(file, 'utf8'));
    assert.ok(checked > 5000, `only ${checked} statements`);
  });
});
