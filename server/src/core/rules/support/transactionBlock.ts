/**
 * Statements PostgreSQL refuses inside a transaction block (the CONCURRENTLY forms, VACUUM,
 * CREATE DATABASE, ...): where such a statement sits, what to do instead, and what to point at.
 */
import type { RelatedInfo, StatementContext } from '../types';
import { runnerAdvice } from '../../runners/apply';
import { clause, inRunnerTransaction } from './messages';
import { headSpan } from './spans';
import { lineOf } from './context';

export interface BlockedPlace {
  /** "inside the transaction block begun on line 3", for "<statement> fails <where>". */
  where: string;
  help: string;
  related: RelatedInfo[];
}

/** Undefined when the statement runs outside any transaction block. */
export function blockedPlace(ctx: StatementContext): BlockedPlace | undefined {
  const file = ctx.file;
  const tx = ctx.timeline.transaction;
  if (ctx.statement.container !== undefined) {
    const container = file.statements[ctx.statement.container];
    return {
      where: 'inside a DO block, which runs in a transaction',
      help: 'Run it as a top-level statement, outside any transaction block',
      related: [{ span: headSpan(file, container), message: 'the DO block runs as one statement, in a transaction' }],
    };
  }
  if (!tx) return undefined;
  if (tx.implicit && tx.runner) return { where: `here: ${inRunnerTransaction(tx.runner)}`, help: clause(runnerAdvice(tx.runner)), related: [] };
  if (tx.implicit) {
    return {
      where: 'in a file that runs in one transaction (assumeInTransaction)',
      help: 'Put it in a migration of its own that runs without a transaction',
      related: [],
    };
  }
  const begin = file.statements[tx.begin!];
  return {
    where: `inside the transaction block begun on line ${lineOf(file, begin.span.start)}`,
    help: 'Run it after the COMMIT, or in a migration of its own without a transaction',
    related: [{ span: headSpan(file, begin), message: 'the transaction block begins here' }],
  };
}
