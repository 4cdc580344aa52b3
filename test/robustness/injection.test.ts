/**
 * Output that file content cannot act through (issue 12), end to end: the CLI on a migration and
 * file names built from the injection corpus (injection.ts), in every format and on every other
 * path that prints (the --fix --dry-run diff, --explain-runner, error messages, config errors, the
 * trace). Whatever the content, no output holds a raw control character, C1 code or bidi override,
 * and no line is a GitHub workflow command unless the `github` format wrote it, one per finding.
 */
import * as assert from 'assert';
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { isWorkflowCommand } from '../../server/src/core';
import { HOSTILE_FILE_NAMES, injectionMigration } from './injection';

const ROOT = path.resolve(__dirname, '../../..');
const CLI = path.join(ROOT, 'dist/cli.js');
/** Raw characters a terminal, a log viewer or a bidi renderer acts on (a line break is the only control allowed). */
const RAW = /[\x00-\x09\x0B-\x1F\x7F-\x9F\u061C\u200E\u200F\u2028\u2029\u202A-\u202E\u2066-\u2069]/;

function run(args: string[], cwd: string, timeout = 60000) {
  const r = spawnSync(process.execPath, [CLI, ...args], {
    cwd,
    encoding: 'utf8',
    timeout,
    maxBuffer: 256 * 1024 * 1024,
    env: { ...process.env, NO_COLOR: '1', LOCKWISE_DEBUG: '' },
  });
  assert.strictEqual(r.error, undefined, `${args.join(' ')}: ${r.error}`);
  return r;
}

/** stdout and stderr together: nothing raw, no workflow command. */
function assertInert(what: string, r: { stdout: string; stderr: string }): void {
  for (const [name, text] of [
    ['stdout', r.stdout],
    ['stderr', r.stderr],
  ]) {
    const raw = RAW.exec(text);
    assert.strictEqual(
      raw,
      null,
      `${what} ${name}: raw ${JSON.stringify(raw?.[0])} near ${JSON.stringify(text.slice(Math.max(0, (raw?.index ?? 0) - 40), (raw?.index ?? 0) + 40))}`,
    );
    const commands = text.split(/\r\n|\r|\n/).filter(isWorkflowCommand);
    assert.deepStrictEqual(commands.slice(0, 3), [], `${what} ${name}: a line is a workflow command`);
  }
}

describe('injection: no output of the CLI lets file content act on a terminal or a CI runner', function () {
  this.timeout(300000);
  let dir: string;
  const sql = injectionMigration();

  before(() => {
    dir = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), 'lockwise-inject-')));
    // Top-level files: `lint .` prints their names at the start of a line.
    for (const name of HOSTILE_FILE_NAMES) fs.writeFileSync(path.join(dir, name), sql);
  });

  it('the corpus produces findings that quote the attacks (so the checks below can fail)', () => {
    const r = run(['lint', '--format', 'json', '.'], dir);
    assert.strictEqual(r.status, 1, r.stderr);
    const files = JSON.parse(r.stdout).files as { path: string; findings: { message: string; help?: string; notes?: string[] }[] }[];
    assert.strictEqual(files.length, HOSTILE_FILE_NAMES.length);
    const texts = files.flatMap((f) => f.findings.flatMap((x) => [x.message, x.help ?? '', ...(x.notes ?? [])]));
    assert.ok(texts.some((m) => m.includes('\x1b]0;pwned')) && texts.some((m) => m.includes('\n::error')));
  });

  for (const format of ['text', 'sarif', 'json']) {
    it(`lint --format ${format}`, () => assertInert(format, run(['lint', '--format', format, '.'], dir)));
  }

  it('lint --format github: every line is one of its own commands, one per finding', () => {
    const r = run(['lint', '--format', 'github', '.'], dir);
    assert.doesNotMatch(r.stdout + r.stderr, RAW);
    const lines = r.stdout.trimEnd().split('\n');
    const count = (JSON.parse(run(['lint', '--format', 'json', '.'], dir).stdout).files as { findings: unknown[] }[]).reduce(
      (n, f) => n + f.findings.length,
      0,
    );
    assert.strictEqual(lines.length, count);
    for (const line of lines)
      assert.match(line, /^::(error|warning|notice) file=[^,:\r\n]+,line=\d+,col=\d+,endLine=\d+,endColumn=\d+,title=[a-z-]+::[^\r\n]*$/, line.slice(0, 200));
  });

  for (const format of ['text', 'markdown', 'html', 'json']) {
    it(`audit --format ${format} --all`, () => assertInert(`audit ${format}`, run(['audit', '--format', format, '--all', '.'], dir)));
  }

  it('lint --fix --dry-run (the diff) and --explain-runner', () => {
    const diff = run(['lint', '--fix', '--dry-run', '.'], dir);
    assert.match(diff.stdout, /CONCURRENTLY/, 'a diff was printed');
    assertInert('--fix --dry-run', diff);
    assertInert('--explain-runner', run(['lint', '--explain-runner', '.'], dir));
  });

  it('error messages: a missing file, a bad option value, config errors with hostile and huge keys', () => {
    for (const name of HOSTILE_FILE_NAMES) {
      const r = run(['lint', `missing-${name}`], dir);
      assert.strictEqual(r.status, 2);
      assertInert(`missing ${JSON.stringify(name)}`, r);
    }
    assertInert('--format', run(['lint', '--format', '\x1b]0;x\x07\n::error::f', '.'], dir));
    const configs = [{ '\n::error file=a::key': 1 }, { rules: { '\x1b[2J\u202e': 'off' } }, { ['k'.repeat(20 * 1024 * 1024)]: 1 }, { runner: '\x1b]0;t\x07' }];
    for (const config of configs) {
      const sub = fs.mkdtempSync(path.join(dir, 'cfg-'));
      fs.writeFileSync(path.join(sub, '.lockwise.json'), JSON.stringify(config));
      fs.writeFileSync(path.join(sub, 'x.sql'), 'SELECT 1;\n');
      const r = run(['lint', path.join(sub, 'x.sql')], dir);
      assert.strictEqual(r.status, 2, r.stderr.slice(0, 300));
      assert.ok(r.stderr.length < 1000, `${r.stderr.length} characters`);
      assertInert(`config ${JSON.stringify(config).slice(0, 40)}`, r);
    }
    // Not valid JSON: V8's parse error quotes the text.
    fs.writeFileSync(path.join(dir, 'cfg-bad.json'), '{"a\x1b[2J\n::error::x": }');
    assertInert('invalid JSON', run(['lint', '--config', 'cfg-bad.json', HOSTILE_FILE_NAMES[0]], dir));
  });

  it('trace (markdown and json): PostgreSQL errors quote the names', () => {
    const file = path.join(dir, HOSTILE_FILE_NAMES[0]);
    for (const format of ['markdown', 'json']) {
      const r = run(['trace', '--format', format, file], ROOT, 120000);
      assert.ok(r.status === 0 || r.status === 1, `exit ${r.status}: ${r.stderr.slice(0, 500)}`);
      assert.match(r.stdout, /pwned/);
      assertInert(`trace ${format}`, r);
    }
  });
});
