import { Rule, StatementContext, Fix } from './types';
import { lines, Line } from '../runners/support';
import { StateKey } from './support/state';

/** goose's and sql-migrate's test: the last word before any `--` comment ends with `;`. */
function endsWithSemicolon(line: string): boolean {
  let last = '';
  for (const word of line.split(/\s+/)) {
    if (word.startsWith('--')) break;
    if (word) last = word;
  }
  return last.endsWith(';');
}

/** Offsets covered by StatementBegin ... StatementEnd blocks, where the runner does not split. */
function protectedBlocks(all: Line[], begin: string, end: string): { start: number; end: number }[] {
  const out: { start: number; end: number }[] = [];
  let open: number | undefined;
  for (const line of all) {
    const t = line.text.trim();
    if (t.toLowerCase() === begin.toLowerCase()) open = line.start;
    else if (t.toLowerCase() === end.toLowerCase() && open !== undefined) {
      out.push({ start: open, end: line.end });
      open = undefined;
    }
  }
  return out;
}

export const runnerStatementSplit: Rule = {
  id: 'runner-statement-split',
  defaultSeverity: 'error',
  fixable: true,
  fixes: {
    wrap: {
      safety: 'safe',
      does: "Wraps the statement in the runner's StatementBegin / StatementEnd annotations.",
      effect: 'the runner sends the statement whole, as PostgreSQL parses it',
    },
  },
  docs: {
    summary: 'A statement that goose or sql-migrate would cut in two: one of its inner lines ends with `;`.',
    why:
      'goose and sql-migrate do not parse SQL: outside a `StatementBegin`/`StatementEnd` block they end a statement at ' +
      'every line whose last word ends with `;`. A function body, a DO block or a rule with a `;` at the end of an inner ' +
      'line is sent in pieces, and the migration fails with a syntax error at deploy.',
    safe: 'Wrap the statement in `-- +goose StatementBegin` / `-- +goose StatementEnd` (sql-migrate: `-- +migrate StatementBegin` / `-- +migrate StatementEnd`).',
    bad: '-- +goose Up\nCREATE FUNCTION one() RETURNS int AS $$\nBEGIN\n  RETURN 1;\nEND $$ LANGUAGE plpgsql;',
    exampleConfig: { runner: 'goose' },
    good: '-- +goose Up\n-- +goose StatementBegin\nCREATE FUNCTION one() RETURNS int AS $$\nBEGIN\n  RETURN 1;\nEND $$ LANGUAGE plpgsql;\n-- +goose StatementEnd',
  },
  checkStatement(ctx, report) {
    const split = ctx.file.runner?.profile.lineSplit;
    if (!split || ctx.statement.container !== undefined || ctx.timeline.unit === undefined) return;
    const all = cachedLines(ctx);
    const stmt = ctx.statement;
    if (protectedBlocks(all, split.begin, split.end).some((b) => stmt.span.start >= b.start && stmt.span.start <= b.end)) return;
    const cut = all.find(
      (l) => l.end > stmt.span.start && l.end < stmt.span.end && endsWithSemicolon(ctx.file.text.slice(Math.max(l.start, stmt.span.start), l.end)),
    );
    if (!cut) return;
    const name = ctx.file.runner!.profile.docs.name;
    report({
      statement: stmt.index,
      span: { start: Math.max(cut.start, stmt.span.start), end: cut.end },
      message: `${name} would cut this statement after this line, and the migration would fail`,
      help: `Wrap it in ${split.begin} / ${split.end}`,
      notes: [`${name} ends a statement at every line ending with ";"`],
      fix: wrapFix(ctx, all, split),
    });
  },
};

/** The file's lines, split once per analysis. */
// A cache of the whole text's lines: recomputed, never carried to another text.
const LINES = new StateKey<Line[] | undefined>(() => undefined, { atBoundary: () => undefined, memo: true });

function cachedLines(ctx: StatementContext): Line[] {
  let all = ctx.file.state.get(LINES);
  if (!all) ctx.file.state.set(LINES, (all = lines(ctx.file.text)));
  return all;
}

/** The annotations on lines of their own around the statement's lines. */
function wrapFix(ctx: StatementContext, all: Line[], split: { begin: string; end: string }): Fix | undefined {
  const first = all.find((l) => l.next > ctx.statement.span.start);
  const last = all.find((l) => l.end >= ctx.statement.terminatorEnd);
  if (!first || !last) return undefined;
  const text = ctx.file.text;
  // Only when the statement has its lines to itself: the annotations must stand alone on theirs.
  if (text.slice(first.start, ctx.statement.span.start).trim() || text.slice(ctx.statement.terminatorEnd, last.end).replace(/--.*$/, '').trim())
    return undefined;
  const nl = /\r\n/.test(text) ? '\r\n' : '\n';
  return {
    kind: 'wrap',
    title: `Wrap the statement in ${split.begin} / ${split.end}`,
    preferred: true,
    edits: [
      { start: first.start, end: first.start, newText: split.begin + nl },
      { start: last.end, end: last.end, newText: nl + split.end },
    ],
  };
}
