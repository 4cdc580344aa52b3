/**
 * Version-gated syntax (rule unsupported-syntax, core/parse/grammars.ts): for each statement, the
 * verdict of the PostgreSQL 15 grammar must match the real PostgreSQL 15 server (syntax error 42601 or
 * not), and PGlite (PostgreSQL 18) must run every statement that PostgreSQL 18's parser accepts. The
 * version named as "new in" is the first grammar that accepts it.
 */
import * as assert from 'assert';
import type { Client } from 'pg';
import { analyze, DEFAULT_CONFIG, initParser } from '../../server/src/core';
import { grammarRejection } from '../../server/src/core/parse/grammars';
import { TraceEngine } from '../../server/src/trace/engine';
import { requirePgServer } from '../support/pgServer';

const SETUP = `CREATE TABLE users (id int PRIMARY KEY, email text, nickname text);
CREATE TABLE staged_users (id int, email text);
CREATE TABLE orders (id int, price_cents int, quantity int, total_cents bigint GENERATED ALWAYS AS (price_cents * quantity) STORED);
CREATE TABLE tags (name text);
CREATE TABLE post_read (person_id int, post_id int);`;

interface Case {
  sql: string;
  /** First major whose grammar accepts it; 13: every grammar Lockwise has. */
  since: number;
}

const CASES: Case[] = [
  { sql: 'ALTER TABLE users ADD CONSTRAINT users_email_not_null NOT NULL email NOT VALID', since: 18 },
  { sql: 'ALTER TABLE users ADD CONSTRAINT users_email_not_null CHECK (email IS NOT NULL) NOT VALID', since: 13 },
  { sql: 'MERGE INTO users u USING staged_users s ON u.id = s.id WHEN MATCHED THEN DELETE', since: 15 },
  { sql: 'MERGE INTO users u USING staged_users s ON u.id = s.id WHEN MATCHED THEN DELETE RETURNING u.id', since: 17 },
  { sql: 'CREATE UNIQUE INDEX users_email_key ON users (email) NULLS NOT DISTINCT', since: 15 },
  { sql: 'ALTER TABLE orders ALTER COLUMN total_cents SET EXPRESSION AS (price_cents * quantity * 2)', since: 17 },
  { sql: `INSERT INTO tags (name) SELECT jt.name FROM JSON_TABLE('[{"name": "a"}]'::jsonb, '$[*]' COLUMNS (name text PATH '$.name')) AS jt`, since: 17 },
  { sql: 'ALTER TABLE orders ADD COLUMN twice bigint GENERATED ALWAYS AS (price_cents * 2) VIRTUAL', since: 18 },
  { sql: 'CREATE TABLE post_actions AS SELECT person_id, post_id FROM (SELECT person_id, post_id FROM post_read)', since: 16 },
  { sql: 'CREATE TABLE post_actions AS SELECT person_id, post_id FROM (SELECT person_id, post_id FROM post_read) AS r', since: 13 },
  // libpg_query's 15 lexer reads these as `0 AS x1F` and `1 AS _000` (as 13 and 14 do); the 15 server
  // rejects them ("trailing junk after numeric literal"): the rule says so from the tokens.
  { sql: 'INSERT INTO orders (quantity) SELECT 0x1F', since: 16 },
  { sql: 'INSERT INTO orders (quantity) SELECT 1_000', since: 16 },
];

/** What unsupported-syntax reports for the statement on pgVersion 15 (grammar and lexer checks). */
function ruleVerdict(sql: string): string | undefined {
  return analyze(`${sql};`, { config: { ...DEFAULT_CONFIG, pgVersion: 15 } }).findings.find((f) => f.rule === 'unsupported-syntax')?.message;
}

/** 42601 (syntax_error) from the server, else undefined (the statement parsed, whatever happened next). */
async function syntaxErrorOf(run: () => Promise<unknown>): Promise<string | undefined> {
  try {
    await run();
    return undefined;
  } catch (error) {
    const e = error as { code?: string; message?: string };
    return e.code === '42601' ? e.message : undefined;
  }
}

describe('version-gated syntax: the grammars against PostgreSQL 15 and PGlite', function () {
  let client: Client;

  before(async function () {
    const server = await requirePgServer(this);
    client = await server.connect(await server.createDatabase('grammar'));
    await client.query(SETUP);
    await initParser([13, 15]);
  });
  after(async () => client?.end());

  for (const c of CASES) {
    it(`${c.since > 15 ? 'rejected' : 'accepted'} by 15: ${c.sql.slice(0, 70)}`, async () => {
      const server = await syntaxErrorOf(async () => {
        await client.query('BEGIN');
        try {
          await client.query(c.sql);
        } finally {
          await client.query('ROLLBACK');
        }
      });
      const rule = ruleVerdict(c.sql);
      assert.strictEqual(rule !== undefined, server !== undefined, `rule: ${rule ?? 'accepts'}; server: ${server ?? 'accepts'}`);
      if (rule) assert.match(rule, new RegExp(`^PostgreSQL 15 cannot parse this \\(new in PostgreSQL ${c.since}\\)`));
      // Every older grammar rejects it, every newer one accepts it (the lexer cases: no grammar does).
      const from13 = grammarRejection(c.sql, 13);
      if (!/\d_|0x/.test(c.sql)) assert.strictEqual(from13?.since ?? 13, c.since);
    });
  }

  it('PGlite (PostgreSQL 18) runs every statement, and PostgreSQL 18 needs no grammar check', async () => {
    const engine = await TraceEngine.create();
    try {
      assert.strictEqual(engine.major, 18, engine.version);
      await engine.exec(SETUP);
      for (const c of CASES) {
        const trace = await engine.traceRolledBack(c.sql);
        assert.strictEqual(trace.error, undefined, `${c.sql}: ${trace.error?.message}`);
        assert.strictEqual(grammarRejection(c.sql, 18), undefined);
      }
    } finally {
      await engine.close();
    }
  });

  it('a statement 15 accepts and 18 rejects (system_user is reserved from 16) is not called invalid on 15', async () => {
    const sql = 'CREATE TABLE audit_log (system_user text)';
    assert.strictEqual(await syntaxErrorOf(() => client.query(`BEGIN; ${sql}; ROLLBACK`)), undefined);
    const engine = await TraceEngine.create();
    try {
      assert.match((await engine.traceRolledBack(sql)).error?.message ?? '', /syntax error at or near "system_user"/);
    } finally {
      await engine.close();
    }
    const finding = analyze(`${sql};`, { config: { ...DEFAULT_CONFIG, pgVersion: 15 } }).findings.find((f) => f.rule === 'syntax-error');
    assert.strictEqual(finding?.message, 'PostgreSQL 15 accepts this statement, 16 and later reject it: syntax error at or near "system_user"');
  });

  it('the finding names the version and the rest of the file is analysed', () => {
    const text = `${CASES[0].sql};\nALTER TABLE users DROP COLUMN nickname;\n`;
    const analysis = analyze(text, { config: { ...DEFAULT_CONFIG, pgVersion: 15 } });
    const found = analysis.findings.filter((f) => f.rule === 'unsupported-syntax');
    assert.deepStrictEqual(
      found.map((f) => f.message),
      ['PostgreSQL 15 cannot parse this (new in PostgreSQL 18): syntax error at or near "NOT"'],
    );
    assert.strictEqual(analysis.statements[1].effect.locks[0]?.mode, 'ACCESS EXCLUSIVE');
    assert.deepStrictEqual(analysis.internalErrors, []);
  });
});
