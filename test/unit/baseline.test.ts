/**
 * Deploy baseline: tables created by migrations production has not run yet are empty there, so
 * work on them is not flagged; a table of a deployed migration stays flagged. The pending set from
 * a migration id (pure) and from a git ref (a real repository, through the CLI), and every way a
 * baseline cannot be resolved (no repository, unknown ref, no git, unknown id): one warning, no baseline.
 */
import * as assert from 'assert';
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { analyze, auditJson, Catalog, ConfigError, initParser, validateConfig } from '../../server/src/core';
import { pendingAfter } from '../../server/src/project/baseline';
import { commitOf } from '../../server/src/project/git';
import { replay } from '../../server/src/project/history';
import { DEPLOYED, gitRepo, GitRepo, ORDERS_LINES, PENDING, writeAll } from '../support/gitRepo';

const CLI = path.resolve(__dirname, '../../../dist/cli.js');

function lint(dir: string, config: object | undefined, env: NodeJS.ProcessEnv = process.env, flags: string[] = []) {
  const file = path.join(dir, '.lockwise.json');
  if (config) fs.writeFileSync(file, JSON.stringify(config));
  else fs.rmSync(file, { force: true });
  const r = spawnSync(process.execPath, [CLI, 'lint', '--format', 'json', ...flags, 'm'], { cwd: dir, encoding: 'utf8', env });
  assert.ok(r.status === 0 || r.status === 1, r.stderr);
  const report = JSON.parse(r.stdout) as { files: { path: string; findings: { rule: string; line: number }[] }[] };
  const findings = report.files.find((f) => f.path.endsWith('003_orders_more.sql'))!.findings;
  return { findings, lines: [...new Set(findings.map((f) => f.line))].sort((a, b) => a - b), stderr: r.stderr, report };
}

