/**
 * Holding the static lock model against what the engine did. Both sides are reduced to the same
 * signature: relation → strongest lock mode, whether the target got new storage (rewrite), whether
 * it was scanned. Locks that cannot matter for blocking are left out on both sides, as in the
 * oracle's summary table: relations created by the statement, transient ones, toast tables, and
 * index locks no stronger than ROW EXCLUSIVE (the planner's ACCESS SHARE on every index it opens).
 */
import { certainMode, LockMode, lockRank, SYSTEM_CATALOG, TEMPORARY_TABLE } from '../core';
import type { StatementEffect } from '../core';
import type { Catalog } from '../core';
import type { StatementTrace, TracedLock } from './engine';

export type LockSignature = Map<string, LockMode>;

export interface Disagreement {
  what: 'lock' | 'rewrite' | 'scan';
  relation?: string;
  predicted: string;
  traced: string;
}

const INDEX_NOISE = lockRank('ROW EXCLUSIVE');

function isIndexNoise(isIndex: boolean, mode: LockMode): boolean {
  return isIndex && lockRank(mode) <= INDEX_NOISE;
}

function keepStronger(out: LockSignature, relation: string, mode: LockMode): void {
  const prev = out.get(relation);
  if (!prev || lockRank(mode) > lockRank(prev)) out.set(relation, mode);
}

/** Locks the engine reports that matter for blocking. */
export function tracedSignature(locks: TracedLock[]): LockSignature {
  const out: LockSignature = new Map();
  for (const l of locks) {
    if (l.created || l.toast) continue;
    if (isIndexNoise(l.kind === 'index' || l.kind === 'partitioned index', l.strongest)) continue;
    keepStronger(out, l.relation, l.strongest);
  }
  return out;
}

/**
 * Locks the model predicts, reduced the same way. An end-of-statement snapshot cannot show locks
 * released early, so they are left out unless `withReleasedEarly` (comparing with a full trace).
 * `certain`: only what is taken whatever a DO block's branches do (a may-take lock's certain mode).
 */
export function modelSignature(effect: StatementEffect, catalog: Catalog, withReleasedEarly = false, certain = false): LockSignature {
  const out: LockSignature = new Map();
  for (const l of effect.locks) {
    if (l.releasedEarly && !withReleasedEarly) continue;
    // The engine names user relations outside pg_temp schemas only: temporary tables and system catalogs are not traced.
    if (l.harmless === TEMPORARY_TABLE || l.harmless === SYSTEM_CATALOG) continue;
    const mode = certain ? certainMode(l) : l.mode;
    const isIndex = l.role.endsWith('index') || catalog.indexes.has(l.relation);
    if (!mode || isIndexNoise(isIndex, mode)) continue;
    keepStronger(out, l.relation, mode);
  }
  return out;
}

/** The target got new storage, TRUNCATE's new empty files excepted (that is not a rewrite). */
export function tracedRewrite(trace: StatementTrace, target: string | undefined, statementKind: string): boolean {
  if (!target || statementKind === 'TruncateStmt') return false;
  return trace.storage.some((s) => s.relation === target && !s.table && s.change === 'new relfilenode');
}

/**
 * The target was read in full: a sequential scan on it. With `requireRows` (a fixture with data)
 * the scan must also have returned rows, as in the oracle; on an empty schema any scan counts.
 */
export function tracedScan(trace: StatementTrace, target: string | undefined, requireRows: boolean, statementKind = ''): boolean {
  // TRUNCATE of a table with a toast table counts a scan that reads nothing, with or without rows
  // (measured on PGlite 18; PG 15 with rows: no scan). It does not read the table.
  if (!target || statementKind === 'TruncateStmt') return false;
  return trace.scans.some((s) => s.relation === target && s.kind !== 'index' && s.scans > 0 && (!requireRows || s.tuplesRead > 0));
}

export interface CompareOptions {
  /** Relation whose rewrite and scan are judged (default: the model's target). */
  target?: string;
  statementKind: string;
  /** Modes already held before the statement (earlier statements of the same transaction). */
  heldBefore?: LockSignature;
  /** Compare locks only (statements run outside a transaction: storage and scans differ in kind). */
  scans?: 'rows' | 'any' | 'skip';
}

/**
 * Where model and engine disagree. A predicted lock is satisfied when the engine holds at least
 * that mode after the statement (possibly from an earlier statement of the transaction); a traced
 * lock is a disagreement when it is stronger than predicted.
 */
export function compareTrace(effect: StatementEffect, catalog: Catalog, trace: StatementTrace, options: CompareOptions): Disagreement[] {
  const out: Disagreement[] = [];
  const target = options.target ?? effect.target;
  if (trace.observed === 'in-transaction') {
    const certain = modelSignature(effect, catalog, false, true);
    out.push(...compareLocks(modelSignature(effect, catalog), tracedSignature(trace.locks), options.heldBefore, certain));
  }
  if (trace.observed === 'none') return out;
  const rewrite = tracedRewrite(trace, target, options.statementKind);
  if (rewrite !== effect.rewrite) out.push({ what: 'rewrite', relation: target, predicted: String(effect.rewrite), traced: String(rewrite) });
  if (trace.observed === 'in-transaction' && options.scans !== 'skip') {
    const scan = tracedScan(trace, target, options.scans !== 'any', options.statementKind);
    if (scan !== effect.scan) out.push({ what: 'scan', relation: target, predicted: String(effect.scan), traced: String(scan) });
  }
  return out;
}

/**
 * `certain` (default: all of `predicted`) are the locks that must have been taken; the rest of
 * `predicted` are a DO block's may-take locks, which only bound what the engine may take.
 */
export function compareLocks(predicted: LockSignature, traced: LockSignature, heldBefore: LockSignature = new Map(), certain = predicted): Disagreement[] {
  const out: Disagreement[] = [];
  for (const [relation, mode] of certain) {
    const got = [traced.get(relation), heldBefore.get(relation)].filter((m): m is LockMode => !!m);
    if (!got.some((m) => lockRank(m) >= lockRank(mode))) out.push({ what: 'lock', relation, predicted: mode, traced: traced.get(relation) ?? 'none' });
  }
  for (const [relation, mode] of traced) {
    const p = predicted.get(relation);
    if (!p || lockRank(mode) > lockRank(p)) {
      if (p && out.some((d) => d.relation === relation)) continue;
      out.push({ what: 'lock', relation, predicted: p ?? 'none', traced: mode });
    }
  }
  return out;
}

export function describeDisagreement(d: Disagreement): string {
  if (d.what === 'lock') return `${d.relation}: model ${d.predicted}, engine ${d.traced}`;
  return `${d.what} of ${d.relation ?? '?'}: model ${d.predicted}, engine ${d.traced}`;
}
