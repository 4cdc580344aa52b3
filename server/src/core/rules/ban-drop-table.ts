import { as, nameList } from '../parse/ast';
import { Rule } from './types';
import { keywordSpan, headSpan } from './support/spans';
import { findNameToken } from './support/names';

import { shown } from './support/messages';
export const banDropTable: Rule = {
  id: 'ban-drop-table',
  kinds: ['DropStmt'],
  defaultSeverity: 'warning',
  fixable: false,
  docs: {
    summary: 'DROP TABLE of an existing table.',
    why:
      'DROP TABLE takes **ACCESS EXCLUSIVE** on the table (and on every table referencing it through a foreign key, ' +
      'whose constraint is dropped with CASCADE, or on the tables it references, whose triggers are removed): it waits ' +
      'behind every running query on them and blocks the ones that follow. Code still using the table fails, and the data is gone.',
    safe:
      'Stop using the table in a release first, keep a backup or rename it out of the way for a while, and drop it in a ' +
      'later migration with a short lock_timeout. Tables created earlier in the same file are not flagged.',
    bad: 'DROP TABLE legacy_sessions;',
    good: '-- after a release that no longer uses legacy_sessions:\n-- lockwise-ignore ban-drop-table -- unused since release 42\nDROP TABLE legacy_sessions;',
  },
  checkStatement(ctx, report) {
    const stmt = as(ctx.statement.node, 'DropStmt');
    if (stmt?.removeType !== 'OBJECT_TABLE' && stmt?.removeType !== 'OBJECT_FOREIGN_TABLE') return;
    let from = ctx.statement.span.start;
    for (const obj of stmt.objects ?? []) {
      const names = nameList(as(obj, 'List')?.items);
      const name = names[names.length - 1];
      const token = name ? findNameToken(ctx.file, ctx.statement, name, from) : undefined;
      if (token) from = token.end;
      if (!ctx.catalog.existedBeforeFile(name)) continue;
      const referencing = ctx.catalog.referencing(name).filter((t) => t !== name);
      report({
        statement: ctx.statement.index,
        span: token ? { start: token.start, end: token.end } : (keywordSpan(ctx.file, ctx.statement, 'DROP', 'TABLE') ?? headSpan(ctx.file, ctx.statement)),
        message: `Dropping table ${shown(name)} deletes its data and breaks any code still using it`,
        help: 'Stop using it in a release first',
        notes: [
          ...(referencing.length ? [`${referencing.join(', ')} reference${referencing.length === 1 ? 's' : ''} it through a foreign key`] : []),
          ...(stmt.behavior === 'DROP_CASCADE' ? ['CASCADE also drops the views and foreign keys that depend on it'] : []),
        ],
      });
    }
  },
};
