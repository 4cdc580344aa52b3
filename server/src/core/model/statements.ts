/**
 * From file text to the list of statements the rest of the core works on: split (psql-aware),
 * parse each piece on its own, and pull the SQL statements out of `DO` block bodies, which run
 * at migration time just like top-level statements.
 */
import { splitStatements, SqlComment } from '../parse/splitter';
import { freshTokens, parseStatementText, parsePlpgsql, scanTokens, TextCache, Token } from '../parse/parser';
import { Node, nodeKind, as, asDefElem, asString } from '../parse/ast';
import { LineIndex, Span } from '../text/positions';
import { doBlockParts } from './doBlock';

export interface Statement {
  index: number;
  /** Document span from the first token to the last (without the `;`). */
  span: Span;
  text: string;
  /** Node kind such as `AlterTableStmt`, or `Invalid` for a syntax error. */
  kind: string;
  node?: Node;
  error?: { message: string; offset: number };
  /** Index of the `DO` statement whose body holds this statement. */
  container?: number;
  /** In a DO body: why it may not run (an IF branch, a loop body), e.g. "only if the IF branch at line 8 runs". */
  condition?: string;
  /** A DO block: the queries its own PL/pgSQL runs (conditions, loop queries, assignments), which read tables. */
  reads?: { node: Node; condition?: string }[];
  terminated: boolean;
  /** Where the terminating `;` ends (or span.end). */
  terminatorEnd: number;
}

/** A psql meta-command line: a backslash command and its arguments, which the splitter skips. */
export interface MetaCommand {
  start: number;
  end: number;
  text: string;
}

export interface StatementList {
  statements: Statement[];
  comments: SqlComment[];
  /** psql meta-commands (`\connect`, `\set`, ...): not SQL, but `\connect` ends the session. */
  metaCommands: MetaCommand[];
}

export function buildStatements(text: string): StatementList {
  const split = splitStatements(text);
  const statements: Statement[] = [];
  let lines: LineIndex | undefined;
  const lineAt = (offset: number) => (lines ??= new LineIndex(text)).positionAt(offset).line + 1;
  for (const chunk of split.chunks) {
    const chunkText = text.slice(chunk.start, chunk.end);
    const parsed = parseStatementText(chunkText);
    if (parsed.error) {
      statements.push({
        index: statements.length,
        span: { start: chunk.start, end: chunk.end },
        text: chunkText,
        kind: 'Invalid',
        error: { message: parsed.error.message, offset: chunk.start + parsed.error.offset },
        terminated: chunk.terminated,
        terminatorEnd: chunk.terminatorEnd,
      });
      continue;
    }
    const pieces = parsed.statements;
    pieces.forEach((piece, k) => {
      const start = chunk.start + piece.start;
      const end = k === pieces.length - 1 ? chunk.end : chunk.start + trimEnd(chunkText, piece.end);
      const stmt = plainStatement(
        statements.length,
        { start, end },
        text.slice(start, end),
        nodeKind(piece.node) ?? 'Unknown',
        piece.node,
        k < pieces.length - 1 || chunk.terminated,
        k === pieces.length - 1 ? chunk.terminatorEnd : end,
      );
      statements.push(stmt);
      if (stmt.kind === 'DoStmt') {
        for (const inner of doBlockStatements(stmt, lineAt)) {
          statements.push({ ...inner, index: statements.length });
        }
      }
    });
  }
  const metaCommands = split.skipped.filter((k) => k.reason === 'meta-command').map((k) => ({ start: k.start, end: k.end, text: text.slice(k.start, k.end) }));
  return { statements, comments: split.comments, metaCommands };
}

/**
 * A parsed statement outside a DO block. The one place such a statement is written, so that every
 * one, built here or moved by an edit (incremental/statements.ts), gets the same hidden class in V8:
 * code that reads statements then meets one class, not one per place that made them.
 */
export function plainStatement(
  index: number,
  span: Span,
  text: string,
  kind: string,
  node: Node | undefined,
  terminated: boolean,
  terminatorEnd: number,
): Statement {
  return { index, span, text, kind, node, terminated, terminatorEnd };
}

function trimEnd(text: string, end: number): number {
  let e = end;
  while (e > 0 && (/\s/.test(text[e - 1]) || text[e - 1] === ';')) e--;
  return e;
}

/**
 * Document-offset tokens by statement text, for the offset they were made at (bounded in entries
 * and bytes like the scanner's cache; a TextCache, so that a key holds no document).
 */
