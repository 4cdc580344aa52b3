import { as, asAlterTableCmd, Node, nodeKind } from '../parse/ast';
import { Statement } from '../model/statements';
import { Span } from '../text/positions';
import { FileContext, ReportedFinding, Rule, StatementContext } from './types';
import { commandSpans, keywordSpan } from './support/spans';

/** DROP forms that accept IF EXISTS right after these keywords (and CONCURRENTLY). */
const DROP_KEYWORDS: Record<string, string[]> = {
  OBJECT_TABLE: ['TABLE'],
  OBJECT_FOREIGN_TABLE: ['FOREIGN', 'TABLE'],
  OBJECT_INDEX: ['INDEX'],
  OBJECT_SEQUENCE: ['SEQUENCE'],
  OBJECT_VIEW: ['VIEW'],
  OBJECT_MATVIEW: ['MATERIALIZED', 'VIEW'],
  OBJECT_TYPE: ['TYPE'],
  OBJECT_DOMAIN: ['DOMAIN'],
  OBJECT_SCHEMA: ['SCHEMA'],
  OBJECT_EXTENSION: ['EXTENSION'],
  OBJECT_FUNCTION: ['FUNCTION'],
  OBJECT_PROCEDURE: ['PROCEDURE'],
  OBJECT_TRIGGER: ['TRIGGER'],
  OBJECT_POLICY: ['POLICY'],
  OBJECT_RULE: ['RULE'],
};

export const preferRobustStmts: Rule = {
  id: 'prefer-robust-stmts',
  defaultSeverity: 'off',
  fixable: true,
  fixes: {
    'if-exists': {
      safety: 'safe',
      does: 'Adds IF NOT EXISTS / IF EXISTS.',
      effect: 'it only differs where the original fails (the object exists, or is missing)',
    },
  },
  docs: {
    summary: 'CREATE/DROP (and ADD/DROP COLUMN, DROP CONSTRAINT) without IF [NOT] EXISTS, outside a transaction.',
    why:
      'A migration that runs outside a transaction (for example because it uses CREATE INDEX CONCURRENTLY) is not ' +
      'atomic: when it fails halfway, the statements before the failure stay applied, and the retry fails on the first ' +
      'of them ("relation already exists"), so it can never be re-run without manual cleanup.',
    safe:
      'Write each statement so that running it twice is harmless: `CREATE TABLE IF NOT EXISTS`, `CREATE INDEX CONCURRENTLY ' +
      'IF NOT EXISTS name`, `ADD COLUMN IF NOT EXISTS`, `DROP ... IF EXISTS`. Statements inside a transaction (explicit, ' +
      'assumed, or a DO block) are not flagged: a failure rolls all of them back. Objects created earlier in the file are ' +
      'not exempt, since a retry runs those statements again too. An unnamed CREATE INDEX gets no fix: name it first ' +
      '(IF NOT EXISTS needs a name). ADD CONSTRAINT has no IF NOT EXISTS form and is not flagged. The rule is off by default.',
    bad: 'CREATE INDEX CONCURRENTLY users_email_idx ON users (email);',
    good: 'CREATE INDEX CONCURRENTLY IF NOT EXISTS users_email_idx ON users (email);',
  },
  checkStatement(ctx, report) {
    if (ctx.timeline.transaction || ctx.statement.container !== undefined) return;
    const add = adder(ctx, report);
    const node = ctx.statement.node;
    switch (nodeKind(node)) {
      case 'IndexStmt':
        return createIndex(ctx, add, report);
      case 'DropStmt':
        return drop(ctx, add);
      case 'AlterTableStmt':
        return alterTable(ctx, add);
    }
    const form = createForm(node);
    if (!form) return;
    const span = fromCreate(ctx.file, ctx.statement, ...form.words);
    add(span, form.what, span?.end, ' IF NOT EXISTS');
  },
};

type Add = (keywords: Span | undefined, what: string, insertAt: number | undefined, text: string) => void;

/** Reports `what` at `keywords`, with the fix inserting `text` at `insertAt` when there is one. */
function adder(ctx: StatementContext, report: (finding: ReportedFinding) => void): Add {
  return (keywords, what, insertAt, text) => {
    if (!keywords) return;
    const finding: ReportedFinding = {
      statement: ctx.statement.index,
      span: keywords,
      message: `${what} without ${text.trim()}: a retry of the migration after a failure fails here`,
    };
    if (insertAt !== undefined)
      finding.fix = { kind: 'if-exists', title: `Add ${text.trim()}`, preferred: true, edits: [{ start: insertAt, end: insertAt, newText: text }] };
    report(finding);
  };
}

