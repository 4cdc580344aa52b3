/** Questions rules ask about a statement's surroundings, in words: which transaction, where to validate, what was assumed. */
import { qualify } from '../../model/searchPath';
import { FileContext, StatementContext } from '../types';

/** The read key of line numbers (`FileContext.noteRead`). */
export const LINE_NUMBERS = 'line-numbers';

export function lineOf(file: FileContext, offset: number): number {
  // A line number in a finding's text moves with an edit above it (incremental analysis).
  file.noteRead?.(LINE_NUMBERS);
  return file.lines.positionAt(offset).line + 1;
}

/** The "without history" disclaimer of a conservative verdict, as a finding's note. */
export function assumptionNotes(file: FileContext): string[] | undefined {
  return file.hasHistory ? undefined : ['no schema history found: assuming the table has data'];
}

/** ' outside the transaction block (...)' when the statement runs inside one, for advice about CONCURRENTLY forms. */
export function outsideTransactionHint(ctx: StatementContext): string {
  return ctx.timeline.transaction || ctx.statement.container !== undefined ? ' outside the transaction block (it cannot run inside one)' : '';
}

/** Where a VALIDATE CONSTRAINT should run, in words: after the COMMIT, in a later migration, or separately. */
export function validateWhere(ctx: StatementContext): string {
  const tx = ctx.timeline.transaction;
  if (tx?.implicit) return 'in a later migration (this file runs in one transaction)';
  if (tx || ctx.statement.container !== undefined) return 'after the COMMIT';
  return 'in a separate statement';
}

/**
 * True when a statement's AST names relation `name` (a catalog key) anywhere (as a target, a source,
 * a referenced table): by its key, or by its bare name (which search_path may resolve to it).
 */
export function mentionsRelation(node: unknown, name: string): boolean {
  if (Array.isArray(node)) return node.some((n) => mentionsRelation(n, name));
  if (!node || typeof node !== 'object') return false;
  const record = node as Record<string, unknown>;
  if (
    typeof record.relname === 'string' &&
    (record.relname === name || qualify(record.schemaname as string | undefined, record.relname) === name || name.endsWith(`.${record.relname}`))
  )
    return true;
  return Object.values(record).some((v) => typeof v === 'object' && mentionsRelation(v, name));
}
