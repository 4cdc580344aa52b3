/**
 * A one-line lock summary above each statement that takes more than ROW EXCLUSIVE on a relation
 * that existed before the file (locks on tables created in the same migration cannot hurt anyone).
 */
import { CodeLens } from 'vscode-languageserver/node';
import type { Analysis, StatementAnalysis } from '../core';
import { compactSummary, strongestLock } from '../core';
import { lockRank } from '../core';
import { toRange } from './convert';

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
  };
}

export function codeLenses(analysis: Analysis): CodeLens[] {
  const lenses: CodeLens[] = [];
  for (const s of analysis.statements) {
    if (s.statement.kind === 'Invalid') continue;
    const visible = onExistingRelations(s);
    const lock = strongestLock(visible);
    if (!lock || lockRank(lock.mode) <= lockRank('ROW EXCLUSIVE')) continue;
    // An empty command id makes the lens a label: VS Code shows it and does nothing on click.
    lenses.push({
      range: toRange(analysis.lines, { start: s.statement.span.start, end: s.statement.span.start }),
      command: { title: compactSummary(analysis, visible), command: '' },
    });
  }
  return lenses;
}
