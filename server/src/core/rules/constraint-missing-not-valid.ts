import { T, as, asAlterTableCmd, asColumnDef, asConstraint } from '../parse/ast';
import { Transaction } from '../model/timeline';
import { lockRank } from '../locks/modes';
import { Rule, StatementContext, Fix, ReportedFinding } from './types';
import { moveInlineConstraint } from '../fixes/inlineConstraint';
import { addedConstraintName } from './support/constraintNames';
import { lineOf, mentionsRelation, validateWhere } from './support/context';
import { headSpan, constraintSpan, commandSpans } from './support/spans';
import { quoteIdent, relationSql } from './support/names';
import { fixOrWithheld, insertAfterTransaction, removeStatement } from '../fixes/placement';
import { Span } from '../text/positions';
import { StateKey } from './support/state';

interface NotValidAdd {
  statement: number;
  span: Span;
  transaction?: Transaction;
}

type Report = (finding: ReportedFinding) => void;

/** Constraints added NOT VALID earlier in this file, by table and name. */
// An add only matters to a VALIDATE in its own transaction: none is open at a boundary.
const NOT_VALID_ADDS = new StateKey(() => new Map<string, NotValidAdd>(), { atBoundary: () => new Map<string, NotValidAdd>() });

import { shown } from './support/messages';
export const constraintMissingNotValid: Rule = {
  id: 'constraint-missing-not-valid',
  defaultSeverity: 'error',
  fixable: true,
  fixes: {
    'not-valid': {
      safety: 'safe',
      does: 'Adds the CHECK constraint NOT VALID, then VALIDATE CONSTRAINT after the transaction.',
      effect: 'the constraint ends validated, as the original leaves it, and no row is changed',
    },
    'inline-check': {
      safety: 'safe',
      does: 'Takes the CHECK out of ADD COLUMN, adds it by name NOT VALID right after, then VALIDATE CONSTRAINT after the transaction.',
      effect: 'the column and a validated constraint of the same name end as the original leaves them, and no row is changed',
    },
    'move-validate': {
      safety: 'safe',
      does: 'Moves VALIDATE CONSTRAINT after the COMMIT of the transaction that added the constraint NOT VALID.',
      effect: 'nothing later in the transaction touches the table, so the same statements have the same effect',
    },
  },
  docs: {
    summary:
      'ADD CONSTRAINT ... CHECK (or a CHECK written in ADD COLUMN) on an existing table without NOT VALID, and VALIDATE CONSTRAINT in the same transaction that added the constraint NOT VALID.',
    why:
      'Adding a CHECK constraint takes an **ACCESS EXCLUSIVE** lock on the table and keeps it while every row is ' +
      'read to prove the constraint holds: on a large table, reads and writes stop for the whole scan. A CHECK written ' +
      'inline in `ADD COLUMN` does the same: every existing row is read, even when the new column is NULL in all of them ' +
      '(and a DEFAULT that violates it fails the statement after the scan). ' +
      'Adding it `NOT VALID` and validating it in the same transaction is no better: the ACCESS EXCLUSIVE lock of the ' +
      'ADD is held until COMMIT, through the validation scan.',
    safe:
      'Add the constraint `NOT VALID` (new and updated rows are checked from then on; the lock lasts an instant), ' +
      'commit, then run `ALTER TABLE ... VALIDATE CONSTRAINT`: validation takes only SHARE UPDATE EXCLUSIVE, so reads ' +
      'and writes continue during the scan. A column constraint cannot be NOT VALID: add the column without it, then the ' +
      'constraint by name. Tables created earlier in the same migration are not flagged.',
    bad: 'ALTER TABLE orders ADD CONSTRAINT orders_total_positive CHECK (total >= 0);',
    good:
      'ALTER TABLE orders ADD CONSTRAINT orders_total_positive CHECK (total >= 0) NOT VALID;\n' +
      'ALTER TABLE orders VALIDATE CONSTRAINT orders_total_positive;',
  },
  checkStatement(ctx, report) {
    const stmt = as(ctx.statement.node, 'AlterTableStmt');
    const table = ctx.catalog.key(stmt?.relation);
    if (!stmt || !table || stmt.objtype !== 'OBJECT_TABLE') return;
    (stmt.cmds ?? []).forEach((c, i) => {
      const cmd = asAlterTableCmd(c);
      if (cmd?.subtype === 'AT_AddConstraint') addedCheck(ctx, stmt, table, cmd, report);
      else if (cmd?.subtype === 'AT_AddColumn' && ctx.catalog.existedBeforeFile(table)) {
        const col = asColumnDef(cmd.def);
        for (const con of (col?.constraints ?? []).map(asConstraint)) if (col && con?.contype === 'CONSTR_CHECK') inlineCheck(ctx, stmt, col, con, report);
      } else if (cmd?.subtype === 'AT_ValidateConstraint' && cmd.name) validateInSameTransaction(ctx, stmt, table, cmd.name, i, report);
    });
  },
};

