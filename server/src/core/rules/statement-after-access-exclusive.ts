import { Rule, RelatedInfo, StatementContext } from './types';
import { as } from '../parse/ast';
import { isBatchedWrite } from './unbatched-backfill';
import { headSpan } from './support/spans';
import { lineOf } from './support/context';
import { unitSentence } from '../runners/apply';
import { RelationLock } from '../locks/model';
import { LockMode, lockRank } from '../locks/modes';
import { StateKey } from './support/state';

// What the current transaction holds: none is open at a boundary.
const HELD = new StateKey<Held | undefined>(() => undefined, { atBoundary: () => undefined });

interface Held {
  transaction: number;
  /** Relation → strongest mode this transaction holds on it, and the statement that first took ACCESS EXCLUSIVE. */
  locks: Map<string, { mode: LockMode; statement: number; condition?: string }>;
}

import { shown } from './support/messages';
import { TAKEN_ONLY } from '../locks/branches';
export const statementAfterAccessExclusive: Rule = {
  id: 'statement-after-access-exclusive',
  defaultSeverity: 'warning',
  fixable: false,
  docs: {
    summary: 'In a transaction, a statement that runs while an ACCESS EXCLUSIVE lock taken earlier in it is still held (slow ones are errors).',
    why:
      'Locks are held until the transaction ends. Once a statement took **ACCESS EXCLUSIVE** on a table (most ALTER TABLE ' +
      'forms, DROP, TRUNCATE, LOCK), no query can read or write that table until COMMIT, so every later statement in the ' +
      'transaction extends the outage. A statement that rewrites, scans, builds an index or changes rows keeps the table ' +
      'blocked for as long as it runs (reported as an error; an INSERT ... VALUES or an UPDATE/DELETE bounded to a batch, ' +
      'as unbatched-backfill defines it, is not counted as slow); one that needs a lock on another table may wait in that ' +
      "table's lock queue while the first table stays blocked (a warning, and a deadlock risk).",
    safe:
      'Keep the statement that takes ACCESS EXCLUSIVE alone in its transaction (or last in it), and run slow work and ' +
      'changes to other tables in separate transactions. Cheap catalog changes to the same table (ADD COLUMN without a ' +
      'rewrite, SET DEFAULT, RENAME, COMMENT, ...) are not flagged: they need no lock it does not already hold. ' +
      'Tables created in the same file are ignored: nobody else can be waiting for them.',
    bad: "BEGIN;\nALTER TABLE users ADD COLUMN plan text;\nUPDATE users SET plan = 'free';\nCOMMIT;",
    good:
      "BEGIN;\nALTER TABLE users ADD COLUMN plan text;\nALTER TABLE users ALTER COLUMN plan SET DEFAULT 'free';\nCOMMIT;\n" +
      "-- then backfill in batches, outside that transaction\nUPDATE users SET plan = 'free' WHERE id BETWEEN 1 AND 10000;",
  },
  checkStatement(ctx, report) {
    const tx = ctx.timeline.transaction;
    const state = ctx.file.state;
    if (!tx || ctx.statement.kind === 'TransactionStmt') {
      if (!tx) state.set(HELD, undefined);
      return;
    }
    let held = state.get(HELD);
    if (!held || held.transaction !== tx.id) {
      held = { transaction: tx.id, locks: new Map() };
      state.set(HELD, held);
    }
    const locks = ctx.effect.locks.filter((l) => !l.harmless && ctx.catalog.existedBeforeFile(l.relation));
    const exclusive = [...held.locks].find(([, h]) => h.mode === 'ACCESS EXCLUSIVE');
    if (exclusive) {
      const effect = ctx.effect;
      const slow =
        (effect.rewrite ||
          effect.scan ||
          effect.indexBuild ||
          (effect.dataChange && !insertsValues(ctx) && !isBatchedWrite(ctx.statement.node, ctx.catalog))) &&
        !effect.onlyNewObjects;
      const waits = locks.filter((l) => !alreadyCovered(ctx, held!, l));
      if (slow || waits.length) report(finding(ctx, exclusive[0], exclusive[1], slow, waits));
    }
    for (const l of locks) {
      const previous = held.locks.get(l.relation);
      if (!previous || lockRank(l.mode) > lockRank(previous.mode)) {
        const kept = previous && previous.mode === 'ACCESS EXCLUSIVE';
        held.locks.set(l.relation, {
          mode: l.mode,
          statement: kept ? previous.statement : ctx.statement.index,
          ...(kept ? { condition: previous.condition } : l.condition ? { condition: l.condition } : {}),
        });
      }
    }
  },
};

