/**
 * `lockwise trace` end to end: the bundled CLI (dist/cli.js, built by `npm test`) runs fixture
 * migrations on its embedded PostgreSQL after their schema history and reports per statement the
 * locks taken, rewrites, scans, errors and differences from the prediction.
 */
import * as assert from 'assert';
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import type { TraceReport, TracedStatementJson } from '../../server/src/trace/command';

const REPO = path.resolve(__dirname, '../../..');
const FIXTURES = 'test/fixtures/trace';

function trace(args: string[]): { code: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [path.join(REPO, 'dist/cli.js'), 'trace', ...args], { cwd: REPO, encoding: 'utf8', timeout: 60000 });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

function byLine(report: TraceReport, line: number): TracedStatementJson {
  const s = report.files[0].statements.find((x) => x.line === line);
  assert.ok(s, `no statement on line ${line}`);
  return s;
}

describe('lockwise trace (dist/cli.js)', function () {
  this.timeout(90000);
  let report: TraceReport;
  let exitCode: number | null;

  before(() => {
    const r = trace([`${FIXTURES}/migrations/002_change.sql`, '--format', 'json']);
    assert.strictEqual(r.stderr, '');
    exitCode = r.code;
    report = JSON.parse(r.stdout) as TraceReport;
  });

  it('replays the earlier migration of the folder and traces on PostgreSQL 18', () => {
    assert.match(report.engine, /^PostgreSQL 18\./);
    assert.deepStrictEqual(report.files[0].history, { files: [`${FIXTURES}/migrations/001_init.sql`], failures: [] });
  });

  it('reports the locks each statement took inside the file transaction', () => {
    const fk = byLine(report, 4);
    assert.strictEqual(fk.mode, 'in-transaction');
    assert.deepStrictEqual(
      fk.locks
        .filter((l) => !l.kind.includes('index'))
        .map((l) => `${l.relation} ${l.mode}`)
        .sort(),
      ['orders SHARE ROW EXCLUSIVE', 'users SHARE ROW EXCLUSIVE'],
    );
    assert.deepStrictEqual(fk.disagreements, []);
  });

  it('reports rewrites with the indexes rebuilt, and scans', () => {
    const volatileDefault = byLine(report, 5);
    assert.deepStrictEqual(volatileDefault.rewritten, ['users']);
    assert.deepStrictEqual(volatileDefault.indexesRebuilt, ['users_pkey']);
    const typeChange = byLine(report, 8);
    assert.strictEqual(typeChange.mode, 'own-transaction');
    assert.deepStrictEqual(typeChange.indexesRebuilt.sort(), ['orders_pkey', 'orders_total_idx', 'orders_user_idx']);
    assert.deepStrictEqual(typeChange.scanned, ['orders']);
    assert.deepStrictEqual(typeChange.disagreements, []);
  });

  it('timestamp to timestamptz: the model reads the session TimeZone the engine runs with (its own, or the configured one set on it)', () => {
    for (const [folder, rewritten] of [
      ['utc', []],
      ['berlin', ['events']],
    ] as const) {
      const r = trace([`${FIXTURES}/timezone/${folder}/002_timestamptz.sql`, '--format', 'json']);
      const change = (JSON.parse(r.stdout) as TraceReport).files[0].statements[0];
      assert.deepStrictEqual(change.rewritten, rewritten, folder);
      assert.deepStrictEqual(change.disagreements, [], folder);
    }
  });

  it('marks CONCURRENTLY as storage-only, outside a transaction', () => {
    const cic = byLine(report, 7);
    assert.strictEqual(cic.mode, 'outside-transaction');
    assert.strictEqual(cic.ok, true);
    assert.deepStrictEqual(cic.locks, []);
    assert.match(cic.note ?? '', /storage effects only/);
  });

  it("reports a failing statement with PostgreSQL's message, keeps going and exits 1", () => {
    const failed = byLine(report, 9);
    assert.strictEqual(failed.ok, false);
    assert.strictEqual(failed.error?.message, 'relation "invoices" does not exist');
    const reindex = byLine(report, 10);
    assert.strictEqual(reindex.ok, true);
    assert.deepStrictEqual(
      reindex.locks.map((l) => `${l.relation} ${l.mode}`),
      ['users SHARE', 'users_pkey ACCESS EXCLUSIVE'],
    );
    assert.deepStrictEqual(report.files[0].summary.failed, 1);
    assert.strictEqual(exitCode, 1);
  });

  it('--history replays another folder; markdown output', () => {
    const r = trace([`${FIXTURES}/invoices.sql`, '--history', `${FIXTURES}/history`]);
    assert.strictEqual(r.code, 0, r.stderr);
    assert.match(r.stdout, /\| 1 \| `ALTER TABLE invoices ADD COLUMN paid boolean NOT NULL DEFAULT false` \| invoices: \*\*ACCESS EXCLUSIVE\*\* \| - \|/);
    assert.match(r.stdout, /invoices: \*\*SHARE\*\* \| scans invoices \|/);
    assert.match(r.stdout, /2 statement\(s\), 0 failed, 0 difference\(s\) from the prediction/);
  });

  it('--format json returns the JSON report; an unreadable file is exit 2', () => {
    const r = trace([`${FIXTURES}/invoices.sql`, '--format', 'json', '--history', `${FIXTURES}/history`]);
    const report = JSON.parse(r.stdout) as TraceReport;
    assert.deepStrictEqual(
      report.files[0].statements.map((s) => `${s.line} ${s.ok} ${s.locks.map((l) => l.mode).join(',')}`),
      ['1 true ACCESS EXCLUSIVE', '2 true SHARE'],
    );
    const missing = trace([`${FIXTURES}/missing.sql`, '--format', 'json']);
    assert.strictEqual(missing.code, 2);
    assert.match(missing.stderr, /cannot read/);
  });

  it("without PGlite (no dist/pglite beside cli.js, none in the project): exit 2 and how to enable it; the project's copy once installed", () => {
    // A build without dist/pglite/, run from a project without node_modules.
    const tmp = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), 'lockwise-cli-nopglite-')));
    try {
      fs.mkdirSync(path.join(tmp, 'dist'));
      // The trace runs in trace-worker.js, part of every build (package.json "files": dist/*.js).
      for (const f of ['cli.js', 'cli-main.js', 'trace-worker.js', 'libpg-query.wasm']) fs.copyFileSync(path.join(REPO, 'dist', f), path.join(tmp, 'dist', f));
      fs.cpSync(path.join(REPO, 'dist', 'grammars'), path.join(tmp, 'dist', 'grammars'), { recursive: true });
      const project = path.join(tmp, 'project');
      fs.mkdirSync(path.join(project, 'db'), { recursive: true });
      fs.copyFileSync(path.join(REPO, FIXTURES, 'invoices.sql'), path.join(project, 'db', 'invoices.sql'));
      const run = () =>
        spawnSync(process.execPath, [path.join(tmp, 'dist', 'cli.js'), 'trace', 'db/invoices.sql', '--history', path.join(REPO, FIXTURES, 'history')], {
          cwd: project,
          encoding: 'utf8',
          timeout: 60000,
        });
      const missing = run();
      assert.strictEqual(missing.status, 2, missing.stderr);
      assert.strictEqual(missing.stdout, '');
      assert.match(
        missing.stderr,
        /^lockwise: Tracing needs PGlite, the embedded PostgreSQL \(@electric-sql\/pglite\), which this build of Lockwise does not include and which was not found in node_modules of /,
      );
      assert.match(missing.stderr, /install it in the project: npm install --save-dev @electric-sql\/pglite,/);
      assert.match(missing.stderr, /or run the CLI of a full build/);
      // `npm install --save-dev @electric-sql/pglite` (a link to the repo's copy stands in for it).
      fs.mkdirSync(path.join(project, 'node_modules', '@electric-sql'), { recursive: true });
      fs.symlinkSync(path.join(REPO, 'node_modules', '@electric-sql', 'pglite'), path.join(project, 'node_modules', '@electric-sql', 'pglite'), 'dir');
      const installed = run();
      assert.strictEqual(installed.status, 0, installed.stderr);
      assert.match(installed.stdout, /2 statement\(s\), 0 failed, 0 difference\(s\) from the prediction/);
    } finally {
      fs.rmSync(tmp, { recursive: true, force: true });
    }
  });

  it('rejects an unknown format with exit 2', () => {
    const r = trace([`${FIXTURES}/invoices.sql`, '--format', 'sarif']);
    assert.strictEqual(r.code, 2);
    assert.match(r.stderr, /--format for trace must be markdown or json/);
  });
});
