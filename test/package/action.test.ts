/**
 * The GitHub Action's script (scripts/action/lint-changed.sh, run by action.yml) in a temp git
 * repository, as the composite step runs it: only the migrations changed since the base commit are
 * linted, SARIF is written for code scanning, `github` annotations are printed, and lint's exit code
 * goes to $GITHUB_OUTPUT so that the SARIF upload runs before the action fails.
 */
import * as assert from 'assert';
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';

const ROOT = path.resolve(__dirname, '../../..');
const SCRIPT = path.join(ROOT, 'scripts/action/lint-changed.sh');

function git(cwd: string, ...args: string[]): string {
  const r = spawnSync('git', ['-c', 'user.name=t', '-c', 'user.email=t@t', ...args], { cwd, encoding: 'utf8' });
  assert.strictEqual(r.status, 0, r.stderr);
  return r.stdout.trim();
}

function outputs(file: string): Record<string, string> {
  return Object.fromEntries(
    fs
      .readFileSync(file, 'utf8')
      .trim()
      .split('\n')
      .map((l) => [l.slice(0, l.indexOf('=')), l.slice(l.indexOf('=') + 1)]),
  );
}

describe('the GitHub Action script (scripts/action/lint-changed.sh)', function () {
  this.timeout(60000);
  let repo: string;
  let base: string;

  before(() => {
    repo = fs.mkdtempSync(path.join(os.tmpdir(), 'lockwise-action-'));
    // The project's own lockwise (the script prefers it to npx): this build.
    fs.mkdirSync(path.join(repo, 'node_modules/.bin'), { recursive: true });
    fs.writeFileSync(path.join(repo, 'node_modules/.bin/lockwise'), `#!/bin/sh\nexec "${process.execPath}" "${path.join(ROOT, 'dist/cli.js')}" "$@"\n`, {
      mode: 0o755,
    });
    fs.writeFileSync(path.join(repo, '.gitignore'), 'node_modules/\n');
    fs.mkdirSync(path.join(repo, 'db/migrations'), { recursive: true });
    fs.writeFileSync(path.join(repo, 'db/migrations/001_users.sql'), 'CREATE TABLE users (id bigint PRIMARY KEY, email text);\n');
    git(repo, 'init', '-q');
    git(repo, 'add', '.');
    git(repo, 'commit', '-qm', 'base');
    base = git(repo, 'rev-parse', 'HEAD');
    fs.writeFileSync(path.join(repo, 'db/migrations/002_email_idx.sql'), 'CREATE INDEX users_email_idx ON users (email);\n');
    fs.writeFileSync(path.join(repo, 'README.md'), 'not a migration\n');
    git(repo, 'add', '.');
    git(repo, 'commit', '-qm', 'change');
  });

  function runAction(env: Record<string, string>) {
    const out = path.join(repo, `.out-${Math.random().toString(36).slice(2)}`);
    const sarif = path.join(repo, 'lockwise.sarif');
    const r = spawnSync('bash', [SCRIPT], {
      cwd: repo,
      encoding: 'utf8',
      env: { ...process.env, GITHUB_OUTPUT: out, LOCKWISE_SARIF: sarif, LOCKWISE_PATHS: 'db/migrations', ...env },
    });
    assert.strictEqual(r.status, 0, r.stderr);
    return { stdout: r.stdout, outputs: outputs(out), sarif };
  }

  it('lints only the changed migration: SARIF, annotations, status 1 in the outputs', () => {
    const r = runAction({ LOCKWISE_BASE: base });
    assert.deepStrictEqual(r.outputs, { status: '1', sarif: r.sarif });
    const results = JSON.parse(fs.readFileSync(r.sarif, 'utf8')).runs[0].results as {
      ruleId: string;
      locations: { physicalLocation: { artifactLocation: { uri: string } } }[];
    }[];
    const uris = new Set(results.map((x) => x.locations[0].physicalLocation.artifactLocation.uri));
    assert.deepStrictEqual(
      [...uris].map((u) => path.basename(u)),
      ['002_email_idx.sql'],
    );
    assert.ok(results.some((x) => x.ruleId === 'require-concurrent-index-creation'));
    assert.match(r.stdout, /^::error file=db\/migrations\/002_email_idx\.sql,line=1/m);
    assert.doesNotMatch(r.stdout, /001_users/);
  });

  it('lints every migration when there is no base (a new branch pushes an all-zeros one)', () => {
    const r = runAction({ LOCKWISE_BASE: '0000000000000000000000000000000000000000' });
    assert.strictEqual(r.outputs.status, '1');
    assert.match(r.stdout, /^lockwise: 2 migration\(s\): db\/migrations\/001_users\.sql db\/migrations\/002_email_idx\.sql$/m);
  });

  it('with no changed migration: no SARIF to upload, status 0', () => {
    const r = runAction({ LOCKWISE_BASE: git(repo, 'rev-parse', 'HEAD') });
    assert.deepStrictEqual(r.outputs, { status: '0', sarif: '' });
    assert.match(r.stdout, /no changed migrations/);
  });

  it('action.yml runs this script, uploads its SARIF when there is one, then fails with its status', () => {
    const yml = fs.readFileSync(path.join(ROOT, 'action.yml'), 'utf8');
    assert.match(yml, /using: composite/);
    assert.match(yml, /uses: actions\/setup-node@v4/);
    assert.match(yml, /run: bash "\$GITHUB_ACTION_PATH\/scripts\/action\/lint-changed\.sh"/);
    assert.match(yml, /if: inputs\.upload-sarif == 'true' && steps\.lint\.outputs\.sarif != ''\n\s+uses: github\/codeql-action\/upload-sarif@v3/);
    assert.match(yml, /run: exit \$\{\{ steps\.lint\.outputs\.status \}\}\s*$/);
  });
});
