/**
 * Which SQL of a PL/pgSQL `DO` body runs every time the block runs, and which only if a branch or a
 * loop does: PL/pgSQL plans (and so locks the tables of) a statement only when it first executes it,
 * so a statement in an IF branch that is not taken, or in a loop over no rows, takes no lock at all
 * (measured on PostgreSQL 15 in test/engine/doBlock.engine.test.ts). Also the queries the block
 * evaluates itself (IF and WHILE conditions, a FOR loop's query, assignments): they read tables.
 */
import { parseStatementText } from '../parse/parser';
import { findAll, T } from '../parse/ast';

/** A piece of SQL in the body, with why it may not run (absent: it runs whenever the block runs). */
export interface DoBlockSql {
  /** A statement as written in the body, or (for a read) a query that can be parsed on its own. */
  sql: string;
  condition?: string;
}

export interface DoBlockParts {
  /** The SQL statements of the body, in body order. */
  statements: DoBlockSql[];
  /** The queries of the block's own expressions: conditions, loop queries, assignments, PERFORM. */
  reads: DoBlockSql[];
}

/** A PL/pgSQL statement as libpg-query prints it: `{ PLpgSQL_stmt_if: { lineno, cond, ... } }`. */
type PlStmt = Record<string, PlBody>;
interface PlBody {
  lineno?: number;
  [field: string]: unknown;
}
interface PlExpr {
  PLpgSQL_expr?: { query?: string; parseMode?: number };
}

/** libpg-query's RawParseMode: a whole statement, an expression, an assignment (`x := expr`). */
const PARSE_STATEMENT = 0;
const PARSE_EXPRESSION = 2;

/** Fields of compound statements that hold nested statement lists (walked with their own condition). */
const NESTED = new Set(['body', 'then_body', 'elsif_list', 'else_body', 'case_when_list', 'else_stmts', 'exceptions', 'action']);

/**
 * Walks a parsed DO body (`parsePlpgsql` of the wrapper function). `line` maps a body line (1: the
 * line the body starts on) to the document's line, for the conditions' wording.
 */
export function doBlockParts(tree: unknown, line: (bodyLine: number) => number): DoBlockParts {
  const walker = new Walker(line, findAll<PlBody[]>(tree, 'datums')[0] ?? []);
  const fn = findAll<{ body?: PlStmt[] }>(tree, 'PLpgSQL_function')[0];
  const action = findAll<PlBody>(fn, 'action')[0];
  const top = (action as { PLpgSQL_stmt_block?: PlBody } | undefined)?.PLpgSQL_stmt_block;
  walker.declarations();
  if (top) walker.list(list(top.body), undefined);
  return { statements: walker.statements, reads: walker.reads };
}

class Walker {
  readonly statements: DoBlockSql[] = [];
  readonly reads: DoBlockSql[] = [];

  constructor(
    private readonly line: (bodyLine: number) => number,
    private readonly datums: PlBody[],
  ) {}

  /** Default values of declared variables: evaluated when their block is entered (the outer one: always). */
  declarations(): void {
    for (const d of this.datums) this.read((d.PLpgSQL_var as PlBody | undefined)?.default_val, undefined);
  }

  /** A statement list: after a statement that may leave the block (RETURN, EXIT, RAISE), the rest is conditional. */
  list(stmts: PlStmt[], condition: string | undefined): void {
    let current = condition;
    for (const stmt of stmts) {
      this.statement(stmt, current);
      const leaves = leavingLine(stmt);
      if (current === undefined && leaves !== undefined) current = `only if the block gets past line ${this.line(leaves)}`;
    }
  }

