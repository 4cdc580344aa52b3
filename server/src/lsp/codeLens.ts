/**
 * A one-line lock summary above statements: by default those with a finding; with
 * `"strong-locks"`, those that take more than ROW EXCLUSIVE on a relation that existed before the
 * file (locks on tables created in the same migration cannot hurt anyone).
 */
import { CodeLens } from 'vscode-languageserver/node';
import type { Analysis, StatementAnalysis } from '../core';
import { compactSummary, strongestLock } from '../core';
import { lockRank } from '../core';
import { toRange } from './convert';
import { labelText } from './labels';
import { LENS_COMMANDS } from './protocol';

const SHOW_STATEMENT = LENS_COMMANDS.showStatement;

/** The statement as seen by concurrent sessions: only its locks on relations that existed before the file. */
export function onExistingRelations(s: StatementAnalysis): StatementAnalysis {
  // Not a spread: blocks and newRelations are computed on read (prototype getters a spread drops).
  return {
    statement: s.statement,
    effect: { ...s.effect, locks: s.effect.locks.filter((l) => !s.newRelations.has(l.relation)) },
    timeline: s.timeline,
    heldUntil: s.heldUntil,
    part: s.part,
    get blocks() {
      return s.blocks;
    },
    newRelations: s.newRelations,
    pendingRelations: s.pendingRelations,
  };
}

/** `lockwise.codeLens.show`: above statements with a finding (default), above every strong lock, or none. */
export type CodeLensMode = 'findings' | 'strong-locks' | 'off';

/** What a lens is about, so the big-file worker can compute every candidate and the server filter them by the setting. */
interface LensData {
  findings: number;
  strong: boolean;
}

/**
 * A lens is a button: clicking it runs the client's `lockwise.showStatement`, which puts the cursor
 * on the statement and opens the fix menu (statements with a finding) or the hover card.
 */
export function codeLenses(analysis: Analysis, uri: string): CodeLens[] {
  const lenses: CodeLens[] = [];
  const findings = new Map<number, number>();
  for (const f of analysis.findings) findings.set(f.statement, (findings.get(f.statement) ?? 0) + 1);
  for (const s of analysis.statements) {
    if (s.statement.kind === 'Invalid') continue;
    const visible = onExistingRelations(s);
    const lock = strongestLock(visible);
    const strong = !!lock && lockRank(lock.mode) > lockRank('ROW EXCLUSIVE');
    const count = findings.get(s.statement.index) ?? 0;
    if (!strong && count === 0) continue;
    const at = analysis.lines.positionAt(s.statement.span.start);
    const summary = lock ? compactSummary(analysis, visible) : 'no lock on an existing table';
    // Table names in it: `$(zap)` would render as an icon.
    const title = labelText(count ? `${summary} · ${count} finding${count === 1 ? '' : 's'}: show fixes` : summary);
    const data: LensData = { findings: count, strong };
    lenses.push({
      range: toRange(analysis.lines, { start: s.statement.span.start, end: s.statement.span.start }),
      command: { title, command: SHOW_STATEMENT, arguments: [uri, at.line, at.character, count ? 'fixes' : 'hover'] },
      data,
    });
  }
  return lenses;
}

export function lensesFor(mode: CodeLensMode, lenses: CodeLens[]): CodeLens[] {
  if (mode === 'off') return [];
  return lenses.filter((l) => {
    const data = l.data as LensData;
    return mode === 'findings' ? data.findings > 0 : data.strong;
  });
}
