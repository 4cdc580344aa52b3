/**
 * The command line's bundle is compiled with V8's code cache kept beside it (server/src/cli/codeCache.ts):
 * a run writes the cache when there is none it may use, uses one made for its build, and never
 * trusts one made for another build or one V8 rejects. The output is the same either way.
 */
import * as assert from 'assert';
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';

const DIST = path.resolve(__dirname, '../../../dist');
const MAGIC = 'lockwise-code-cache-1:';

/** A copy of what `lockwise lint` runs from (the bundles, the parser and the grammars), without the build's cache. */
function distCopy(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'lockwise-code-cache-'));
  for (const f of ['cli.js', 'cli-main.js', 'libpg-query.wasm']) fs.copyFileSync(path.join(DIST, f), path.join(dir, f));
  fs.cpSync(path.join(DIST, 'grammars'), path.join(dir, 'grammars'), { recursive: true });
  fs.writeFileSync(path.join(dir, '001_users.sql'), 'CREATE INDEX users_id ON users (id);\nALTER TABLE users ALTER COLUMN id TYPE bigint;\n');
  return dir;
}

function lint(dir: string, cache = ['--no-cache']) {
  const r = spawnSync(process.execPath, [path.join(dir, 'cli.js'), 'lint', ...cache, '--format', 'json', '001_users.sql'], {
    cwd: dir,
    encoding: 'utf8',
    env: { ...process.env, NODE_OPTIONS: '' },
  });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** The cache's header (its magic and the build's stamp), or undefined when there is none. */
function header(file: string): string | undefined {
  if (!fs.existsSync(file)) return undefined;
  const bytes = fs.readFileSync(file, 'latin1');
  return bytes.slice(0, bytes.indexOf('\n'));
}

// Whole seconds: every file system keeps them exactly.
const PAST = new Date(Math.floor(Date.now() / 1000) * 1000 - 3600_000);

describe('lockwise: the code cache of the command line', function () {
  this.timeout(60000);

  it('a first run writes it, the next one uses it without writing; the output is the same', () => {
    const dir = distCopy();
    const cache = path.join(dir, 'cli-main.js.cache');
    const first = lint(dir);
    assert.strictEqual(first.code, 1, first.stderr);
    assert.match(header(cache) ?? '', new RegExp(`^${MAGIC}[0-9a-f]{64}$`));
    fs.utimesSync(cache, PAST, PAST);
    const second = lint(dir);
    assert.deepStrictEqual(second, first);
    assert.strictEqual(fs.statSync(cache).mtimeMs, PAST.getTime(), 'an accepted cache is not written again');
  });

  it('a run with the cache on that finds no record to replay (tried with the optimizing compiler off) still uses the code cache', () => {
    const dir = distCopy();
    const cache = path.join(dir, 'cli-main.js.cache');
    const expected = lint(dir);
    fs.utimesSync(cache, PAST, PAST);
    const cached = lint(dir, ['--cache-location', path.join(dir, 'c')]);
    assert.deepStrictEqual(cached, expected);
    assert.strictEqual(fs.statSync(cache).mtimeMs, PAST.getTime(), "V8's flags are the start's again when the command line loads");
  });

  it("a cache V8 rejects, or one made for another build, is not used and is replaced by this build's", () => {
    const dir = distCopy();
    const cache = path.join(dir, 'cli-main.js.cache');
    const expected = lint(dir);
    const stamp = header(cache)!.slice(MAGIC.length);
    for (const [what, bytes] of [
      ['damaged', Buffer.concat([Buffer.from(`${MAGIC}${stamp}\n`), Buffer.alloc(4096, 7)])],
      ['another build', Buffer.concat([Buffer.from(`${MAGIC}${'0'.repeat(64)}\n`), fs.readFileSync(cache).subarray(MAGIC.length + 65)])],
    ] as const) {
      fs.writeFileSync(cache, bytes);
      fs.utimesSync(cache, PAST, PAST);
      assert.deepStrictEqual(lint(dir), expected, what);
      assert.notStrictEqual(fs.statSync(cache).mtimeMs, PAST.getTime(), `${what}: written again`);
      assert.strictEqual(header(cache), `${MAGIC}${stamp}`, what);
    }
  });

  it('an edited bundle (no longer the stamped build) is loaded without a cache and writes none', () => {
    const dir = distCopy();
    fs.appendFileSync(path.join(dir, 'cli-main.js'), '\n// edited\n');
    const r = lint(dir);
    assert.strictEqual(r.code, 1, r.stderr);
    assert.strictEqual(fs.existsSync(path.join(dir, 'cli-main.js.cache')), false);
  });
});
