/**
 * Hover cards. Every piece of text that comes from the document (relation names, messages that
 * quote identifiers, notes) goes through codeSafe (inside code spans) or escapeMarkdown, because
 * the card is markdown: a table named `[x](command:...)` or `<img onerror=...>` must render as text.
 * The server only returns plain MarkupContent; it never asks the client to trust it.
 */
import { Hover, MarkupKind } from 'vscode-languageserver/node';
import { Analysis, pendingReason, statementAt, StatementAnalysis } from '../core';
import { codeSafe, escapeMarkdown, oneLine, roundsToZero } from '../core';
import { blockLevel, estimateSummary, lineOfStatement, mayTake, runnerText, strongestExistingLock } from '../core';
import { blockedOperations, conflictingModes, LOCK_MODES, LockMode, MODE_DESCRIPTIONS } from '../core';
import { toRange } from './convert';
import { TracedStatement, tracedSection } from './trace';

const MODE_PATTERN = new RegExp(
  `\\b(${[...LOCK_MODES]
    .sort((a, b) => b.length - a.length)
    .map((m) => m.replace(/ /g, '\\s+'))
    .join('|')})\\b`,
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

/**
 * The statement card, shortest first: a one-line summary (strongest lock, what it blocks, how long,
 * lock_timeout), the findings one line each with their fix (their messages are already shown by
 * the editor above the card), then compact details. Fits VS Code's default hover for a statement
 * with one table and one finding (measured in the e2e suite).
 */
export function statementCard(analysis: Analysis, s: StatementAnalysis): string {
  const out: string[] = [summaryLine(analysis, s)];
  const baseline = analysis.baseline;
  // Why a statement on a table of a pending migration has no finding.
  if (baseline && s.pendingRelations.length) out.push('', s.pendingRelations.map((p) => escapeMarkdown(pendingReason(p, baseline))).join('  \n'));
  const estimate = estimateSummary(analysis, s);
  if (estimate) out.push('', escapeMarkdown(estimate));
  const findings = analysis.findings.filter((f) => f.statement === s.statement.index);
  if (findings.length) {
    out.push('', findings.map(findingLine).join('  \n'));
  }
  // Transaction control, settings and unparsable statements: the summary says all there is.
  // The card says once that there is no schema history: the findings' notes need not repeat it.
  const notes = findings.flatMap((f) => f.notes ?? []).filter((n) => analysis.hasHistory || !n.startsWith('no schema history'));
  if (s.effect.locks.length || s.effect.objectLocks.length) out.push('', '---', '', ...detailLines(analysis, s, notes));
  else if (notes.length) out.push('', '---', '', notes.map((n) => `Note: ${escapeMarkdown(n)}`).join('  \n'));
  return out.join('\n');
}

/** `error \`rule\` · fix: <title>`, or the safe way when there is no fix (the message itself is shown above the card). */
function findingLine(f: Analysis['findings'][number]): string {
  const after = f.fix ? ` · fix: ${escapeMarkdown(f.fix.title)}` : f.help ? ` · ${escapeMarkdown(f.help)}` : '';
  return `${f.severity} \`${codeSafe(f.rule)}\`${after}`;
}

/** `**ACCESS EXCLUSIVE** on \`users\` · blocks reads and writes · until COMMIT (line 40) · no lock_timeout`. */
function summaryLine(analysis: Analysis, s: StatementAnalysis): string {
  const stmt = s.statement;
  if (stmt.kind === 'Invalid') return 'This statement does not parse, so its locks are unknown.';
  if (stmt.kind === 'TransactionStmt') return transactionText(analysis, s);
  const lock = strongestExistingLock(s);
  if (!lock) {
    if (s.pendingRelations.length) return 'Locks only tables that are new in production, or locks that block nobody.';
    return s.effect.locks.length ? 'Locks only tables created in this file, or locks that block nobody.' : 'Takes no table locks.';
  }
  const parts = [
    `${mayTake(lock)}**${lock.mode}** on \`${codeSafe(oneLine(lock.relation, 60))}\`${lock.condition ? ` (${escapeMarkdown(lock.condition)})` : ''}`,
    BLOCK_SUMMARY[blockLevel(lock.mode)],
    escapeMarkdown(heldShortText(analysis, s)),
  ];
  const t = s.timeline.lockTimeout;
  const rounded = roundsToZero(t) ? ` (\`${codeSafe(oneLine(t!.text, 20))}\` rounds to 0 = no timeout)` : '';
  parts.push(t && t.ms > 0 ? `\`lock_timeout\` ${escapeMarkdown(t.text)}` : `**no \`lock_timeout\`**${rounded}`);
  const work = s.effect.rewrite ? '**rewrite**' : s.effect.indexBuild ? 'index build' : s.effect.scan ? 'full scan' : '';
  if (work) parts.push(work);
  return parts.join(' · ');
}

const BLOCK_SUMMARY = { reads: 'blocks reads and writes', writes: 'blocks writes', ddl: 'blocks only DDL' } as const;

/** "until COMMIT (line 40)", "for this statement", ... */
function heldShortText(analysis: Analysis, s: StatementAnalysis): string {
  const h = s.heldUntil;
  if ((h.kind === 'commit' || h.kind === 'rollback') && h.statement !== undefined)
    return `until ${h.kind.toUpperCase()} (line ${lineOfStatement(analysis, h.statement)})`;
  if (h.kind === 'end-of-file')
    return h.statement !== undefined ? `until the runner commits (after line ${lineOfStatement(analysis, h.statement)})` : 'until the end of the migration';
  if (h.kind === 'never') return 'never released (no COMMIT)';
  return 'for this statement';
}

/** The locks table (several relations), the work under the lock, runner, version and history, then the model's and the findings' notes. */
function detailLines(analysis: Analysis, s: StatementAnalysis, findingNotes: string[]): string[] {
  const out: string[] = [];
  const locks = s.effect.locks;
  const relations = new Set([...locks.map((l) => l.relation), ...s.effect.objectLocks.map((o) => o.object)]);
  if (relations.size > 1) {
    out.push('| relation | mode | role |', '|---|---|---|');
    for (const l of locks) {
      const created = s.newRelations.has(l.relation) ? ' (new)' : '';
      const harmless = l.harmless ? ` (${escapeMarkdown(l.harmless)})` : '';
      const condition = l.condition ? ` (${escapeMarkdown(l.condition)})` : '';
      out.push(`| \`${codeSafe(l.relation)}\`${created} | ${mayTake(l)}${l.mode}${condition}${harmless} | ${l.role.replace(/_/g, ' ')} |`);
    }
    for (const o of s.effect.objectLocks) out.push(`| \`${codeSafe(o.object)}\` | ${o.mode} | object |`);
    out.push('');
  } else if (s.effect.objectLocks.length) {
    const o = s.effect.objectLocks[0];
    out.push(`${o.mode} on \`${codeSafe(o.object)}\`  `);
  }
  const lines: string[] = [];
  const work = workText(s);
  if (work) lines.push(work);
  const runner = runnerText(analysis, s);
  if (runner) lines.push(`Runner: ${escapeMarkdown(runner)}`);
  lines.push(
    `PostgreSQL ${analysis.config.pgVersion} · ` +
      (analysis.hasHistory ? 'schema from the earlier migrations' : 'no schema history: existing tables are assumed to hold data'),
  );
  for (const n of [...s.effect.notes, ...findingNotes]) lines.push(`Note: ${escapeMarkdown(n)}`);
  out.push(lines.join('  \n'));
  return out;
}

function workText(s: StatementAnalysis): string {
  const e = s.effect;
  if (e.rewrite) return 'Work under the lock: **rewrites** the table and its indexes (time grows with table size)';
  if (e.indexBuild) return 'Work under the lock: builds an index (a full scan and sort)';
  if (e.scan) return 'Work under the lock: **scans** the whole table';
  if (e.dataChange) return 'Work under the lock: writes rows';
  return '';
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
