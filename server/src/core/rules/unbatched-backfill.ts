import { Node, as, nameList } from '../parse/ast';
import { Catalog } from '../model/catalog';
import { Rule } from './types';
import { assumptionNotes } from './support/context';
import { keywordSpan, headSpan, relationSpan, join } from './support/spans';

import { shown } from './support/messages';
export const unbatchedBackfill: Rule = {
  id: 'unbatched-backfill',
  kinds: ['UpdateStmt', 'DeleteStmt'],
  defaultSeverity: 'warning',
  fixable: false,
  docs: {
    summary: 'UPDATE or DELETE of an existing table without a WHERE clause that bounds it to a batch.',
    why:
      'One UPDATE or DELETE over a whole table locks every row it changes (against other UPDATEs, DELETEs and SELECT ... ' +
      'FOR UPDATE) until it commits, which on a large table means minutes of blocked writes; it runs as one huge ' +
      'transaction that generates WAL faster than replicas replay it, bloats the table, and when it fails or is cancelled ' +
      "all of its work is rolled back. Inside the migration's transaction it also prolongs every other lock held there.",
    safe:
      'Backfill in batches of a few thousand rows, each in its own transaction (a loop in a script or a `DO` block with ' +
      'COMMIT in a procedure). A WHERE counts as bounding the statement when one of its top-level AND terms is: ' +
      '`col BETWEEN a AND b`; a lower *and* an upper bound on the same column (`id >= 1000 AND id < 2000`); ' +
      '`col IN (1, 2, 3)` or `col = ANY(...)` with a list or an array; `col IN (SELECT ... LIMIT n)` (a subquery with LIMIT); ' +
      'or `col = value` on every column of the primary key, a UNIQUE constraint or a unique index (a column named `id` when ' +
      'the table is not known), which bounds it to one row; or an OR of such terms. Anything else (`WHERE status IS NULL`, ' +
      '`WHERE created_at < now()`) may still touch every row. Tables created earlier in the same file are not flagged.',
    bad: "UPDATE users SET plan = 'free' WHERE plan IS NULL;",
    good: "UPDATE users SET plan = 'free'\nWHERE id IN (SELECT id FROM users WHERE plan IS NULL LIMIT 5000);",
  },
  checkStatement(ctx, report) {
    const update = as(ctx.statement.node, 'UpdateStmt');
    const del = as(ctx.statement.node, 'DeleteStmt');
    const stmt = update ?? del;
    const table = ctx.catalog.key(stmt?.relation);
    // A system catalog (lemmy's UPDATE pg_index) is no table to backfill: the lock model says what writing it means.
    if (!stmt || !table || !ctx.catalog.existedBeforeFile(table) || ctx.catalog.isSystemCatalog(table)) return;
    if (stmt.whereClause && isBounded(stmt.whereClause, keySets(ctx.catalog, table))) return;
    const verb = update ? 'UPDATE' : 'DELETE';
    const keyword = keywordSpan(ctx.file, ctx.statement, verb);
    const name = relationSpan(ctx.file, ctx.statement, stmt.relation);
    const span = keyword && name ? join(keyword, name) : (keyword ?? headSpan(ctx.file, ctx.statement));

    report({
      statement: ctx.statement.index,
      span,
      message: stmt.whereClause
        ? `${verb} of ${shown(table)} may change every row in one transaction: its WHERE bounds no batch`
        : `${verb} of ${shown(table)} without WHERE changes every row in one transaction`,
      help: 'Backfill in batches (e.g. WHERE id IN (SELECT id ... LIMIT 5000)), one transaction each',
      notes: [
        'it locks each changed row until it commits and produces a burst of WAL and dead rows',
        ...((!ctx.catalog.relation(table) && assumptionNotes(ctx.file)) || []),
      ],
    });
  },
};

/** True for an UPDATE or DELETE whose WHERE bounds it to a batch (see the docs above). */
export function isBatchedWrite(node: Node | undefined, catalog: Catalog): boolean {
  const stmt = as(node, 'UpdateStmt') ?? as(node, 'DeleteStmt');
  return !!stmt?.whereClause && isBounded(stmt.whereClause, keySets(catalog, catalog.key(stmt?.relation)));
}

