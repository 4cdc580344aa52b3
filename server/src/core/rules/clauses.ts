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
      if (t.text === ',' || t.text === ')' || t.text === ']' || t.text === ';') break;
      const afterSet = tokens[i - 1]?.text === 'SET';
      if (t.text === 'REFERENCES' && referencesAllowed) referencesAllowed = false;
      else if (afterSet && (t.text === 'NULL' || t.text === 'DEFAULT')) {
        // ON DELETE SET NULL / SET DEFAULT
      }
      else if (t.keyword && CONSTRAINT_STARTS.has(t.text) && !isContinuation(tokens, i)) break;
    }
    if (t.text === '(' || t.text === '[') depth++;
    else if (t.text === ')' || t.text === ']') depth--;
    end = t.end;
  }
  return { start: first.start, end };
}

/** NOT VALID / NOT DEFERRABLE / NOT ENFORCED continue the current constraint. */
function isContinuation(tokens: Token[], i: number): boolean {
  const next = tokens[i + 1]?.text.toUpperCase();
  return tokens[i].text === 'NOT' && (next === 'VALID' || next === 'DEFERRABLE' || next === 'ENFORCED');
}

/**
 * Spans of an `ALTER TABLE`'s subcommands, one per entry of `cmds` and in the same order: the text
 * after the table name, split at commas outside parentheses and brackets. Subcommands carry no AST
 * location, so this is how a finding points at the one clause it is about.
 */
export function alterCommandSpans(file: FileContext, stmt: Statement, relationLocation: number | undefined): Span[] {
  const name = locationSpan(file, stmt, relationLocation);
  if (!name) return [];
  const tokens = file.tokens(stmt);
  let i = tokens.findIndex((t) => t.start === name.start);
  if (i < 0) return [];
  i++;
  // schema.table, then `*` (descendants)
  while (tokens[i]?.text === '.' && tokens[i + 1]) i += 2;
  if (tokens[i]?.text === '*') i++;
  const spans: Span[] = [];
  let depth = 0;
  let start: number | undefined;
  let end = 0;
  for (; i < tokens.length; i++) {
    const t = tokens[i];
    if (t.text === ';' && depth === 0) break;
    if (t.text === ',' && depth === 0) {
      if (start !== undefined) spans.push({ start, end });
      start = undefined;
      continue;
    }
    if (t.text === '(' || t.text === '[') depth++;
    else if (t.text === ')' || t.text === ']') depth--;
    start ??= t.start;
    end = t.end;
  }
  if (start !== undefined) spans.push({ start, end });
  return spans;
}

/** The span of subcommand `index` of an ALTER TABLE (falls back to undefined when the text does not line up). */
export function alterCommandSpan(file: FileContext, stmt: Statement, relationLocation: number | undefined, index: number, count: number): Span | undefined {
  const spans = alterCommandSpans(file, stmt, relationLocation);
  return spans.length === count ? spans[index] : undefined;
}

/**
 * An edit removing item `index` of a comma-separated list whose item spans are `spans`, with the
 * comma that separates it from its neighbour (the next one, or the previous one for the last item).
 */
export function removeListItem(spans: Span[], index: number): { start: number; end: number; newText: string } | undefined {
  if (spans.length < 2 || !spans[index]) return undefined;
  if (index < spans.length - 1) return { start: spans[index].start, end: spans[index + 1].start, newText: '' };
  // last item: from the end of the previous item (its comma and the spacing go too)
  return { start: spans[index - 1].end, end: spans[index].end, newText: '' };
}
