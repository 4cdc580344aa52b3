/**
 * The package as a user gets it: `npm pack` (which builds through `prepack`), the tarball installed
 * with `npm install <tarball>` into an empty project, then its commands run there through npx. It
 * proves the bundles need nothing from devDependencies, that the tarball holds only what runs, and
 * that `trace` says how to add its optional peer, PGlite. Needs the npm registry to be reachable.
 */
import * as assert from 'assert';
import { spawnSync, SpawnSyncReturns } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { TestClient } from '../lsp/client';

const ROOT = path.resolve(__dirname, '../../..');
/** Quiet, non-interactive npm: no update check, audit or funding requests. */
const NPM_ENV = { ...process.env, npm_config_update_notifier: 'false', npm_config_audit: 'false', npm_config_fund: 'false', NO_COLOR: '1' };
/**
 * The packed size stays small (0.9 MB at 0.1.0; 1.1 MB before the grammars of PostgreSQL 13-17, which
 * add 1.1 MB packed and 4.9 MB installed: 2.2 MB); a bundle that doubles should be noticed.
 */
const MAX_TARBALL_BYTES = 2.5 * 1024 * 1024;

interface AuditFile {
  path: string;
  statements: { locks: { relation: string; mode: string; role: string }[] }[];
}

interface PackResult {
  filename: string;
  size: number;
  files: string[];
}

function run(cmd: string, args: string[], cwd: string): SpawnSyncReturns<string> {
  return spawnSync(cmd, args, { cwd, encoding: 'utf8', env: NPM_ENV, timeout: 240000, maxBuffer: 64 * 1024 * 1024 });
}

function ok(r: SpawnSyncReturns<string>, what: string): string {
  assert.strictEqual(r.status, 0, `${what}: exit ${r.status}\n${r.stderr.slice(-3000)}`);
  return r.stdout;
}

/** The hook's entry (split as pre-commit splits it) and its `files` pattern, from .pre-commit-hooks.yaml. */
function preCommitHook(): { entry: string[]; files: RegExp } {
  const yaml = fs.readFileSync(path.join(ROOT, '.pre-commit-hooks.yaml'), 'utf8');
  const field = (key: string) => yaml.match(new RegExp(`^\\s+${key}: (.+)$`, 'm'))?.[1].trim() ?? assert.fail(`no ${key} in the hook`);
  assert.strictEqual(field('language'), 'node');
  return { entry: field('entry').split(/\s+/), files: new RegExp(field('files')) };
}

function git(cwd: string, args: string[]): string {
  return ok(spawnSync('git', args, { cwd, encoding: 'utf8' }), `git ${args.join(' ')}`);
}

/** The project as a git repository with a README beside the migrations. */
function gitRepo(dir: string): string {
  fs.writeFileSync(path.join(dir, 'README.md'), '# probe\n');
  fs.writeFileSync(path.join(dir, '.gitignore'), 'node_modules/\n');
  git(dir, ['init', '-q']);
  return dir;
}