/** ADD CONSTRAINT ... CHECK without NOT VALID; records the NOT VALID adds (CHECK and foreign key) for VALIDATE. */
function addedCheck(ctx: StatementContext, stmt: T.AlterTableStmt, table: string, cmd: T.AlterTableCmd, report: Report) {
  const con = asConstraint(cmd.def);
  if (con?.contype !== 'CONSTR_CHECK' && con?.contype !== 'CONSTR_FOREIGN') return;
  const name = con.conname ?? addedConstraintName(ctx, con);
  const span = constraintSpan(ctx.file, ctx.statement, con.location);
  if (con.skip_validation) {
    ctx.file.state.get(NOT_VALID_ADDS).set(key(table, name), { statement: ctx.statement.index, span, transaction: ctx.timeline.transaction });
    return;
  }
  if (con.contype !== 'CONSTR_CHECK' || !ctx.catalog.existedBeforeFile(table)) return;
  report({
    statement: ctx.statement.index,
    span,
    message: `CHECK ${shown(name)} scans every row of ${shown(table)} while it blocks reads and writes`,
    help: `Add it NOT VALID, then VALIDATE CONSTRAINT ${validateWhere(ctx)}`,
    ...fixOrWithheld(
      ctx,
      notValidFix(ctx, stmt, name, span),
      'Add the CHECK constraint NOT VALID, then VALIDATE it after the transaction',
      'VALIDATE must run after the transaction that adds it',
    ),
  });
}

/** VALIDATE CONSTRAINT in the transaction whose earlier statement added the constraint NOT VALID. */
function validateInSameTransaction(ctx: StatementContext, stmt: T.AlterTableStmt, table: string, name: string, index: number, report: Report) {
  const add = ctx.file.state.get(NOT_VALID_ADDS).get(key(table, name));
  const tx = ctx.timeline.transaction;
  if (!add || !tx || add.transaction !== tx || !ctx.catalog.existedBeforeFile(table)) return;
  const addLock = ctx.file.effects[add.statement]?.locks.find((l) => l.relation === table);
  const mode = addLock && lockRank(addLock.mode) >= lockRank('SHARE') ? addLock.mode : 'ACCESS EXCLUSIVE';
  const span = commandSpans(ctx.file, ctx.statement, stmt)?.[index] ?? headSpan(ctx.file, ctx.statement);
  report({
    statement: ctx.statement.index,
    span,
    message: `Validating ${shown(name)} in the transaction that added it keeps ${shown(table)} locked through the scan`,
    help: `Validate ${validateWhere(ctx)}`,
    notes: [
      `${name} was added NOT VALID on line ${lineOf(ctx.file, add.span.start)}: the ${mode} lock taken there is held until the transaction ends, so NOT VALID gains nothing`,
    ],
    related: [{ span: add.span, message: `${name} is added NOT VALID here, in the same transaction` }],
    fix: (stmt.cmds ?? []).length === 1 ? moveValidateFix(ctx, table) : undefined,
  });
}

const INLINE_TITLE = 'Add the column, then the CHECK constraint NOT VALID, then VALIDATE it after the transaction';

/** A CHECK written in ADD COLUMN: PostgreSQL checks every existing row (measured, even when the new column is NULL in all). */
function inlineCheck(ctx: StatementContext, stmt: T.AlterTableStmt, col: T.ColumnDef, con: T.Constraint, report: Report) {
  const table = ctx.catalog.key(stmt.relation)!;
  const name = con.conname ?? addedConstraintName(ctx, con);
  const fix = moveInlineConstraint(ctx, { con, alter: stmt, name, keyword: 'CHECK', prefix: '' }, 'inline-check', INLINE_TITLE);
  report({
    statement: ctx.statement.index,
    span: constraintSpan(ctx.file, ctx.statement, con.location),
    message: `Column ${shown(col.colname ?? '')} CHECK scans every row of ${shown(table)} while it blocks reads and writes`,
    help: `An inline CHECK cannot be NOT VALID: add the column, then the constraint NOT VALID, then VALIDATE it ${validateWhere(ctx)}`,
    ...fixOrWithheld(ctx, fix, INLINE_TITLE, 'VALIDATE must run after the transaction that adds it'),
  });
}

function key(table: string, name: string): string {
  return `${table}\u0000${name}`;
}

function notValidFix(ctx: StatementContext, stmt: T.AlterTableStmt, name: string, clause: Span): Fix | undefined {
  const validate = insertAfterTransaction(ctx, [`ALTER TABLE ${relationSql(stmt.relation)} VALIDATE CONSTRAINT ${quoteIdent(name)};`]);
  if (!validate) return undefined;
  return {
    kind: 'not-valid',
    title: 'Add the CHECK constraint NOT VALID, then VALIDATE it after the transaction',
    preferred: true,
    edits: [{ start: clause.end, end: clause.end, newText: ' NOT VALID' }, validate],
  };
}

/** Moves a lone VALIDATE CONSTRAINT statement after the COMMIT, when nothing after it in the transaction touches the table. */
function moveValidateFix(ctx: StatementContext, table: string): Fix | undefined {
  const tx = ctx.timeline.transaction;
  if (!tx || tx.implicit || tx.end === undefined || ctx.statement.container !== undefined) return undefined;
  for (let k = ctx.statement.index + 1; k < tx.end; k++) {
    if (mentionsRelation(ctx.file.statements[k].node, table)) return undefined;
  }
  const text = ctx.file.text.slice(ctx.statement.span.start, ctx.statement.span.end);
  const insert = insertAfterTransaction(ctx, [text + ';']);
  if (!insert) return undefined;
  return {
    kind: 'move-validate',
    title: 'Move VALIDATE CONSTRAINT after the COMMIT',
    preferred: true,
    edits: [removeStatement(ctx.file, ctx.statement), insert],
  };
}
