/**
 * Fuzzing `fixAll` (what `lint --fix` and fix-all apply) with corpus files bent by the fuzzer's
 * random edits (truncations, unbalanced quotes and comments, random characters): the batched run
 * must equal one fix at a time, a second run must fix nothing, and the core must not throw or log
 * an internal error. Seeded (LOCKWISE_FUZZ_SEED) and time-bounded (LOCKWISE_FIX_FUZZ_MS, default 20 s).
 */
import * as assert from 'assert';
import * as fs from 'fs';
import { analyze, fixAll, initParser } from '../../server/src/core';
import { describeWithCorpus } from '../support/corpus';
import { applyEdit, loadCorpus, randomEdit, Rng } from './fuzzer';

const SEED = Number(process.env.LOCKWISE_FUZZ_SEED ?? 20261201);
const BUDGET_MS = Number(process.env.LOCKWISE_FIX_FUZZ_MS ?? 20000);

describeWithCorpus('fuzzing fixAll with bent corpus files', function (corpus) {
  this.timeout(BUDGET_MS + 120000);
  before(() => initParser());

  it(`batched equals one fix at a time, and a second run fixes nothing (seed ${SEED}, ${BUDGET_MS} ms)`, () => {
    const files = loadCorpus(corpus, 12_000);
    const rng = new Rng(SEED);
    const started = Date.now();
    let cases = 0;
    let withFixes = 0;
    while (Date.now() - started < BUDGET_MS) {
      const file = files[rng.int(files.length)];
      let text = fs.readFileSync(file, 'utf8');
      const other = () => fs.readFileSync(files[rng.int(files.length)], 'utf8');
      const edits = 1 + rng.int(4);
      for (let i = 0; i < edits; i++) text = applyEdit(text, randomEdit(rng, text, other));
      const where = `seed ${SEED}, case ${cases} (${file}, ${edits} edit(s))`;
      const batched = fixAll(text);
      const single = fixAll(text, {}, { batch: false });
      assert.strictEqual(batched.text, single.text, `${where}: batched differs from one at a time`);
      assert.strictEqual(batched.stopped, undefined, `${where}: ${batched.stopped}`);
      assert.deepStrictEqual(fixAll(batched.text).fixed, [], `${where}: a second run fixed more`);
      assert.deepStrictEqual(analyze(batched.text).internalErrors, [], where);
      cases++;
      if (batched.fixed.length) withFixes++;
    }
    console.log(`      (${cases} bent files, ${withFixes} with fixes, in ${Date.now() - started} ms)`);
    assert.ok(withFixes > 5, `only ${withFixes} of ${cases} had fixes`);
  });
});
