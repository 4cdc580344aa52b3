/**
 * Agreement between the lock model and a traced statement, counted the way the replay suite
 * reports it: per relation that existed before the statement, the strongest lock (model vs
 * server), by category of relation; rewrites per statement; locks the model reports on relations
 * the server did not lock at all ("phantom" locks).
 */
import { LockMode, lockRank } from '../../../server/src/core/locks/modes';
import type { StatementEffect } from '../../../server/src/core/locks/model';
import type { Catalog } from '../../../server/src/core/model/catalog';
import { modelSignature, tracedSignature } from '../../../server/src/trace/compare';
import type { StatementTrace } from '../../../server/src/trace/engine';

export type Category = 'tables' | 'views' | 'matviews' | 'indexes' | 'sequences' | 'DO tables';

export interface Pair {
  category: Category;
  relation: string;
  model: LockMode | 'none';
  server: LockMode | 'none';
}

export interface Verdict {
  pairs: Pair[];
  /** Relations the model locks that the server held no lock on. */
  phantoms: string[];
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
      server: server.get(relation) ?? 'none',
    });
  }
  const phantoms = [...model.keys()].filter((r) => !traced.has(r));
  const modelRewrite = effect.rewrite && effect.target && kind !== 'TruncateStmt' ? [effect.target] : [];
  return { pairs, phantoms, rewrite: { model: modelRewrite, server: serverRewrites(trace, kind) } };
}

/** Several statements' effects as one (the statements of a DO body, for the DO statement). */
export function unionEffects(effects: StatementEffect[]): StatementEffect {
  const first = effects[0];
  const out: StatementEffect = { ...first, locks: [], notes: [] };
  for (const e of effects) {
    for (const l of e.locks) {
      const prev = out.locks.find((p) => p.relation === l.relation);
      if (!prev) out.locks.push({ ...l });
      else if (lockRank(l.mode) > lockRank(prev.mode)) prev.mode = l.mode;
    }
    if (e.rewrite && !out.rewrite) {
      out.rewrite = true;
      out.target = e.target;
    }
  }
  return out;
}

/** Counts per project and category. */
export class Tally {
  readonly exact = new Map<string, number>();
  readonly total = new Map<string, number>();
  rewriteAgree = 0;
  rewriteTotal = 0;
  phantoms = 0;
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
