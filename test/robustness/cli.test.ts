/**
 * The CLI on hostile files and hostile paths. Extends test/unit/cli.test.ts (which covers a missing
 * file, unknown options and commands, bad --format/--pg-version, a folder with no SQL, invalid
 * .lockwise.json values): here the paths are unreadable in other ways (FIFOs, devices, dangling
 * symlinks, permissions), configs are broken in stranger ways, and the files are the hostile ones.
 * Every error is exit 2 with exactly one line on stderr, never a stack trace, and never a hang.
 */
import * as assert from 'assert';
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { findingsLine, HOSTILE, MB } from './hostile';

const ROOT = path.resolve(__dirname, '../../..');
const CLI = path.join(ROOT, 'dist/cli.js');
const SQL = "SET lock_timeout = '1s';\nCREATE INDEX i ON t (c);\n";

function run(args: string[], cwd = ROOT, timeoutMs = 20000) {
  const r = spawnSync(process.execPath, [CLI, ...args], {
    cwd,
    encoding: 'utf8',
    timeout: timeoutMs,
    maxBuffer: 256 * 1024 * 1024,
    env: { ...process.env, NO_COLOR: '1', LOCKWISE_DEBUG: '' },
  });
  return { code: r.status, signal: r.signal, stdout: r.stdout, stderr: r.stderr, error: r.error };
}

function tempDir(files: Record<string, string | Buffer> = {}): string {
  const dir = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), 'lockwise-robust-')));
  for (const [name, text] of Object.entries(files)) {
    fs.mkdirSync(path.dirname(path.join(dir, name)), { recursive: true });
    fs.writeFileSync(path.join(dir, name), text);
  }
  return dir;
}

function mkfifo(file: string): boolean {
  return spawnSync('mkfifo', [file]).status === 0;
}

function assertCleanError(r: ReturnType<typeof run>, message: RegExp, what: string): void {
  assert.strictEqual(r.error, undefined, `${what}: did not finish (${r.error})`);
  assert.strictEqual(r.code, 2, `${what}: exit ${r.code}\n${r.stdout}${r.stderr}`);
  assert.match(r.stderr, message, what);
  assert.strictEqual(r.stderr.trim().split('\n').length, 1, `${what}: more than one line:\n${r.stderr}`);
  assert.match(r.stderr, /^lockwise: /, what);
  assert.doesNotMatch(r.stderr, /\n\s+at |internal error/, what);
}

const isRoot = typeof process.getuid === 'function' && process.getuid() === 0;

describe('CLI robustness: hostile files', function () {
  this.timeout(180000);

  it('lints every hostile file in one run: exit 0 or 1, every file reported, exact 1-based columns', () => {
    const files: Record<string, Buffer> = {};
    // One folder each: a file must not be the schema history of the next.
    HOSTILE.forEach((h, i) => (files[`${String(i).padStart(2, '0')}/hostile.sql`] = h.bytes()));
    const dir = tempDir(files);
    const t0 = Date.now();
    const r = run(['lint', '--format', 'json', dir], ROOT, 170000);
    const ms = Date.now() - t0;
    assert.strictEqual(r.error, undefined, String(r.error));
    assert.ok(r.code === 0 || r.code === 1, `exit ${r.code}: ${r.stderr.slice(-2000)}`);
    assert.strictEqual(r.stderr, '', 'nothing on stderr (no internal error)');
    const data = JSON.parse(r.stdout) as {
      files: { path: string; findings: { rule: string; line: number; column: number; endLine: number; endColumn: number }[] }[];
    };
    assert.strictEqual(data.files.length, HOSTILE.length);
    HOSTILE.forEach((h, i) => {
      const report = data.files.find((f) => f.path.endsWith(`${String(i).padStart(2, '0')}/hostile.sql`));
      assert.ok(report, `${h.name}: reported`);
      const e = h.expect;
      if (!e) return;
      const hit = report.findings.find(
        (f) => f.rule === e.rule && f.line === e.line + 1 && f.endLine === e.line + 1 && f.column === e.character + 1 && f.endColumn === e.endCharacter + 1,
      );
      assert.ok(
        hit,
        `${h.name}: expected ${e.rule} at ${e.line + 1}:${e.character + 1}-${e.endCharacter + 1}, got ${JSON.stringify(report.findings.filter((f) => f.rule === e.rule).slice(-3))}`,
      );
    });
    const mb = HOSTILE.reduce((n, h) => n + h.bytes().length, 0) / 1024 / 1024;
    console.log(`      (CLI: ${HOSTILE.length} hostile files, ${mb.toFixed(1)} MB, in ${ms} ms)`);
  });

  it('the text format on a 1 MB one-line file with ~35,000 findings: excerpts clipped, no "Invalid string length"', () => {
    const dir = tempDir({ 'line.sql': findingsLine(MB) });
    const r = run(['lint', path.join(dir, 'line.sql')], ROOT, 170000);
    assert.strictEqual(r.error, undefined, String(r.error));
    assert.strictEqual(r.code, 1, r.stderr.slice(-500));
    assert.strictEqual(r.stderr, '');
    const lines = r.stdout.split('\n');
    assert.match(lines[lines.length - 2], /^[23]\d{4} finding\(s\) in 1 file\(s\)/);
    assert.ok(
      lines.every((l) => l.length < 400),
      'every excerpt is a window, not the 1 MB line',
    );
  });

  it('--fix keeps a byte order mark, and columns do not count it', () => {
    const bom = Buffer.from([0xef, 0xbb, 0xbf]);
    const dir = tempDir({ 'x.sql': Buffer.concat([bom, Buffer.from('CREATE INDEX i ON t (c);\n')]) });
    const file = path.join(dir, 'x.sql');
    const lint = JSON.parse(run(['lint', '--format', 'json', file]).stdout);
    assert.deepStrictEqual(
      lint.files[0].findings.map((f: { column: number }) => f.column),
      [1, 1],
    );
    run(['lint', '--fix', file]);
    const after = fs.readFileSync(file);
    assert.deepStrictEqual([...after.subarray(0, 3)], [...bom]);
    assert.match(after.toString('utf8'), /CREATE INDEX CONCURRENTLY/);
  });
});