const placedTokens = new TextCache<{ start: number; tokens: Token[] }>(20000, 64 * 1024 * 1024, 25);

/**
 * Tokens of a statement with document offsets. The arrays are shared between analyses of
 * unchanged statements (an edit re-scans one statement): callers must not modify them.
 */
export function statementTokens(stmt: Statement): Token[] {
  const at = stmt.span.start;
  const placed = placedTokens.get(stmt.text);
  if (placed && placed.start === at) return placed.tokens;
  // A moved statement's tokens are its placed ones, moved; a new statement's are scanned afresh and
  // placed where they are. Through the scanner's cache every token was kept twice, the scanned and the
  // placed copy (~60,000 tokens, 4 MB, in the worker at 10,000 statements).
  let tokens: Token[];
  if (placed) tokens = placed.tokens.map((t) => movedToken(t, at - placed.start));
  else {
    tokens = freshTokens(stmt.text);
    for (const t of tokens) {
      t.start += at;
      t.end += at;
    }
  }
  placedTokens.set(stmt.text, { start: at, tokens });
  return tokens;
}

/** A token `by` characters further on (its fields in the scanner's order: one hidden class for every token). */
function movedToken(t: Token, by: number): Token {
  return { start: t.start + by, end: t.end + by, text: t.text, keyword: t.keyword, kind: t.kind };
}

/**
 * The SQL statements inside a PL/pgSQL `DO` body, with document spans and the condition each runs
 * under; the block's own reads go on `doStmt.reads`. The body is parsed by the PL/pgSQL parser, so
 * text in comments and string literals never becomes a statement.
 */
export function doBlockStatements(doStmt: Statement, lineAt: (offset: number) => number): Statement[] {
  const body = as(doStmt.node, 'DoStmt');
  const args = (body?.args ?? []).map(asDefElem);
  const language = asString(args.find((a) => a?.defname === 'language')?.arg);
  if (language && language.toLowerCase() !== 'plpgsql') return [];
  const literal = scanTokens(doStmt.text).find((t) => t.kind === 'SCONST' && t.text.startsWith('$'));
  if (!literal) return [];
  const tag = /^\$[^$]*\$/.exec(literal.text)?.[0] ?? '$$';
  const bodyText = literal.text.slice(tag.length, literal.text.length - tag.length);
  const bodyStart = doStmt.span.start + literal.start + tag.length;
  const wrapper = `CREATE FUNCTION lockwise_do_block() RETURNS void LANGUAGE plpgsql AS ${literal.text}`;
  const tree = parsePlpgsql(wrapper);
  if (!tree) return [];
  const firstLine = lineAt(bodyStart);
  const parts = doBlockParts(tree, (bodyLine) => firstLine + bodyLine - 1);
  doStmt.reads = parts.reads.flatMap((r) => {
    const node = parseStatementText(r.sql).statements[0]?.node;
    return node ? [{ node, ...(r.condition ? { condition: r.condition } : {}) }] : [];
  });
  const out: Statement[] = [];
  let cursor = 0;
  for (const { sql: query, condition } of parts.statements) {
    const at = findInBody(bodyText, query, cursor);
    if (at < 0) continue;
    cursor = at + query.length;
    const parsed = parseStatementText(query);
    const node = parsed.statements[0]?.node;
    if (!node) continue;
    const start = bodyStart + at;
    out.push({
      index: -1,
      span: { start, end: start + query.length },
      text: query,
      kind: nodeKind(node) ?? 'Unknown',
      node,
      container: doStmt.index,
      ...(condition ? { condition } : {}),
      terminated: true,
      terminatorEnd: start + query.length,
    });
  }
  return out;
}

/**
 * Where a body statement's query starts in the body text. PL/pgSQL blanks a `SELECT ... INTO x`
 * clause with as many spaces (the query PostgreSQL runs has none), so blanks match anything.
 */
function findInBody(body: string, query: string, from: number): number {
  const exact = body.indexOf(query, from);
  if (exact >= 0 || !query.includes('  ')) return exact;
  const head = query.slice(0, query.indexOf('  '));
  if (!head) return -1;
  for (let at = body.indexOf(head, from); at >= 0; at = body.indexOf(head, at + 1)) {
    let i = head.length;
    while (i < query.length && (query[i] === ' ' || query[i] === body[at + i])) i++;
    if (i === query.length) return at;
  }
  return -1;
}
