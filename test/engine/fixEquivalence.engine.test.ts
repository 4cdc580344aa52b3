/**
 * Quick-fix equivalence: a fix never changes what the migration does. For every rule with a fix,
 * every fixture migration under test/fixtures/rules/<rule-id>/ whose findings of that rule carry
 * a fix (it has a `<case>.fixed.sql`): apply the rule's fixes (one at a time, re-analysing between, as fix-all does), run the
 * original and the fixed migration on two fresh PGlite databases holding the equivalence schema
 * (test/fixtures/equivalence/schema.sql, then test/fixtures/equivalence/<rule-id>/<case>.sql when
 * a case needs more, then the case's own history files) in each file's own
 * transaction structure, and compare the resulting schemas. Both must run without error, and the
 * fixed file must lint clean of that rule without gaining an error-level finding. When every fix
 * applied is `safe`, the rows must be the same too (test/engine/rowSnapshot.ts; the schema has rows,
 * and tables a case's history creates are seeded); suggestions are compared on the schema only.
 * Safe fixes are compared again, schema and rows, on a real PostgreSQL server (test/support/pgServer.ts).
 */
import * as assert from 'assert';
import * as fs from 'fs';
import * as path from 'path';
import { analyze, applyEdits, Catalog, initParser, mergeConfig, RULES, LockwiseConfig, Rule } from '../../server/src/core';
import { replay } from '../../server/src/project/history';
import { SqlSession, TraceEngine } from '../../server/src/trace/engine';
import type { Client } from 'pg';
import { requirePgServer, type PgServer } from '../support/pgServer';
import { runMigration } from '../../server/src/trace/run';
import { schemaSnapshot } from './schemaSnapshot';
import { rowCount, rowDifferences, rowSnapshot, seedEmptyTables } from './rowSnapshot';
import { expectedFixed, loadRuleCases } from '../support/ruleCases';

const REPO = path.resolve(__dirname, '../../..');
const EQUIVALENCE = path.join(REPO, 'test/fixtures/equivalence');
const SCHEMA = fs.readFileSync(path.join(EQUIVALENCE, 'schema.sql'), 'utf8');

interface Case {
  name: string;
  text: string;
  history: string[];
  config: LockwiseConfig;
}

function loadCases(rule: Rule): Case[] {
  const enable = { rules: { [rule.id]: rule.defaultSeverity === 'off' ? 'warning' : rule.defaultSeverity } } as const;
  // The rule fixture runner writes `<case>.fixed.sql` exactly for the cases whose findings carry fixes.
  return loadRuleCases(rule.id)
    .filter((c) => expectedFixed(c) !== undefined)
    .map((c) => {
      // Objects one case needs beyond the shared schema: test/fixtures/equivalence/<rule-id>/<case>.sql.
      const setup = path.join(EQUIVALENCE, rule.id, `${c.name.replace(/\.sql$/, '')}.sql`);
      const history = [...(fs.existsSync(setup) ? [fs.readFileSync(setup, 'utf8')] : []), ...c.history];
      return { name: c.name, text: c.text, history, config: mergeConfig(enable, c.config) };
    });
}

function historyCatalog(c: Case): Catalog {
  const catalog = new Catalog();
  replay(SCHEMA, catalog);
  for (const h of c.history) replay(h, catalog);
  return catalog;
}

/** Applies the rule's fixes one at a time, re-analysing between, until none is left; `safe` when every one applied was. */
function fixRule(ruleId: string, c: Case, history: Catalog): { text: string; safe: boolean } {
  let text = c.text;
  let safe = true;
  for (let guard = 0; guard < 50; guard++) {
    const next = analyze(text, { config: c.config, history }).findings.find((f) => f.rule === ruleId && f.fix);
    if (!next) return { text, safe };
    safe &&= next.fix!.safety === 'safe';
    text = applyEdits(text, next.fix!.edits);
  }
  throw new Error(`fixes for ${ruleId} did not converge`);
}

const fixable = RULES.filter((r) => r.fixable);

/**
 * ban-uncommitted-transaction flags a transaction that never commits, so the original migration
 * applies nothing when its session ends. Its fix (COMMIT) makes explicit what the author meant:
 * it is compared with the original run with its open transaction committed.
 */
