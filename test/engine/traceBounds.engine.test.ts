/**
 * `lockwise trace` is bounded (issue 12). It reads files with the lint's guarded readers: a FIFO
 * among the schema history hung it, a dangling symlink gave an internal error; unreadable history
 * files are skipped and listed, an unreadable migration is exit 2 with one line. And it has a time
 * limit: `SELECT pg_sleep(1e9)`, an endless DO loop and a runaway recursive CTE hung it forever
 * (PGlite ignores statement_timeout: pinned below, with the real server that honours it).
 */
import * as assert from 'assert';
import { spawn, spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { TraceEngine } from '../../server/src/trace/engine';
import { requirePgServer } from '../support/pgServer';

const REPO = path.resolve(__dirname, '../../..');

function trace(args: string[], cwd = REPO, timeout = 60000) {
  return spawnSync(process.execPath, [path.join(REPO, 'dist/cli.js'), 'trace', '--format', 'json', ...args], { cwd, encoding: 'utf8', timeout });
}

function tempDir(files: Record<string, string>): string {
  const dir = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), 'lockwise-trace-')));
  for (const [name, text] of Object.entries(files)) fs.writeFileSync(path.join(dir, name), text);
  return dir;
}

/** Processes whose working folder is `dir` (the worker inherits the CLI's): none may outlive the run. */
function processesIn(dir: string): string[] {
  const out: string[] = [];
  for (const pid of fs.readdirSync('/proc').filter((p) => /^\d+$/.test(p))) {
    try {
      if (fs.readlinkSync(`/proc/${pid}/cwd`) === dir) out.push(pid);
    } catch {
      // Gone, or not ours to read.
    }
  }
  return out;
}

function rssMb(pid: string | undefined): number {
  try {
    return Number(/VmRSS:\s+(\d+)/.exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? 0) / 1024;
  } catch {
    return 0;
  }
}

/** Runs `trace --timeout <limit>` on a file whose statement never ends: exit 2 within the limit, one line naming it. */
function assertStopped(name: string, files: Record<string, string>, limit: number, named: RegExp): void {
  const dir = tempDir(files);
  const t0 = Date.now();
  const r = trace(['--timeout', String(limit), path.join(dir, name)], dir, (limit + 60) * 1000);
  const seconds = (Date.now() - t0) / 1000;
  assert.strictEqual(r.error, undefined, `trace did not finish: ${r.error}`);
  assert.strictEqual(r.status, 2, r.stderr);
  assert.ok(seconds < limit + 8, `took ${seconds} s with --timeout ${limit}`);
  assert.match(r.stderr, new RegExp(`^lockwise: the trace stopped after ${limit} s \\(--timeout ${limit}\\): `));
  assert.match(r.stderr, named);
  assert.strictEqual(r.stderr.trim().split('\n').length, 1, r.stderr);
  assert.strictEqual(r.stdout, '');
  assert.deepStrictEqual(processesIn(dir), [], 'the worker was killed with the run');
}

describe('trace reads files like lint', function () {
  this.timeout(90000);

  it('skips a FIFO and a dangling symlink in the schema history instead of hanging or failing', function () {
    const dir = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), 'lockwise-trace-')));
    fs.writeFileSync(path.join(dir, '001_t.sql'), 'CREATE TABLE t (id bigint, c text);\n');
    if (spawnSync('mkfifo', [path.join(dir, '002_fifo.sql')]).status !== 0) return this.skip();
    fs.symlinkSync(path.join(dir, 'missing.sql'), path.join(dir, '003_dangling.sql'));
    fs.writeFileSync(path.join(dir, '004_index.sql'), 'CREATE INDEX i ON t (c);\n');
    const r = trace([path.join(dir, '004_index.sql')]);
    assert.strictEqual(r.error, undefined, `trace did not finish: ${r.error}`);
    assert.strictEqual(r.status, 0, r.stderr);
    const report = JSON.parse(r.stdout);
    const file = report.files[0];
    assert.deepStrictEqual(
      file.history.files.map((f: string) => path.basename(f)),
      ['001_t.sql'],
    );
    assert.deepStrictEqual(file.history.failures.map((f: { file: string }) => path.basename(f.file)).sort(), ['002_fifo.sql', '003_dangling.sql']);
    assert.ok(file.statements[0].ok, 'the index was built on the history table');
  });

  it('refuses a FIFO as the migration with one line, exit 2', function () {
    const dir = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), 'lockwise-trace-')));
    if (spawnSync('mkfifo', [path.join(dir, '001.sql')]).status !== 0) return this.skip();
    const r = trace([path.join(dir, '001.sql')]);
    assert.strictEqual(r.error, undefined, `trace did not finish: ${r.error}`);
    assert.strictEqual(r.status, 2, r.stderr);
    assert.match(r.stderr, /^lockwise: cannot read .*001\.sql: not a regular file\n$/);
  });
});

