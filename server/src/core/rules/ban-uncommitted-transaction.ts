import { FileContext, ReportedFinding, Rule } from './types';
import type { Statement } from '../model/statements';
import { eol, insertAfterStatement } from './support/edits';
import { headSpan } from './support/spans';

export const banUncommittedTransaction: Rule = {
  id: 'ban-uncommitted-transaction',
  defaultSeverity: 'error',
  fixable: true,
  fixes: {
    'append-commit': {
      safety: 'suggestion',
      does: 'Appends COMMIT at the end of the file, or inserts it before the psql \\connect that ends the session first.',
      effect: 'the changes are committed; as written they are rolled back when the session ends',
    },
  },
  docs: {
    summary: 'BEGIN without a matching COMMIT (or ROLLBACK) before the end of the file.',
    why:
      'A transaction that is never committed keeps every lock it took (ACCESS EXCLUSIVE for most DDL) for as long as ' +
      'the session stays open: a migration tool that keeps the connection, or a psql script that goes on with other ' +
      'files, blocks the tables it touched. When the session does end, everything the migration did is silently rolled back.',
    safe:
      'End every transaction the file begins with COMMIT. The quick fix appends `COMMIT;` at the end of the file, or ' +
      'inserts it before a psql `\\connect`, which opens a new session and rolls the open transaction back.',
    bad: 'BEGIN;\nALTER TABLE users ADD COLUMN nickname text;',
    good: 'BEGIN;\nALTER TABLE users ADD COLUMN nickname text;\nCOMMIT;',
  },
  checkFile(file, report) {
    for (const tx of file.timeline.transactions) {
      if (tx.implicit || tx.begin === undefined || tx.end !== undefined) continue;
      const begin = file.statements[tx.begin];
      if (tx.disconnectedAt !== undefined) {
        reportDisconnected(file, begin, tx.disconnectedAt, report);
        continue;
      }
      const last = [...file.statements].reverse().find((s) => s.container === undefined);
      report({
        statement: begin.index,
        span: headSpan(file, begin),
        message: 'This transaction is never committed: its locks are held until the session ends, then its changes are rolled back',
        help: 'Add COMMIT at the end',
        fix: last
          ? {
              kind: 'append-commit',
              title: 'Append COMMIT',
              preferred: true,
              edits: [
                last.terminated
                  ? insertAfterStatement(file, last, ['COMMIT;'])
                  : { start: last.span.end, end: last.span.end, newText: `;${eol(file.text)}COMMIT;` },
              ],
            }
          : undefined,
      });
    }
  },
};

/** psql's `\connect` closes the session with the transaction still open: COMMIT goes before it. */
function reportDisconnected(file: FileContext, begin: Statement, at: number, report: (finding: ReportedFinding) => void): void {
  const line = file.lines.positionAt(at).line + 1;
  report({
    statement: begin.index,
    span: headSpan(file, begin),
    message: `This transaction is never committed: the \\connect on line ${line} ends its session and rolls it back`,
    help: 'Add COMMIT before the \\connect',
    fix: {
      kind: 'append-commit',
      title: 'Insert COMMIT before \\connect',
      preferred: true,
      edits: [{ start: at, end: at, newText: `COMMIT;${eol(file.text)}` }],
    },
  });
}
