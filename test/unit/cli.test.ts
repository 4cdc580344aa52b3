/** The CLI end to end: `node dist/cli.js` (built by `npm run build`) on temp files. */
import * as assert from 'assert';
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { itWithCorpus } from '../support/corpus';

const ROOT = path.resolve(__dirname, '../../..');
const CLI = path.join(ROOT, 'dist/cli.js');

function run(args: string[], cwd = ROOT) {
  const r = spawnSync(process.execPath, [CLI, ...args], { cwd, encoding: 'utf8', env: { ...process.env, NO_COLOR: '1' } });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

function tempDir(files: Record<string, string>): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'lockwise-cli-'));
  for (const [name, text] of Object.entries(files)) {
    fs.mkdirSync(path.dirname(path.join(dir, name)), { recursive: true });
    fs.writeFileSync(path.join(dir, name), text);
  }
  return dir;
}

const UNSAFE = "SET lock_timeout = '5s';\nCREATE INDEX users_email_idx ON users (email);\n";
const SAFE = "SET lock_timeout = '5s';\nCREATE INDEX CONCURRENTLY users_email_idx ON users (email);\n";

describe('lockwise CLI', function () {
  this.timeout(60000);

  it('lint: text output with excerpt, carets and help line, exit 1 on an error', () => {
    const dir = tempDir({ 'm/001.sql': UNSAFE });
    const r = run(['lint', path.join(dir, 'm')]);
    assert.strictEqual(r.code, 1, r.stderr);
    // rustc's layout: the message line, the source line with carets, then `= help:` / `= note:` lines.
    assert.match(r.stdout, /001\.sql:2:1: error\[require-concurrent-index-creation\]: /);
    assert.match(r.stdout, /^ 2 \| CREATE INDEX users_email_idx/m);
    assert.match(r.stdout, /^ {3}\| \^{12}/m);
    assert.match(r.stdout, /^ {3}= help: Use CREATE INDEX CONCURRENTLY/m);
    // The lock the message leaves out, and the rule's rendered page.
    assert.match(r.stdout, /^ {3}= note: SHARE on users blocks writes for this statement · index build · lock_timeout 5s$/m);
    assert.match(r.stdout, /^ {3}= note: see https:\/\/github\.com\/lockwise\/lockwise\/blob\/main\/docs\/rules\/require-concurrent-index-creation\.md$/m);
  });

  it('lint: exit 0 on a clean file; --fail-on changes the threshold', () => {
    const dir = tempDir({ 'a.sql': SAFE, 'b.sql': "SET lock_timeout = '5s';\nALTER TABLE users RENAME COLUMN a TO b;\n" });
    assert.strictEqual(run(['lint', path.join(dir, 'a.sql')]).code, 0);
    const failOn = run(['lint', '--fail-on', 'info', path.join(dir, 'a.sql')]);
    assert.strictEqual(failOn.code, 0, failOn.stdout);
  });

  it('lint --format json follows the documented contract', () => {
    const dir = tempDir({ 'x.sql': UNSAFE });
    const r = run(['lint', '--format', 'json', path.join(dir, 'x.sql')]);
    const data = JSON.parse(r.stdout);
    assert.strictEqual(data.files.length, 1);
    const f = data.files[0].findings.find((x: { rule: string }) => x.rule === 'require-concurrent-index-creation');
    // The documented keys, and the optional ones: `help` (the safe way), `notes`, `fix`.
    const keys = Object.keys(f);
    for (const k of ['rule', 'severity', 'message', 'line', 'column', 'endLine', 'endColumn']) assert.ok(keys.includes(k), k);
    assert.deepStrictEqual(
      keys.filter((k) => !['rule', 'severity', 'message', 'line', 'column', 'endLine', 'endColumn', 'help', 'notes', 'fix'].includes(k)),
      [],
    );
    assert.deepStrictEqual([f.line, f.column, f.endLine, f.endColumn, f.severity], [2, 1, 2, 13, 'error']);
  });

  it('lint --format sarif is SARIF 2.1.0 with rules and fixes', () => {
    const dir = tempDir({ 'x.sql': UNSAFE });
    const sarif = JSON.parse(run(['lint', '--format', 'sarif', path.join(dir, 'x.sql')]).stdout);
    assert.strictEqual(sarif.version, '2.1.0');
    const run0 = sarif.runs[0];
    assert.strictEqual(run0.tool.driver.name, 'lockwise');
    assert.ok(run0.tool.driver.rules.length >= 5);
    const result = run0.results.find((r: { ruleId: string }) => r.ruleId === 'require-concurrent-index-creation');
    assert.strictEqual(result.level, 'error');
    assert.strictEqual(run0.tool.driver.rules[result.ruleIndex].id, result.ruleId);
    assert.strictEqual(result.locations[0].physicalLocation.region.startLine, 2);
    assert.strictEqual(result.fixes[0].artifactChanges[0].replacements[0].insertedContent.text, ' CONCURRENTLY IF NOT EXISTS');
  });

  it('lint --format github prints workflow annotations with escaped properties', () => {
    const dir = tempDir({ 'a,b.sql': UNSAFE });
    const r = run(['lint', '--format', 'github', path.join(dir, 'a,b.sql')]);
    assert.match(r.stdout, /^::error file=.*a%2Cb\.sql,line=2,col=1,endLine=2,endColumn=13,title=require-concurrent-index-creation::CREATE INDEX/m);
  });

  it('lint --fix --dry-run prints a diff and leaves the file; --fix rewrites it', () => {
    const dir = tempDir({ 'x.sql': UNSAFE });
    const file = path.join(dir, 'x.sql');
    const dry = run(['lint', '--fix', '--dry-run', file]);
    assert.strictEqual(dry.code, 0);
    assert.match(dry.stdout, /^\+CREATE INDEX CONCURRENTLY IF NOT EXISTS users_email_idx/m);
    assert.strictEqual(fs.readFileSync(file, 'utf8'), UNSAFE);
    const fixed = run(['lint', '--fix', file]);
    assert.strictEqual(fixed.code, 0, fixed.stdout);
    assert.strictEqual(fs.readFileSync(file, 'utf8'), SAFE.replace('CONCURRENTLY', 'CONCURRENTLY IF NOT EXISTS'));
  });

  it('audit --format json reports locks, blocks and how long they are held', () => {
    const dir = tempDir({ 'x.sql': "BEGIN;\nSET LOCAL lock_timeout = '2s';\nALTER TABLE users ADD COLUMN a int;\nCOMMIT;\n" });
    const r = run(['audit', '--format', 'json', path.join(dir, 'x.sql')]);
    const st = JSON.parse(r.stdout).files[0].statements.find((s: { kind: string }) => s.kind === 'AlterTableStmt');
    assert.deepStrictEqual(st.locks, [{ relation: 'users', mode: 'ACCESS EXCLUSIVE', role: 'target' }]);
    assert.strictEqual(st.line, 3);
    assert.strictEqual(st.heldUntilLine, 4);
    assert.strictEqual(st.lockTimeout, '2s');
    assert.ok(st.blocks.includes('SELECT') && st.blocks.includes('INSERT'));
    assert.strictEqual(st.rewrite, false);
  });

  it('audit uses the schema history of earlier files in the folder', () => {
    const dir = tempDir({
      '001_init.sql': 'CREATE TABLE t (id int PRIMARY KEY, name varchar(50));\n',
      '002_widen.sql': "SET lock_timeout = '1s';\nALTER TABLE t ALTER COLUMN name TYPE varchar(100);\n",
    });
    const r = run(['audit', '--format', 'json', path.join(dir, '002_widen.sql')]);
    const st = JSON.parse(r.stdout).files[0].statements[1];
    assert.strictEqual(st.rewrite, false);
    const noHistory = tempDir({ 'only.sql': 'ALTER TABLE t ALTER COLUMN name TYPE varchar(100);\n' });
    assert.strictEqual(JSON.parse(run(['audit', '--format', 'json', path.join(noHistory, 'only.sql')]).stdout).files[0].statements[0].rewrite, true);
  });

  it('audit: an overview first, only files with findings unless --all; piped output is markdown; --format html and text', () => {
    const dir = tempDir({
      'm/001_init.sql': 'CREATE TABLE users (id bigint PRIMARY KEY, email text);\n',
      'm/002_index.sql': UNSAFE,
    });
    const md = run(['audit', path.join(dir, 'm')]);
    assert.strictEqual(md.code, 1, md.stderr);
    assert.match(md.stdout, /^# Lockwise audit\n\n\*\*2 files\*\* audited · 1 with errors/);
    // SHARE on users blocks writes (2) × an index build (2).
    assert.match(
      md.stdout,
      /### Worst statements[\s\S]*\| 4 \| `[^`]*002_index\.sql:2`<br>`CREATE INDEX users_email_idx ON users \(email\)` \| SHARE `users` \| writes \|/,
    );
    assert.ok(md.stdout.indexOf('### Worst statements') < md.stdout.indexOf('## `'), 'the overview comes before the files');
    assert.ok(
      !md.stdout.includes('## `' + path.join(dir, 'm/001_init.sql')) && md.stdout.includes('1 file without findings not shown (`--all` shows every file)'),
    );
    assert.ok(run(['audit', '--all', path.join(dir, 'm')]).stdout.includes('001_init.sql`'), '--all shows every file');
    const html = run(['audit', '--format', 'html', path.join(dir, 'm')]);
    assert.match(html.stdout, /^<!doctype html>[\s\S]*<svg [\s\S]*<\/html>\n$/);
    const text = run(['audit', '--format', 'text', path.join(dir, 'm')]);
    assert.match(text.stdout, /^Lockwise audit: 2 files/);
    assert.match(text.stdout, /\nTotals: 2 files, 3 statements, 1 error, 0 warnings, 0 info\n$/);
  });

  it('exit 2 with one clear line for usage, config and I/O errors', () => {
    const cases: [string[], RegExp][] = [
      [['lint', '/nonexistent/x.sql'], /cannot read \/nonexistent\/x\.sql: no such file/],
      [['lint', '--bogus', 'x.sql'], /unknown option --bogus/],
      [['lint', '--format', 'xml', 'x.sql'], /--format for lint must be/],
      [['frobnicate'], /unknown command "frobnicate"/],
      [['lint'], /no paths given/],
      [['explain', 'no-such-rule'], /unknown rule "no-such-rule"/],
      [['lint', '--pg-version', 'x', 'a.sql'], /--pg-version must be/],
      [['lint', tempDir({ 'readme.txt': 'x' })], /no \.sql files found/],
    ];
    for (const [args, message] of cases) {
      const r = run(args);
      assert.strictEqual(r.code, 2, `${args.join(' ')}: ${r.stdout}${r.stderr}`);
      assert.match(r.stderr, message);
      assert.strictEqual(r.stderr.trim().split('\n').length, 1, r.stderr);
      assert.doesNotMatch(r.stderr, /\n\s+at /);
    }
  });

  it('exit 2 naming the file and key for an invalid .lockwise.json', () => {
    const dir = tempDir({ '.lockwise.json': '{"pgVersion": "fifteen"}', 'x.sql': SAFE });
    const r = run(['lint', path.join(dir, 'x.sql')]);
    assert.strictEqual(r.code, 2);
    assert.match(r.stderr, /\.lockwise\.json: "pgVersion": must be a PostgreSQL major version/);
    const broken = tempDir({ '.lockwise.json': '{"rules": {"no-such": "off"}}', 'x.sql': SAFE });
    assert.match(run(['lint', path.join(broken, 'x.sql')]).stderr, /"rules\.no-such": unknown rule id/);
    const notJson = tempDir({ '.lockwise.json': '{', 'x.sql': SAFE });
    assert.match(run(['lint', path.join(notJson, 'x.sql')]).stderr, /is not valid JSON/);
  });

  it('honours .lockwise.json rules and pgVersion, and --pg-version over it', () => {
    const dir = tempDir({ '.lockwise.json': '{"rules": {"require-concurrent-index-creation": "off"}}', 'x.sql': UNSAFE });
    assert.strictEqual(run(['lint', path.join(dir, 'x.sql')]).code, 0);
  });

  it('folders are filtered by include/exclude from .lockwise.json; files named explicitly are always linted', () => {
    const dir = tempDir({
      '.lockwise.json': '{"include": ["db/**/*.sql"], "exclude": ["db/seed/**"]}',
      'db/001.sql': UNSAFE,
      'db/seed/data.sql': UNSAFE,
      'other/x.sql': UNSAFE,
    });
    const r = run(['lint', '--format', 'json', dir]);
    assert.deepStrictEqual(
      JSON.parse(r.stdout).files.map((f: { path: string }) => path.basename(f.path)),
      ['001.sql'],
    );
    const explicit = run(['lint', '--format', 'json', path.join(dir, 'db/seed/data.sql')]);
    assert.strictEqual(JSON.parse(explicit.stdout).files.length, 1);
  });

  it('--config from another folder: its include does not apply outside it, its exclude does (absolute paths)', () => {
    const dir = tempDir({ 'conf/.lockwise.json': '{"exclude": ["**/seed/**"]}', 'm/001.sql': UNSAFE, 'm/seed/002.sql': UNSAFE });
    const r = run(['lint', '--format', 'json', '--config', path.join(dir, 'conf/.lockwise.json'), path.join(dir, 'm')]);
    assert.deepStrictEqual(
      JSON.parse(r.stdout).files.map((f: { path: string }) => path.basename(f.path)),
      ['001.sql'],
    );
  });

  it('rules lists the catalogue and explain prints a rule page', () => {
    const rules = run(['rules']);
    assert.strictEqual(rules.code, 0);
    assert.match(rules.stdout, /^require-concurrent-index-creation\s+error\s+fix/m);
    const explain = run(['explain', 'require-lock-timeout']);
    assert.match(explain.stdout, /^# require-lock-timeout/);
    assert.match(explain.stdout, /## Safe alternative/);
  });

  itWithCorpus('lints the PostgreSQL regression suite with exit 0 or 1 and a report for every file', function (corpus) {
    this.timeout(180000);
    const regress = path.join(corpus, 'postgres_regress');
    const r = spawnSync(process.execPath, [CLI, 'lint', '--format', 'json', regress], { encoding: 'utf8', maxBuffer: 512 * 1024 * 1024 });
    assert.ok(r.status === 0 || r.status === 1, r.stderr);
    const data = JSON.parse(r.stdout);
    const expected = fs.readdirSync(path.join(regress, 'test/sql/postgres_regress')).filter((f) => f.endsWith('.sql')).length;
    assert.strictEqual(data.files.length, expected);
  });
});
