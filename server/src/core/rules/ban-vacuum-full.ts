import { T, as, asDefElem } from '../parse/ast';
import { Rule } from './types';
import { keywordSpan, headSpan, locationSpan } from './support/spans';

import { shownList } from './support/messages';
export const banVacuumFull: Rule = {
  id: 'ban-vacuum-full',
  kinds: ['VacuumStmt'],
  defaultSeverity: 'error',
  fixable: false,
  docs: {
    summary: 'VACUUM FULL, which rewrites the table under ACCESS EXCLUSIVE.',
    why:
      'VACUUM FULL copies the whole table into new files and rebuilds every index while holding **ACCESS EXCLUSIVE**: ' +
      'no query can read or write the table until it finishes, which on a large table takes minutes to hours. Without a ' +
      'table list it does this to every table in the database in turn.',
    safe:
      'Plain `VACUUM` (SHARE UPDATE EXCLUSIVE: reads and writes continue) is enough to make space reusable. To give space ' +
      'back to the operating system online, use an extension such as pg_repack or pg_squeeze. Tables created earlier in ' +
      'the same file are not flagged.',
    bad: 'VACUUM FULL events;',
    good: 'VACUUM (ANALYZE) events;',
  },
  checkStatement(ctx, report) {
    const stmt = as(ctx.statement.node, 'VacuumStmt');
    if (!stmt?.is_vacuumcmd) return;
    const full = (stmt.options ?? []).map(asDefElem).find((o) => o?.defname === 'full');
    if (!full || constFalse(full)) return;
    const tables = (stmt.rels ?? []).map((r) => ctx.catalog.key(as(r, 'VacuumRelation')?.relation)).filter((n): n is string => !!n);
    const existing = tables.filter((t) => ctx.catalog.existedBeforeFile(t));
    if (tables.length && !existing.length) return;
    const span =
      keywordSpan(ctx.file, ctx.statement, 'VACUUM', 'FULL') ?? locationSpan(ctx.file, ctx.statement, full.location) ?? headSpan(ctx.file, ctx.statement);
    report({
      statement: ctx.statement.index,
      span,
      message: existing.length
        ? `VACUUM FULL blocks reads and writes on ${shownList(existing)} while it rewrites ${existing.length === 1 ? 'it' : 'them'} and every index`
        : 'VACUUM FULL without a table list rewrites every table in turn, blocking reads and writes on each',
      help: 'Use plain VACUUM, or pg_repack to reclaim space online',
    });
  },
};

/** `VACUUM (FULL false)` / `(FULL off)` turns it off. */
function constFalse(opt: T.DefElem): boolean {
  const arg = opt.arg as Record<string, { sval?: string; boolval?: boolean; ival?: number }> | undefined;
  if (!arg) return false;
  const s = arg.String?.sval?.toLowerCase();
  if (s === 'false' || s === 'off' || s === '0') return true;
  if (arg.Boolean && !arg.Boolean.boolval) return true;
  if (arg.Integer && !arg.Integer.ival) return true;
  return false;
}
