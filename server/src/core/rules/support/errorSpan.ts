import type { Span } from '../../text/positions';
import type { StatementContext } from '../types';

/**
 * Where to put a parser's error in a statement: the token at `offset` (a document offset). "at or
 * near X" points at X; "at end of input" points past the last token, so the last one is marked.
 */
export function errorSpan(ctx: StatementContext, offset: number): Span {
  const tokens = ctx.file.tokens(ctx.statement);
  const token = tokens.find((t) => t.start <= offset && offset < t.end) ?? [...tokens].reverse().find((t) => t.start < offset) ?? tokens[0];
  return token ? { start: token.start, end: token.end } : ctx.statement.span;
}
