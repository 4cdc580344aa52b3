/**
 * The grammar check in batches (core/parse/grammars.ts: a statement is parsed together with the rest
 * of its file, and only a failing batch is resolved statement by statement): on every statement of
 * the corpus (real migrations and PostgreSQL 17's regression tests, which exercise the syntax each
 * version added and fail many batches), each grammar of 13-17 gives the same verdict, message and
 * offset as a parse of that statement alone.
 */
import * as assert from 'assert';
import * as fs from 'fs';
import { initParser } from '../../server/src/core';
import { buildStatements } from '../../server/src/core/model/statements';
import { forgetVerdicts, grammarRejection, NEWEST_GRAMMAR, OLDEST_GRAMMAR } from '../../server/src/core/parse/grammars';
import { describeWithCorpus, sqlFilesUnder } from '../support/corpus';

/** Each statement's verdict, checked in file order as rule unsupported-syntax does: with the statements after it. */
function batched(files: string[][], version: number): string[] {
  return files.flatMap((texts) => texts.map((text, k) => JSON.stringify(grammarRejection(text, version, () => texts.slice(k + 1)) ?? null)));
}

describe('grammar verdicts in batches', () => {
  before(() => initParser(OLDEST_GRAMMAR));
  afterEach(() => forgetVerdicts());

  it('a rejected statement in the middle of a file: the ones around it are accepted, it keeps its own message and offset', () => {
    const texts = ['CREATE TABLE t (a int)', 'CREATE UNIQUE INDEX i ON t (a) NULLS NOT DISTINCT', 'ALTER TABLE t ADD COLUMN b text -- note', 'SELECT 1'];
    const inBatches = batched([texts], 14);
    forgetVerdicts();
    assert.deepStrictEqual(
      inBatches,
      texts.map((t) => JSON.stringify(grammarRejection(t, 14) ?? null)),
    );
    assert.deepStrictEqual(
      inBatches.map((v) => JSON.parse(v)?.since),
      [undefined, 15, undefined, undefined],
    );
  });
});

describe('the grammar batch after an edit', () => {
  before(() => initParser(OLDEST_GRAMMAR));
  afterEach(() => forgetVerdicts());

  it('stops at a run of statements already checked instead of looking up the rest of the file', () => {
    const texts = Array.from({ length: 300 }, (_, i) => `ALTER TABLE t${i} ADD COLUMN c int`);
    texts.forEach((t, k) => grammarRejection(t, 15, () => texts.slice(k + 1)));
    let pulled = 0;
    function* counted(): Generator<string> {
      for (const t of texts) {
        pulled++;
        yield t;
      }
    }
    // The edited statement is new; every statement after it was checked before.
    assert.strictEqual(grammarRejection('ALTER TABLE t0 ADD COLUMN cc int', 15, counted), undefined);
    assert.ok(pulled <= 65, `${pulled} statements looked up`);
  });
});

describeWithCorpus('grammar verdicts in batches', function (corpus) {
  this.timeout(600_000);
  before(() => initParser(OLDEST_GRAMMAR));
  after(() => forgetVerdicts());

  it('every corpus statement: the same verdict in a batch as alone, for 13 to 17', () => {
    const files = sqlFilesUnder(corpus).map((f) =>
      buildStatements(fs.readFileSync(f, 'utf8'))
        .statements.filter((s) => s.kind !== 'Invalid')
        .map((s) => s.text),
    );
    const texts = files.flat();
    const differ: string[] = [];
    let rejected = 0;
    for (let v = OLDEST_GRAMMAR; v <= NEWEST_GRAMMAR; v++) {
      forgetVerdicts();
      const inBatches = batched(files, v);
      forgetVerdicts();
      texts.forEach((text, i) => {
        const alone = JSON.stringify(grammarRejection(text, v) ?? null);
        if (alone !== 'null') rejected++;
        if (alone !== inBatches[i]) differ.push(`${v}: ${text.replace(/\s+/g, ' ').slice(0, 120)} (alone: ${alone}, in a batch: ${inBatches[i]})`);
      });
    }
    console.log(`      ${texts.length} statements × ${NEWEST_GRAMMAR - OLDEST_GRAMMAR + 1} grammars, ${rejected} rejections`);
    assert.ok(rejected > 0, 'no statement of the corpus needs a newer grammar: the comparison proves nothing');
    assert.deepStrictEqual(differ.slice(0, 20), []);
  });
});
