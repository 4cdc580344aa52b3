/**
 * Agreement between the lock model and a traced statement, counted the way the replay suite
 * reports it: per relation that existed before the statement, the strongest lock (model vs
 * server), by category of relation; rewrites per statement; locks the model reports on relations
 * the server did not lock at all ("phantom" locks).
 */
import { LockMode, lockRank } from '../../../server/src/core/locks/modes';
import type { StatementEffect } from '../../../server/src/core/locks/model';
import { unionEffects } from '../../../server/src/core/locks/branches';
import type { Catalog } from '../../../server/src/core/model/catalog';
import { modelSignature, tracedSignature } from '../../../server/src/trace/compare';
import type { StatementTrace } from '../../../server/src/trace/engine';

export type Category = 'tables' | 'views' | 'matviews' | 'indexes' | 'sequences' | 'DO tables';

export interface Pair {
  category: Category;
  relation: string;
  /** The strongest lock the model says the statement may take. */
  model: LockMode | 'none';
  /** What the model says it takes whatever a DO block's branches do (= model outside DO blocks). */
  certain: LockMode | 'none';
  server: LockMode | 'none';
}

export interface Verdict {
  pairs: Pair[];
  /** Relations the model locks for certain that the server held no lock on. */
  phantoms: string[];
  /** Relations the model only may lock (a DO block's branch or loop) that the server did not lock. */
  mayNotTaken: string[];
  rewrite: { model: string[]; server: string[] };
}

function category(kind: string | undefined, inDo: boolean): Category {
  switch (kind) {
    case 'view':
      return 'views';
    case 'matview':
      return 'matviews';
    case 'index':
    case 'partitioned index':
      return 'indexes';
    case 'sequence':
      return 'sequences';
    default:
      return inDo ? 'DO tables' : 'tables';
  }
}

/** Relations whose storage the statement replaced (tables, matviews, sequences; not TRUNCATE's). */
function serverRewrites(trace: StatementTrace, kind: string): string[] {
  if (kind === 'TruncateStmt') return [];
  const kinds = ['table', 'matview', 'sequence'];
  return trace.storage
    .filter((s) => !s.toast && s.change === 'new relfilenode' && kinds.includes(s.kind))
    .map((s) => s.relation)
    .sort();
}

/**
 * Compares one statement. Only relations that existed before it are judged (creating a relation
 * is not a lock anyone waits for): the server's locks say which they are; a relation only the
 * model names is judged by the model's catalog.
 */
export function judge(effect: StatementEffect, catalog: Catalog, trace: StatementTrace, kind: string, inDo: boolean): Verdict {
  const model = modelSignature(effect, catalog);
  const certain = modelSignature(effect, catalog, false, true);
  const server = tracedSignature(trace.locks);
  const traced = new Map(trace.locks.map((l) => [l.relation, l]));
  const pairs: Pair[] = [];
  // Temporary tables are in neither signature: the trace names no pg_temp relation, and modelSignature skips them.
  for (const relation of new Set([...model.keys(), ...server.keys()])) {
    const lock = traced.get(relation);
    if (lock?.created) continue;
    pairs.push({
      category: category(lock?.kind ?? catalog.relation(relation)?.kind ?? (catalog.indexes.has(relation) ? 'index' : undefined), inDo),
      relation,
      model: model.get(relation) ?? 'none',
      certain: certain.get(relation) ?? 'none',
      server: server.get(relation) ?? 'none',
    });
  }
  const phantoms = [...certain.keys()].filter((r) => !traced.has(r));
  const mayNotTaken = [...model.keys()].filter((r) => !traced.has(r) && !certain.has(r));
  const modelRewrite = effect.rewrite && effect.target && kind !== 'TruncateStmt' ? [effect.target] : [];
  return { pairs, phantoms, mayNotTaken, rewrite: { model: modelRewrite, server: serverRewrites(trace, kind) } };
}

const rank = (mode: LockMode | 'none'): number => (mode === 'none' ? -1 : lockRank(mode));

/**
 * Branch-aware agreement: the server took at least what the model says is certain and at most
 * what it says it may take. Outside DO blocks both are the same mode, so this is exact agreement.
 */
export function agrees(p: Pair): boolean {
  return rank(p.server) >= rank(p.certain) && rank(p.server) <= rank(p.model);
}

export { unionEffects };

/** Counts per project and category. */
export class Tally {
  readonly exact = new Map<string, number>();
  readonly total = new Map<string, number>();
  rewriteAgree = 0;
  rewriteTotal = 0;
  phantoms = 0;
  /** May-take locks (DO branches and loops) on relations the server did not lock. */
  mayNotTaken = 0;
  errors = 0;
  statements = 0;
  readonly disagreements: { key: string; repro: string }[] = [];

  count(key: string, ok: boolean): void {
    this.total.set(key, (this.total.get(key) ?? 0) + 1);
    if (ok) this.exact.set(key, (this.exact.get(key) ?? 0) + 1);
  }

  ratio(key: string): number {
    const total = this.total.get(key) ?? 0;
    return total ? (this.exact.get(key) ?? 0) / total : 1;
  }
}
