/** `lockwise lint|audit --cache` and `--jobs`: the same output as a plain run, and only what changed is analysed again. */
import * as assert from 'assert';
import { spawn, spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { prune } from '../../server/src/cli/cache';
import type { PlannedFile } from '../../server/src/cli/files';
import { scopeGroups } from '../../server/src/cli/parallel';

const ROOT = path.resolve(__dirname, '../../..');
const CLI = path.join(ROOT, 'dist/cli.js');
const ENV = { ...process.env, NO_COLOR: '1', LOCKWISE_DEBUG: 'cache' };

function run(args: string[], cwd: string) {
  const r = spawnSync(process.execPath, [CLI, ...args], { cwd, encoding: 'utf8', env: ENV, maxBuffer: 1 << 28 });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** The files the run analysed (not taken from the cache), from the LOCKWISE_DEBUG=cache line. */
function analysed(stderr: string): string[] {
  const line = /lockwise: cache: \d+ hit\(s\), \d+ analysed(.*)/.exec(stderr);
  assert.ok(line, stderr);
  return line[1].trim().split(' ').filter(Boolean).sort();
}

function project(files: Record<string, string>): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'lockwise-cache-'));
  for (const [name, text] of Object.entries(files)) {
    fs.mkdirSync(path.dirname(path.join(dir, name)), { recursive: true });
    fs.writeFileSync(path.join(dir, name), text);
  }
  return dir;
}

const FILES = {
  'm/001_users.sql': 'CREATE TABLE users (id bigint PRIMARY KEY, email text);\n',
  'm/002_index.sql': 'CREATE INDEX users_email_idx ON users (email);\n',
  'm/003_column.sql': "ALTER TABLE users ADD COLUMN name text NOT NULL DEFAULT 'x';\n",
  'n/001_other.sql': 'CREATE TABLE other (id int);\nALTER TABLE other ALTER COLUMN id TYPE bigint;\n',
};

