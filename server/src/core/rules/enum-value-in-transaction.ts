import { as, nameList } from '../parse/ast';
import { Rule } from './types';
import { keywordSpan, headSpan, extendToToken } from './support/spans';
import { runnerAdvice, runnerTransactionWords } from '../runners/apply';
import { StateKey } from './support/state';

/** Enum types created in this file, with the transaction that created them (-1: none). */
// An entry only matters to an ADD VALUE in the same transaction: none is open at a boundary.
const CREATED = new StateKey(() => new Map<string, number>(), { atBoundary: () => new Map<string, number>() });

import { clause, shown } from './support/messages';
export const enumValueInTransaction: Rule = {
  id: 'enum-value-in-transaction',
  defaultSeverity: 'warning',
  fixable: false,
  docs: {
    summary: 'ALTER TYPE ... ADD VALUE inside a transaction block.',
    why:
      'Before PostgreSQL 12, `ALTER TYPE ... ADD VALUE` cannot run inside a transaction block at all: the migration ' +
      'fails. From 12 on it can, but the new value cannot be used until the transaction commits ("unsafe use of new ' +
      'value"), so a later statement of the same migration that inserts or compares it fails. The statement takes an ' +
      'EXCLUSIVE lock on the type.',
    safe:
      'Add enum values in their own migration (or after the COMMIT), outside a transaction block, and use them in a ' +
      'later one. From PostgreSQL 12 on this holds for an enum type created in the same transaction too: its new value ' +
      'is just as unusable before COMMIT. Before 12, adding a value to a type created in the same transaction is allowed ' +
      'and not flagged.',
    bad: "BEGIN;\nALTER TYPE mood ADD VALUE 'curious';\nCOMMIT;",
    good: "ALTER TYPE mood ADD VALUE IF NOT EXISTS 'curious';",
  },
  checkStatement(ctx, report) {
    const node = ctx.statement.node;
    const tx = ctx.timeline.transaction;
    const created = ctx.file.state.get(CREATED);
    const create = as(node, 'CreateEnumStmt');
    if (create) {
      created.set(typeKey(nameList(create.typeName)), tx?.id ?? -1);
      return;
    }
    const stmt = as(node, 'AlterEnumStmt');
    if (!stmt?.newVal || stmt.oldVal || !tx) return;
    const type = nameList(stmt.typeName);
    // Before 12 PostgreSQL lets a type created in this transaction take new values (AlterEnum in
    // PostgreSQL 11); from 12 check_safe_enum_use rejects using them before COMMIT all the same.
    if (created.get(typeKey(type)) === tx.id && ctx.file.config.pgVersion < 12) return;
    const add = keywordSpan(ctx.file, ctx.statement, 'ADD', 'VALUE');
    const runner = tx.implicit ? tx.runner : undefined;
    const where = runner
      ? runnerTransactionWords(runner)
      : tx.implicit
        ? 'the transaction the whole file runs in (assumeInTransaction)'
        : 'a transaction block';
    const fails = ctx.file.config.pgVersion < 12;
    report({
      statement: ctx.statement.index,
      span: add ? extendToToken(ctx.file, ctx.statement, add, (t) => t.kind === 'SCONST') : headSpan(ctx.file, ctx.statement),
      // Before 12 the migration fails: an error, whatever the rule's default.
      ...(fails ? { severity: 'error' as const } : {}),
      message: fails
        ? `ALTER TYPE ${shown(type.join('.'))} ADD VALUE fails inside a transaction before PostgreSQL 12`
        : `The new value '${shown(stmt.newVal, 30)}' of ${shown(type.join('.'))} cannot be used until the transaction commits`,
      help: runner ? clause(runnerAdvice(runner)) : 'Add it in its own migration, outside a transaction',
      notes: [`it runs inside ${where}`],
    });
  },
};

function typeKey(names: string[]): string {
  return names[names.length - 1] ?? '';
}