describe('deploy baseline', function () {
  this.timeout(60000);
  before(() => initParser());

  describe('pending migrations after a migration id (runner order, version prefixes)', () => {
    const flat = ['V1__a', 'V1.1__b', 'V2__c', 'V10__d'].map((n) => ({ file: `/m/${n}.sql` }));

    it('the named migration and those before it are deployed', () => {
      assert.deepStrictEqual(pendingAfter(flat, 'V2__c'), ['/m/V10__d.sql']);
      assert.deepStrictEqual(pendingAfter(flat, 'V2__c.sql'), ['/m/V10__d.sql']);
      assert.deepStrictEqual(pendingAfter(flat, 'V10'), []);
    });

    it('a version prefix stops at a word boundary: V1 is not V1.1 nor V10', () => {
      assert.deepStrictEqual(pendingAfter(flat, 'V1'), ['/m/V1.1__b.sql', '/m/V2__c.sql', '/m/V10__d.sql']);
      assert.deepStrictEqual(pendingAfter(flat, 'V1.1'), ['/m/V2__c.sql', '/m/V10__d.sql']);
    });

    it('one folder per migration: the folder name is the id', () => {
      const steps = ['2024-01-01-000000_users', '2024-02-01-000000_orders'].map((d) => ({ file: `/m/${d}/up.sql` }));
      assert.deepStrictEqual(pendingAfter(steps, '2024-01-01-000000'), ['/m/2024-02-01-000000_orders/up.sql']);
    });

    it('an id that names no migration is an error, not a guess', () => {
      assert.match(String(pendingAfter(flat, 'V3')), /no migration of this folder is named "V3"/);
    });
  });

  describe('config', () => {
    const known = new Set<string>();
    it('a git ref as a string, or {"migration": id}', () => {
      assert.deepStrictEqual(validateConfig({ baseline: 'origin/main' }, 'c', known).baseline, { git: 'origin/main' });
      assert.deepStrictEqual(validateConfig({ baseline: { migration: '0042' } }, 'c', known).baseline, { migration: '0042' });
    });
    it('refuses values git would read as options, empty names and other shapes', () => {
      for (const bad of ['--output=/tmp/x', '', '  ', 5, { migration: 1 }, { branch: 'main' }, ['main'], 'a\nb'])
        assert.throws(
          () => validateConfig({ baseline: bad }, 'c', known),
          (e: unknown) => e instanceof ConfigError && /"baseline": must be a git ref/.test(e.message),
          JSON.stringify(bad),
        );
    });
  });

  describe('the core: a table of a pending history file', () => {
    const history = (texts: Record<string, string>) => {
      const catalog = new Catalog();
      for (const [file, text] of Object.entries(texts)) replay(text, catalog, file);
      return catalog;
    };
    const rules = (text: string, catalog: Catalog, pending: string[]) =>
      analyze(text, { history: catalog, baseline: { label: 'main', pending: new Set(pending) } }).findings.map((f) => f.rule);
    const index = 'CREATE INDEX t_c ON t (c);';

    it('is not flagged while its creator is pending, and is once it is deployed', () => {
      const catalog = history({ '/m/1.sql': 'CREATE TABLE t (c int);' });
      assert.deepStrictEqual(rules(index, catalog, ['/m/1.sql']), []);
      assert.ok(rules(index, catalog, []).includes('require-concurrent-index-creation'));
      assert.ok(analyze(index, { history: catalog }).findings.some((f) => f.rule === 'require-concurrent-index-creation'));
    });

    it('the hover reason names the table, the migration and the baseline', () => {
      const a = analyze(index, {
        history: history({ '/m/20261130_add_t.sql': 'CREATE TABLE t (c int);' }),
        baseline: { label: 'origin/main', pending: new Set(['/m/20261130_add_t.sql']) },
      });
      assert.deepStrictEqual(a.statements[0].pendingRelations, [{ relation: 't', createdBy: '/m/20261130_add_t.sql', rows: 'none' }]);
      assert.ok(a.statements[0].newRelations.has('t'));
      assert.deepStrictEqual(auditJson('x.sql', a).statements[0].notes, [
        't is created by 20261130_add_t.sql, not deployed yet (baseline origin/main): it is empty in production',
      ]);
    });

    it('filled from a query or COPY it is flagged (not empty); literal VALUES rows keep it exempt', () => {
      for (const fill of ['INSERT INTO t SELECT 1;', 'COPY t FROM STDIN;', 'MERGE INTO t USING s ON true WHEN NOT MATCHED THEN INSERT VALUES (1);'])
        assert.ok(rules(index, history({ '/m/1.sql': `CREATE TABLE t (c int);\n${fill}` }), ['/m/1.sql']).length > 0, fill);
      const seeded = history({ '/m/1.sql': 'CREATE TABLE t (c int);\nINSERT INTO t VALUES (1), (2);' });
      assert.deepStrictEqual(rules(index, seeded, ['/m/1.sql']), []);
      assert.strictEqual(
        analyze(index, { history: seeded, baseline: { label: 'main', pending: new Set(['/m/1.sql']) } }).statements[0].pendingRelations[0].rows,
        'values',
      );
    });

    it('filled earlier in the file under analysis, it is flagged from then on', () => {
      const catalog = history({ '/m/1.sql': 'CREATE TABLE t (c int);' });
      assert.ok(rules(`INSERT INTO t SELECT 1;\n${index}`, catalog, ['/m/1.sql']).includes('require-concurrent-index-creation'));
    });
  });

  describe('a git ref through the CLI (a real repository)', () => {
    let repo: GitRepo;
    let withoutBaseline: ReturnType<typeof lint>;
    before(() => {
      repo = gitRepo();
      withoutBaseline = lint(repo.dir, undefined);
    });
    after(() => fs.rmSync(repo.dir, { recursive: true, force: true }));

    it('without a baseline every statement on orders is flagged (the comparison point)', () => {
      assert.deepStrictEqual(withoutBaseline.lines, [1, 2, 3, 4, 5, 6]);
      assert.strictEqual(withoutBaseline.stderr, '');
    });

    it('baseline main: orders (created by a pending migration) is exempt; archive (filled) and users (deployed) are not', () => {
      const r = lint(repo.dir, { baseline: 'main' });
      assert.strictEqual(r.stderr, '');
      assert.deepStrictEqual(r.lines, [5, 6]);
      assert.ok(ORDERS_LINES.every((l) => withoutBaseline.lines.includes(l)));
    });

    it('once main advances past the migrations, the findings are back, as without a baseline', () => {
      repo.git('branch', '-f', 'main', 'feature');
      try {
        assert.deepStrictEqual(lint(repo.dir, { baseline: 'main' }).report, withoutBaseline.report);
      } finally {
        repo.git('branch', '-f', 'main', 'feature~1');
      }
      assert.deepStrictEqual(lint(repo.dir, { baseline: { git: 'main' } }).lines, [5, 6], 'moved back');
    });

    it('lint --fix leaves the statements on the pending table alone and fixes the deployed one', () => {
      fs.writeFileSync(path.join(repo.dir, '.lockwise.json'), JSON.stringify({ baseline: 'main' }));
      const r = spawnSync(process.execPath, [CLI, 'lint', '--fix', '--dry-run', 'm'], { cwd: repo.dir, encoding: 'utf8' });
      assert.strictEqual(r.status, 0, r.stderr);
      const changed = r.stdout.split('\n').filter((l) => /^[-+][^-+]/.test(l));
      assert.ok(
        changed.some((l) => /^\+CREATE INDEX CONCURRENTLY .*users_email ON users/.test(l)),
        r.stdout,
      );
      assert.deepStrictEqual(
        changed.filter((l) => l.includes('orders')),
        [],
        'no fix on orders',
      );
    });

    it('the result cache and worker threads follow the baseline (a moved ref is a new cache key)', () => {
      const cache = ['--cache-location', path.join(repo.dir, '.cache'), '--jobs', '2'];
      assert.deepStrictEqual(lint(repo.dir, { baseline: 'main' }, process.env, cache).lines, [5, 6]);
      assert.deepStrictEqual(lint(repo.dir, { baseline: 'main' }, process.env, cache).lines, [5, 6], 'from the cache');
      repo.git('branch', '-f', 'main', 'feature');
      try {
        assert.deepStrictEqual(lint(repo.dir, { baseline: 'main' }, process.env, cache).report, withoutBaseline.report);
      } finally {
        repo.git('branch', '-f', 'main', 'feature~1');
      }
      assert.deepStrictEqual(lint(repo.dir, { baseline: 'main' }, process.env, cache).lines, [5, 6]);
    });

    it('a migration id: 001 deployed exempts orders, 002 deployed does not', () => {
      assert.deepStrictEqual(lint(repo.dir, { baseline: { migration: '001' } }).lines, [5, 6]);
      assert.deepStrictEqual(lint(repo.dir, { baseline: { migration: '002_orders.sql' } }).report, withoutBaseline.report);
    });

    it('an unknown ref or id: one warning, then the analysis as without a baseline', () => {
      const ref = lint(repo.dir, { baseline: 'origin/nope' });
      assert.deepStrictEqual(ref.report, withoutBaseline.report);
      assert.strictEqual(
        ref.stderr,
        'lockwise: warning: m: baseline "origin/nope" not used: git does not know the ref "origin/nope"; tables of earlier migrations count as deployed\n',
      );
      const id = lint(repo.dir, { baseline: { migration: '007' } });
      assert.deepStrictEqual(id.report, withoutBaseline.report);
      assert.match(id.stderr, /^lockwise: warning: m: baseline migration "007" not used: no migration of this folder is named "007"/);
    });

    it('git missing: one warning, no baseline', () => {
      const r = lint(repo.dir, { baseline: 'main' }, { ...process.env, PATH: path.join(os.tmpdir(), 'lockwise-no-such-dir') });
      assert.deepStrictEqual(r.report, withoutBaseline.report);
      assert.match(r.stderr, /^lockwise: warning: m: baseline "main" not used: git is not installed \(or not on PATH\)/);
      assert.strictEqual(r.stderr.split('\n').length, 2, 'one line for the three files');
    });
  });

  it('a git that does not answer is stopped at the timeout', async function () {
    if (process.platform === 'win32') this.skip();
    const dir = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), 'lockwise-slowgit-')));
    fs.writeFileSync(path.join(dir, 'git'), '#!/bin/sh\nexec /bin/sleep 30\n', { mode: 0o755 });
    const saved = process.env.PATH;
    process.env.PATH = dir;
    const started = Date.now();
    try {
      const answer = await commitOf(dir, 'main', 300);
      assert.deepStrictEqual(answer, { ok: false, problem: 'git did not answer within 0.3 s', exitCode: undefined });
      assert.ok(Date.now() - started < 5000, `${Date.now() - started} ms`);
    } finally {
      process.env.PATH = saved;
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it('no git repository: one warning, no baseline', () => {
    const dir = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), 'lockwise-nogit-')));
    try {
      writeAll(dir, { ...DEPLOYED, ...PENDING });
      const plain = lint(dir, undefined);
      const r = lint(dir, { baseline: 'origin/main' });
      assert.deepStrictEqual(r.report, plain.report);
      assert.match(
        r.stderr,
        /^lockwise: warning: m: baseline "origin\/main" not used: the folder is not in a git repository; tables of earlier migrations count as deployed\n$/,
      );
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