const COMMIT_OPEN_TRANSACTION = new Set(['ban-uncommitted-transaction']);

/**
 * ban-concurrent-index-creation-in-transaction and cannot-run-in-transaction flag statements that make the original fail
 * ("cannot run inside a transaction block"): the fix is compared with what the author meant, the
 * original run statement by statement (its BEGIN/COMMIT removed). The plain, non-CONCURRENTLY forms
 * are no stand-in: DETACH PARTITION CONCURRENTLY leaves a CHECK constraint the plain form does not.
 */
const FAILS_AS_WRITTEN = new Set(['ban-concurrent-index-creation-in-transaction', 'cannot-run-in-transaction']);

function intended(ruleId: string, c: Case, history: Catalog): string {
  if (!FAILS_AS_WRITTEN.has(ruleId)) return c.text;
  const control = analyze(c.text, { config: c.config, history }).statements.filter((s) => s.statement.kind === 'TransactionStmt');
  return applyEdits(
    c.text,
    control.map((s) => ({ start: s.statement.span.start, end: s.statement.terminatorEnd, newText: '' })),
  );
}

describe('quick fixes do not change what a migration does (PGlite)', function () {
  this.timeout(120000);
  const setups = new Map<string, Blob>();
  let base: TraceEngine | undefined;

  before(async () => {
    await initParser();
    base = await TraceEngine.create();
    await base.exec(SCHEMA);
    setups.set('', await base.dump());
  });

  after(async () => {
    await base?.close();
  });

  /** Data directory with the schema and the case's history applied (built once per history). */
  async function setupFor(c: Case): Promise<Blob> {
    const key = c.history.join('\n-- next file\n');
    const known = setups.get(key);
    if (known) return known;
    const engine = await TraceEngine.create({ dataDir: setups.get('')! });
    try {
      for (const h of c.history) await engine.exec(h);
      // Tables the case's history creates get rows too: safe fixes are compared on data.
      await seedEmptyTables(engine);
      const dump = await engine.dump();
      setups.set(key, dump);
      return dump;
    } finally {
      await engine.close();
    }
  }

  async function runOnFreshCopy(text: string, c: Case, history: Catalog, label: string, openTransactionAtEnd: 'rollback' | 'commit' = 'rollback') {
    const engine = await TraceEngine.create({ dataDir: await setupFor(c) });
    try {
      const analysis = analyze(text, { config: c.config, history });
      const run = await runMigration(engine, analysis, { measure: false, openTransactionAtEnd });
      const failures = run.steps.filter((s) => s.trace.error).map((s) => `${s.trace.sql}: ${s.trace.error!.message}`);
      assert.deepStrictEqual(failures, [], `the ${label} migration fails on the equivalence schema`);
      assert.ok(!run.rolledBackAtEnd, `the ${label} migration leaves a transaction open`);
      return { schema: await schemaSnapshot(engine), rows: await rowSnapshot(engine) };
    } finally {
      await engine.close();
    }
  }

  it('the registry has rules with fixes', () => assert.ok(fixable.length > 0));

  for (const rule of fixable) {
    describe(rule.id, () => {
      const cases = loadCases(rule);

      it('has fixture cases whose findings carry a fix', () => {
        assert.ok(cases.length > 0, `no case under test/fixtures/rules/${rule.id}/ produces a ${rule.id} finding with a fix`);
      });

      for (const c of cases) {
        it(`${c.name}: the fixed migration leaves the same schema (and rows, when its fixes are safe)`, async () => {
          const history = historyCatalog(c);
          const fixes = analyze(c.text, { config: c.config, history }).findings.filter((f) => f.rule === rule.id && f.fix);
          assert.ok(fixes.length > 0, `no ${rule.id} finding with a fix`);
          const { text: fixed, safe } = fixRule(rule.id, c, history);
          assert.notStrictEqual(fixed, c.text, 'the fix changed nothing');
          const before = analyze(c.text, { config: c.config, history });
          const after = analyze(fixed, { config: c.config, history });
          assert.deepStrictEqual(
            after.findings.filter((f) => f.rule === rule.id).map((f) => f.message),
            [],
            `the fixed file still has ${rule.id} findings:\n${fixed}`,
          );
          const errorsBefore = new Set(before.findings.filter((f) => f.severity === 'error').map((f) => `${f.rule}: ${f.message}`));
          const newErrors = after.findings.filter((f) => f.severity === 'error' && !errorsBefore.has(`${f.rule}: ${f.message}`));
          assert.deepStrictEqual(
            newErrors.map((f) => `${f.rule}: ${f.message}`),
            [],
            `the fix introduced error-level findings:\n${fixed}`,
          );
          const runOriginal = () =>
            runOnFreshCopy(intended(rule.id, c, history), c, history, 'original', COMMIT_OPEN_TRANSACTION.has(rule.id) ? 'commit' : 'rollback');
          const original = await runOriginal();
          const result = await runOnFreshCopy(fixed, c, history, 'fixed');
          assert.deepStrictEqual(result.schema, original.schema, `schemas differ after the fix:\n${fixed}`);
          if (!safe) return;
          // A safe fix leaves the same rows too (a second run of the original tells volatile values apart).
          assert.ok(rowCount(original.rows) > 0, 'the equivalence schema has no rows to compare');
          const again = await runOriginal();
          assert.deepStrictEqual(rowDifferences(original.rows, again.rows, result.rows), [], `rows differ after a safe fix:\n${fixed}`);
        });
      }
    });
  }
});

