/**
 * The size snapshot and rates of a file's project, for the CLI and the language server: the nearest
 * `.lockwise/stats.json` in the file's folder or a parent, and `.lockwise/rates.json` beside it
 * (else the default rates). Files are cached by path, size and modification time, so the editor
 * sees a new `stats pull` without a restart.
 */
import * as fs from 'fs';
import * as path from 'path';
import { DEFAULT_RATES, Rates, RatesError, SizeInput, SnapshotError, StatsSnapshot, validateRates, validateSnapshot } from '../core';

const DIR = '.lockwise';
/** A snapshot of 20,000 tables is about 5 MB: anything far larger is not one. */
const MAX_BYTES = 64 * 1024 * 1024;

/** A stats or rates file that cannot be used: the message names the file. */
export class SizesError extends Error {}

export interface SizesLoaderOptions {
  now?: () => number;
  /** Folders do not change during the run (the CLI): look each one up once. */
  stableFiles?: boolean;
}

export class SizesLoader {
  private readonly parsed = new Map<string, { stamp: string; value: StatsSnapshot | Rates }>();
  private readonly nearest = new Map<string, string | undefined>();

  constructor(private readonly options: SizesLoaderOptions = {}) {}

  /** The size input for `file`, or undefined when no snapshot applies; throws a SizesError on a bad file. */
  forFile(file: string): SizeInput | undefined {
    const dir = this.statsDir(path.dirname(path.resolve(file)));
    if (!dir) return undefined;
    const source = path.join(dir, 'stats.json');
    const snapshot = this.read(source, validateSnapshot);
    const ratesFile = path.join(dir, 'rates.json');
    const calibrated = isFile(ratesFile);
    const rates = calibrated ? this.read(ratesFile, validateRates) : DEFAULT_RATES;
    return { snapshot, source, rates, ratesSource: calibrated ? ratesFile : undefined, now: (this.options.now ?? Date.now)() };
  }

  /** The nearest `.lockwise` folder holding a stats.json, from `dir` upwards. */
  private statsDir(dir: string): string | undefined {
    if (this.options.stableFiles && this.nearest.has(dir)) return this.nearest.get(dir);
    let found: string | undefined;
    const visited: string[] = [];
    for (let current = dir; ; current = path.dirname(current)) {
      // With stable files, a parent another folder already looked up answers for the rest of the way.
      if (this.options.stableFiles && current !== dir && this.nearest.has(current)) {
        found = this.nearest.get(current);
        break;
      }
      visited.push(current);
      if (isFile(path.join(current, DIR, 'stats.json'))) {
        found = path.join(current, DIR);
        break;
      }
      if (path.dirname(current) === current) break;
    }
    // Every folder on the way has the same nearest snapshot.
    if (this.options.stableFiles) for (const d of visited) this.nearest.set(d, found);
    return found;
  }

  private read<T extends StatsSnapshot | Rates>(file: string, validate: (raw: unknown) => T): T {
    let stat: fs.Stats;
    try {
      stat = fs.statSync(file);
    } catch (error) {
      throw new SizesError(`${file}: cannot be read (${(error as NodeJS.ErrnoException).code ?? String(error)})`);
    }
    const stamp = `${stat.size}:${stat.mtimeMs}`;
    const cached = this.parsed.get(file);
    if (cached?.stamp === stamp) return cached.value as T;
    if (stat.size > MAX_BYTES) throw new SizesError(`${file}: larger than ${MAX_BYTES / 1048576} MB, not a Lockwise stats file`);
    let value: T;
    try {
      value = validate(JSON.parse(fs.readFileSync(file, 'utf8').replace(/^\uFEFF/, '')));
    } catch (error) {
      if (error instanceof SnapshotError || error instanceof RatesError || error instanceof SyntaxError) throw new SizesError(`${file}: ${error.message}`);
      throw new SizesError(`${file}: cannot be read (${(error as NodeJS.ErrnoException).code ?? String(error)})`);
    }
    this.parsed.set(file, { stamp, value });
    return value;
  }
}

/** A regular file (a FIFO named stats.json would block the read forever). */
function isFile(file: string): boolean {
  try {
    // Most folders have no snapshot: no exception built for each one looked at.
    return fs.statSync(file, { throwIfNoEntry: false })?.isFile() ?? false;
  } catch {
    return false;
  }
}