/**
 * Column sets that identify one row: primary keys, UNIQUE constraints, and unique indexes on plain
 * columns without a predicate (a column named `id` when the table or its columns are not known).
 */
function keySets(catalog: Catalog, table: string | undefined): string[][] {
  const rel = catalog.relation(table);
  if (!rel || !table) return [['id']];
  const keys = catalog
    .constraintsOf(table)
    .filter((c) => c.type === 'primary' || c.type === 'unique')
    .map((c) => c.columns);
  for (const idx of catalog.indexesOf(table)) if (idx.unique && !idx.partial && !idx.uses?.length && idx.columns.length) keys.push(idx.columns);
  // Columns unknown (CREATE TABLE AS, LIKE): its keys are too, so the conventional id stands in.
  return keys.length || rel.columns.size ? keys : [['id']];
}

/** Top-level AND terms of a WHERE clause. */
function conjuncts(expr: Node): Node[] {
  const b = as(expr, 'BoolExpr');
  if (b?.boolop === 'AND_EXPR') return (b.args ?? []).flatMap(conjuncts);
  return [expr];
}

function column(n: Node | undefined): string | undefined {
  const ref = as(n, 'ColumnRef');
  const fields = nameList(ref?.fields);
  return fields[fields.length - 1];
}

function hasLimit(select: Node | undefined): boolean {
  const s = as(select, 'SelectStmt');
  if (!s) return false;
  // Only the subquery's own LIMIT counts (not one inside a CTE or a UNION branch): simple to explain.
  return !!s.limitCount;
}

function isBounded(where: Node, keys: string[][]): boolean {
  const lower = new Set<string>();
  const upper = new Set<string>();
  const equal = new Set<string>();
  for (const term of conjuncts(where)) {
    // `key = 1 OR key = 2`: every branch bounded.
    const or = as(term, 'BoolExpr');
    if (or?.boolop === 'OR_EXPR' && (or.args ?? []).every((arg) => isBounded(arg, keys))) return true;
    const e = as(term, 'A_Expr');
    const sub = as(term, 'SubLink');
    if (sub) {
      if (sub.subLinkType === 'ANY_SUBLINK' && column(sub.testexpr) && hasLimit(sub.subselect)) return true;
      continue;
    }
    if (!e) continue;
    const col = column(e.lexpr);
    const op = nameList(e.name)[0];
    switch (e.kind) {
      case 'AEXPR_BETWEEN':
      case 'AEXPR_BETWEEN_SYM':
        if (col) return true;
        break;
      case 'AEXPR_IN':
        if (col && op === '=') return true;
        break;
      case 'AEXPR_OP_ANY': {
        // `= ANY($1)` / `= ANY(ARRAY[...])`; `= ANY(ARRAY(SELECT ...))` only with a LIMIT.
        const sub = as(e.rexpr, 'SubLink');
        if (col && op === '=' && (!sub || hasLimit(sub.subselect))) return true;
        break;
      }
      case 'AEXPR_OP': {
        const right = column(e.rexpr);
        // `5 < id` is `id > 5`.
        const [c, o] = col ? [col, op] : right ? [right, flip(op)] : [undefined, op];
        if (!c) break;
        if (o === '>' || o === '>=') lower.add(c);
        else if (o === '<' || o === '<=') upper.add(c);
        else if (o === '=' && !(col && right)) equal.add(c);
        // Every column of a key equal to a value: one row at most.
        if (keys.some((k) => k.every((kc) => equal.has(kc)))) return true;
        if (lower.has(c) && upper.has(c)) return true;
        break;
      }
      default:
        break;
    }
  }
  return false;
}

function flip(op: string | undefined): string | undefined {
  return op === '<' ? '>' : op === '>' ? '<' : op === '<=' ? '>=' : op === '>=' ? '<=' : op;
}
