/**
 * `lockwise lint --fix` never damages a file (issue 12): bytes outside the fixes are kept exactly,
 * a file that is not UTF-8 is refused, not rewritten; one file that cannot be written (a real
 * EFBIG from `ulimit -f`, a real ENOSPC on a full tmpfs) does not stop the others and exits 2; a
 * file changed on disk, or a new migration whose name appeared, is not overwritten; symlinks and
 * modes survive; `--fix --dry-run` exits as lint would after the fixes. The writer itself:
 * test/unit/atomicWrite.test.ts.
 */
import * as assert from 'assert';
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import { createRequire } from 'module';
import * as os from 'os';
import * as path from 'path';
import { analyzeFiles } from '../../server/src/cli/files';
import { applyFixes } from '../../server/src/cli/fix';
import { parseArgs } from '../../server/src/cli/args';
import { initParser } from '../../server/src/core';
import { itWithCorpus } from '../support/corpus';

const ROOT = path.resolve(__dirname, '../../..');
const CLI = path.join(ROOT, 'dist/cli.js');
const UNSAFE = "SET lock_timeout = '5s';\nCREATE INDEX i ON t (c);\n";
const FIXED = "SET lock_timeout = '5s';\nCREATE INDEX CONCURRENTLY IF NOT EXISTS i ON t (c);\n";

function run(args: string[], shell?: string) {
  const r = shell
    ? spawnSync('bash', ['-c', `${shell} "$@"`, 'bash', process.execPath, CLI, ...args], { encoding: 'utf8', env: { ...process.env, NO_COLOR: '1' } })
    : spawnSync(process.execPath, [CLI, ...args], { encoding: 'utf8', env: { ...process.env, NO_COLOR: '1' } });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

function tempDir(files: Record<string, string | Buffer> = {}): string {
  const dir = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), 'lockwise-fix-')));
  for (const [name, text] of Object.entries(files)) {
    fs.mkdirSync(path.dirname(path.join(dir, name)), { recursive: true });
    fs.writeFileSync(path.join(dir, name), text);
  }
  return dir;
}

/** A migration of about `kb` KB whose one fix adds CONCURRENTLY. */
function big(kb: number): string {
  return `SET lock_timeout = '5s';\n${'-- padding padding padding padding padding padding padding padding\n'.repeat(kb * 15)}CREATE INDEX i ON t (c);\n`;
}

