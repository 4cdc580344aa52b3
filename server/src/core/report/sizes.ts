/** The words and JSON of sizes and estimates, shared by the hover, the audit views and the audit JSON. */
import type { Analysis, StatementAnalysis } from '../analyze';
import { estimateText, Estimate } from '../size/estimate';
import { findTable, formatBytes, totalBytes } from '../size/snapshot';
import type { WorkKind } from '../size/rates';
import { lineOfStatement, strongestLock } from './describe';

export interface StatementEstimateJson {
  /** E.g. "≈ 40 s – 2 min of ACCESS EXCLUSIVE on users (12 GB)". */
  text: string;
  /** The statement's own work, seconds. */
  ownSeconds: Estimate | null;
  /** Its locks held with work under them (until COMMIT: every statement in between), seconds. */
  heldSeconds: Estimate | null;
  work: { kind: WorkKind; table: string; bytes: number }[];
}

export interface FileSizesJson {
  snapshot: string;
  capturedAt: string;
  stale: boolean;
  /** `.lockwise/rates.json`, or "default" (docs/sizes.md). */
  rates: string;
  /** Per table: the estimated time the file blocks its reads or writes, and the statements (lines) doing work meanwhile. */
  blocking: { table: string; blocks: 'reads' | 'writes'; seconds: Estimate; lines: number[] }[];
}

/** `≈ 40 s – 2 min of ACCESS EXCLUSIVE on users (12 GB)`, or undefined without work under a lock. */
export function estimateSummary(analysis: Analysis, s: StatementAnalysis): string | undefined {
  const size = analysis.sizes?.statements[s.statement.index];
  const time = size?.held ?? size?.own;
  if (!analysis.sizes || !time) return undefined;
  // Only a statement that locks an existing table holds anyone up (SET LOCAL inside the transaction does not).
  const lock = strongestLock(s);
  if (!lock || s.newRelations.has(lock.relation)) return undefined;
  const table = findTable(analysis.sizes.input.snapshot, lock.relation);
  const on = ` of ${lock.mode} on ${lock.relation}${table ? ` (${formatBytes(totalBytes(table))})` : ''}`;
  return `${estimateText(time)}${on}${analysis.sizes.stale ? ' (stale size snapshot)' : ''}`;
}

export function statementEstimateJson(analysis: Analysis, s: StatementAnalysis): StatementEstimateJson | undefined {
  const text = estimateSummary(analysis, s);
  const size = analysis.sizes?.statements[s.statement.index];
  if (!text || !size) return undefined;
  return {
    text,
    ownSeconds: size.own ?? null,
    heldSeconds: size.held ?? null,
    work: size.work.map((w) => ({ kind: w.kind, table: w.table.name, bytes: w.bytes })),
  };
}

export function fileSizesJson(analysis: Analysis): FileSizesJson | undefined {
  const sizes = analysis.sizes;
  if (!sizes) return undefined;
  return {
    snapshot: sizes.input.source,
    capturedAt: sizes.input.snapshot.capturedAt,
    stale: sizes.stale,
    rates: sizes.input.ratesSource ?? 'default',
    blocking: sizes.blocking.map((b) => ({
      table: b.table,
      blocks: b.level,
      seconds: b.estimate,
      lines: b.contributors.map((c) => lineOfStatement(analysis, c.statement)),
    })),
  };
}
