import { Rule } from './types';
import type { Transaction } from '../model/timeline';
import { unitSentence } from '../runners/apply';
import { headSpan } from './support/spans';
import { lineOf } from './support/context';
import { as } from '../parse/ast';

export const transactionNesting: Rule = {
  id: 'transaction-nesting',
  kinds: ['TransactionStmt'],
  defaultSeverity: 'warning',
  fixable: false,
  docs: {
    summary: 'BEGIN inside a transaction (or in a file assumed to run in one), and COMMIT/ROLLBACK in a file assumed to run in a transaction.',
    why:
      'PostgreSQL has no nested transactions: a second BEGIN only prints a warning, and the first COMMIT ends the outer ' +
      'transaction. Statements meant to be atomic then run in autocommit mode, and a later failure leaves the migration ' +
      'half applied. When the migration tool already wraps the file in a transaction (`assumeInTransaction`: Rails, ' +
      "Django, Flyway), a COMMIT in the file commits the tool's transaction early and the tool's own COMMIT has nothing left to commit.",
    safe:
      'Use one BEGIN ... COMMIT per transaction, and none when the migration tool wraps the file (disable the wrapping for ' +
      'the migration instead when it needs its own transactions, e.g. for CREATE INDEX CONCURRENTLY). Use SAVEPOINT for a nested scope.',
    bad: 'BEGIN;\nALTER TABLE users ADD COLUMN nickname text;\nBEGIN;\nALTER TABLE users ADD COLUMN bio text;\nCOMMIT;\nCOMMIT;',
    good: 'BEGIN;\nALTER TABLE users ADD COLUMN nickname text;\nALTER TABLE users ADD COLUMN bio text;\nCOMMIT;',
  },
  checkStatement(ctx, report) {
    const stmt = as(ctx.statement.node, 'TransactionStmt');
    if (!stmt || ctx.statement.container !== undefined) return;
    const tx = ctx.timeline.transaction;
    const kind = stmt.kind ?? '';
    const span = headSpan(ctx.file, ctx.statement);
    const begins = kind === 'TRANS_STMT_BEGIN' || kind === 'TRANS_STMT_START';
    if (begins && (ctx.timeline.nestedBegin || ctx.file.config.assumeInTransaction) && tx) {
      if (tx.implicit || ctx.file.config.assumeInTransaction) {
        report({
          statement: ctx.statement.index,
          span,
          message: "This BEGIN inside the migration's transaction only warns, and the file's COMMIT would end it early",
          help: "Remove BEGIN and COMMIT, or turn the tool's transaction off for this migration",
          notes: [wholeFile(tx)],
        });
      } else {
        const begin = ctx.file.statements[tx.begin ?? 0];
        report({
          statement: ctx.statement.index,
          span,
          message: `A transaction is already open (BEGIN on line ${lineOf(ctx.file, begin.span.start)}): this BEGIN is ignored`,
          help: 'Use SAVEPOINT for a nested scope',
          notes: ['PostgreSQL does not nest transactions: the next COMMIT ends the outer transaction'],
          related: [{ span: headSpan(ctx.file, begin), message: 'the open transaction begins here' }],
        });
      }
      return;
    }
    const ends = kind === 'TRANS_STMT_COMMIT' || kind === 'TRANS_STMT_ROLLBACK' || kind === 'TRANS_STMT_PREPARE';
    if (ends && tx?.implicit && tx.end === ctx.statement.index) {
      report({
        statement: ctx.statement.index,
        span,
        message: "This ends the migration tool's transaction early: the statements after it run outside any transaction",
        help: "Remove it, or turn the tool's transaction off for this migration",
        notes: [wholeFile(tx).replace(' already ', ' '), "the tool's own COMMIT has nothing to commit"],
      });
    }
  },
};

/** Who wraps the file in a transaction, for messages. */
function wholeFile(tx: Transaction | undefined): string {
  if (tx?.runner) return `The file already runs in a transaction (${unitSentence(tx.runner)})`;
  return 'The whole file already runs in one transaction (assumeInTransaction)';
}
