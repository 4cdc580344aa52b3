/**
 * Locks that a DO block takes only if a branch or a loop runs ("may take"): an inner statement's
 * locks carry its condition, and the DO statement itself reads the tables of its conditions and
 * loop queries. The mode of a lock stays the strongest it may take, so rules that compare modes
 * keep firing; `condition` says that it is not certain, `certainMode` what is taken regardless.
 */
import type { Statement } from '../model/statements';
import type { Node } from '../parse/ast';
import type { RelationLock, StatementEffect } from './model';
import { LockMode, lockRank } from './modes';

/** The statement's effect with its DO-block conditions applied; `model` models a read query. */
export function withBranches(stmt: Statement, effect: StatementEffect, model: (node: Node) => StatementEffect): StatementEffect {
  if (stmt.condition) for (const l of effect.locks) makeConditional(l, stmt.condition);
  for (const read of stmt.reads ?? []) {
    for (const l of model(read.node).locks) {
      const lock: RelationLock = { ...l, role: 'source' };
      if (read.condition) makeConditional(lock, read.condition);
      mergeLock(effect.locks, lock);
    }
  }
  return effect;
}

/**
 * A DO statement's effect together with its body's (`effects`: the DO's own first): every lock it
 * may take, what the trace and the replay compare with the engine, which sees the block as one statement.
 */
export function unionEffects(effects: StatementEffect[]): StatementEffect {
  const out: StatementEffect = { ...effects[0], locks: [], notes: [] };
  for (const e of effects) {
    for (const l of e.locks) mergeLock(out.locks, l);
    if (e.rewrite && !out.rewrite) Object.assign(out, { rewrite: true, target: e.target });
  }
  return out;
}

/** A finding's note on a may-take lock: this prefix, then the condition (the CLI's lock note says it already). */
export const TAKEN_ONLY = 'the lock is taken ';

/** The notes of a finding that cites a may-take lock: "the lock is taken only if the loop over users runs". */
export function conditionNotes(lock: { condition?: string }): string[] | undefined {
  return lock.condition ? [TAKEN_ONLY + lock.condition] : undefined;
}

function makeConditional(lock: RelationLock, condition: string): void {
  // A lock with a condition of its own (e.g. a foreign key check, per row written) keeps that
  // reason; what it takes for certain is certain no more when the statement itself may not run.
  if (!lock.condition) lock.condition = condition;
  delete lock.certainMode;
}

/** The mode a lock takes whatever the branches do (undefined: maybe none). */
export function certainMode(lock: RelationLock): LockMode | undefined {
  return lock.condition ? lock.certainMode : lock.mode;
}

function stronger(a: LockMode | undefined, b: LockMode | undefined): LockMode | undefined {
  if (!a) return b;
  if (!b) return a;
  return lockRank(b) > lockRank(a) ? b : a;
}

/**
 * Adds `lock` to `locks`, one entry per relation: the strongest mode either may take, certain
 * when a certain lock is that strong, else conditional (the stronger lock's reason) with the
 * strongest certain mode below it.
 */
export function mergeLock(locks: RelationLock[], lock: RelationLock): void {
  const prev = locks.find((l) => l.relation === lock.relation);
  if (!prev) {
    locks.push({ ...lock });
    return;
  }
  const sure = stronger(certainMode(prev), certainMode(lock));
  if (lockRank(lock.mode) > lockRank(prev.mode)) Object.assign(prev, { mode: lock.mode, harmless: lock.harmless, condition: lock.condition });
  if (!prev.harmless) delete prev.harmless;
  if (sure && lockRank(sure) >= lockRank(prev.mode)) {
    delete prev.condition;
    delete prev.certainMode;
  } else if (sure) {
    prev.certainMode = sure;
  } else {
    delete prev.certainMode;
  }
  if (!prev.condition) delete prev.condition;
}
