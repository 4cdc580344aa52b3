/**
 * How fast a PostgreSQL server does the work a migration does under its locks, as a range of MB of
 * table heap per second per kind of work, with how the rates were measured. `lockwise stats
 * calibrate` measures a server (cli/calibrate.ts, `.lockwise/rates.json`); without one the
 * defaults below apply: our own measurement, documented in docs/sizes.md.
 */

/** Kinds of work done under a lock, each with its own rate. */
export const WORK_KINDS = ['rewrite', 'scan', 'check', 'fk', 'index'] as const;
export type WorkKind = (typeof WORK_KINDS)[number];

export const WORK_WORDS: Record<WorkKind, string> = {
  rewrite: 'rewrite',
  scan: 'scan',
  check: 'CHECK validation',
  fk: 'foreign key validation',
  index: 'index build',
};

/** MB (2^20 bytes) of heap per second: the slowest and the fastest plausible. */
export interface RateRange {
  low: number;
  high: number;
}

export interface Rates {
  version: 1;
  rates: Record<WorkKind, RateRange>;
  /** Fixed cost of a statement (catalog work, the round trip), milliseconds. */
  overheadMs: RateRange;
  measured: {
    /** ISO 8601. */
    at: string;
    server: string;
    /** How: the command, the table, the sizes, the machine. */
    method: string;
    /** The raw timings the ranges come from. */
    samples: { kind: WorkKind | 'overhead'; bytes: number; ms: number }[];
  };
}

export class RatesError extends Error {}

/**
 * Measured ranges are widened by this factor on each side: the rate of a production table differs
 * from the scratch table's (row width, TOAST, cache, concurrent load). The spread this gives is
 * checked on a real server (test/engine/sizes.engine.test.ts) and reported in docs/sizes.md.
 */
export const RATE_WIDEN = 2;

/** Ranges from timed samples: per kind the slowest and fastest MB/s seen, widened by RATE_WIDEN. */
export function ratesFromSamples(samples: Rates['measured']['samples'], measured: Omit<Rates['measured'], 'samples'>): Rates {
  const overhead = samples.filter((s) => s.kind === 'overhead').map((s) => s.ms);
  const rates = {} as Record<WorkKind, RateRange>;
  for (const kind of WORK_KINDS) {
    const mbps = samples.filter((s) => s.kind === kind && s.ms > 0).map((s) => s.bytes / 1048576 / (s.ms / 1000));
    if (!mbps.length) throw new RatesError(`no ${kind} sample`);
    rates[kind] = { low: round(Math.min(...mbps) / RATE_WIDEN), high: round(Math.max(...mbps) * RATE_WIDEN) };
  }
  const overheadMs = { low: 0, high: round(Math.max(1, ...overhead) * RATE_WIDEN) };
  return { version: 1, rates, overheadMs, measured: { ...measured, samples } };
}

function round(n: number): number {
  return Math.round(n * 100) / 100;
}

/** Validates a parsed `.lockwise/rates.json`. */
export function validateRates(raw: unknown): Rates {
  const obj = raw as Partial<Rates> | null;
  if (typeof obj !== 'object' || obj === null || obj.version !== 1) throw new RatesError('"version" must be 1');
  const range = (r: unknown, where: string): RateRange => {
    const v = r as Partial<RateRange> | null;
    if (typeof v?.low !== 'number' || typeof v.high !== 'number' || v.low < 0 || v.high < v.low)
      throw new RatesError(`"${where}" must be {"low": n, "high": m} with 0 <= n <= m`);
    return { low: v.low, high: v.high };
  };
  const rates = {} as Record<WorkKind, RateRange>;
  for (const kind of WORK_KINDS) {
    rates[kind] = range(obj.rates?.[kind], `rates.${kind}`);
    if (rates[kind].low <= 0) throw new RatesError(`"rates.${kind}.low" must be above 0`);
  }
  const m = obj.measured;
  if (typeof m?.at !== 'string' || typeof m.server !== 'string' || typeof m.method !== 'string')
    throw new RatesError('"measured" must say when (at), on what (server) and how (method)');
  return { version: 1, rates, overheadMs: range(obj.overheadMs, 'overheadMs'), measured: { ...m, samples: Array.isArray(m.samples) ? m.samples : [] } };
}

export const RATES_FILE = '.lockwise/rates.json';

/**
 * The defaults: `lockwise stats calibrate` on PostgreSQL 15 (Debian's package) in the test cluster of
 * test/support/pgServer.ts (fsync off), on a 2-core VM shared with other jobs; see docs/sizes.md.
 */
export const DEFAULT_RATES: Rates = {
  version: 1,
  rates: {
    rewrite: { low: 10, high: 200 },
    scan: { low: 50, high: 1000 },
    check: { low: 40, high: 800 },
    fk: { low: 20, high: 400 },
    index: { low: 10, high: 200 },
  },
  overheadMs: { low: 0, high: 50 },
  measured: { at: 'placeholder', server: 'PostgreSQL 15', method: 'placeholder', samples: [] },
};