/** `INSERT ... VALUES`: a few rows, not slow (INSERT ... SELECT is). */
function insertsValues(ctx: StatementContext): boolean {
  const insert = as(ctx.statement.node, 'InsertStmt');
  const select = as(insert?.selectStmt, 'SelectStmt');
  return !!select?.valuesLists?.length;
}

/** True when the transaction already holds this lock (or ACCESS EXCLUSIVE on the table of this index: nobody can be using it). */
function alreadyCovered(ctx: StatementContext, held: Held, lock: RelationLock): boolean {
  const mine = held.locks.get(lock.relation);
  if (mine && lockRank(mine.mode) >= lockRank(lock.mode)) return true;
  const table = ctx.catalog.indexes.get(lock.relation)?.table ?? (lock.role.endsWith('index') ? ctx.effect.target : undefined);
  return !!table && held.locks.get(table)?.mode === 'ACCESS EXCLUSIVE';
}

function finding(ctx: StatementContext, table: string, exclusive: { statement: number; condition?: string }, slow: boolean, waits: RelationLock[]) {
  const file = ctx.file;
  const lockedAt = exclusive.statement;
  const tx = ctx.timeline.transaction!;
  const lockStmt = file.statements[lockedAt];
  const taken = exclusive.condition ? `may be taken here (${exclusive.condition})` : 'is taken here';
  const related: RelatedInfo[] = [{ span: headSpan(file, lockStmt), message: `ACCESS EXCLUSIVE on ${table} ${taken}` }];
  let until: string;
  if (tx.implicit && tx.runner) until = `until the end of the migration (${unitSentence(tx.runner)})`;
  else if (tx.implicit) until = 'until the end of the migration (the whole file runs in one transaction)';
  else if (tx.end === undefined) until = 'and the transaction is never committed';
  else {
    const end = file.statements[tx.end];
    const word = tx.endKind === 'rollback' ? 'ROLLBACK' : 'COMMIT';
    until = `until the ${word} on line ${lineOf(file, end.span.start)}`;
    related.push({ span: headSpan(file, end), message: `the lock on ${table} is released here` });
  }
  const effect = ctx.effect;
  const target = shown(effect.target ?? waits[0]?.relation ?? table);
  const work = effect.rewrite
    ? `rewrites ${target}`
    : effect.indexBuild
      ? `builds an index on ${target}`
      : effect.dataChange
        ? `changes rows of ${target}`
        : `scans ${target}`;
  const where = `taken on line ${lineOf(file, lockStmt.span.start)}${exclusive.condition ? `, ${exclusive.condition}` : ''}`;
  const notes = [`ACCESS EXCLUSIVE on ${table} (${where}) is held ${until}`];
  if (!slow && waits[0].condition) notes.push(TAKEN_ONLY + waits[0].condition);
  if (!slow && waits[0].role.endsWith('index') && !ctx.catalog.indexes.has(waits[0].relation))
    notes.push(`the table of index ${waits[0].relation} is not known from the migration history`);
  const locked = exclusive.condition ? 'which may be locked' : 'locked';
  const message = slow
    ? `Queries on ${shown(table)}, ${locked} ACCESS EXCLUSIVE, wait while this ${work}`
    : `If ${shown(waits[0].relation)} is busy, every query on ${shown(table)} queues while this ${waits[0].condition ? 'may wait' : 'waits'} for ${waits[0].mode} on it`;
  return {
    statement: ctx.statement.index,
    span: headSpan(file, ctx.statement),
    message,
    help: 'Run it in a separate transaction',
    notes,
    related,
    ...(slow ? { severity: 'error' as const } : {}),
  };
}
