import { asColumnDef, typeToString } from '../parse/ast';
import { Rule } from './types';
import { keywordSpan } from './support/spans';
import { alterCommands } from './support/alter';

import { shown } from './support/messages';
export const changingColumnType: Rule = {
  id: 'changing-column-type',
  kinds: ['AlterTableStmt'],
  defaultSeverity: 'error',
  fixable: false,
  docs: {
    summary: 'ALTER COLUMN ... TYPE that rewrites the table.',
    why:
      'Unless the old type converts to the new one without changing any stored value, `ALTER COLUMN ... TYPE` ' +
      'rewrites the whole table and rebuilds every index on it while holding an **ACCESS EXCLUSIVE** lock: no ' +
      'reads, no writes until it finishes. Changes known not to rewrite are not flagged: `varchar(n)` to a larger ' +
      '`varchar(m)`, to `varchar` or to `text`, `text` to `varchar` without a limit, dropping or raising a `numeric` ' +
      'precision at the same scale, `cidr` to `inet`, and `timestamp` to `timestamptz` (or back) when the session ' +
      'TimeZone is UTC: set by `SET TIME ZONE` in the file or `timeZone` in the config; when neither says, it may ' +
      'rewrite and is flagged so. When the migration history does not tell the current type, the rule assumes a ' +
      'rewrite and says so.',
    safe:
      'There is no single safe statement; change the type in steps (expand and contract):\n\n' +
      '1. Add a new column of the new type (nullable, no volatile default).\n' +
      '2. Keep it current for new writes: a trigger, or the application writing both columns.\n' +
      '3. Backfill existing rows in small batches (`UPDATE ... WHERE id BETWEEN ...`).\n' +
      '4. Add its constraints and indexes the safe way (NOT VALID + VALIDATE, CREATE INDEX CONCURRENTLY).\n' +
      '5. Switch reads to the new column, then drop the old one (or rename them in one short transaction).\n\n' +
      'Tables created earlier in the same migration are not flagged.',
    bad: 'ALTER TABLE orders ALTER COLUMN id TYPE bigint;',
    good:
      'ALTER TABLE orders ADD COLUMN id_new bigint;\n' +
      '-- trigger to copy id into id_new, then backfill in batches:\n' +
      'UPDATE orders SET id_new = id WHERE id BETWEEN 1 AND 10000;',
  },
  checkStatement(ctx, report) {
    for (const command of alterCommands(ctx, 'AT_AlterColumnType')) {
      const { cmd, table, effect: verdict } = command;
      if (!cmd.name || !verdict?.rewrite) continue;
      const oldType = ctx.catalog.relation(table)?.columns.get(cmd.name)?.type;
      const newType = typeToString(asColumnDef(cmd.def)?.typeName);
      const change = oldType && oldType !== newType ? `from ${readable(oldType)} to ${readable(newType)}` : `to ${readable(newType)}`;
      report({
        statement: ctx.statement.index,
        span: command.exact ? command.span : (keywordSpan(ctx.file, ctx.statement, 'TYPE') ?? command.span),
        // An assumed verdict (the old type or the session TimeZone is not known) is a "may".
        message: `Changing the type of ${shown(`${table}.${cmd.name}`, 50)} ${verdict.assumed ? 'may rewrite' : 'rewrites'} the table, blocking reads and writes`,
        help: 'Add a new column, backfill it in batches and switch over',
        notes: [
          `${shown(`${table}.${cmd.name}`, 50)} changes ${change}`,
          ...(verdict.reason ? [`${verdict.assumed ? 'assumed: ' : ''}${readable(verdict.reason)}`] : []),
        ],
      });
    }
  },
};

const SQL_NAMES: Record<string, string> = {
  int2: 'smallint',
  int4: 'integer',
  int8: 'bigint',
  float4: 'real',
  float8: 'double precision',
  bool: 'boolean',
  bpchar: 'char',
};

/** PostgreSQL's internal type names (int4, bpchar, ...) as people write them in SQL. */
function readable(text: string): string {
  return text.replace(/\b(int2|int4|int8|float4|float8|bool|bpchar)\b/g, (t) => SQL_NAMES[t]);
}
