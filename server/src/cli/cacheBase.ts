/**
 * What the cache (cache.ts) and the replay of a recorded run (replay.ts) share, in a module that
 * loads nothing else: a replayed run starts from the small entry bundle (server/src/cli.ts) and must
 * not load the analysis core to find its record. The cache folder of a command line, the identity of
 * the running build, and atomic writes into the cache folder.
 */
import { fs, path } from '../project/builtins';
import { VERSION } from '../project/constants';

export const DEFAULT_CACHE_LOCATION = '.lockwise-cache';

/** The bundle of the whole command line, beside the entry bundle dist/cli.js (scripts/build.mjs). */
export const MAIN_BUNDLE = 'cli-main.js';

/** The cache folder of a command line: `--cache`, or `--cache-location` without `--no-cache` after it; else undefined. */
export function cacheLocation(opts: { cache?: boolean; cacheLocation?: string }): string | undefined {
  return (opts.cache ?? opts.cacheLocation !== undefined) ? (opts.cacheLocation ?? DEFAULT_CACHE_LOCATION) : undefined;
}

/**
 * The build's identity, written into both bundles by scripts/build.mjs in place of the zeros: the
 * hash of the two bundles as built, then their sizes. Hashing them at every start was a tenth of a
 * replayed run. A bundle whose size is not the build's (edited since), and code the script did not
 * build (tsc's output, esbuild --watch), are hashed when run.
 */
const BUILT = 'lockwise-build:0000000000000000000000000000000000000000000000000000000000000000:0000000000:0000000000';

/** The running Lockwise build: its version and its code (the entry bundle and the main bundle beside it). */
let build: string | undefined;

export function buildHash(): string {
  return (build ??= stampedBuild() ?? hashBuild());
}

function bundles(): string[] {
  const entry = require.main?.filename ?? __filename;
  return [entry, path.join(path.dirname(entry), MAIN_BUNDLE)];
}

/** The identity the build stamped, when both bundles are still the ones it stamped; else undefined. */
export function stampedBuild(): string | undefined {
  if (stamped === null) stamped = builtHash();
  return stamped;
}

let stamped: string | undefined | null = null;

function builtHash(): string | undefined {
  const [, hash, ...sizes] = BUILT.split(':');
  if (/^0+$/.test(hash)) return undefined;
  return bundles().every((file, i) => fs.statSync(file, { throwIfNoEntry: false })?.size === Number(sizes[i])) ? hash : undefined;
}

function hashBuild(): string {
  const hash = crypto().createHash('sha256').update(VERSION);
  for (const file of bundles()) {
    try {
      hash.update(fs.readFileSync(file));
    } catch {
      hash.update(file);
    }
  }
  return hash.digest('hex');
}

/** Node's crypto, loaded when first used: a replayed run need not (loading it was a tenth of one). */
function crypto(): typeof import('crypto') {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  return require('crypto') as typeof import('crypto');
}

export function writeAtomic(file: string, text: string | Buffer): void {
  const tmp = `${file}.${process.pid}.${crypto().randomBytes(4).toString('hex')}.tmp`;
  try {
    fs.writeFileSync(tmp, text);
    fs.renameSync(tmp, file);
  } catch (error) {
    fs.rmSync(tmp, { force: true });
    throw error;
  }
}
