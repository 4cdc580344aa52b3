/**
 * Hover cards. Every piece of text that comes from the document (relation names, messages that
 * quote identifiers, notes) goes through codeSafe (inside code spans) or escapeMarkdown, because
 * the card is markdown: a table named `[x](command:...)` or `<img onerror=...>` must render as text.
 * The server only returns plain MarkupContent; it never asks the client to trust it.
 */
import { Hover, MarkupKind } from 'vscode-languageserver/node';
import { Analysis, statementAt, StatementAnalysis } from '../core';
import { codeSafe, escapeMarkdown, oneLine } from '../core';
import { blocksInWords, heldUntilText, lockTimeoutText, runnerText } from '../core';
import { blockedOperations, conflictingModes, LOCK_MODES, LockMode, MODE_DESCRIPTIONS } from '../core';
import { toRange } from './convert';
import { TracedStatement, tracedSection } from './trace';

const MODE_PATTERN = new RegExp(
  `\\b(${[...LOCK_MODES].sort((a, b) => b.length - a.length).map((m) => m.replace(/ /g, '\\s+')).join('|')})\\b`,
  'gi',
);

/** `traced`: the result of `lockwise trace` for a statement, when the user traced the file. */
export type TracedLookup = (s: StatementAnalysis) => TracedStatement | undefined;

export function hover(analysis: Analysis, offset: number, traced?: TracedLookup): Hover | undefined {
  return modeHover(analysis, offset) ?? statementHover(analysis, offset, traced);
}

/** A lock mode name under the cursor, in a comment or in `LOCK TABLE ... IN <mode> MODE`. */
function modeHover(analysis: Analysis, offset: number): Hover | undefined {
  const inComment = analysis.comments.some((c) => offset >= c.start && offset <= c.end);
  const s = statementAt(analysis, offset);
  const inLockStatement = s?.statement.kind === 'LockStmt' && offset >= s.statement.span.start && offset <= s.statement.span.end;
  if (!inComment && !inLockStatement) return undefined;
  const line = analysis.lines.positionAt(offset).line;
  const lineStart = analysis.lines.lineStart(line);
  const text = analysis.text.slice(lineStart, analysis.lines.lineEndOffset(line));
  MODE_PATTERN.lastIndex = 0;
  let m: RegExpExecArray | null;
  while ((m = MODE_PATTERN.exec(text))) {
    const start = lineStart + m.index;
    const end = start + m[0].length;
    if (offset < start || offset > end) continue;
    const mode = m[1].toUpperCase().replace(/\s+/g, ' ') as LockMode;
    return { contents: { kind: MarkupKind.Markdown, value: modeCard(mode) }, range: toRange(analysis.lines, { start, end }) };
  }
  return undefined;
}

export function modeCard(mode: LockMode): string {
  const conflicts = conflictingModes(mode);
  const blocked = blockedOperations(mode);
  return [
    `**${mode}** (PostgreSQL table lock mode)`,
    '',
    MODE_DESCRIPTIONS[mode],
    '',
    `**Conflicts with:** ${conflicts.join(', ')}`,
    '',
    `**While held, waits:** ${blocked.length ? blocked.join(', ') : 'nothing but ACCESS EXCLUSIVE lockers'}`,
  ].join('\n');
}

function statementHover(analysis: Analysis, offset: number, traced?: TracedLookup): Hover | undefined {
  const s = statementAt(analysis, offset);
  if (!s) return undefined;
  const trace = traced?.(s);
  return {
    contents: { kind: MarkupKind.Markdown, value: statementCard(analysis, s) + (trace ? '\n' + tracedSection(trace) : '') },
    range: toRange(analysis.lines, s.statement.span),
  };
}

const ICON = { error: '⛔', warning: '⚠️', info: 'ℹ️' } as const;

