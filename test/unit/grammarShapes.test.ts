/**
 * The statement shapes that spare a second parse (core/parse/grammars.ts): on every statement of the
 * corpus (real migrations and PostgreSQL 17's regression tests, which exercise the syntax each version
 * added), each grammar of 13-17 gives the same verdict with shapes as with a parse of every statement.
 */
import * as assert from 'assert';
import * as fs from 'fs';
import { initParser } from '../../server/src/core';
import { buildStatements } from '../../server/src/core/model/statements';
import { grammarRejection, NEWEST_GRAMMAR, OLDEST_GRAMMAR } from '../../server/src/core/parse/grammars';
import { scanTokens } from '../../server/src/core/parse/parser';
import { describeWithCorpus, sqlFilesUnder } from '../support/corpus';

describeWithCorpus('grammar verdicts by statement shape', function (corpus) {
  this.timeout(600_000);
  before(() => initParser(OLDEST_GRAMMAR));

  it('every corpus statement: the same verdict with and without shapes, for 13 to 17', () => {
    const texts = sqlFilesUnder(corpus).flatMap((f) =>
      buildStatements(fs.readFileSync(f, 'utf8'))
        .statements.filter((s) => s.kind !== 'Invalid')
        .map((s) => s.text),
    );
    const differ: string[] = [];
    let rejected = 0;
    for (let v = OLDEST_GRAMMAR; v <= NEWEST_GRAMMAR; v++) {
      for (const text of texts) {
        // Without tokens every statement is parsed (and the verdict cached by text): the reference.
        const parsed = grammarRejection(text, v)?.since;
        const shaped = grammarRejection(text, v, scanTokens(text))?.since;
        if (parsed !== undefined) rejected++;
        if (parsed !== shaped)
          differ.push(`${v}: ${text.replace(/\s+/g, ' ').slice(0, 120)} (parsed: ${parsed ?? 'accepted'}, by shape: ${shaped ?? 'accepted'})`);
      }
    }
    console.log(`      ${texts.length} statements × ${NEWEST_GRAMMAR - OLDEST_GRAMMAR + 1} grammars, ${rejected} rejections`);
    assert.ok(rejected > 0, 'no statement of the corpus needs a newer grammar: the comparison proves nothing');
    assert.deepStrictEqual(differ.slice(0, 20), []);
  });
});