/** Hostile files that are not valid UTF-8: --fix refuses them. */
const NOT_UTF8 = ['invalid UTF-8', 'Latin-1 é'];
/** All but the 20 MB dump (its lint is above; the 5 MB line is the large case here). */
const FIX_SET = HOSTILE.filter((h) => h.name !== '20 MB of SQL (dump-like)');

describe('CLI robustness: --fix on hostile files', function () {
  this.timeout(600000);

  it('--fix on the hostile files: invalid UTF-8 refused byte for byte (exit 2), the rest fixed with other bytes kept, a second run changes nothing', () => {
    const files: Record<string, Buffer> = {};
    FIX_SET.forEach((h, i) => (files[`${String(i).padStart(2, '0')}/hostile.sql`] = h.bytes()));
    const dir = tempDir(files);
    const r = run(['lint', '--fix', '--format', 'json', dir], ROOT, 400000);
    assert.strictEqual(r.error, undefined, String(r.error));
    assert.strictEqual(r.code, 2, r.stderr.slice(-2000));
    const after = FIX_SET.map((_, i) => fs.readFileSync(path.join(dir, `${String(i).padStart(2, '0')}/hostile.sql`)));
    FIX_SET.forEach((h, i) => {
      const shown = `${String(i).padStart(2, '0')}/hostile.sql`;
      if (NOT_UTF8.includes(h.name)) {
        assert.deepStrictEqual(after[i], h.bytes(), `${h.name}: the bytes are untouched`);
        assert.match(r.stderr, new RegExp(`${shown}: not fixed: it is not valid UTF-8 \\(line 1, byte 0x(80|E9)\\)`));
        return;
      }
      assert.match(r.stderr, new RegExp(`${shown}: fixed`), h.name);
      // Only CONCURRENTLY was inserted: every other byte is where it was.
      if (new RegExp(`${shown}: fixed 1 finding\\(s\\): require-concurrent-index-creation\n`).test(r.stderr)) {
        const bytes = h.bytes();
        const at = bytes.lastIndexOf('CREATE INDEX hostile_idx') + 'CREATE INDEX'.length;
        const expected = Buffer.concat([bytes.subarray(0, at), Buffer.from(' CONCURRENTLY IF NOT EXISTS'), bytes.subarray(at)]);
        assert.ok(after[i].equals(expected), `${h.name}: bytes outside the fix changed`);
      }
    });
    assert.deepStrictEqual(
      fs.readdirSync(dir).sort(),
      Object.keys(files).map((f) => f.split('/')[0]),
      'no new file, no temp file',
    );
    const again = run(['lint', '--fix', '--format', 'json', dir], ROOT, 400000);
    assert.strictEqual(again.code, 2, again.stderr.slice(-2000));
    assert.deepStrictEqual(
      again.stderr.split('\n').filter((l) => / fixed /.test(l)),
      [],
      'the second run fixed nothing',
    );
    FIX_SET.forEach((_, i) => assert.ok(fs.readFileSync(path.join(dir, `${String(i).padStart(2, '0')}/hostile.sql`)).equals(after[i])));
  });
});