function session(client: Client): SqlSession {
  return {
    exec: (sql) => client.query(sql),
    query: async <R>(sql: string) => ({ rows: (await client.query(sql)).rows as R[] }),
    close: () => client.end(),
  };
}

describe('safe quick fixes keep the schema and the rows on a real PostgreSQL server', function () {
  this.timeout(300000);
  let server: PgServer;

  before(async function () {
    server = await requirePgServer(this);
    await initParser();
  });

  /** The schema, the case's history and seeded rows on a fresh database, then the migration as the file runs it. */
  async function runOnServer(text: string, c: Case, history: Catalog, label: string, openTransactionAtEnd: 'rollback' | 'commit') {
    const client = await server.connect(await server.createDatabase('equivalence'));
    client.on('error', () => undefined);
    const engine = await TraceEngine.over(session(client));
    try {
      await engine.exec(SCHEMA);
      for (const h of c.history) await engine.exec(h);
      await seedEmptyTables(engine);
      const run = await runMigration(engine, analyze(text, { config: c.config, history }), { measure: false, openTransactionAtEnd });
      const failures = run.steps.filter((s) => s.trace.error).map((s) => `${s.trace.sql}: ${s.trace.error!.message}`);
      assert.deepStrictEqual(failures, [], `the ${label} migration fails on PostgreSQL ${engine.major}`);
      return { schema: await schemaSnapshot(engine), rows: await rowSnapshot(engine) };
    } finally {
      await engine.close();
    }
  }

  for (const rule of fixable.filter((r) => Object.values(r.fixes ?? {}).some((f) => f.safety === 'safe'))) {
    it(`${rule.id}: every fixture case whose fixes are safe`, async () => {
      let compared = 0;
      for (const c of loadCases(rule)) {
        const history = historyCatalog(c);
        const { text: fixed, safe } = fixRule(rule.id, c, history);
        if (!safe) continue;
        const openAtEnd = COMMIT_OPEN_TRANSACTION.has(rule.id) ? 'commit' : 'rollback';
        const original = await runOnServer(intended(rule.id, c, history), c, history, 'original', openAtEnd);
        const again = await runOnServer(intended(rule.id, c, history), c, history, 'original', openAtEnd);
        const result = await runOnServer(fixed, c, history, 'fixed', 'rollback');
        assert.deepStrictEqual(result.schema, original.schema, `${c.name}: schemas differ after the fix:\n${fixed}`);
        assert.deepStrictEqual(rowDifferences(original.rows, again.rows, result.rows), [], `${c.name}: rows differ after a safe fix:\n${fixed}`);
        compared++;
      }
      assert.ok(compared > 0, `no fixture case of ${rule.id} has only safe fixes`);
    });
  }
});
