/**
 * The `lockwise` entry (server/src/cli.ts, dist/cli.js) replays a recorded run without loading the
 * command line behind it (dist/cli-main.js: the analysis core, the parser): checked on what the
 * entry bundle is made of and on the modules a replayed run loads.
 */
import * as assert from 'assert';
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';

const ROOT = path.resolve(__dirname, '../../..');
const DIST = path.join(ROOT, 'dist');

/** A preload that writes, at exit, every file of the module cache: what the process loaded. */
const HOOK = `process.on('exit', () => require('fs').writeFileSync(process.env.LOADED_OUT, Object.keys(require.cache).join('\\n')));`;

describe('lockwise entry (dist/cli.js): a replay loads no core', function () {
  this.timeout(60000);

  it('the entry bundle is built from the replay and its light imports only: no core but the two escapers, no package', () => {
    const sources = (JSON.parse(fs.readFileSync(path.join(DIST, 'cli.js.map'), 'utf8')) as { sources: string[] }).sources.map((s) =>
      path.relative(ROOT, path.resolve(DIST, s)).split(path.sep).join('/'),
    );
    assert.ok(sources.includes('server/src/cli/replay.ts'), sources.join(' '));
    const heavy = sources.filter(
      (s) => !s.startsWith('server/src/') || s === 'server/src/cli/main.ts' || /^server\/src\/core\/(?!report\/escape(Terminal|Github)\.ts$)/.test(s),
    );
    assert.deepStrictEqual(heavy, []);
  });

  it('a replayed run loads dist/cli.js and nothing else; a run that analyses loads dist/cli-main.js (and the grammars)', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'lockwise-entry-'));
    fs.mkdirSync(path.join(dir, '.git'));
    fs.mkdirSync(path.join(dir, 'm'));
    fs.writeFileSync(path.join(dir, 'm/001_users.sql'), 'CREATE TABLE users (id bigint PRIMARY KEY, email text);\n');
    fs.writeFileSync(path.join(dir, 'm/002_index.sql'), 'CREATE INDEX users_email_idx ON users (email);\n');
    const hook = path.join(dir, 'hook.js');
    fs.writeFileSync(hook, HOOK);
    const out = path.join(dir, 'loaded.txt');
    const run = () => {
      const r = spawnSync(process.execPath, ['--require', hook, path.join(DIST, 'cli.js'), 'lint', '--format', 'json', '--cache', 'm'], {
        cwd: dir,
        encoding: 'utf8',
        env: { ...process.env, LOCKWISE_DEBUG: 'cache', LOADED_OUT: out },
      });
      assert.strictEqual(r.status, 1, r.stderr);
      const loaded = fs
        .readFileSync(out, 'utf8')
        .split('\n')
        .filter((f) => f !== hook);
      return { replayed: /lockwise: cache: replayed run-/.test(r.stderr), loaded, stdout: r.stdout };
    };
    const cold = run();
    assert.ok(!cold.replayed);
    assert.deepStrictEqual(cold.loaded.slice(0, 2), [path.join(DIST, 'cli.js'), path.join(DIST, 'cli-main.js')]);
    run(); // every file from the cache: recorded
    const replay = run();
    assert.ok(replay.replayed);
    assert.strictEqual(replay.stdout, cold.stdout);
    assert.deepStrictEqual(replay.loaded, [path.join(DIST, 'cli.js')]);
  });
});
