/**
 * The PostgreSQL facts runner-aware analysis rests on, on a live engine (PGlite, PostgreSQL 18):
 * the statements cannot-run-in-transaction and ban-concurrent-index-creation-in-transaction
 * report fail inside a transaction block, and a multi-statement query string (how Prisma,
 * golang-migrate, diesel, dbmate and sqlx send a file) is such a block while a one-statement
 * string is not. Each check also asserts what Lockwise predicts for the same text.
 */
import * as assert from 'assert';
import { analyze, initParser, mergeConfig } from '../../server/src/core';
import { TraceEngine } from '../../server/src/trace/engine';

const SETUP = 'CREATE TABLE users (id bigint PRIMARY KEY, email text);';

async function failure(engine: TraceEngine, sql: string): Promise<string | undefined> {
  try {
    await engine.exec(sql);
    return undefined;
  } catch (error) {
    return (error as Error).message;
  } finally {
    await engine.exec('ROLLBACK').catch(() => undefined);
  }
}

/** Rules Lockwise reports on `text` run by `runner` (as prisma: one multi-statement query). */
function predicted(text: string, runner: 'prisma' | 'goose' | 'none'): string[] {
  const config = mergeConfig({ runner });
  return analyze(text, { config, runner: { id: runner, fileName: runner === 'prisma' ? '/p/20240101000000_x/migration.sql' : '/p/00001_x.sql' } })
    .findings.filter((f) => f.severity === 'error')
    .map((f) => f.rule);
}

describe('runner transactions vs PGlite (live engine)', function () {
  this.timeout(120000);
  let engine: TraceEngine;

  before(async () => {
    await initParser();
    engine = await TraceEngine.create();
    await engine.exec(SETUP);
  });

  after(async () => {
    await engine?.close();
  });

  for (const sql of [
    'VACUUM users',
    "ALTER SYSTEM SET work_mem = '64MB'",
    'CREATE DATABASE lockwise_probe',
    "CREATE TABLESPACE probe LOCATION '/tmp'",
    'REINDEX SCHEMA public',
  ]) {
    it(`${sql.split(' ').slice(0, 2).join(' ')} fails inside BEGIN, and Lockwise says so`, async () => {
      const message = await failure(engine, `BEGIN; ${sql};`);
      assert.match(message ?? '', /cannot run inside a transaction block/);
      assert.ok(predicted(`BEGIN;\n${sql};\nCOMMIT;\n`, 'none').includes('cannot-run-in-transaction'));
    });
  }

  it('a multi-statement query string is a transaction block: CONCURRENTLY fails in it (Prisma, golang-migrate)', async () => {
    const text = 'ALTER TABLE users ADD COLUMN name text;\nCREATE INDEX CONCURRENTLY users_email_idx ON users (email);\n';
    const message = await failure(engine, text);
    assert.match(message ?? '', /CREATE INDEX CONCURRENTLY cannot run inside a transaction block/);
    assert.ok(predicted(text, 'prisma').includes('ban-concurrent-index-creation-in-transaction'));
  });

  it('a one-statement query string is not: CONCURRENTLY alone in its migration works', async () => {
    const text = 'CREATE INDEX CONCURRENTLY users_email_idx2 ON users (email);\n';
    assert.strictEqual(await failure(engine, text), undefined);
    assert.deepStrictEqual(predicted(text, 'prisma'), []);
  });

  it('a runner transaction (goose) makes CONCURRENTLY fail where psql would run it', async () => {
    const text = '-- +goose Up\nCREATE INDEX CONCURRENTLY users_email_idx3 ON users (email);\n';
    const message = await failure(engine, 'BEGIN; CREATE INDEX CONCURRENTLY users_email_idx3 ON users (email);');
    assert.match(message ?? '', /cannot run inside a transaction block/);
    assert.deepStrictEqual(predicted(text, 'goose'), ['ban-concurrent-index-creation-in-transaction']);
    assert.deepStrictEqual(predicted('CREATE INDEX CONCURRENTLY users_email_idx3 ON users (email);\n', 'none'), []);
  });
});
