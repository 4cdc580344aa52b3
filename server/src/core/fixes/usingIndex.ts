/**
 * The fix shared by disallowed-unique-constraint and adding-primary-key-constraint: build the index
 * first with CREATE UNIQUE INDEX CONCURRENTLY (outside any transaction block, before the ALTER),
 * then attach it with `ADD CONSTRAINT <name> {UNIQUE | PRIMARY KEY} USING INDEX <name>`.
 */
import { T, asAlterTableCmd, asColumnDef, nameList } from '../parse/ast';
import { addedConstraintName, namesFreedBy } from '../rules/support/constraintNames';
import { chooseName } from '../model/catalog';
import { Fix, StatementContext, WithheldFix } from '../rules/types';
import { quoteIdent, relationSql } from '../rules/support/names';
import { insertBeforeTransaction, noOutsidePlaceReason } from './placement';
import { Span } from '../text/positions';
import { constraintClauseSpan, headSpan } from '../rules/support/spans';

/**
 * Why the USING INDEX form cannot replace this constraint as written (undefined when it can):
 * index options the fix would have to copy, or a partitioned table (no CONCURRENTLY there).
 */
export function usingIndexObstacle(ctx: StatementContext, table: string, con: T.Constraint): string | undefined {
  if (ctx.catalog.relation(table)?.kind === 'partitioned') return `${table} is partitioned: its indexes cannot be built CONCURRENTLY`;
  if (con.options?.length || con.indexspace) return 'the constraint sets index storage options';
  if (!con.keys?.length) return 'the constraint has no column list';
  return undefined;
}

/** The fix, or why there is none (in words, for the message). */
export function usingIndexFix(ctx: StatementContext, stmt: T.AlterTableStmt, con: T.Constraint, clause: Span | undefined): Fix | string {
  const table = ctx.catalog.key(stmt.relation);
  if (!table || !clause) return 'the statement could not be located';
  const obstacle = usingIndexObstacle(ctx, table, con);
  if (obstacle) return obstacle;
  const keys = nameList(con.keys);
  // A key column added by this same statement does not exist yet when the index is built.
  for (const c of stmt.cmds ?? []) {
    const cmd = asAlterTableCmd(c);
    if (cmd?.subtype === 'AT_AddColumn' && keys.includes(asColumnDef(cmd.def)?.colname ?? '')) return 'a key column is added by this same statement';
  }
  const name = addedConstraintName(ctx, con);
  // When this statement first drops the constraint that holds the name, the index is built under
  // another name: USING INDEX renames it to the constraint's name.
  const droppedHere = namesFreedBy(ctx, table, stmt).has(name);
  const taken = (n: string) => ctx.catalog.relationNameTaken(ctx.catalog.siblingKey(table, n) ?? n);
  const indexName = droppedHere || taken(name) ? chooseName(name, [], 'new', taken) : name;
  const primary = con.contype === 'CONSTR_PRIMARY';
  const include = con.including?.length ? ` INCLUDE (${nameList(con.including).map(quoteIdent).join(', ')})` : '';
  const nulls = con.nulls_not_distinct ? ' NULLS NOT DISTINCT' : '';
  const create =
    `CREATE UNIQUE INDEX CONCURRENTLY ${quoteIdent(indexName)} ON ${relationSql(stmt.relation)} ` + `(${keys.map(quoteIdent).join(', ')})${include}${nulls};`;
  const before = insertBeforeTransaction(ctx, [create], table);
  if (!before) {
    const tx = ctx.timeline.transaction;
    if (tx && !tx.implicit && ctx.statement.container === undefined) {
      return `the index must be built before the transaction, and an earlier statement in it changes ${table}`;
    }
    return `the index must be built outside a transaction block, and ${noOutsidePlaceReason(ctx).replace(/^it is /, 'this statement is ')}`;
  }
  const attrs = (con.deferrable ? ' DEFERRABLE' : '') + (con.initdeferred ? ' INITIALLY DEFERRED' : '');
  const replacement = `CONSTRAINT ${quoteIdent(name)} ${primary ? 'PRIMARY KEY' : 'UNIQUE'} USING INDEX ${quoteIdent(indexName)}${attrs}`;
  return {
    kind: 'using-index',
    title: `Build the index with CREATE UNIQUE INDEX CONCURRENTLY, then ADD ${primary ? 'PRIMARY KEY' : 'UNIQUE'} USING INDEX`,
    preferred: true,
    edits: [before, { start: clause.start, end: clause.end, newText: replacement }],
  };
}

/**
 * What both rules report for `ADD CONSTRAINT ... {UNIQUE | PRIMARY KEY}`: the constraint's name, its
 * clause, and the USING INDEX fix or (`noFix`) why there is none.
 */
export function usingIndexFinding(
  ctx: StatementContext,
  stmt: T.AlterTableStmt,
  con: T.Constraint,
): { name: string; span: Span; fix?: Fix; noFix?: string; withheld?: WithheldFix } {
  const clause = constraintClauseSpan(ctx.file, ctx.statement, con.location);
  const fix = usingIndexFix(ctx, stmt, con, clause);
  const span = clause ?? headSpan(ctx.file, ctx.statement);
  const name = addedConstraintName(ctx, con);
  if (typeof fix !== 'string') return { name, span, fix };
  const primary = con.contype === 'CONSTR_PRIMARY';
  const title = `Build the index with CREATE UNIQUE INDEX CONCURRENTLY, then ADD ${primary ? 'PRIMARY KEY' : 'UNIQUE'} USING INDEX`;
  return { name, span, noFix: fix, withheld: { title, reason: fix } };
}
