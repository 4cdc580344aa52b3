/**
 * Estimated durations: per statement the time its own work takes (work bytes over the rates), the
 * time its locks stay held with work under them (its work and that of every statement after it
 * until the COMMIT that releases them), and per table the read- or write-blocking time of the file.
 */
import type { Operation } from '../locks/modes';
import type { Rates } from './rates';
import type { WorkItem } from './work';

/** Seconds, the fastest and the slowest plausible. */
export interface Estimate {
  low: number;
  high: number;
}

/** What the estimate needs from one analysed statement. */
export interface TimedStatement {
  index: number;
  work: WorkItem[];
  /** Last statement index while its locks are held (itself when released at its end). */
  heldTo: number;
  /** Operations its locks block, per table. */
  blocks: ReadonlyMap<string, readonly Operation[]>;
  /** Relations created earlier in the file: locking them blocks nobody. */
  newRelations: ReadonlySet<string>;
}

export interface TableBlocking {
  table: string;
  /** `reads`: reads and writes wait; `writes`: writes wait. */
  level: 'reads' | 'writes';
  estimate: Estimate;
  /** The statement that takes the first blocking lock, and each statement that does work while it is held. */
  first: number;
  /** The first statement whose lock blocks reads, when a lock blocking only writes came first. */
  readsFrom?: number;
  contributors: { statement: number; estimate: Estimate }[];
}

export const ZERO: Estimate = { low: 0, high: 0 };

/** One statement's own work: the fixed cost plus each item's bytes over its rate range. */
export function workEstimate(work: readonly WorkItem[], rates: Rates): Estimate | undefined {
  if (!work.length) return undefined;
  let low = rates.overheadMs.low / 1000;
  let high = rates.overheadMs.high / 1000;
  for (const item of work) {
    const mb = item.bytes / 1048576;
    const rate = rates.rates[item.kind];
    low += mb / rate.high;
    high += mb / rate.low;
  }
  return { low, high };
}

export function addEstimates(a: Estimate, b: Estimate | undefined): Estimate {
  return b ? { low: a.low + b.low, high: a.high + b.high } : a;
}

/** Held time of each statement's locks: the work of every statement from it to `heldTo`. */
export function heldEstimates(statements: readonly TimedStatement[], own: readonly (Estimate | undefined)[]): (Estimate | undefined)[] {
  return statements.map((s) => {
    let total: Estimate | undefined;
    for (let j = s.index; j <= s.heldTo; j++) if (own[j]) total = addEstimates(total ?? ZERO, own[j]);
    return total;
  });
}

/**
 * Per table, the file's blocking time: the union of the spans during which a lock that blocks its
 * reads or writes is held, and the work done in them. Statements are counted once per table.
 */
export function tableBlocking(statements: readonly TimedStatement[], own: readonly (Estimate | undefined)[]): TableBlocking[] {
  const spans = new Map<string, { level: 'reads' | 'writes'; first: number; readsFrom?: number; covered: Set<number> }>();
  for (const s of statements) {
    for (const [table, ops] of s.blocks) {
      const level = ops.includes('SELECT') ? 'reads' : ops.includes('INSERT') ? 'writes' : undefined;
      if (!level || s.newRelations.has(table)) continue;
      const span = spans.get(table) ?? { level, first: s.index, covered: new Set<number>() };
      if (level === 'reads' && span.level === 'writes') span.readsFrom = s.index;
      if (level === 'reads') span.level = 'reads';
      for (let j = s.index; j <= s.heldTo; j++) span.covered.add(j);
      spans.set(table, span);
    }
  }
  const out: TableBlocking[] = [];
  for (const [table, span] of spans) {
    const contributors = [...span.covered].sort((a, b) => a - b).flatMap((j) => (own[j] ? [{ statement: j, estimate: own[j]! }] : []));
    if (!contributors.length) continue;
    const estimate = contributors.reduce((sum, c) => addEstimates(sum, c.estimate), ZERO);
    out.push({ table, level: span.level, estimate, first: span.first, contributors, ...(span.readsFrom !== undefined ? { readsFrom: span.readsFrom } : {}) });
  }
  return out;
}

/** "≈ 40 s – 2 min", "≈ 120 – 400 ms". */
export function estimateText(e: Estimate): string {
  const [low, high] = [durationText(e.low), durationText(e.high)];
  if (low === high) return `≈ ${low}`;
  const unitLow = low.split(' ')[1];
  const unitHigh = high.split(' ')[1];
  return unitLow === unitHigh ? `≈ ${low.split(' ')[0]} – ${high}` : `≈ ${low} – ${high}`;
}

/** Seconds as "350 ms", "4.2 s", "40 s", "2 min", "1.5 h". */
export function durationText(seconds: number): string {
  const fmt = (v: number) => String(v < 10 ? Math.round(v * 10) / 10 : Math.round(v));
  if (seconds < 1) return `${Math.max(1, Math.round(seconds * 1000))} ms`;
  if (seconds < 60) return `${fmt(seconds)} s`;
  if (seconds < 3600) return `${fmt(seconds / 60)} min`;
  return `${fmt(seconds / 3600)} h`;
}