describe('the npm package, packed and installed into an empty project', function () {
  this.timeout(300000);
  let pack: PackResult;
  let project: string;

  before(function () {
    const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'lockwise-pack-'));
    // pre-commit (language: node) takes the whole stdout of a plain `npm pack` as the tarball's name.
    const filename = ok(run('npm', ['pack', '--pack-destination', tmp], ROOT), 'npm pack').trim();
    assert.match(filename, /^lockwise-[\d.]+\.tgz$/, 'npm pack printed more than the file name');
    const listing = ok(run('tar', ['-tzf', path.join(tmp, filename)], tmp), 'tar -t');
    pack = {
      filename,
      size: fs.statSync(path.join(tmp, filename)).size,
      files: listing
        .trim()
        .split('\n')
        .map((f) => f.replace(/^package\//, '')),
    };
    project = path.join(tmp, 'project');
    fs.mkdirSync(path.join(project, 'migrations'), { recursive: true });
    fs.writeFileSync(path.join(project, 'package.json'), '{ "name": "probe", "version": "1.0.0", "private": true }\n');
    fs.writeFileSync(path.join(project, 'migrations', '001_users.sql'), 'CREATE TABLE users (id bigint PRIMARY KEY, email text);\n');
    fs.writeFileSync(path.join(project, 'migrations', '002_email_idx.sql'), 'CREATE INDEX users_email_idx ON users (email);\n');
    ok(run('npm', ['install', path.join(tmp, pack.filename)], project), 'npm install <tarball>');
    console.log(`      (${pack.filename}: ${(pack.size / 1024).toFixed(0)} KB packed, ${pack.files.length} files)`);
  });

  it('holds the bundles, the parser WASM, the schema and the docs, and nothing else', function () {
    const files = pack.files;
    for (const needed of [
      'dist/cli.js',
      'dist/cli-main.js',
      'dist/server.js',
      'dist/analysis-worker.js',
      'dist/trace-worker.js',
      'dist/libpg-query.wasm',
      ...[13, 14, 15, 16, 17].flatMap((v) => [`dist/grammars/v${v}/libpg-query.js`, `dist/grammars/v${v}/libpg-query.wasm`]),
      'schemas/lockwise.schema.json',
      'README.md',
      'LICENSE',
    ]) {
      assert.ok(files.includes(needed), needed);
    }
    const stray = files.filter((f) => /\.map$|^(test|server|client|scripts|bench|examples|out)\/|^dist\/pglite\//.test(f));
    assert.deepStrictEqual(stray, []);
    assert.ok(pack.size < MAX_TARBALL_BYTES, `${pack.size} bytes`);
  });

  it('installs no dependency: the bundles carry what they need at run time', function () {
    const installed = fs.readdirSync(path.join(project, 'node_modules')).filter((n) => !n.startsWith('.'));
    assert.deepStrictEqual(installed, ['lockwise']);
  });

  it('checks the syntax of an older pgVersion with the grammar it ships (dist/grammars)', function () {
    fs.mkdirSync(path.join(project, 'pg14'), { recursive: true });
    fs.writeFileSync(path.join(project, 'pg14', 'merge.sql'), 'MERGE INTO users u USING staged s ON u.id = s.id WHEN MATCHED THEN DELETE;\n');
    const r = run('npx', ['lockwise', 'lint', '--pg-version', '14', 'pg14'], project);
    assert.strictEqual(r.status, 1, r.stderr);
    assert.match(r.stdout, /error\[unsupported-syntax\]: PostgreSQL 14 cannot parse this \(new in PostgreSQL 15\)/);
  });

  it('npx lockwise lint finds the unsafe index build (exit 1)', function () {
    const r = run('npx', ['lockwise', 'lint', 'migrations'], project);
    assert.strictEqual(r.status, 1, r.stderr);
    assert.match(r.stdout, /migrations\/002_email_idx\.sql:1:1: error\[require-concurrent-index-creation\]/);
    assert.doesNotMatch(r.stdout, /001_users\.sql/);
  });

  it('npx lockwise audit reports the locks of every statement', function () {
    const r = run('npx', ['lockwise', 'audit', '--format', 'json', 'migrations'], project);
    assert.strictEqual(r.status, 1, r.stderr);
    const files: AuditFile[] = JSON.parse(r.stdout).files;
    assert.deepStrictEqual(
      files.map((f) => f.path),
      ['migrations/001_users.sql', 'migrations/002_email_idx.sql'],
    );
    assert.deepStrictEqual(files[1].statements[0].locks, [{ relation: 'users', mode: 'SHARE', role: 'target' }]);
  });

  it('npx lockwise trace without PGlite exits 2 and names the optional peer to install', function () {
    const r = run('npx', ['lockwise', 'trace', 'migrations/002_email_idx.sql'], project);
    assert.strictEqual(r.status, 2, r.stdout);
    assert.match(r.stderr, /npm install --save-dev @electric-sql\/pglite/);
  });

  it('the pre-commit hook (.pre-commit-hooks.yaml): its entry on the staged migrations, as pre-commit runs it', function () {
    const hook = preCommitHook();
    const repo = gitRepo(project);
    // pre-commit puts its node environment's bin folder first on PATH; here the project's.
    const PATH = `${path.join(project, 'node_modules', '.bin')}${path.delimiter}${process.env.PATH}`;
    const staged = (only: string[]) => {
      git(repo, ['rm', '-q', '--cached', '-r', '--ignore-unmatch', '.']);
      git(repo, ['add', ...only]);
      const files = git(repo, ['diff', '--cached', '--name-only'])
        .split('\n')
        .filter((f) => hook.files.test(f));
      return spawnSync(hook.entry[0], [...hook.entry.slice(1), ...files], { cwd: repo, encoding: 'utf8', env: { ...NPM_ENV, PATH } });
    };
    const unsafe = staged(['README.md', 'migrations/002_email_idx.sql']);
    assert.strictEqual(unsafe.status, 1, unsafe.stderr);
    assert.match(unsafe.stdout, /002_email_idx\.sql:1:1: error\[require-concurrent-index-creation\]/);
    assert.doesNotMatch(unsafe.stdout, /README/);
    const safe = staged(['migrations/001_users.sql']);
    assert.strictEqual(safe.status, 0, safe.stdout + safe.stderr);
  });

  for (const command of [
    ['lockwise-language-server', '--stdio'],
    ['lockwise', 'lsp'],
  ]) {
    it(`${command.join(' ')} answers initialize and publishes diagnostics`, async function () {
      const bin = path.join(project, 'node_modules', '.bin', command[0]);
      const client = await TestClient.start(project, { command: [bin, ...command.slice(1)] });
      try {
        const uri = await client.open(path.join(project, 'migrations', '002_email_idx.sql'));
        const published = await client.diagnostics(uri);
        assert.ok(
          published.diagnostics.some((d) => d.code === 'require-concurrent-index-creation'),
          JSON.stringify(published.diagnostics),
        );
      } finally {
        await client.stop();
      }
    });
  }

  it('npx lockwise init writes .lockwise.json for the project', function () {
    const r = run('npx', ['lockwise', 'init'], project);
    assert.strictEqual(r.status, 0, r.stderr);
    assert.deepStrictEqual(JSON.parse(fs.readFileSync(path.join(project, '.lockwise.json'), 'utf8')).include, ['migrations/**/*.{sql,psql,pgsql}']);
    assert.match(r.stdout, /npx lockwise lint migrations/);
  });
});