/** A CREATE without IF NOT EXISTS (other than INDEX): its name and the keywords after CREATE that end it. */
function createForm(node: Node | undefined): { what: string; words: string[] } | undefined {
  const table = as(node, 'CreateStmt');
  if (table) return table.if_not_exists ? undefined : { what: 'CREATE TABLE', words: ['TABLE'] };
  const tableAs = as(node, 'CreateTableAsStmt');
  if (tableAs) {
    if (tableAs.if_not_exists) return undefined;
    if (tableAs.objtype === 'OBJECT_MATVIEW') return { what: 'CREATE MATERIALIZED VIEW', words: ['MATERIALIZED', 'VIEW'] };
    return { what: 'CREATE TABLE AS', words: ['TABLE'] };
  }
  const seq = as(node, 'CreateSeqStmt');
  if (seq) return seq.if_not_exists ? undefined : { what: 'CREATE SEQUENCE', words: ['SEQUENCE'] };
  const schema = as(node, 'CreateSchemaStmt');
  if (schema) return schema.if_not_exists ? undefined : { what: 'CREATE SCHEMA', words: ['SCHEMA'] };
  const extension = as(node, 'CreateExtensionStmt');
  if (extension) return extension.if_not_exists ? undefined : { what: 'CREATE EXTENSION', words: ['EXTENSION'] };
  return undefined;
}

function createIndex(ctx: StatementContext, add: Add, report: (finding: ReportedFinding) => void): void {
  const s = as(ctx.statement.node, 'IndexStmt')!;
  if (s.if_not_exists) return;
  const { file, statement: stmt } = ctx;
  const span = fromCreate(file, stmt, 'INDEX');
  if (!span) return;
  if (!s.idxname) {
    return report({
      statement: stmt.index,
      span,
      message: 'CREATE INDEX without a name: a retry of the migration after a failure creates a second index',
      help: 'Name the index and add IF NOT EXISTS',
    });
  }
  const concurrently = s.concurrent ? keywordSpan(file, stmt, 'CONCURRENTLY') : undefined;
  add(concurrently ? { start: span.start, end: concurrently.end } : span, 'CREATE INDEX', (concurrently ?? span).end, ' IF NOT EXISTS');
}

function drop(ctx: StatementContext, add: Add): void {
  const s = as(ctx.statement.node, 'DropStmt')!;
  const words = DROP_KEYWORDS[s.removeType ?? ''];
  if (s.missing_ok || !words) return;
  let span = keywordSpan(ctx.file, ctx.statement, 'DROP', ...words);
  if (!span) return;
  if (s.concurrent) {
    const c = keywordSpan(ctx.file, ctx.statement, 'CONCURRENTLY');
    if (c) span = { start: span.start, end: c.end };
  }
  add(span, `DROP ${words.join(' ')}`, span.end, ' IF EXISTS');
}

function alterTable(ctx: StatementContext, add: Add): void {
  const s = as(ctx.statement.node, 'AlterTableStmt')!;
  if (s.objtype !== 'OBJECT_TABLE') return;
  const spans = commandSpans(ctx.file, ctx.statement, s);
  if (!spans) return;
  const tokens = ctx.file.tokens(ctx.statement);
  (s.cmds ?? []).forEach((c, i) => {
    const cmd = asAlterTableCmd(c);
    if (!cmd || cmd.missing_ok) return;
    const forms: Record<string, [string, string | undefined, string]> = {
      AT_AddColumn: ['ADD', 'COLUMN', ' IF NOT EXISTS'],
      AT_DropColumn: ['DROP', 'COLUMN', ' IF EXISTS'],
      AT_DropConstraint: ['DROP', 'CONSTRAINT', ' IF EXISTS'],
    };
    const form = forms[cmd.subtype ?? ''];
    if (!form) return;
    const first = tokens.findIndex((t) => t.start === spans[i].start);
    if (first < 0 || tokens[first].text !== form[0]) return;
    const last = tokens[first + 1]?.text === form[1] ? first + 1 : first;
    const span = { start: tokens[first].start, end: tokens[last].end };
    const what = cmd.subtype === 'AT_AddColumn' ? 'ADD COLUMN' : cmd.subtype === 'AT_DropColumn' ? 'DROP COLUMN' : 'DROP CONSTRAINT';
    add(span, what, span.end, form[2]);
  });
}

/** From CREATE to the end of `words` (e.g. `CREATE UNIQUE INDEX`, `CREATE UNLOGGED TABLE`). */
function fromCreate(file: FileContext, stmt: Statement, ...words: string[]): Span | undefined {
  const create = keywordSpan(file, stmt, 'CREATE');
  const kw = keywordSpan(file, stmt, ...words);
  if (!create || !kw) return undefined;
  return { start: create.start, end: kw.end };
}