describe('lockwise --cache and --jobs', function () {
  this.timeout(120000);

  it('files with a size snapshot are never cached: a new snapshot changes the verdicts', () => {
    const stats = (rows: number, heapBytes: number) =>
      JSON.stringify({
        version: 1,
        capturedAt: new Date().toISOString(),
        server: { version: '15.18', versionNum: 150018 },
        database: 'app',
        tables: [{ schema: 'public', name: 'users', kind: 'r', reltuples: rows, heapBytes, indexBytes: 0, toastBytes: 0, indexes: [] }],
      });
    const dir = project({ ...FILES, '.lockwise/stats.json': stats(100, 8192) });
    const args = ['lint', '--format', 'json', '--cache', 'm'];
    const severity = (stdout: string) =>
      (JSON.parse(stdout) as { files: { findings: { rule: string; severity: string }[] }[] }).files
        .flatMap((f) => f.findings)
        .find((f) => f.rule === 'require-concurrent-index-creation')?.severity;
    assert.strictEqual(severity(run(args, dir).stdout), 'info');
    assert.deepStrictEqual(analysed(run(args, dir).stderr), ['m/001_users.sql', 'm/002_index.sql', 'm/003_column.sql']);
    fs.writeFileSync(path.join(dir, '.lockwise/stats.json'), stats(5_000_000, 2 * 1024 ** 3));
    const after = run(args, dir);
    assert.deepStrictEqual(analysed(after.stderr), ['m/001_users.sql', 'm/002_index.sql', 'm/003_column.sql']);
    assert.strictEqual(severity(after.stdout), 'error');
  });

  for (const command of ['lint', 'audit']) {
    it(`${command}: a warm run prints what a run without the cache prints, analysing nothing`, () => {
      const dir = project(FILES);
      const args = [command, '--format', 'json', 'm', 'n'];
      const plain = run([...args, '--no-cache'], dir);
      assert.ok(!fs.existsSync(path.join(dir, '.lockwise-cache')), '--no-cache wrote a cache');
      const cold = run([...args, '--cache'], dir);
      const warm = run([...args, '--cache'], dir);
      assert.deepStrictEqual(analysed(cold.stderr), ['m/001_users.sql', 'm/002_index.sql', 'm/003_column.sql', 'n/001_other.sql']);
      assert.deepStrictEqual(analysed(warm.stderr), []);
      for (const r of [cold, warm]) {
        assert.strictEqual(r.stdout, plain.stdout);
        assert.strictEqual(r.code, plain.code);
      }
    });
  }

  it('a changed file is analysed again with the files whose history it changes, nothing else', () => {
    const dir = project(FILES);
    const args = ['lint', '--format', 'json', '--cache-location', path.join(dir, 'c'), 'm', 'n'];
    run(args, dir);
    fs.appendFileSync(path.join(dir, 'm/002_index.sql'), 'ALTER TABLE users ADD COLUMN age int;\n');
    const edited = run(args, dir);
    assert.deepStrictEqual(analysed(edited.stderr), ['m/002_index.sql', 'm/003_column.sql']);
    assert.strictEqual(edited.stdout, run(['lint', '--format', 'json', 'm', 'n'], dir).stdout);
    // The last migration is nobody's history.
    fs.appendFileSync(path.join(dir, 'm/003_column.sql'), '-- a comment\n');
    assert.deepStrictEqual(analysed(run(args, dir).stderr), ['m/003_column.sql']);
  });

  it('a config change, a new migration before a file and another Lockwise build invalidate; a damaged shard is a miss', () => {
    const dir = project(FILES);
    const args = ['lint', '--format', 'json', '--cache', 'm', 'n'];
    run(args, dir);
    fs.writeFileSync(path.join(dir, 'm/.lockwise.json'), '{ "pgVersion": 10 }\n');
    assert.deepStrictEqual(analysed(run(args, dir).stderr), ['m/001_users.sql', 'm/002_index.sql', 'm/003_column.sql']);
    fs.writeFileSync(path.join(dir, 'n/000_first.sql'), 'CREATE TABLE first (id int);\n');
    assert.deepStrictEqual(analysed(run(args, dir).stderr), ['n/000_first.sql', 'n/001_other.sql']);
    // Another build of the CLI (here: the same bundles, the main one with one more line) does not read this build's results.
    const other = fs.mkdtempSync(path.join(os.tmpdir(), 'lockwise-build-'));
    fs.copyFileSync(path.join(ROOT, 'dist/libpg-query.wasm'), path.join(other, 'libpg-query.wasm'));
    fs.cpSync(path.join(ROOT, 'dist/grammars'), path.join(other, 'grammars'), { recursive: true });
    fs.copyFileSync(CLI, path.join(other, 'cli.js'));
    fs.writeFileSync(path.join(other, 'cli-main.js'), fs.readFileSync(path.join(ROOT, 'dist/cli-main.js'), 'utf8') + '\n// another build\n');
    const rebuilt = spawnSync(process.execPath, [path.join(other, 'cli.js'), ...args], { cwd: dir, encoding: 'utf8', env: ENV });
    assert.strictEqual(analysed(rebuilt.stderr).length, 5);
    const cache = path.join(dir, '.lockwise-cache');
    for (const shard of fs.readdirSync(cache)) fs.writeFileSync(path.join(cache, shard), '{"format":');
    const damaged = run(args, dir);
    assert.strictEqual(analysed(damaged.stderr).length, 5);
    assert.strictEqual(damaged.stdout, run(['lint', '--format', 'json', 'm', 'n'], dir).stdout);
  });

  it('concurrent runs on one cache folder both print the right output and leave a readable cache', async () => {
    const dir = project(FILES);
    const args = [CLI, 'lint', '--format', 'json', '--cache', 'm', 'n'];
    const expected = run(['lint', '--format', 'json', 'm', 'n'], dir).stdout;
    const once = () =>
      new Promise<string>((resolve) => {
        const child = spawn(process.execPath, args, { cwd: dir, env: ENV });
        let out = '';
        child.stdout.on('data', (d) => (out += d));
        child.on('close', () => resolve(out));
      });
    const outputs = await Promise.all([once(), once(), once()]);
    for (const out of outputs) assert.strictEqual(out, expected);
    const warm = run(['lint', '--format', 'json', '--cache', 'm', 'n'], dir);
    assert.strictEqual(warm.stdout, expected);
    assert.deepStrictEqual(analysed(warm.stderr), []);
    assert.deepStrictEqual(
      fs.readdirSync(path.join(dir, '.lockwise-cache')).filter((f) => f.endsWith('.tmp')),
      [],
    );
  });

  it('the cache folder is pruned oldest first past its bound', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'lockwise-prune-'));
    const now = Date.now() / 1000;
    ['a', 'b', 'c'].forEach((name, i) => {
      fs.writeFileSync(path.join(dir, `${name}.json`), 'x'.repeat(100));
      fs.utimesSync(path.join(dir, `${name}.json`), now - 100 + i, now - 100 + i);
    });
    prune(dir, 250);
    assert.deepStrictEqual(fs.readdirSync(dir).sort(), ['b.json', 'c.json']);
  });

  it('--jobs: folders analysed on several threads give the output of one thread, in the same order', () => {
    // Over 256 KB of SQL in several folders, so that worker threads are used.
    const files: Record<string, string> = {};
    for (const folder of ['a', 'b', 'c', 'd']) {
      for (let i = 1; i <= 8; i++) {
        const lines = [`CREATE TABLE t_${folder}_${i} (id int, note text);`];
        for (let k = 0; k < 300; k++) lines.push(`ALTER TABLE t_${folder}_${i} ADD COLUMN c${k} int NOT NULL DEFAULT ${k}; -- padding padding padding padding`);
        lines.push(`CREATE INDEX ON t_${folder}_${i} (id);`);
        files[`${folder}/${String(i).padStart(3, '0')}.sql`] = lines.join('\n') + '\n';
      }
    }
    const dir = project(files);
    const one = run(['audit', '--format', 'json', '--jobs', '1', 'd', 'a', 'c', 'b'], dir);
    const four = run(['audit', '--format', 'json', '--jobs', '4', 'd', 'a', 'c', 'b'], dir);
    assert.ok(one.stdout.length > 100000);
    assert.strictEqual(four.stdout, one.stdout);
    assert.strictEqual(four.code, one.code);
    const order = (JSON.parse(four.stdout) as { files: { path: string }[] }).files.map((f) => f.path.split('/')[0]);
    assert.deepStrictEqual([...new Set(order)], ['a', 'b', 'c', 'd']);
    assert.strictEqual(
      run(['lint', '--format', 'json', '--jobs', '3', 'd', 'a', 'c', 'b'], dir).stdout,
      run(['lint', '--format', 'json', '--jobs', '1', 'd', 'a', 'c', 'b'], dir).stdout,
    );
    assert.match(run(['lint', '--jobs', '0', 'a'], dir).stderr, /--jobs must be a number of threads/);
  });

  it('--jobs: workers started while planning and left without files stop; each loads the pgVersion of its files', () => {
    // Three folders, two over 256 KB: with --jobs 4 three workers start during planning (at b's first
    // file), two get files, one stops. Folder c (PostgreSQL 14) is planned after they started: its parser
    // is announced to them by message; b's (13) is in their start data.
    const files: Record<string, string> = {
      'b/.lockwise.json': JSON.stringify({ pgVersion: 13 }),
      'c/.lockwise.json': JSON.stringify({ pgVersion: 14 }),
      'c/001.sql': 'ALTER TABLE t ADD COLUMN c int NOT NULL DEFAULT 1;\nCREATE INDEX ON t (c);\n',
    };
    for (const folder of ['a', 'b']) {
      files[`${folder}/000.sql`] = `CREATE TABLE t_${folder} (id int);\n`;
      for (let i = 1; i <= 12; i++) {
        const lines: string[] = [];
        for (let k = 0; k < 300; k++) lines.push(`CREATE INDEX i_${i}_${k} ON t_${folder} (id); -- padding padding padding padding padding`);
        files[`${folder}/${String(i).padStart(3, '0')}.sql`] = lines.join('\n') + '\n';
      }
    }
    const dir = project(files);
    const one = run(['lint', '--format', 'json', '--jobs', '1', 'a', 'b', 'c'], dir);
    const four = run(['lint', '--format', 'json', '--jobs', '4', 'a', 'b', 'c'], dir);
    const folders = (JSON.parse(one.stdout) as { files: { path: string }[] }).files.map((f) => f.path.split('/')[0]);
    assert.deepStrictEqual([...new Set(folders)], ['a', 'b', 'c']);
    assert.strictEqual(four.stdout, one.stdout);
    assert.strictEqual(four.code, one.code);
    assert.strictEqual(four.stderr, one.stderr);
  });

  it('--jobs: threads take whole history scopes, the costliest first, each in command-line order', () => {
    const file = (name: string, size: number) => ({ file: path.resolve(name), text: 'x'.repeat(size) }) as PlannedFile;
    // b's 40 small files cost more than a's one bigger file: each file costs its planning and history too.
    const planned = [
      file('a/001.sql', 20000),
      file('c/001.sql', 100),
      ...Array.from({ length: 40 }, (_, i) => file(`b/${String(i).padStart(3, '0')}.sql`, 100)),
    ];
    const groups = scopeGroups(planned, [...planned.keys()]);
    assert.deepStrictEqual(groups, [Array.from({ length: 40 }, (_, i) => i + 2), [0], [1]]);
  });
});
