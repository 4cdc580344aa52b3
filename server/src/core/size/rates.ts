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
export const RATE_WIDEN = 3;
/**
 * The fastest rate is widened further (4x): a statement on a loaded machine ran up to 3.3x faster than
 * the fastest calibrate sample of its kind in our runs (the samples are short, so noise inflates them).
 */
export const RATE_WIDEN_FAST = 4;

/**
 * The fixed part of a statement's time is at least this much at the high end: a DDL statement's
 * catalog updates, commit and round trip take a few ms on an idle server, but a statement that needs
 * 5 ms of CPU took up to 120 ms on our 2-core VM at load 16 (the sizes engine suite). Irrelevant next
 * to a lock budget of seconds.
 */
export const OVERHEAD_FLOOR_MS = 250;

/**
 * Ranges from timed samples: the fixed cost from the statements on empty tables (bytes 0), per kind
 * the slowest and fastest MB/s seen on the filled ones, widened by RATE_WIDEN and RATE_WIDEN_FAST.
 */
export function ratesFromSamples(samples: Rates['measured']['samples'], measured: Omit<Rates['measured'], 'samples'>): Rates {
  const overhead = samples.filter((s) => s.bytes === 0).map((s) => s.ms);
  const rates = {} as Record<WorkKind, RateRange>;
  for (const kind of WORK_KINDS) {
    const mbps = samples.filter((s) => s.kind === kind && s.bytes > 0 && s.ms > 0).map((s) => s.bytes / 1048576 / (s.ms / 1000));
    if (!mbps.length) throw new RatesError(`no ${kind} sample`);
    rates[kind] = { low: round(Math.min(...mbps) / RATE_WIDEN), high: round(Math.max(...mbps) * RATE_WIDEN_FAST) };
  }
  const overheadMs = { low: 0, high: round(Math.max(OVERHEAD_FLOOR_MS, ...overhead.map((ms) => ms * RATE_WIDEN))) };
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
 * The defaults: `lockwise stats calibrate` (default --rows 100000) on PostgreSQL 15.18 (Debian's
 * package) in the throw-away cluster of test/support/pgServer.ts (fsync off), on a 2-core VM shared
 * with other jobs (load average 8 to 10) on 2026-12-01. The tables fit in memory: a
 * table larger than the server's cache scans slower. docs/sizes.md has the numbers and the caveats.
 */
export const DEFAULT_RATES: Rates = ratesFromSamples(
  [
    { kind: 'rewrite', bytes: 0, ms: 3.53 },
    { kind: 'scan', bytes: 0, ms: 0.19 },
    { kind: 'check', bytes: 0, ms: 0.23 },
    { kind: 'fk', bytes: 0, ms: 0.8 },
    { kind: 'index', bytes: 0, ms: 1.16 },
    { kind: 'rewrite', bytes: 8445952, ms: 118.13 },
    { kind: 'scan', bytes: 9314304, ms: 6.04 },
    { kind: 'check', bytes: 9314304, ms: 10.84 },
    { kind: 'fk', bytes: 9682944, ms: 33.91 },
    { kind: 'index', bytes: 9314304, ms: 141.86 },
    { kind: 'rewrite', bytes: 33783808, ms: 563.29 },
    { kind: 'scan', bytes: 37240832, ms: 41.39 },
    { kind: 'check', bytes: 37240832, ms: 39.88 },
    { kind: 'fk', bytes: 38690816, ms: 116.72 },
    { kind: 'index', bytes: 37240832, ms: 602.26 },
  ],
  {
    at: '2026-12-01T03:18:11Z',
    server: 'PostgreSQL 15.18 (Debian 15.18-0+deb12u1)',
    method:
      'lockwise stats calibrate --rows 100000 (tables of 100000 and 400000 rows, and empty ones for the fixed cost) on the ' +
      'test/support/pgServer.ts cluster (fsync off), 2-core VM under load; ranges from these samples as calibrate computes them',
  },
);