export function statementCard(analysis: Analysis, s: StatementAnalysis): string {
  const out: string[] = [];
  const stmt = s.statement;
  out.push(`**Lockwise** · \`${codeSafe(oneLine(stmt.text, 60))}\``, '');
  const locks = s.effect.locks;
  if (stmt.kind === 'Invalid') {
    out.push('This statement does not parse, so its locks are unknown.');
  } else if (stmt.kind === 'TransactionStmt') {
    out.push(transactionText(analysis, s));
  } else if (locks.length === 0 && s.effect.objectLocks.length === 0) {
    out.push('Takes no table locks.');
  } else {
    out.push('| relation | mode | role |', '|---|---|---|');
    for (const l of locks) {
      const created = s.newRelations.has(l.relation) ? ' (created in this file)' : '';
      const harmless = l.harmless ? ` (${escapeMarkdown(l.harmless)})` : '';
      out.push(`| \`${codeSafe(l.relation)}\`${created} | ${l.mode}${harmless} | ${l.role.replace(/_/g, ' ')} |`);
    }
    for (const o of s.effect.objectLocks) out.push(`| \`${codeSafe(o.object)}\` | ${o.mode} | object |`);
    out.push('');
    const blocked = [...s.blocks.entries()].filter(([, ops]) => ops.length > 0);
    if (blocked.length) {
      out.push(`**Blocks:** ${blocked.map(([table, ops]) => `${blocksInWords(ops)} on \`${codeSafe(table)}\``).join('; ')}  `);
    } else {
      out.push('**Blocks:** nothing that matters to concurrent queries  ');
    }
    out.push(`**Work under the lock:** ${workText(s)}  `);
    out.push(`**Held:** ${escapeMarkdown(heldUntilText(analysis, s))}  `);
    out.push(`**lock_timeout:** ${escapeMarkdown(lockTimeoutText(s))}  `);
  }
  const runner = runnerText(analysis, s);
  if (runner) out.push(`**Runner:** ${escapeMarkdown(runner)}  `);
  out.push(
    `**Assumes:** PostgreSQL ${analysis.config.pgVersion}` +
      (analysis.hasHistory ? ', schema from the earlier migrations' : ', no schema history (existing tables are assumed to hold data)'),
  );
  const findings = analysis.findings.filter((f) => f.statement === stmt.index);
  if (findings.length) {
    out.push('', '---', '', '**Findings**', '');
    for (const f of findings) {
      out.push(`- ${ICON[f.severity]} \`${codeSafe(f.rule)}\`: ${escapeMarkdown(f.message)}`);
      if (f.fix) out.push(`  - Quick fix: ${escapeMarkdown(f.fix.title)}`);
    }
  }
  if (s.effect.notes.length) {
    out.push('', '**Notes**', '');
    for (const n of s.effect.notes) out.push(`- ${escapeMarkdown(n)}`);
  }
  return out.join('\n');
}

function workText(s: StatementAnalysis): string {
  const e = s.effect;
  if (e.rewrite) return '**rewrites** the table and its indexes (time grows with table size)';
  if (e.indexBuild) return 'builds an index (a full scan and sort)';
  if (e.scan) return '**scans** the whole table';
  if (e.dataChange) return 'writes rows';
  return 'no rewrite, no scan (catalog change only)';
}

function transactionText(analysis: Analysis, s: StatementAnalysis): string {
  const tx = s.timeline.transaction;
  if (!tx) return 'Transaction control; no transaction is open here.';
  if (tx.begin === s.statement.index) {
    if (tx.end === undefined) return 'Starts a transaction that is **never committed**: every lock taken after it is held until the session ends.';
    const line = analysis.lines.positionAt(analysis.statements[tx.end].statement.span.start).line + 1;
    return `Starts a transaction: every lock taken after it is held until the ${tx.endKind === 'rollback' ? 'ROLLBACK' : 'COMMIT'} on line ${line}.`;
  }
  if (tx.end === s.statement.index) return 'Ends the transaction and releases every lock it took.';
  return 'Transaction control.';
}
