/**
 * A file's sizes and estimates: what analyze() computes when a size snapshot is given (per
 * statement its work, own and held time; per table its blocking time), and the size-scaled
 * verdicts it applies to the findings. Without a snapshot none of this runs.
 */
import type { LockwiseConfig, Severity } from '../config/config';
import type { Operation } from '../locks/modes';
import { parseDuration } from '../model/timeline';
import { heldEstimates, Estimate, tableBlocking, TableBlocking, TimedStatement, workEstimate, estimateText } from './estimate';
import type { Rates } from './rates';
import { snapshotAgeMs, sizeText, StatsSnapshot, TableStats, totalBytes } from './snapshot';
import type { WorkItem } from './work';

/** What a front end loads for a file (project/sizes.ts): the snapshot, the rates, and the time now. */
export interface SizeInput {
  snapshot: StatsSnapshot;
  /** The snapshot's path, for messages. */
  source: string;
  rates: Rates;
  /** `.lockwise/rates.json` when the rates were calibrated; undefined: the defaults. */
  ratesSource?: string;
  /** Milliseconds since the epoch (the age of the snapshot is measured from it). */
  now: number;
}

export interface StatementSize {
  work: WorkItem[];
  /** The statement's own work. */
  own?: Estimate;
  /** Its locks held with work under them: its own and every later statement's until they are released. */
  held?: Estimate;
}

export interface SizeAnalysis {
  input: SizeInput;
  ageMs: number;
  /** Older than `statsMaxAge`: shown, never used to lower a severity. */
  stale: boolean;
  /** By statement index. */
  statements: StatementSize[];
  blocking: TableBlocking[];
}

/** One statement as the size analysis reads it. */
export interface SizedStatement {
  index: number;
  work: WorkItem[];
  heldTo: number;
  deployed: boolean;
  blocks: ReadonlyMap<string, readonly Operation[]>;
  newRelations: ReadonlySet<string>;
}

export function sizeAnalysis(input: SizeInput, statements: readonly SizedStatement[], config: LockwiseConfig): SizeAnalysis {
  const ageMs = snapshotAgeMs(input.snapshot, input.now);
  const own = statements.map((s) => workEstimate(s.work, input.rates));
  const deployed: TimedStatement[] = statements.filter((s) => s.deployed);
  const held = heldEstimates(
    statements.map((s) => (s.deployed ? s : { ...s, heldTo: s.index })),
    own,
  );
  return {
    input,
    ageMs,
    stale: ageMs > (parseDuration(config.statsMaxAge) ?? Infinity),
    statements: statements.map((s, i) => ({ work: s.work, own: own[i], held: held[i] })),
    blocking: tableBlocking(deployed, own),
  };
}

/** Rules whose findings are about work done under a blocking lock: their verdict scales with the table. */
export const SIZE_SCALED_RULES = new Set([
  'require-concurrent-index-creation',
  'require-concurrent-reindex',
  'adding-foreign-key-constraint',
  'constraint-missing-not-valid',
  'adding-not-nullable-field',
  'changing-column-type',
  'adding-field-with-default',
  'disallowed-unique-constraint',
  'adding-primary-key-constraint',
  'adding-exclusion-constraint',
  'ban-vacuum-full',
  'ban-cluster',
  'set-logged-unlogged',
  'attach-partition',
]);

export function isSmall(table: TableStats, config: LockwiseConfig): boolean {
  // A table never analysed (reltuples -1) has an unknown row count: not small on its bytes alone.
  return table.reltuples >= 0 && table.reltuples <= config.smallTable.rows && totalBytes(table) <= config.smallTable.bytes;
}

/**
 * A finding about work under a lock, with the sizes: on tables all small (and a fresh snapshot) it
 * drops to info with the sizes as the reason; otherwise it says the sizes and the estimate.
 */
export function scaleFinding<F extends { rule: string; severity: Severity; message: string; statement: number; notes?: string[] }>(
  finding: F,
  sizes: SizeAnalysis,
  config: LockwiseConfig,
): F {
  const stmt = sizes.statements[finding.statement];
  if (!SIZE_SCALED_RULES.has(finding.rule) || !stmt?.work.length) return finding;
  const tables = [...new Set(stmt.work.map((w) => w.table))];
  const sizesText = tables.map(sizeText).join('; ');
  if (!sizes.stale && tables.every((t) => isSmall(t, config))) {
    // The reason goes in the message: the Problems panel shows it beside the lowered severity.
    const note = `info, not ${finding.severity}: at or below smallTable in the size snapshot`;
    return { ...finding, severity: 'info', message: `${finding.message} (small table: ${sizesText})`, notes: [...(finding.notes ?? []), note] };
  }
  const time = stmt.held ?? stmt.own;
  const note = `size: ${sizesText}${time ? `; ${estimateText(time)} under the lock` : ''}${sizes.stale ? ' (stale size snapshot)' : ''}`;
  return { ...finding, notes: [...(finding.notes ?? []), note] };
}
