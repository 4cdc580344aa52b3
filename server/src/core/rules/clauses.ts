/** Token-level spans of clauses inside a statement (for squiggles and in-place edits). */
import { Statement } from '../model/statements';
import { Token } from '../parse/parser';
import { Span } from '../text/positions';
import { FileContext } from './types';
import { locationSpan } from './helpers';

/** Keywords that start a column constraint in a column definition. */
const CONSTRAINT_STARTS = new Set(['CONSTRAINT', 'NOT', 'NULL', 'DEFAULT', 'CHECK', 'UNIQUE', 'PRIMARY', 'REFERENCES', 'GENERATED', 'COLLATE']);

/**
 * From a constraint's AST location (its CONSTRAINT/REFERENCES/CHECK/... keyword) to its last
 * token, stopping before `,` or `)` at depth 0, or before the next column constraint.
 */
export function constraintClauseSpan(file: FileContext, stmt: Statement, location: number | undefined): Span | undefined {
  const first = locationSpan(file, stmt, location);
  if (!first) return undefined;
  const tokens = file.tokens(stmt);
  const startIndex = tokens.findIndex((t) => t.start === first.start);
  if (startIndex < 0) return undefined;
  let i = startIndex;
  // CONSTRAINT name
  if (tokens[i].text === 'CONSTRAINT') i += 2;
  // the constraint kind: NOT NULL, PRIMARY KEY, REFERENCES, CHECK, ...
  const kind = tokens[i]?.text;
  if (kind === 'NOT' || kind === 'PRIMARY') i++;
  let end = tokens[Math.min(i, tokens.length - 1)].end;
  // FOREIGN KEY (...) REFERENCES ...: the REFERENCES clause belongs to the table constraint.
  let referencesAllowed = kind === 'FOREIGN';
  let depth = 0;
  for (i = i + 1; i < tokens.length; i++) {
    const t = tokens[i];
    if (depth === 0) {
      if (t.text === ',' || t.text === ')' || t.text === ';') break;
      const afterSet = tokens[i - 1]?.text === 'SET';
      if (t.text === 'REFERENCES' && referencesAllowed) referencesAllowed = false;
      else if (afterSet && (t.text === 'NULL' || t.text === 'DEFAULT')) {
        // ON DELETE SET NULL / SET DEFAULT
      }
      else if (t.keyword && CONSTRAINT_STARTS.has(t.text) && !isContinuation(tokens, i)) break;
    }
    if (t.text === '(') depth++;
    else if (t.text === ')') depth--;
    end = t.end;
  }
  return { start: first.start, end };
}

/** NOT VALID / NOT DEFERRABLE / NOT ENFORCED continue the current constraint. */
function isContinuation(tokens: Token[], i: number): boolean {
  const next = tokens[i + 1]?.text.toUpperCase();
  return tokens[i].text === 'NOT' && (next === 'VALID' || next === 'DEFERRABLE' || next === 'ENFORCED');
}
