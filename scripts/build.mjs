// Bundles the CLI, the language server and the extension client with esbuild into dist/, and
// copies the parser's WASM next to them (libpg-query loads it from its own directory).
import * as esbuild from 'esbuild';
import { copyFileSync, mkdirSync, existsSync, chmodSync, readFileSync, writeFileSync, mkdtempSync, rmSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { tmpdir } from 'node:os';
import { createHash } from 'node:crypto';
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';

const require = createRequire(import.meta.url);
const watch = process.argv.includes('--watch');
mkdirSync('dist', { recursive: true });

const entries = [
  // The `lockwise` command: a small entry that replays a recorded run (server/src/cli/replay.ts) and
  // otherwise loads the command line with the core from cli-main.js (MAIN_BUNDLE in cli/cacheBase.ts),
  // also the script of its analysis worker threads.
  { in: 'server/src/cli.ts', out: 'cli' },
  { in: 'server/src/cli/main.ts', out: 'cli-main' },
  { in: 'server/src/lsp/main.ts', out: 'server' },
  { in: 'client/src/extension.ts', out: 'extension' },
  // The language server's trace worker: loads PGlite in its own process (server/src/trace/worker.ts).
  { in: 'server/src/trace/worker.ts', out: 'trace-worker' },
  // The language server's analysis worker_thread for big documents (server/src/lsp/background.ts).
  { in: 'server/src/lsp/analysisWorker.ts', out: 'analysis-worker' },
].filter((e) => existsSync(e.in));

const common = {
  bundle: true,
  platform: 'node',
  target: 'node18',
  format: 'cjs',
  sourcemap: true,
  minify: !watch,
  keepNames: true,
  logLevel: 'warning',
  // PGlite is loaded at run time from dist/pglite/ (copied below), only by `lockwise trace`.
  external: ['vscode', '@electric-sql/pglite', 'pg-native'],
};

const wasm = join(dirname(require.resolve('libpg-query')), 'libpg-query.wasm');
copyFileSync(wasm, 'dist/libpg-query.wasm');

// The grammars of PostgreSQL 13-17 that check a configured older pgVersion (core/parse/grammars.ts):
// each glue script loads the .wasm beside it, so one folder per version (4.8 MB, loaded only when
// a config sets pgVersion < 18).
for (const v of [13, 14, 15, 16, 17]) {
  const from = join(dirname(require.resolve(`@pgsql/parser/v${v}`)), `v${v}`);
  mkdirSync(`dist/grammars/v${v}`, { recursive: true });
  for (const f of ['libpg-query.js', 'libpg-query.wasm']) copyFileSync(join(from, f), join(`dist/grammars/v${v}`, f));
}

// The embedded PostgreSQL for `lockwise trace`: its CommonJS entry (self-contained) and the files it
// loads from its own folder. About 16 MB: the default .vsix leaves it out (.vscodeignore), the full
// one (npm run package:full) ships it; docs/trace.md has the decision.
const pglite = dirname(require.resolve('@electric-sql/pglite'));
mkdirSync('dist/pglite', { recursive: true });
for (const f of ['index.cjs', 'pglite.wasm', 'pglite.data', 'initdb.wasm']) copyFileSync(join(pglite, f), join('dist/pglite', f));

/**
 * Writes the build's identity into the CLI's two bundles (BUILT in server/src/cli/cacheBase.ts, which
 * keys its cache and run records): the hash of both as built, and their sizes. Same length as the
 * zeros it replaces, so the source maps still hold.
 */
function stampBuild(files) {
  const zeros = `lockwise-build:${'0'.repeat(64)}:${'0'.repeat(10)}:${'0'.repeat(10)}`;
  const texts = files.map((f) => readFileSync(f, 'latin1'));
  if (!texts.every((t) => t.includes(zeros))) throw new Error(`build: no ${zeros} to stamp in ${files.join(', ')}`);
  const hash = createHash('sha256');
  for (const t of texts) hash.update(t, 'latin1');
  const stamp = `lockwise-build:${hash.digest('hex')}:${texts.map((t) => String(t.length).padStart(10, '0')).join(':')}`;
  files.forEach((f, i) => writeFileSync(f, texts[i].replaceAll(zeros, stamp), 'latin1'));
}

/**
 * The command line's code cache (dist/cli-main.js.cache, server/src/cli/codeCache.ts): written at the
 * end of a first run of the bundle, here a lint of a short migration, so that the first run of the
 * build does not compile what a lint needs. Valid for this Node only; another one writes its own.
 */
function writeCodeCache() {
  rmSync('dist/cli-main.js.cache', { force: true });
  const dir = mkdtempSync(join(tmpdir(), 'lockwise-build-'));
  try {
    writeFileSync(
      join(dir, '001_users.sql'),
      'CREATE TABLE users (id bigint PRIMARY KEY, email text);\n' +
        'CREATE INDEX users_email ON users (email);\n' +
        "ALTER TABLE users ADD COLUMN name text NOT NULL DEFAULT 'x';\n" +
        'ALTER TABLE users ALTER COLUMN email SET NOT NULL;\n',
    );
    spawnSync(process.execPath, [resolve('dist/cli.js'), 'lint', '--no-cache', '001_users.sql'], { cwd: dir, stdio: 'ignore' });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

if (watch) {
  const ctx = await esbuild.context({ ...common, entryPoints: entries, outdir: 'dist' });
  await ctx.watch();
} else {
  await esbuild.build({ ...common, entryPoints: entries, outdir: 'dist' });
  stampBuild(['dist/cli.js', 'dist/cli-main.js']);
  writeCodeCache();
  // The package's two commands (package.json "bin"): lockwise, lockwise-language-server.
  for (const bin of ['dist/cli.js', 'dist/server.js']) if (existsSync(bin)) chmodSync(bin, 0o755);
}
