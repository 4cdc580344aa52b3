import * as assert from 'assert';
import { initParser } from '../../server/src/core';
import { buildStatements } from '../../server/src/core/model/statements';
import { buildTimeline, gucDuration, parseDuration, roundsToZero } from '../../server/src/core/model/timeline';

function timeline(sql: string, assumeInTransaction = false) {
  const { statements } = buildStatements(sql);
  return { statements, timeline: buildTimeline(statements, assumeInTransaction) };
}

describe('timeline', () => {
  before(() => initParser());

  it('tracks explicit transactions and where they end', () => {
    const { timeline: t } = timeline('SELECT 1; BEGIN; ALTER TABLE a ADD b int; COMMIT; SELECT 2;');
    assert.strictEqual(t.perStatement[0].transaction, undefined);
    assert.strictEqual(t.perStatement[2].transaction?.begin, 1);
    assert.strictEqual(t.perStatement[2].transaction?.end, 3);
    assert.strictEqual(t.perStatement[2].transaction?.endKind, 'commit');
    assert.strictEqual(t.perStatement[4].transaction, undefined);
  });

  it('START TRANSACTION / END / ROLLBACK / COMMIT AND CHAIN', () => {
    const { timeline: t } = timeline('START TRANSACTION; SELECT 1; END; BEGIN; SELECT 2; ROLLBACK; BEGIN; SELECT 3; COMMIT AND CHAIN; SELECT 4; COMMIT;');
    assert.strictEqual(t.perStatement[1].transaction?.end, 2);
    assert.strictEqual(t.perStatement[4].transaction?.endKind, 'rollback');
    assert.strictEqual(t.perStatement[7].transaction?.end, 8);
    assert.strictEqual(t.perStatement[9].transaction?.begin, 8);
    assert.strictEqual(t.perStatement[9].transaction?.end, 10);
  });

  it('marks a BEGIN inside a transaction and an unterminated transaction', () => {
    const { timeline: t } = timeline('BEGIN; BEGIN; SELECT 1;');
    assert.ok(t.perStatement[1].nestedBegin);
    assert.strictEqual(t.perStatement[2].transaction?.end, undefined);
  });

  it('puts the whole file in one implicit transaction with assumeInTransaction', () => {
    const { timeline: t } = timeline('SELECT 1; SELECT 2;', true);
    assert.ok(t.perStatement[0].transaction?.implicit);
    assert.strictEqual(t.perStatement[0].transaction, t.perStatement[1].transaction);
  });

  it('follows lock_timeout through SET, SET LOCAL, RESET and set_config', () => {
    const sql = [
      "SET lock_timeout = '2s'", // 0
      'SELECT 1', // 1
      'BEGIN', // 2
      'SET LOCAL lock_timeout TO 100', // 3
      'SELECT 2', // 4
      'COMMIT', // 5
      'SELECT 3', // 6  back to 2s
      'RESET lock_timeout', // 7
      'SELECT 4', // 8  none
      "SELECT set_config('lock_timeout', '1min', false)", // 9
      'SELECT 5', // 10
      'BEGIN', // 11
      "SET lock_timeout = '9s'", // 12
      'ROLLBACK', // 13
      'SELECT 6', // 14 rolled back to 1min
      'SET LOCAL lock_timeout = 5', // 15 outside a transaction: no effect
      'SELECT 7', // 16
      'RESET ALL', // 17
      'SELECT 8', // 18
    ].join(';\n');
    const { timeline: t } = timeline(sql);
    const ms = (i: number) => t.perStatement[i].lockTimeout?.ms;
    assert.deepStrictEqual([ms(1), ms(4), ms(6), ms(8), ms(10), ms(14), ms(16), ms(18)], [2000, 100, 2000, undefined, 60000, 60000, 60000, undefined]);
  });

  it('parses PostgreSQL durations', () => {
    assert.deepStrictEqual(['5s', '250ms', '1min', '2h', '1d', '100', ' 3 s'].map(parseDuration), [5000, 250, 60000, 7200000, 86400000, 100, 3000]);
    assert.strictEqual(parseDuration('soon'), undefined);
    assert.strictEqual(parseDuration(1500), 1500);
  });

  // The server's answers for each are in test/engine/timeline.engine.test.ts.
  it('rounds like PostgreSQL: a fraction of a unit to the next smaller unit, then to whole ms, halves to even', () => {
    const cases: [string, number | undefined][] = [
      ['500us', 0],
      ['0.4ms', 0],
      ['0.5', 0],
      ['1.5', 2],
      ['2.5', 2],
      ['0.00001min', 0],
      ['0.01min', 1000],
      ['1e3', 1000],
      ['0x10', 16],
      ['5S', undefined],
      ['-1', undefined],
    ];
    assert.deepStrictEqual(
      cases.map(([v]) => parseDuration(v)),
      cases.map(([, ms]) => ms),
    );
    // Config durations may exceed the GUC's range; a lock_timeout may not.
    assert.strictEqual(parseDuration('30d'), 2592000000);
    assert.strictEqual(gucDuration('30d'), undefined);
    assert.ok(roundsToZero({ ms: 0, setAt: 0, local: false, text: '500us' }));
    assert.ok(!roundsToZero({ ms: 0, setAt: 0, local: false, text: '0' }));
  });

  it('ROLLBACK TO SAVEPOINT undoes the settings made after it; RELEASE keeps them', () => {
    const sql = [
      'BEGIN', // 0
      "SET LOCAL lock_timeout = '1s'", // 1
      'SAVEPOINT a', // 2
      "SET lock_timeout = '2s'", // 3
      'ROLLBACK TO SAVEPOINT a', // 4  1s
      'SAVEPOINT b', // 5
      "SET LOCAL lock_timeout = '3s'", // 6
      'RELEASE SAVEPOINT b', // 7  3s
      'COMMIT', // 8  none
    ].join(';\n');
    const { timeline: t } = timeline(sql);
    const ms = (i: number) => t.perStatement[i].lockTimeout?.ms;
    assert.deepStrictEqual([ms(3), ms(4), ms(6), ms(7), ms(8)], [2000, 1000, 3000, 3000, undefined]);
  });

  it('psql \\connect ends the session: its settings and its open transaction', () => {
    const sql = "BEGIN;\nSET lock_timeout = '1s';\n\\connect other\nSELECT 1;\n\\set x 1\nSELECT 2;";
    const { statements, metaCommands } = buildStatements(sql);
    assert.deepStrictEqual(
      metaCommands.map((m) => m.text),
      ['\\connect other', '\\set x 1'],
    );
    const t = buildTimeline(statements, false, { metaCommands });
    assert.strictEqual(t.perStatement[2].lockTimeout, undefined);
    assert.strictEqual(t.perStatement[2].transaction, undefined);
    assert.strictEqual(t.transactions[0].end, undefined, 'never committed');
    assert.strictEqual(t.transactions[0].disconnectedAt, sql.indexOf('\\connect'), 'rolled back by the \\connect');
  });

  it('tracks the TimeZone from the config, SET TIME ZONE and RESET', () => {
    const { statements } = buildStatements("SELECT 1; SET TIME ZONE 'Europe/Berlin'; SET TIME ZONE 0; RESET TimeZone;");
    const t = buildTimeline(statements, false, { timeZone: 'UTC' });
    assert.deepStrictEqual(
      t.perStatement.map((e) => [e.timeZone?.text, e.timeZone?.utc]),
      [
        ['UTC', true],
        ['Europe/Berlin', false],
        ['0', true],
        ['UTC', true],
      ],
    );
    assert.strictEqual(buildTimeline(statements, false).perStatement[0].timeZone, undefined);
  });
});
