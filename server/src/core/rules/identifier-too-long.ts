import { Node, T, as, asAlterTableCmd, asColumnDef, asConstraint, nameList, nodeKind } from '../parse/ast';
import { Rule } from './types';
import { MAX_IDENTIFIER_BYTES, identValue, isNameToken, truncateIdentifier } from './support/names';

export const identifierTooLong: Rule = {
  id: 'identifier-too-long',
  kinds: [
    'CreateStmt',
    'AlterTableStmt',
    'IndexStmt',
    'RenameStmt',
    'CreateSeqStmt',
    'ViewStmt',
    'CreateTableAsStmt',
    'CreateEnumStmt',
    'CreateTrigStmt',
    'CreateSchemaStmt',
  ],
  defaultSeverity: 'warning',
  fixable: false,
  docs: {
    summary: 'A table, column, index, constraint or other name longer than 63 bytes.',
    why:
      'PostgreSQL silently truncates identifiers to 63 bytes (NAMEDATALEN - 1), counted in UTF-8: an accented letter ' +
      'is 2 bytes, an emoji 4. The object is created under the shortened name: queries that spell the full name still ' +
      'find it (they are truncated the same way), but ORMs, schema diffs and later migrations that compare names see a ' +
      'different one, and two long names that share their first 63 bytes collide ("already exists").',
    safe:
      'Keep names within 63 bytes. Only names the statement defines are checked (CREATE TABLE/INDEX/VIEW/SEQUENCE/TYPE/' +
      'TRIGGER/SCHEMA, their columns and constraints, ADD COLUMN, ADD CONSTRAINT, RENAME ... TO); names PostgreSQL ' +
      'generates (an unnamed index or constraint) are shortened correctly by PostgreSQL itself.',
    bad: 'CREATE INDEX index_on_customer_subscriptions_by_billing_period_start_and_end_dates ON subscriptions (period_start, period_end);',
    good: 'CREATE INDEX subscriptions_billing_period_idx ON subscriptions (period_start, period_end);',
  },
  checkStatement(ctx, report) {
    const defined = definedNames(ctx.statement.node);
    if (!defined.size) return;
    const seen = new Set<string>();
    for (const token of ctx.file.tokens(ctx.statement)) {
      if (!isNameToken(token)) continue;
      const name = identValue(token);
      const bytes = Buffer.byteLength(name, 'utf8');
      if (bytes <= MAX_IDENTIFIER_BYTES) continue;
      const truncated = truncateIdentifier(name);
      if (!defined.has(truncated) || seen.has(truncated)) continue;
      seen.add(truncated);
      report({
        statement: ctx.statement.index,
        span: { start: token.start, end: token.end },
        message: `This name is ${bytes} bytes: PostgreSQL silently truncates it to 63`,
        help: 'Shorten it',
        notes: [`PostgreSQL creates "${truncated}"`, 'tools that compare names see a different one, and another long name with the same start would collide'],
      });
    }
  },
};

/** Names (as the parser gives them: already truncated) that the statement creates. */
function definedNames(node: Node | undefined): Set<string> {
  const out = new Set<string>();
  const add = (n: string | undefined) => {
    // Already truncated on a character boundary: a name of 60-63 bytes may have been longer.
    if (n && Buffer.byteLength(n, 'utf8') > MAX_IDENTIFIER_BYTES - 4) out.add(n);
  };
  const column = (col: T.ColumnDef | undefined) => {
    add(col?.colname);
    for (const c of col?.constraints ?? []) add(asConstraint(c)?.conname);
  };
  switch (nodeKind(node)) {
    case 'CreateStmt': {
      const s = as(node, 'CreateStmt')!;
      add(s.relation?.relname);
      for (const elt of s.tableElts ?? []) {
        column(asColumnDef(elt));
        add(asConstraint(elt)?.conname);
      }
      break;
    }
    case 'AlterTableStmt':
      for (const c of as(node, 'AlterTableStmt')!.cmds ?? []) {
        const cmd = asAlterTableCmd(c);
        if (cmd?.subtype === 'AT_AddColumn') column(asColumnDef(cmd.def));
        else if (cmd?.subtype === 'AT_AddConstraint') add(asConstraint(cmd.def)?.conname);
      }
      break;
    case 'IndexStmt':
      add(as(node, 'IndexStmt')!.idxname);
      break;
    case 'RenameStmt':
      add(as(node, 'RenameStmt')!.newname);
      break;
    case 'CreateSeqStmt':
      add(as(node, 'CreateSeqStmt')!.sequence?.relname);
      break;
    case 'ViewStmt':
      add(as(node, 'ViewStmt')!.view?.relname);
      break;
    case 'CreateTableAsStmt':
      add(as(node, 'CreateTableAsStmt')!.into?.rel?.relname);
      break;
    case 'CreateEnumStmt': {
      const names = nameList(as(node, 'CreateEnumStmt')!.typeName);
      add(names[names.length - 1]);
      break;
    }
    case 'CreateTrigStmt':
      add(as(node, 'CreateTrigStmt')!.trigname);
      break;
    case 'CreateSchemaStmt':
      add(as(node, 'CreateSchemaStmt')!.schemaname);
      break;
    default:
      break;
  }
  return out;
}