  private statement(stmt: PlStmt, condition: string | undefined): void {
    const [kind, body] = Object.entries(stmt)[0] ?? [];
    if (!kind || !body) return;
    const at = this.line(body.lineno ?? 1);
    switch (kind) {
      case 'PLpgSQL_stmt_execsql': {
        const query = (body.sqlstmt as PlExpr | undefined)?.PLpgSQL_expr?.query;
        if (query) this.statements.push({ sql: query, ...(condition ? { condition } : {}) });
        return;
      }
      case 'PLpgSQL_stmt_if':
        return this.ifStatement(body, at, condition);
      case 'PLpgSQL_stmt_case':
        return this.caseStatement(body, at, condition);
      case 'PLpgSQL_stmt_block':
        return this.block(body, at, condition);
      case 'PLpgSQL_stmt_loop':
        // A bare LOOP runs its body at least once, up to the first statement that may leave it.
        return this.list(list(body.body), condition);
      case 'PLpgSQL_stmt_fors':
      case 'PLpgSQL_stmt_forc':
      case 'PLpgSQL_stmt_dynfors':
        return this.queryLoop(body, at, condition);
      case 'PLpgSQL_stmt_while':
      case 'PLpgSQL_stmt_fori':
      case 'PLpgSQL_stmt_foreach_a':
        this.ownReads(body, condition);
        return this.list(list(body.body), `only if the ${LOOP_WORDS[kind]} loop at line ${at} runs`);
      default:
        return this.ownReads(body, condition);
    }
  }

  private ifStatement(body: PlBody, at: number, condition: string | undefined): void {
    this.read(body.cond, condition);
    this.list(list(body.then_body), `only if the IF branch at line ${at} runs`);
    const otherwise = `only if the IF branch at line ${at} does not run`;
    for (const e of list(body.elsif_list)) {
      const elsif = e.PLpgSQL_if_elsif ?? {};
      this.read(elsif.cond, otherwise);
      this.list(list(elsif.stmts), `only if the ELSIF branch at line ${this.line(elsif.lineno ?? 1)} runs`);
    }
    this.list(list(body.else_body), `only if the ELSE branch of the IF at line ${at} runs`);
  }

  private caseStatement(body: PlBody, at: number, condition: string | undefined): void {
    this.read(body.t_expr, condition);
    list(body.case_when_list).forEach((w, k) => {
      const when = w.PLpgSQL_case_when ?? {};
      const whenLine = this.line(when.lineno ?? 1);
      this.read(when.expr, k === 0 ? condition : `only if the CASE at line ${at} reaches the WHEN at line ${whenLine}`);
      this.list(list(when.stmts), `only if the WHEN branch at line ${whenLine} runs`);
    });
    this.list(list(body.else_stmts), `only if the ELSE branch of the CASE at line ${at} runs`);
  }

  private block(body: PlBody, at: number, condition: string | undefined): void {
    this.list(list(body.body), condition);
    const handlers = (body.exceptions as { PLpgSQL_exception_block?: { exc_list?: PlStmt[] } } | undefined)?.PLpgSQL_exception_block?.exc_list;
    for (const h of list(handlers)) this.list(list(h.PLpgSQL_exception?.action), `only if the EXCEPTION handler of the block at line ${at} runs`);
  }

  /** FOR row IN query LOOP: the query runs (and reads its tables) whenever the loop is reached; the body once per row. */
  private queryLoop(body: PlBody, at: number, condition: string | undefined): void {
    const cursor = this.datums[Number(body.curvar)]?.PLpgSQL_var as PlBody | undefined;
    const query = (cursor?.cursor_explicit_expr ?? body.query) as PlExpr | undefined;
    this.read(query, condition);
    const tables = queryTables(query);
    const over = tables.length ? `over ${tables.slice(0, 2).join(', ')}${tables.length > 2 ? ', …' : ''}` : `at line ${at}`;
    this.list(list(body.body), `only if the loop ${over} runs`);
  }

  /** Every expression of a simple statement (RETURN, PERFORM, assignment, RAISE, EXIT WHEN, ...). */
  private ownReads(body: PlBody, condition: string | undefined): void {
    for (const [field, value] of Object.entries(body)) {
      if (NESTED.has(field) || !value || typeof value !== 'object') continue;
      for (const expr of findAll<PlExpr['PLpgSQL_expr']>(value, 'PLpgSQL_expr')) this.read({ PLpgSQL_expr: expr }, condition);
    }
  }

  private read(expr: unknown, condition: string | undefined): void {
    const sql = readableQuery(expr as PlExpr | undefined);
    if (sql) this.reads.push({ sql, ...(condition ? { condition } : {}) });
  }
}