describe('trace has a time limit', function () {
  this.timeout(240000);
  // Long enough for PGlite to start on a loaded machine, so that the statement is reached.
  const LIMIT = 20;

  it('SELECT pg_sleep(1e9): stopped at --timeout, exit 2, the statement named', () => {
    assertStopped(
      '002.sql',
      { '001.sql': 'CREATE TABLE t (id int);\n', '002.sql': "SET lock_timeout = '1s';\nSELECT pg_sleep(1e9);\n" },
      LIMIT,
      /002\.sql:2 was still running: SELECT pg_sleep\(1e9\)\n$/,
    );
  });

  it('an endless DO loop: stopped at --timeout, exit 2, the statement named', () => {
    assertStopped(
      '001.sql',
      { '001.sql': 'SELECT 1;\nDO $$ BEGIN LOOP END LOOP; END $$;\n' },
      LIMIT,
      /001\.sql:2 was still running: DO \$\$ BEGIN LOOP END LOOP; END \$\$\n$/,
    );
  });

  it('a statement of the schema history that never ends is named as history', () => {
    assertStopped(
      '002.sql',
      { '001.sql': 'SELECT pg_sleep(1e9);\n', '002.sql': 'CREATE TABLE t (id int);\n' },
      LIMIT,
      /the schema history, 001\.sql:1 was still running: SELECT pg_sleep/,
    );
  });

  it('a runaway recursive CTE fails at temp_file_limit inside the engine, long before the limit: exit 1, the statement failed', () => {
    const dir = tempDir({ '001.sql': 'WITH RECURSIVE r(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM r) SELECT count(*) FROM r;\n' });
    const t0 = Date.now();
    const r = trace(['--timeout', '120', path.join(dir, '001.sql')], dir, 180000);
    assert.strictEqual(r.error, undefined, `trace did not finish: ${r.error}`);
    assert.strictEqual(r.status, 1, r.stderr);
    assert.ok(Date.now() - t0 < 120000);
    const statement = JSON.parse(r.stdout).files[0].statements[0];
    assert.strictEqual(statement.ok, false);
    assert.strictEqual(statement.error.code, '53400', statement.error.message);
    assert.deepStrictEqual(processesIn(dir), []);
  });

  it('a trace within the limit is unchanged: report, exit 0, no process left', () => {
    const dir = tempDir({ '001.sql': 'CREATE TABLE t (id int);\n', '002.sql': 'CREATE INDEX i ON t (id);\n' });
    const r = trace(['--timeout', '90', path.join(dir, '002.sql')], dir, 120000);
    assert.strictEqual(r.status, 0, r.stderr);
    assert.strictEqual(JSON.parse(r.stdout).files[0].statements[0].locks[0].mode, 'SHARE');
    assert.deepStrictEqual(processesIn(dir), []);
  });

  it('a CLI killed by SIGTERM (a CI job timeout) takes the worker, stuck in pg_sleep, with it', async () => {
    const dir = tempDir({ '001.sql': 'SELECT pg_sleep(1e9);\n' });
    const cli = spawn(process.execPath, [path.join(REPO, 'dist/cli.js'), 'trace', '--timeout', '300', path.join(dir, '001.sql')], {
      cwd: dir,
      stdio: 'ignore',
    });
    const exited = new Promise<NodeJS.Signals | null>((resolve) => cli.on('exit', (_code, signal) => resolve(signal)));
    // The worker is in the statement once PGlite is loaded (its memory stops growing) and a moment has passed.
    const t0 = Date.now();
    const worker = () => processesIn(dir).find((p) => p !== String(cli.pid));
    while (rssMb(worker()) < 350 && Date.now() - t0 < 90000) await new Promise((r) => setTimeout(r, 200));
    assert.ok(rssMb(worker()) >= 350, 'the worker loaded PGlite');
    await new Promise((r) => setTimeout(r, 3000));
    cli.kill('SIGTERM');
    assert.strictEqual(await exited, 'SIGTERM');
    const t1 = Date.now();
    while (processesIn(dir).length > 0 && Date.now() - t1 < 5000) await new Promise((r) => setTimeout(r, 100));
    assert.deepStrictEqual(processesIn(dir), [], 'no worker left behind');
  });

  it('--timeout takes a positive number of seconds', () => {
    for (const bad of ['0', 'abc', '-1', '1e3', 'Infinity']) {
      const r = trace(['--timeout', bad, 'x.sql']);
      assert.strictEqual(r.status, 2, bad);
      assert.match(r.stderr, /^lockwise: --timeout must be a number of seconds/, bad);
    }
  });
});

describe('statement_timeout and temp_file_limit in the engine', function () {
  this.timeout(120000);

  it('PGlite ignores statement_timeout (hence the worker process and its kill) and enforces temp_file_limit', async () => {
    const engine = await TraceEngine.create();
    try {
      await engine.setLimits({ statementTimeoutMs: 200, tempFileLimitKb: 1024 });
      const t0 = Date.now();
      await engine.exec('SELECT pg_sleep(1.5)');
      assert.ok(Date.now() - t0 >= 1400, 'pg_sleep ran to its end past statement_timeout');
      await assert.rejects(engine.exec('WITH RECURSIVE r(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM r) SELECT count(*) FROM r'), /temp_file_limit/);
    } finally {
      await engine.close();
    }
  });

  it("a real server cancels a statement at the engine's statement_timeout (57014)", async function () {
    const server = await requirePgServer(this);
    const client = await server.connect();
    const engine = await TraceEngine.over({
      exec: (sql) => client.query(sql),
      query: async <R>(sql: string) => ({ rows: (await client.query(sql)).rows as R[] }),
      close: () => client.end(),
    });
    try {
      await engine.setLimits({ statementTimeoutMs: 300 });
      const t0 = Date.now();
      await assert.rejects(engine.exec('SELECT pg_sleep(30)'), (e: Error & { code?: string }) => e.code === '57014');
      assert.ok(Date.now() - t0 < 10000);
    } finally {
      await engine.close();
    }
  });
});