describe('lint --fix never damages a file', function () {
  this.timeout(60000);

  it('keeps every byte outside the fixes: BOM, CRLF, lone CR, NUL, emoji, combining marks, no final newline', () => {
    const text = "\uFEFF-- caf\u00e9 \u{1F600} e\u0301\r\nSET lock_timeout = '5s';\rSELECT '\0';\r\nCREATE INDEX i ON t (c);\r\n/* \u202E */ SELECT 1;";
    const dir = tempDir({ 'x.sql': text });
    const r = run(['lint', '--fix', path.join(dir, 'x.sql')]);
    assert.match(r.stderr, /x\.sql: fixed 1 finding/);
    const after = fs.readFileSync(path.join(dir, 'x.sql'));
    assert.deepStrictEqual(after, Buffer.from(text.replace('CREATE INDEX', 'CREATE INDEX CONCURRENTLY IF NOT EXISTS')));
  });

  it('refuses a file that is not UTF-8 (Latin-1 é): bytes unchanged, the file and line named, the other files fixed, exit 2', () => {
    const latin1 = Buffer.concat([Buffer.from("SET lock_timeout = '5s';\n-- caf"), Buffer.from([0xe9]), Buffer.from('\nCREATE INDEX i ON t (c);\n')]);
    const dir = tempDir({ 'a.sql': latin1, 'b.sql': UNSAFE });
    const r = run(['lint', '--fix', dir]);
    assert.strictEqual(r.code, 2, r.stderr);
    assert.deepStrictEqual(fs.readFileSync(path.join(dir, 'a.sql')), latin1, 'the é byte is still 0xE9 (was U+FFFD)');
    assert.match(r.stderr, /a\.sql: not fixed: it is not valid UTF-8 \(line 2, byte 0xE9\)/);
    assert.strictEqual(fs.readFileSync(path.join(dir, 'b.sql'), 'utf8'), FIXED);
    assert.match(r.stderr, /1 file\(s\) not fixed: .*a\.sql/);
    const dry = run(['lint', '--fix', '--dry-run', path.join(dir, 'a.sql')]);
    assert.strictEqual(dry.code, 2, 'the dry run says what the run would do');
    assert.match(dry.stderr, /not valid UTF-8/);
    assert.strictEqual(run(['lint', path.join(dir, 'a.sql')]).code, 1, 'lint without --fix still reads it');
  });

  it('a file that cannot be written (EFBIG under ulimit -f) is listed and left intact; the others are fixed; exit 2', () => {
    const large = big(40);
    const dir = tempDir({ '1.sql': UNSAFE, '2.sql': large, '3.sql': UNSAFE });
    // ulimit -f counts 1024-byte blocks: 16 KB lets the small files be written, not the 40 KB one.
    const r = run(['lint', '--fix', dir], 'ulimit -f 16;');
    assert.strictEqual(r.code, 2, r.stderr);
    assert.strictEqual(fs.readFileSync(path.join(dir, '2.sql'), 'utf8'), large);
    assert.match(r.stderr, new RegExp(`2\\.sql: not fixed: cannot write .*2\\.sql: EFBIG \\(file too large\\); the file is unchanged`));
    assert.strictEqual(fs.readFileSync(path.join(dir, '1.sql'), 'utf8'), FIXED);
    assert.strictEqual(fs.readFileSync(path.join(dir, '3.sql'), 'utf8'), FIXED);
    assert.deepStrictEqual(fs.readdirSync(dir).sort(), ['1.sql', '2.sql', '3.sql'], 'no temp file left');
    assert.match(r.stdout, /2\.sql:\d+:1.*require-concurrent-index-creation/, 'the report shows the unfixed file as it is');
  });

  it('a real full disk (ENOSPC on a 64 KB tmpfs): the original intact, the error names it (skipped without mount namespaces)', function () {
    const dir = tempDir({ 'm.sql': big(40) });
    const script = [
      'set -e',
      `mount -t tmpfs -o size=64k tmpfs "${dir}/mnt"`,
      `cp "${dir}/m.sql" "${dir}/mnt/m.sql"`,
      `node "${CLI}" lint --fix "${dir}/mnt/m.sql" > "${dir}/out" 2>&1 || echo "exit $?" >> "${dir}/out"`,
      `cmp "${dir}/m.sql" "${dir}/mnt/m.sql" && echo same >> "${dir}/out"`,
      `ls -A "${dir}/mnt" >> "${dir}/out"`,
    ].join('\n');
    fs.mkdirSync(path.join(dir, 'mnt'));
    const r = spawnSync('unshare', ['-m', 'sh', '-c', script], { encoding: 'utf8', env: { ...process.env, NO_COLOR: '1' } });
    if (r.status !== 0 && /mount|unshare|Operation not permitted/i.test(r.stderr) && !fs.existsSync(path.join(dir, 'out'))) this.skip();
    const out = fs.readFileSync(path.join(dir, 'out'), 'utf8');
    assert.match(out, /m\.sql: not fixed: cannot write .*m\.sql: ENOSPC \(no space left on device\); the file is unchanged/);
    assert.match(out, /^exit 2$/m);
    assert.match(out, /^same$/m, 'the original is byte for byte what it was');
    assert.match(out, /^m\.sql\n?$/m, 'no temp file left on the full disk');
  });

  it('a symlinked migration is fixed through the link (it stays a link); the mode is kept', () => {
    const dir = tempDir({ 'real/001.sql': UNSAFE });
    fs.mkdirSync(path.join(dir, 'm'));
    fs.symlinkSync(path.join(dir, 'real/001.sql'), path.join(dir, 'm/001.sql'));
    fs.chmodSync(path.join(dir, 'real/001.sql'), 0o640);
    const r = run(['lint', '--fix', path.join(dir, 'm')]);
    assert.strictEqual(r.code, 0, r.stderr);
    assert.ok(fs.lstatSync(path.join(dir, 'm/001.sql')).isSymbolicLink());
    assert.strictEqual(fs.readFileSync(path.join(dir, 'real/001.sql'), 'utf8'), FIXED);
    assert.strictEqual(fs.statSync(path.join(dir, 'real/001.sql')).mode & 0o7777, 0o640);
  });

  it('a file changed on disk after it was linted is not overwritten; the others are fixed (exit 2)', async () => {
    await initParser();
    const dir = tempDir({ '1.sql': UNSAFE, '2.sql': UNSAFE });
    const results = await analyzeFiles(parseArgs(['lint', dir]));
    fs.writeFileSync(path.join(dir, '1.sql'), UNSAFE + '-- edited meanwhile\n');
    const { failures } = quiet(() => applyFixes(results, false));
    assert.deepStrictEqual(
      failures.map((f) => [path.basename(f.path), f.reason]),
      [['1.sql', 'it changed on disk since it was read; left as it is']],
    );
    assert.strictEqual(fs.readFileSync(path.join(dir, '1.sql'), 'utf8'), UNSAFE + '-- edited meanwhile\n');
    assert.strictEqual(fs.readFileSync(path.join(dir, '2.sql'), 'utf8'), FIXED);
  });

  it('a new migration the fix writes never overwrites a file that appeared with its name; the migration is left whole', async () => {
    await initParser();
    const original = "SET lock_timeout = '5s';\nCREATE INDEX CONCURRENTLY IF NOT EXISTS users_email_idx ON users (email);\n";
    const dir = tempDir({ 'migrations/1_users.up.sql': 'CREATE TABLE users (id bigint PRIMARY KEY, email text);\n', 'migrations/2_email.up.sql': original });
    const results = await analyzeFiles(parseArgs(['lint', path.join(dir, 'migrations')]));
    const taken = path.join(dir, 'migrations/3_email_no_transaction.up.sql');
    fs.writeFileSync(taken, 'someone else');
    const { failures } = quiet(() => applyFixes(results, false));
    assert.strictEqual(failures.length, 1);
    assert.match(failures[0].reason, /3_email_no_transaction\.up\.sql: a file with that name exists; it was not overwritten/);
    assert.strictEqual(fs.readFileSync(taken, 'utf8'), 'someone else');
    assert.strictEqual(fs.readFileSync(path.join(dir, 'migrations/2_email.up.sql'), 'utf8'), original, 'the statement was not moved out');
    // Listed from the start, the taken name leaves no place right after the file: no fix, the error stays (exit 1).
    assert.strictEqual(run(['lint', '--fix', path.join(dir, 'migrations/2_email.up.sql')]).code, 1);
    assert.strictEqual(fs.readFileSync(taken, 'utf8'), 'someone else');
  });

  it('reads each migration of a long history a few times, not once per later file: a fix re-reads only what it wrote', async () => {
    await initParser();
    const files: Record<string, string> = {};
    const name = (i: number) => `migrations/${String(i).padStart(3, '0')}.sql`;
    // Each file indexes the table of the one before it: every file has a fix, and its history is every file before it.
    for (let i = 1; i <= 60; i++) files[name(i)] = `CREATE TABLE t${i} (id int);\nSET lock_timeout = '5s';\nCREATE INDEX i${i} ON t${i - 1} (id);\n`;
    const dir = tempDir(files);
    const results = await analyzeFiles(parseArgs(['lint', path.join(dir, 'migrations')]));
    const reads = new Map<string, number>();
    // The module object itself (an `import *` namespace is read-only): the product reads through it.
    const fsModule = createRequire(__filename)('fs') as { readFileSync: typeof fs.readFileSync };
    const original = fsModule.readFileSync;
    const counting = (file: fs.PathOrFileDescriptor, ...rest: unknown[]) => {
      if (typeof file === 'string' && file.endsWith('.sql')) reads.set(file, (reads.get(file) ?? 0) + 1);
      return (original as (...args: unknown[]) => unknown)(file, ...rest);
    };
    fsModule.readFileSync = counting as typeof fs.readFileSync;
    try {
      const { failures } = quiet(() => applyFixes(results, false));
      assert.deepStrictEqual(failures, []);
    } finally {
      fsModule.readFileSync = original;
    }
    for (let i = 1; i <= 60; i++) assert.match(fs.readFileSync(path.join(dir, name(i)), 'utf8'), /CONCURRENTLY/, name(i));
    // Read for the fix, checked before the rename, read as history, read again once written: before, once per later file too.
    const most = Math.max(...reads.values());
    assert.ok(most <= 5, `a migration was read ${most} times`);
  });

  it('--fix --dry-run exits as lint would after the fixes: 0 when all is fixed, 1 when findings at or above --fail-on remain', () => {
    const dir = tempDir({ 'fixable.sql': UNSAFE, 'unfixable.sql': "SET lock_timeout = '5s';\nALTER TABLE t ALTER COLUMN c TYPE bigint;\n" });
    assert.strictEqual(run(['lint', '--fix', '--dry-run', path.join(dir, 'fixable.sql')]).code, 0);
    const r = run(['lint', '--fix', '--dry-run', dir]);
    assert.strictEqual(r.code, 1, r.stderr);
    assert.match(r.stdout, /\+CREATE INDEX CONCURRENTLY/);
    assert.strictEqual(run(['lint', '--fix', '--dry-run', '--fail-on', 'error', path.join(dir, 'unfixable.sql')]).code, 1);
    assert.strictEqual(fs.readFileSync(path.join(dir, 'fixable.sql'), 'utf8'), UNSAFE, 'a dry run writes nothing');
  });

  it('all fixes in one run: 2,000 fixable statements, then a second run changes nothing', () => {
    const text = `SET lock_timeout = '5s';\n${Array.from({ length: 2000 }, (_, i) => `CREATE INDEX i${i} ON t (c);`).join('\n')}\n`;
    const dir = tempDir({ 'x.sql': text });
    const r = run(['lint', '--fix', path.join(dir, 'x.sql')]);
    assert.strictEqual(r.code, 0, r.stdout.slice(-500));
    assert.match(r.stderr, /fixed 2000 finding\(s\): require-concurrent-index-creation ×2000/);
    assert.strictEqual(fs.readFileSync(path.join(dir, 'x.sql'), 'utf8').match(/CONCURRENTLY/g)?.length, 2000);
    const again = run(['lint', '--fix', path.join(dir, 'x.sql')]);
    assert.strictEqual(again.code, 0);
    assert.strictEqual(again.stderr, '', 'nothing left to fix');
  });

  itWithCorpus('a second --fix run changes nothing on copies of corpus projects (new migrations included)', function (corpus) {
    this.timeout(600000);
    let fixedFiles = 0;
    for (const project of ['harbor', 'supabase-auth', 'eugene']) {
      const dir = tempDir();
      fs.cpSync(path.join(corpus, project), dir, { recursive: true });
      const first = run(['lint', '--fix', dir]);
      assert.ok(first.code === 0 || first.code === 1, `${project}: exit ${first.code}\n${first.stderr.slice(-1000)}`);
      fixedFiles += first.stderr.split('\n').filter((l) => /: fixed \d+ finding/.test(l)).length;
      const snapshot = listing(dir);
      const second = run(['lint', '--fix', dir]);
      assert.doesNotMatch(second.stderr, /fixed|written/, `${project}: the second run fixed more:\n${second.stderr.slice(0, 2000)}`);
      assert.deepStrictEqual(listing(dir), snapshot, `${project}: files changed on the second run`);
      fs.rmSync(dir, { recursive: true, force: true });
    }
    assert.ok(fixedFiles > 10, `only ${fixedFiles} files were fixed by the first runs`);
  });
});

function listing(dir: string): Record<string, string> {
  const out: Record<string, string> = {};
  const walk = (d: string) => {
    for (const e of fs.readdirSync(d, { withFileTypes: true })) {
      const full = path.join(d, e.name);
      if (e.isDirectory()) walk(full);
      else out[path.relative(dir, full)] = fs.readFileSync(full, 'latin1');
    }
  };
  walk(dir);
  return out;
}

/** Runs `fn` with stderr silenced (applyFixes reports there). */
function quiet<T>(fn: () => T): T {
  const write = process.stderr.write;
  process.stderr.write = () => true;
  try {
    return fn();
  } finally {
    process.stderr.write = write;
  }
}
