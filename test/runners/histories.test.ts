/**
 * lemmy (diesel), documenso (Prisma) and harbor (golang-migrate) from the corpus, executed the way
 * their runner executes each file, before and after `lockwise lint --fix`: no fixed file may fail
 * where the original applied, and both leave the same schema.
 */
import * as assert from 'node:assert';
import { describeWithCorpus } from '../support/corpus';
import { requirePgServer, type PgServer } from '../support/pgServer';
import { HISTORIES, measureHistory, summary } from './histories';

describeWithCorpus('real histories under their runner, original and --fix', function (corpus) {
  this.timeout(300_000);
  let server: PgServer;

  before(async function () {
    server = await requirePgServer(this);
  });

  for (const history of HISTORIES) {
    it(`${history.name} (${history.runner}): every fixed file applies and the schema is the original's`, async () => {
      const r = await measureHistory(server, corpus, history);
      console.log(`      ${summary(r)}`);
      assert.deepStrictEqual(r.originalFailures, [], 'the original history must apply (else the corpus or the executor is wrong)');
      assert.ok(r.changed > 0, '--fix changed no file: nothing was proven');
      assert.deepStrictEqual(r.fixedFailures.slice(0, 5), [], `${r.fixedFailures.length} fixed file(s) fail under ${history.runner}`);
      assert.deepStrictEqual(r.schemaDiff.slice(0, 20), [], `${r.schemaDiff.length} catalog rows differ`);
    });
  }
});
