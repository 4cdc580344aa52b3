/**
 * The locks DML reaches through the written tables' foreign keys, as the analysis reports them:
 * "may take" (a condition saying which rows), certain parts kept apart. The modes are pinned on a
 * real server in test/engine/lockReach.engine.test.ts; this checks the wording and the DO-block case.
 */
import * as assert from 'assert';
import { analyze, Catalog, DEFAULT_CONFIG, initParser } from '../../server/src/core';
import type { RelationLock } from '../../server/src/core/locks/model';
import { replay } from '../../server/src/project/history';

const HISTORY = `CREATE TABLE p (id int PRIMARY KEY);
  CREATE TABLE c (id int, p_id int REFERENCES p ON DELETE CASCADE);
  CREATE TABLE e (id int, p_id int REFERENCES p);`;

/** Locks of the file's statement `index` (0: the first), by relation. */
function locks(text: string, index = 0): Record<string, Pick<RelationLock, 'mode' | 'condition' | 'certainMode'>> {
  const history = new Catalog();
  replay(HISTORY, history);
  const effect = analyze(text, { config: DEFAULT_CONFIG, history }).statements[index].effect;
  return Object.fromEntries(effect.locks.map((l) => [l.relation, { mode: l.mode, condition: l.condition, certainMode: l.certainMode }]));
}

describe('row writes: locks reached through foreign keys', () => {
  before(() => initParser());

  it('DELETE may take the referencing tables, saying which rows it takes them for', () => {
    const got = locks('DELETE FROM p WHERE id = 1;');
    assert.deepStrictEqual(got.p, { mode: 'ROW EXCLUSIVE', condition: undefined, certainMode: undefined });
    assert.deepStrictEqual(got.c, {
      mode: 'ROW EXCLUSIVE',
      condition: 'only if rows are deleted from p: foreign key c_p_id_fkey of c',
      certainMode: undefined,
    });
    assert.strictEqual(got.e?.mode, 'ROW SHARE');
  });

  it('INSERT ... SELECT reads its source for certain and may check the foreign key on it', () => {
    const got = locks('INSERT INTO e (id, p_id) SELECT id, id FROM p;');
    assert.deepStrictEqual(got.p, { mode: 'ROW SHARE', condition: 'only if rows are inserted into e', certainMode: 'ACCESS SHARE' });
  });

  it('in a DO loop that may not run, nothing of the statement is certain, its own condition kept', () => {
    const got = locks('DO $$ DECLARE x int; BEGIN FOR x IN SELECT id FROM c LOOP INSERT INTO e (id, p_id) SELECT id, id FROM p; END LOOP; END $$;', 1);
    assert.deepStrictEqual(got.p, { mode: 'ROW SHARE', condition: 'only if rows are inserted into e', certainMode: undefined });
  });
});