const LOOP_WORDS: Record<string, string> = { PLpgSQL_stmt_while: 'WHILE', PLpgSQL_stmt_fori: 'FOR', PLpgSQL_stmt_foreach_a: 'FOREACH' };

/** Nested statements or list entries, as an array whatever the field held. */
function list(value: unknown): PlStmt[] {
  return Array.isArray(value) ? (value as PlStmt[]) : [];
}

/**
 * A PL/pgSQL expression as a query that parses on its own, when it may read a table (it names
 * FROM or a subquery): `EXISTS (SELECT ...)` becomes `SELECT EXISTS (SELECT ...)`, `n := (SELECT
 * ...)` becomes `SELECT (SELECT ...)`. Plain expressions (`n > 3`) read nothing.
 */
function readableQuery(expr: PlExpr | undefined): string | undefined {
  const e = expr?.PLpgSQL_expr;
  if (!e?.query || !/\b(from|select|table)\b/i.test(e.query)) return undefined;
  if ((e.parseMode ?? PARSE_STATEMENT) === PARSE_STATEMENT) return e.query;
  if (e.parseMode === PARSE_EXPRESSION) return `SELECT ${e.query}`;
  // An assignment: the target, then := or =.
  const assign = /^[^:=]*:?=/.exec(e.query);
  return assign ? `SELECT ${e.query.slice(assign[0].length)}` : undefined;
}

/** The tables a loop's query names (not its CTEs), for "the loop over local_user". */
function queryTables(expr: PlExpr | undefined): string[] {
  const sql = readableQuery(expr);
  const node = sql ? parseStatementText(sql).statements[0]?.node : undefined;
  const ctes = new Set(findAll<T.CommonTableExpr>(node, 'CommonTableExpr').map((c) => c.ctename));
  const names = findAll<T.RangeVar>(node, 'RangeVar').map((r) => r.relname ?? '');
  return [...new Set(names.filter((n) => n && !ctes.has(n)))];
}

/**
 * The line of the first statement in `stmt` (itself or nested) that may leave the list it is in:
 * RETURN, RAISE of an error, EXIT or CONTINUE (not those of a nested loop, which only leave it).
 */
function leavingLine(stmt: PlStmt, inLoop = false): number | undefined {
  const [kind, body] = Object.entries(stmt)[0] ?? [];
  if (!kind || !body) return undefined;
  if (kind === 'PLpgSQL_stmt_return' || kind === 'PLpgSQL_stmt_return_query') return body.lineno;
  if (kind === 'PLpgSQL_stmt_raise' && Number(body.elog_level) >= ERROR_LEVEL) return body.lineno;
  if (kind === 'PLpgSQL_stmt_exit' && (!inLoop || body.label)) return body.lineno;
  const loop = inLoop || LOOPS.has(kind);
  for (const nested of nestedLists(body)) {
    for (const child of nested) {
      const found = leavingLine(child, loop);
      if (found !== undefined) return found;
    }
  }
  return undefined;
}

/** The statement lists nested in a compound statement: bodies, branches, WHEN lists, EXCEPTION handlers. */
function nestedLists(body: PlBody): PlStmt[][] {
  const handlers = (body.exceptions as { PLpgSQL_exception_block?: { exc_list?: PlStmt[] } } | undefined)?.PLpgSQL_exception_block?.exc_list;
  return [
    list(body.body),
    list(body.then_body),
    list(body.else_body),
    list(body.else_stmts),
    ...list(body.elsif_list).map((e) => list(e.PLpgSQL_if_elsif?.stmts)),
    ...list(body.case_when_list).map((w) => list(w.PLpgSQL_case_when?.stmts)),
    ...list(handlers).map((h) => list(h.PLpgSQL_exception?.action)),
  ];
}

/** elog.h: ERROR is 21 in PostgreSQL 14+ (RAISE without a level is EXCEPTION, i.e. ERROR). */
const ERROR_LEVEL = 21;
const LOOPS = new Set([
  'PLpgSQL_stmt_loop',
  'PLpgSQL_stmt_while',
  'PLpgSQL_stmt_fori',
  'PLpgSQL_stmt_fors',
  'PLpgSQL_stmt_forc',
  'PLpgSQL_stmt_dynfors',
  'PLpgSQL_stmt_foreach_a',
]);
