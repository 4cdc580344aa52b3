/**
 * `lint` and `audit` load the grammar of the configured pgVersion, and the newer ones only when a
 * statement needs them (core/parse/grammars.ts `loadAskedGrammars`; the file is then analysed again):
 * the findings that name a newer version are those of a run that loaded every grammar first.
 */
import * as assert from 'assert';
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';

const DIST = path.resolve(__dirname, '../../../dist');

/** A preload that writes, at exit, every file of the module cache: what the process loaded. */
const HOOK = `process.on('exit', () => require('fs').writeFileSync(process.env.LOADED_OUT, Object.keys(require.cache).join('\\n')));`;

function project(files: Record<string, string>): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'lockwise-grammars-'));
  fs.mkdirSync(path.join(dir, '.git'));
  for (const [name, text] of Object.entries(files)) {
    fs.mkdirSync(path.dirname(path.join(dir, name)), { recursive: true });
    fs.writeFileSync(path.join(dir, name), text);
  }
  fs.writeFileSync(path.join(dir, 'hook.js'), HOOK);
  return dir;
}

/** `lockwise <args>` in `dir`: its findings (rule and message) and the grammars it loaded. */
function run(dir: string, args: string[]) {
  const out = path.join(dir, 'loaded.txt');
  const r = spawnSync(process.execPath, ['--require', path.join(dir, 'hook.js'), path.join(DIST, 'cli.js'), ...args], {
    cwd: dir,
    encoding: 'utf8',
    env: { ...process.env, LOADED_OUT: out },
  });
  assert.ok(r.status === 0 || r.status === 1, r.stderr);
  assert.strictEqual(r.stderr, '');
  const grammars = fs
    .readFileSync(out, 'utf8')
    .split('\n')
    .map((f) => /grammars[/\\]v(\d+)[/\\]libpg-query\.js$/.exec(f)?.[1])
    .filter((v): v is string => v !== undefined)
    .map(Number)
    .sort();
  return { stdout: r.stdout, grammars };
}

function findings(stdout: string): string[] {
  const { files } = JSON.parse(stdout) as { files: { findings: { rule: string; message: string }[] }[] };
  return files.flatMap((f) => f.findings.map((x) => `${x.rule}: ${x.message}`));
}

describe('lockwise lint: grammars newer than pgVersion, loaded when a statement needs them', function () {
  this.timeout(60000);

  it('a file the configured grammar accepts whole loads no newer grammar', () => {
    const dir = project({ 'm/001.sql': 'CREATE TABLE users (id bigint PRIMARY KEY);\n' });
    assert.deepStrictEqual(run(dir, ['lint', '--format', 'json', 'm']).grammars, [15]);
  });

  it('a rejected statement names the first version that accepts it; a statement 18 rejects, the first that rejects it', () => {
    const dir = project({
      '.lockwise.json': '{ "pgVersion": 13 }\n',
      'm/001.sql': 'CREATE TABLE t (id int);\nCREATE TABLE s (id int);\n',
      'm/002.sql': 'MERGE INTO t USING s ON t.id = s.id WHEN MATCHED THEN DELETE;\nSELECT 5 !;\n',
    });
    const lint = run(dir, ['lint', '--format', 'json', '--jobs', '1', 'm']);
    const messages = findings(lint.stdout);
    assert.ok(
      messages.some((m) => m.startsWith('unsupported-syntax: PostgreSQL 13 cannot parse this (new in PostgreSQL 15)')),
      messages.join('\n'),
    );
    assert.ok(
      messages.some((m) => m.startsWith('syntax-error: PostgreSQL 13 accepts this statement, 14 and later reject it')),
      messages.join('\n'),
    );
    // 14 rejects `5 !` and MERGE, 15 accepts MERGE: 16 and 17 are never asked.
    assert.deepStrictEqual(lint.grammars, [13, 14, 15]);
    // --explain-runner and --fix load every grammar first: the same findings.
    const fixed = run(dir, ['lint', '--format', 'json', '--fix', '--jobs', '1', 'm']);
    assert.deepStrictEqual(findings(fixed.stdout), messages);
  });
});