describe('CLI robustness: unreadable paths, broken configs, odd options', function () {
  this.timeout(120000);

  it('a FIFO, a device, a dangling symlink, a directory named like a file: exit 2, one line, no hang', () => {
    const dir = tempDir({ 'ok.sql': SQL, 'dir.sql/readme.txt': 'not sql' });
    fs.symlinkSync(path.join(dir, 'missing.sql'), path.join(dir, 'dangling.sql'));
    fs.symlinkSync(path.join(dir, 'dangling.sql'), path.join(dir, 'loop-a.sql'));
    const cases: [string[], RegExp][] = [
      [['lint', path.join(dir, 'dangling.sql')], /cannot read .*dangling\.sql: no such file/],
      [['lint', path.join(dir, 'dir.sql')], /no \.sql files found/],
      [['lint', '/dev/zero'], /cannot read \/dev\/zero: not a regular file/],
      [['audit', '/dev/null'], /not a regular file/],
      [['lint', path.join(dir, 'ok.sql', 'below-a-file.sql')], /cannot read .*below-a-file\.sql/],
      [['lint', `${dir}/nothing-*.sql`], /no files match/],
    ];
    if (mkfifo(path.join(dir, 'fifo.sql'))) cases.push([['lint', path.join(dir, 'fifo.sql')], /cannot read .*fifo\.sql: not a regular file/]);
    for (const [args, message] of cases) assertCleanError(run(args, ROOT, 10000), message, args.join(' '));
  });

  it('a FIFO among earlier migrations or as .lockwise.json does not hang the run', function () {
    const dir = tempDir({ 'm/002.sql': SQL, 'c/x.sql': SQL });
    if (!mkfifo(path.join(dir, 'm/001.sql')) || !mkfifo(path.join(dir, 'c/.lockwise.json'))) this.skip();
    const history = run(['lint', path.join(dir, 'm/002.sql')], ROOT, 10000);
    assert.strictEqual(history.error, undefined, 'hung on the FIFO in the migrations folder');
    assert.strictEqual(history.code, 1, history.stderr);
    assertCleanError(run(['lint', path.join(dir, 'c/x.sql')], ROOT, 10000), /\.lockwise\.json: cannot be read \(not a regular file\)/, 'FIFO config');
    assertCleanError(
      run(['lint', '--config', path.join(dir, 'c/.lockwise.json'), path.join(dir, 'm/002.sql')], ROOT, 10000),
      /not a regular file/,
      '--config FIFO',
    );
  });

  it('permission denied on a file or a folder (skipped as root, which reads anything)', function () {
    if (isRoot) this.skip();
    const dir = tempDir({ 'locked.sql': SQL, 'closed/x.sql': SQL });
    fs.chmodSync(path.join(dir, 'locked.sql'), 0o000);
    fs.chmodSync(path.join(dir, 'closed'), 0o000);
    try {
      assertCleanError(run(['lint', path.join(dir, 'locked.sql')]), /cannot read .*locked\.sql: EACCES/, 'chmod 000 file');
      assertCleanError(run(['lint', path.join(dir, 'closed')]), /cannot read directory .*closed: EACCES/, 'chmod 000 folder');
    } finally {
      fs.chmodSync(path.join(dir, 'closed'), 0o755);
    }
  });

  it('a symlinked migration in a folder is linted; a dangling or looping one is skipped', () => {
    const dir = tempDir({ 'real.sql': 'CREATE INDEX i ON t (c);\n', 'm/002.sql': SQL });
    fs.symlinkSync(path.join(dir, 'real.sql'), path.join(dir, 'm/001.sql'));
    fs.symlinkSync(path.join(dir, 'm/nowhere.sql'), path.join(dir, 'm/003.sql'));
    fs.symlinkSync(path.join(dir, 'm'), path.join(dir, 'm/loop.sql'));
    const r = run(['lint', '--format', 'json', path.join(dir, 'm')]);
    assert.strictEqual(r.code, 1, r.stderr);
    const paths = JSON.parse(r.stdout).files.map((f: { path: string }) => path.basename(f.path));
    assert.deepStrictEqual(paths, ['001.sql', '002.sql']);
  });

  it('folders without SQL: empty, only sub-folders, only node_modules or .git, a folder named x.sql', () => {
    const dir = tempDir({ 'a/b/c/readme.md': '#', 'n/node_modules/x.sql': SQL, 'g/.git/x.sql': SQL, 'd/x.sql/notes.txt': '' });
    fs.mkdirSync(path.join(dir, 'empty'));
    for (const sub of ['empty', 'a', 'n', 'g', 'd']) assertCleanError(run(['lint', path.join(dir, sub)]), /no \.sql files found/, sub);
  });

  it('broken configs: a directory, empty, BOM and garbage, invalid UTF-8, non-object JSON, prototype keys', () => {
    const configs: [string | Buffer | null, RegExp][] = [
      [null, /\.lockwise\.json: cannot be read \(EISDIR\)|not a regular file/],
      ['', /is not valid JSON|must be a JSON object/],
      ['\uFEFF{"pgVersion": 99}', /"pgVersion": must be/],
      [Buffer.from([0xff, 0xfe, 0x7b, 0x00]), /is not valid JSON/],
      ['[]', /must be a JSON object/],
      ['null', /must be a JSON object/],
      ['{"__proto__": {"pgVersion": 3}}', /"__proto__": unknown key/],
      ['{"rules": {"constructor": "off"}}', /"rules\.constructor": unknown rule id/],
      ['{"include": ["["], "exclude": 5}', /"exclude": must be/],
      ['{"lockTimeout": "1e999s"}', /"lockTimeout": must be/],
      [`${'['.repeat(50000)}${']'.repeat(50000)}`, /must be a JSON object/],
    ];
    for (const [config, message] of configs) {
      const dir = tempDir({ 'x.sql': SQL });
      if (config === null) fs.mkdirSync(path.join(dir, '.lockwise.json'));
      else fs.writeFileSync(path.join(dir, '.lockwise.json'), config);
      assertCleanError(run(['lint', path.join(dir, 'x.sql')]), message, `config ${String(config).slice(0, 40)}`);
    }
    const dir = tempDir({ 'x.sql': SQL });
    assertCleanError(run(['lint', '--config', dir, path.join(dir, 'x.sql')]), /cannot be read \(EISDIR\)|not a regular file/, '--config directory');
  });

  it('odd options: empty values, single-dash, =forms, --fix with audit, a lone --', () => {
    const dir = tempDir({ 'x.sql': SQL });
    const file = path.join(dir, 'x.sql');
    const cases: [string[], RegExp][] = [
      [['lint', '--format=', file], /--format for lint must be/],
      [['lint', '--fail-on=', file], /--fail-on must be/],
      [['lint', '--pg-version=1e3', file], /--pg-version must be/],
      [['lint', '--config', '--format', file], /--config needs a value/],
      [['lint', '-x', file], /unknown option -x/],
      [['lint', '--FORMAT', 'json', file], /unknown option --FORMAT/],
      [['lint', '--', file], /unknown option --/],
      [['audit', '--fix', file], /--fix and --dry-run go with lint/],
      [['lint', '--dry-run', file], /--dry-run goes with --fix/],
      [['lint', '--format', 'markdown', file], /--format for lint must be/],
      [['audit', '--format', 'sarif', file], /--format for audit must be/],
    ];
    for (const [args, message] of cases) assertCleanError(run(args), message, args.join(' '));
  });
});

describe('CLI robustness: a reader that goes away', function () {
  this.timeout(60000);

  it('`lockwise lint | head -n 1`: no stack trace, the exit code of the findings', () => {
    // Far more than a pipe's 64 KB of text, so writes go on after head has exited.
    const dir = tempDir({ 'x.sql': 'CREATE INDEX i ON t (c);\n'.repeat(3000) });
    // The second --cache run replays the first one's record (cli/replay.ts), written to the descriptor.
    for (const cache of ['--no-cache', '--cache', '--cache']) {
      const script = `"$0" "$1" lint ${cache} --format text x.sql | head -n 1 >/dev/null; exit "\${PIPESTATUS[0]}"`;
      const r = spawnSync('bash', ['-c', script, process.execPath, CLI], { cwd: dir, encoding: 'utf8', timeout: 50000 });
      assert.strictEqual(r.stderr, '', `${cache}: stderr`);
      assert.strictEqual(r.status, 1, `${cache}: exit code`);
    }
  });
});
