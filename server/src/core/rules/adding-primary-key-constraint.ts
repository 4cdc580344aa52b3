import { nameList } from '../parse/ast';
import { Rule } from './types';
import { constraintSpan } from './support/spans';
import { addedConstraints } from './support/alter';
import { usingIndexFinding } from '../fixes/usingIndex';

import { shown } from './support/messages';
export const addingPrimaryKeyConstraint: Rule = {
  id: 'adding-primary-key-constraint',
  kinds: ['AlterTableStmt'],
  defaultSeverity: 'error',
  fixable: true,
  fixes: {
    'using-index': {
      safety: 'safe',
      does: 'Builds the unique index with CREATE UNIQUE INDEX CONCURRENTLY before the transaction, then ADD PRIMARY KEY USING INDEX.',
      effect: 'the constraint and its index end with the same names and definition',
    },
  },
  docs: {
    summary: 'ADD PRIMARY KEY on an existing table without USING INDEX (and ADD COLUMN ... PRIMARY KEY).',
    why:
      'Adding a primary key builds a unique index inside the ALTER TABLE, and makes the key columns NOT NULL (a scan ' +
      'of every row when they are nullable), all while holding an **ACCESS EXCLUSIVE** lock on the table: every read ' +
      'and write waits for the whole build.',
    safe:
      'Build the index first with `CREATE UNIQUE INDEX CONCURRENTLY` (writes continue; outside a transaction block), ' +
      'then attach it: `ALTER TABLE ... ADD CONSTRAINT name PRIMARY KEY USING INDEX name`. Attaching is a catalog ' +
      'change only when the key columns are already NOT NULL; otherwise it still scans the table to set them NOT NULL, ' +
      'so make them NOT NULL first (see adding-not-nullable-field). Tables created earlier in the same migration are not flagged.',
    bad: 'ALTER TABLE events ADD PRIMARY KEY (id);',
    good:
      'CREATE UNIQUE INDEX CONCURRENTLY events_pkey ON events (id);\n' + 'ALTER TABLE events ADD CONSTRAINT events_pkey PRIMARY KEY USING INDEX events_pkey;',
  },
  checkStatement(ctx, report) {
    for (const { con, column: col, command } of addedConstraints(ctx, 'CONSTR_PRIMARY')) {
      const { table, alter: stmt } = command;
      if (!col) {
        if (con.indexname) continue;
        const { name, span, fix, withheld } = usingIndexFinding(ctx, stmt, con);
        const rel = ctx.catalog.relation(table);
        const nullable = nameList(con.keys).filter((k) => rel?.columns.get(k) && !rel.columns.get(k)!.notNull);
        report({
          statement: ctx.statement.index,
          span,
          message: `Primary key ${shown(name)} blocks reads and writes on ${shown(table)} while its index builds`,
          help: 'Build it first with CREATE UNIQUE INDEX CONCURRENTLY, then ADD CONSTRAINT ... PRIMARY KEY USING INDEX',
          notes: [
            ...(nullable.length
              ? [
                  `${nullable.join(', ')} ${nullable.length > 1 ? 'are' : 'is'} nullable: even with USING INDEX the primary key sets ` +
                    `${nullable.length > 1 ? 'them' : 'it'} NOT NULL, scanning ${table} under ACCESS EXCLUSIVE; make ${nullable.length > 1 ? 'them' : 'it'} NOT NULL first through a validated CHECK`,
                ]
              : []),
          ],
          fix,
          withheld,
        });
      } else if (col.colname) {
        report({
          statement: ctx.statement.index,
          span: constraintSpan(ctx.file, ctx.statement, con.location),
          message: `Column ${shown(col.colname)} PRIMARY KEY blocks reads and writes on ${shown(table)} while its index builds`,
          help: 'Add and fill the column first, then CREATE UNIQUE INDEX CONCURRENTLY, then ADD CONSTRAINT ... PRIMARY KEY USING INDEX',
        });
      }
    }
  },
};
