import { as } from '../parse/ast';
import { Rule } from './types';
import { keywordSpan, headSpan, join } from './support/spans';
import { findNameToken } from './support/names';

import { shown } from './support/messages';
export const banDropDatabase: Rule = {
  id: 'ban-drop-database',
  kinds: ['DropdbStmt'],
  defaultSeverity: 'warning',
  fixable: false,
  docs: {
    summary: 'DROP DATABASE in a migration.',
    why:
      'Dropping a database deletes every table in it at once and cannot be undone; it fails while anyone is connected ' +
      '(or, WITH (FORCE), terminates their sessions). It has no place in a migration that runs against production.',
    safe: 'Drop databases by hand, after a backup, outside the migration history.',
    bad: 'DROP DATABASE analytics;',
    good: '-- nothing: drop databases by hand, after a backup',
  },
  checkStatement(ctx, report) {
    const stmt = as(ctx.statement.node, 'DropdbStmt');
    if (!stmt) return;
    const keywords = keywordSpan(ctx.file, ctx.statement, 'DROP', 'DATABASE');
    const name = stmt.dbname ? findNameToken(ctx.file, ctx.statement, stmt.dbname, keywords?.end ?? 0) : undefined;
    report({
      statement: ctx.statement.index,
      span: keywords ? (name ? join(keywords, name) : keywords) : headSpan(ctx.file, ctx.statement),
      message: `Dropping database ${shown(stmt.dbname ?? '')} deletes every table in it and cannot be undone`,
      help: 'Do not run it from a migration',
    });
  },
};
