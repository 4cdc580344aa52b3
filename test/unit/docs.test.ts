import * as assert from 'assert';
import * as fs from 'fs';
import * as path from 'path';
import { DOCS_DIR, expectedDocs, expectedLockDoc, expectedReadme, expectedRunnerDocs, LOCK_DOC, README, RUNNER_DOCS_DIR } from '../../scripts/generateDocs';
import { initParser } from '../../server/src/core';
import { ALTER_TABLE_EXAMPLES, ALTER_TABLE_LOCKS, INTERNAL_SUBTYPES, alterTableLock } from '../../server/src/core/locks/alterTable';
import type { AlterTableType } from '@pgsql/types';
import { ALTER_TABLE_SETUP } from '../../server/src/core/locks/alterTable';
import { Catalog } from '../../server/src/core';
import { replay } from '../../server/src/project/history';
import { buildStatements } from '../../server/src/core/model/statements';
import { modelStatement } from '../../server/src/core/locks/model';
import { as } from '../../server/src/core/parse/ast';
import { STATEMENT_LOCKS, StatementKind } from '../../server/src/core/locks/utilityStatements';

describe('generated lock docs', () => {
  before(async () => {
    await initParser();
  });

  it('docs/locks.md matches the ALTER TABLE lock table and the model (run `npm run docs` when this fails)', () => {
    assert.strictEqual(fs.readFileSync(LOCK_DOC, 'utf8'), expectedLockDoc(), 'docs/locks.md is stale');
  });

  it('every sub-command a migration can write has an example run on a real server, except those named here', () => {
    // SET EXPRESSION is PostgreSQL 17+ (the test server is 15); foreign tables need an FDW; DETACH
    // CONCURRENTLY and its FINALIZE cannot run inside the test's transaction.
    const unmeasured = new Set(['AT_SetExpression', 'AT_GenericOptions', 'AT_AlterColumnGenericOptions', 'AT_DetachPartitionFinalize']);
    const measured = new Set(ALTER_TABLE_EXAMPLES.map((e) => e.subtype));
    const missing = (Object.keys(ALTER_TABLE_LOCKS) as AlterTableType[]).filter((s) => !INTERNAL_SUBTYPES.has(s) && !unmeasured.has(s) && !measured.has(s));
    assert.deepStrictEqual(missing, []);
  });

  it('the model takes the lock of the table on the relation each example alters', () => {
    const catalog = new Catalog();
    replay(ALTER_TABLE_SETUP, catalog);
    for (const e of ALTER_TABLE_EXAMPLES) {
      const stmt = buildStatements(e.sql).statements[0];
      const altered = as(stmt.node, 'AlterTableStmt')?.relation?.relname ?? '';
      const args = { foreignKey: /FOREIGN KEY/.test(e.sql), options: /\((\w+)/.exec(e.sql.split(/ SET | RESET /)[1] ?? '')?.slice(1) };
      const mode = modelStatement(stmt.node, catalog, { pgVersion: 15 }).locks.find((l) => l.relation === altered)?.mode;
      assert.strictEqual(mode, alterTableLock(e.subtype, args), e.sql);
    }
  });

  it('argument-dependent levels: a foreign key, DETACH CONCURRENTLY, ACCESS EXCLUSIVE storage parameters', () => {
    assert.strictEqual(alterTableLock('AT_AddConstraint', { foreignKey: true }), 'SHARE ROW EXCLUSIVE');
    assert.strictEqual(alterTableLock('AT_AddConstraint'), 'ACCESS EXCLUSIVE');
    assert.strictEqual(alterTableLock('AT_DetachPartition', { concurrent: true }), 'SHARE UPDATE EXCLUSIVE');
    assert.strictEqual(alterTableLock('AT_SetRelOptions', { options: ['fillfactor'] }), 'SHARE UPDATE EXCLUSIVE');
    assert.strictEqual(alterTableLock('AT_SetRelOptions', { options: ['fillfactor', 'security_barrier'] }), 'ACCESS EXCLUSIVE');
  });
});

describe('the lock table of every statement node type', () => {
  /** The parser's node types, as @pgsql/types (generated from libpg_query's protobuf) declares them. */
  function parserStatementKinds(): string[] {
    const types = fs.readFileSync(require.resolve('@pgsql/types/types.d.ts'), 'utf8');
    const start = types.indexOf('export type Node =');
    const node = types.slice(start, types.indexOf('\nexport ', start + 1));
    return [...new Set([...node.matchAll(/\b(\w+Stmt):/g)].map((m) => m[1]))].sort();
  }

  before(async () => {
    await initParser();
  });

  it('has a row for every statement node type the parser knows', () => {
    const kinds = parserStatementKinds();
    assert.ok(kinds.length > 100, `found ${kinds.length} node types`);
    assert.deepStrictEqual(Object.keys(STATEMENT_LOCKS).sort(), kinds);
  });

  it('every row has an example run on a server, or names why not', () => {
    const unmeasured = Object.entries(STATEMENT_LOCKS).filter(([, e]) => e.examples.length === 0 && !e.exception);
    assert.deepStrictEqual(
      unmeasured.map(([k]) => k),
      [],
    );
  });

  it('every example parses as the node type of its row', () => {
    for (const [kind, entry] of Object.entries(STATEMENT_LOCKS) as [StatementKind, (typeof STATEMENT_LOCKS)[StatementKind]][])
      for (const e of [...entry.examples, ...(entry.waiting ?? [])]) assert.strictEqual(buildStatements(e.sql).statements[0]?.kind, kind, e.sql);
  });
});

describe('generated rule docs', () => {
  it('docs/rules matches the rule metadata (run `npm run docs` when this fails)', () => {
    const expected = expectedDocs();
    const actual = fs.readdirSync(DOCS_DIR).filter((f) => f.endsWith('.md'));
    assert.deepStrictEqual(actual.sort(), [...expected.keys()].sort(), 'pages');
    for (const [name, text] of expected) {
      assert.strictEqual(fs.readFileSync(path.join(DOCS_DIR, name), 'utf8'), text, `${name} is stale`);
    }
  });
});

describe('generated runner docs', () => {
  it('docs/runners matches the runner profiles (run `npm run docs` when this fails)', () => {
    const expected = expectedRunnerDocs();
    const actual = fs.readdirSync(RUNNER_DOCS_DIR).filter((f) => f.endsWith('.md'));
    assert.deepStrictEqual(actual.sort(), [...expected.keys()].sort(), 'pages');
    for (const [name, text] of expected) assert.strictEqual(fs.readFileSync(path.join(RUNNER_DOCS_DIR, name), 'utf8'), text, `${name} is stale`);
  });

  it("the README's table of supported runners matches the profiles", () => {
    const readme = fs.readFileSync(README, 'utf8');
    assert.ok(readme.includes('<!-- runners:begin'), 'the README has the runner table markers');
    assert.strictEqual(readme, expectedReadme(readme), 'README.md runner table is stale');
  });

  it('every runner page cites its sources', () => {
    for (const [name, text] of expectedRunnerDocs()) if (name !== 'README.md') assert.match(text, /## Sources\n\n- \[.+\]\(https:\/\//, name);
  });
});
