/**
 * Loads the command line's bundle (dist/cli-main.js, 600 KB) with V8's code cache: the bytecode of
 * the bundle and of the functions earlier runs compiled, so a run that analyses does not compile them
 * again. Node 20 has no `module.enableCompileCache` (22.1), hence `vm.Script` and its `cachedData`.
 * Compiling was ~160 M instructions of a `lint` of one statement, a fifth of what it costs above
 * Node's own start (bench/FINDINGS.md).
 *
 * The cache is code, so it lives only beside the bundle, as trusted as the bundle itself: never in a
 * project's cache folder, which a repository could ship. It is written by the build (scripts/build.mjs)
 * and, when missing or not accepted (another Node, another build), at the end of a run that can
 * write there. V8 checks its own version, flags and the source's length; the build's stamp, in the
 * cache's first bytes, says whether it is this bundle's code.
 */
import { fs, Module, path } from '../project/builtins';
import type * as V8 from 'v8';
import { stampedBuild, writeAtomic } from './cacheBase';

const MAGIC = 'lockwise-code-cache-1:';

/**
 * V8's flags for a `lint` or `audit` (set by cli/main.ts), and what undoes them (`writeCache`).
 * `--liftoff-only`: V8 optimising the parser's WebAssembly costs more than it saves in a run this
 * short. `--interrupt-budget`: TurboFan optimises a function after this much bytecode ran in it
 * (V8 11's default 67,584): at the default it compiled hundreds of functions on the background
 * threads that ran too briefly to repay it (about a third of a cold corpus run's CPU); a few times
 * the default keeps the hot ones (bench/FINDINGS.md).
 */
export const BATCH_FLAGS = `--liftoff-only${budgetFlag(400000)}`;
const UNDO_BATCH_FLAGS = `--no-liftoff-only --wasm-tier-up --wasm-dynamic-tiering${budgetFlag(67584)}`;

/**
 * The interrupt budget only under V8 11.3 (Node 20), where it was measured and whose default the undo
 * restores: a flag the undo cannot restore would leave another Node's runs without a code cache.
 */
function budgetFlag(bytes: number): string {
  return process.versions.v8.startsWith('11.3.') ? ` --interrupt-budget=${bytes}` : '';
}

/** The wrapper Node puts around a CommonJS module, on a line of its own so that positions are the file's. */
const WRAP_START = '(function (exports, require, module, __filename, __dirname) {\n';
const WRAP_END = '\n})';

/** `require(file)` for a bundle of the build, compiled with its code cache when there is one for it. */
export function requireBundle(file: string): unknown {
  const stamp = stampedBuild();
  // Code not built by the build script (esbuild --watch) has no stamp to key a cache with.
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  if (stamp === undefined) return require(file);
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const vm = require('vm') as typeof import('vm');
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const v8 = require('v8') as typeof V8;
  const cacheFile = `${file}.cache`;
  const cachedData = readCache(cacheFile, stamp);
  const script = new vm.Script(WRAP_START + fs.readFileSync(file, 'utf8') + WRAP_END, { filename: file, lineOffset: -1, cachedData });
  if (cachedData === undefined || script.cachedDataRejected) {
    const tag = v8.cachedDataVersionTag();
    process.once('exit', () => writeCache(script, cacheFile, stamp, tag, v8));
  }
  const module = new Module(file, require.main);
  module.filename = file;
  // In the module cache as `require` would put it (test/unit/cliEntry.test.ts reads what a run loaded).
  require.cache[file] = module;
  const wrapper = script.runInThisContext() as (...args: unknown[]) => void;
  wrapper.call(module.exports, module.exports, Module.createRequire(file), module, file, path.dirname(file));
  module.loaded = true;
  return module.exports;
}

function readCache(cacheFile: string, stamp: string): Buffer | undefined {
  let bytes: Buffer;
  try {
    bytes = fs.readFileSync(cacheFile);
  } catch {
    return undefined;
  }
  const header = `${MAGIC}${stamp}\n`;
  return bytes.length > header.length && bytes.toString('latin1', 0, header.length) === header ? bytes.subarray(header.length) : undefined;
}

/**
 * Writes the cache of what this run compiled, at its end. V8 takes a cache only under the flags it was
 * made with: the flags a batch run sets (`BATCH_FLAGS`, cli/main.ts) are undone first, and nothing
 * is written when that does not restore the flags of the start.
 */
function writeCache(script: import('vm').Script, cacheFile: string, stamp: string, tag: number, v8: typeof V8): void {
  try {
    if (v8.cachedDataVersionTag() !== tag) v8.setFlagsFromString(UNDO_BATCH_FLAGS);
    if (v8.cachedDataVersionTag() !== tag) return;
    fs.accessSync(path.dirname(cacheFile), fs.constants.W_OK);
    writeAtomic(cacheFile, Buffer.concat([Buffer.from(`${MAGIC}${stamp}\n`, 'latin1'), script.createCachedData()]));
  } catch {
    // A folder the user cannot write to (a global install): each run compiles, as without a cache.
  }
}
