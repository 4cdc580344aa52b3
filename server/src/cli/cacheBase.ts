/**
 * What the cache (cache.ts) and the replay of a recorded run (replay.ts) share, in a module that
 * loads nothing else: a replayed run starts from the small entry bundle (server/src/cli.ts) and must
 * not load the analysis core to find its record. The cache folder of a command line, the identity of
 * the running build, and atomic writes into the cache folder.
 */
import { createHash, randomBytes } from 'crypto';
import * as fs from 'fs';
import * as path from 'path';
import { VERSION } from '../project/constants';

export const DEFAULT_CACHE_LOCATION = '.lockwise-cache';

/** The bundle of the whole command line, beside the entry bundle dist/cli.js (scripts/build.mjs). */
export const MAIN_BUNDLE = 'cli-main.js';

/** The cache folder of a command line: `--cache`, or `--cache-location` without `--no-cache` after it; else undefined. */
export function cacheLocation(opts: { cache?: boolean; cacheLocation?: string }): string | undefined {
  return (opts.cache ?? opts.cacheLocation !== undefined) ? (opts.cacheLocation ?? DEFAULT_CACHE_LOCATION) : undefined;
}

/** The running Lockwise build: its version and its code (the entry bundle and the main bundle beside it). */
let build: string | undefined;

export function buildHash(): string {
  return (build ??= hashBuild());
}

function hashBuild(): string {
  const hash = createHash('sha256').update(VERSION);
  const entry = require.main?.filename ?? __filename;
  for (const file of [entry, path.join(path.dirname(entry), MAIN_BUNDLE)]) {
    try {
      hash.update(fs.readFileSync(file));
    } catch {
      hash.update(file);
    }
  }
  return hash.digest('hex');
}

export function writeAtomic(file: string, text: string | Buffer): void {
  const tmp = `${file}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
  try {
    fs.writeFileSync(tmp, text);
    fs.renameSync(tmp, file);
  } catch (error) {
    fs.rmSync(tmp, { force: true });
    throw error;
  }
}
