/**
 * Parse coverage on real-world migrations (the corpus, test/support/corpus.ts; see its SOURCES.md):
 * every file is analysed without an exception, and a statement that does not parse must be one
 * PostgreSQL would reject too (template placeholders, other databases' syntax, psql variables, deliberately broken
 * parser fixtures).
 */
import * as assert from 'assert';
import * as fs from 'fs';
import * as path from 'path';
import { analyze, initParser } from '../../server/src/core';
import { RULES } from '../../server/src/core/rules/registry';
import { mergeConfig } from '../../server/src/core/config/config';
import { describeWithCorpus, sqlFilesUnder } from '../support/corpus';

/** Why a statement in the corpus may legitimately fail to parse. */
const NOT_POSTGRES = [
  { why: 'Go template placeholder', test: (sql: string) => /\{\{/.test(sql) },
  { why: 'SQLite/MySQL syntax', test: (sql: string) => /\b(AUTOINCREMENT|UNSIGNED)\b/i.test(sql) },
  { why: "Synapse's $%PLACEHOLDER%$ substitution", test: (sql: string) => /\$%[A-Z_]+%\$/.test(sql) },
  { why: 'missing semicolon between two statements (rejected by PostgreSQL too)', test: (sql: string) => /\)\s*\n\s*CREATE\b/i.test(sql) },
  { why: 'psql variable', test: (sql: string) => /(^|[^:]):['"]?[A-Za-z_]/.test(sql) },
];

describeWithCorpus('corpus parse coverage', function (CORPUS) {
  this.timeout(120000);
  before(() => initParser());

  const projects = fs.readdirSync(CORPUS).filter((p) => fs.statSync(path.join(CORPUS, p)).isDirectory());
  it('finds the corpus projects', () => assert.ok(projects.length > 0, `no project folders in ${CORPUS}`));
  const everyRule = mergeConfig({ rules: Object.fromEntries(RULES.map((r) => [r.id, 'warning'])) });

  for (const project of projects) {
    it(`${project}: every file is analysed with every rule on, and only non-PostgreSQL statements fail to parse`, () => {
      const unexplained: string[] = [];
      let statements = 0;
      for (const file of sqlFilesUnder(path.join(CORPUS, project))) {
        const text = fs.readFileSync(file, 'utf8');
        const analysis = analyze(text, { config: everyRule });
        statements += analysis.statements.length;
        // The regression suite holds deliberately invalid statements; squawk's parser fixtures hold
        // broken input (err/) and syntax newer than PostgreSQL 18 or looser than it (ok/: property graphs, ...).
        if (project === 'postgres_regress' || project === 'squawk-fixtures') continue;
        for (const s of analysis.statements) {
          if (s.statement.kind !== 'Invalid') continue;
          if (NOT_POSTGRES.some((n) => n.test(s.statement.text))) continue;
          unexplained.push(`${path.relative(CORPUS, file)}: ${s.statement.error?.message}: ${s.statement.text.slice(0, 100)}`);
        }
      }
      assert.ok(statements > 0, 'no statements found');
      assert.deepStrictEqual(unexplained, []);
    });
  }
});
