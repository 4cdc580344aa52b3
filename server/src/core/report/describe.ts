/** Plain-language descriptions of a statement's locks, shared by hover, CodeLens, audit and CLI. */
import { Analysis, StatementAnalysis } from '../analyze';
import { blockedOperations, lockRank, LockMode, Operation, OPERATIONS } from '../locks/modes';
import { formatDuration, roundsToZero } from '../model/timeline';
import { unitSentence } from '../runners/apply';

export function lineOfStatement(analysis: Analysis, index: number): number {
  return analysis.lines.positionAt(analysis.statements[index].statement.span.start).line + 1;
}

/** "until COMMIT on line 40", "for this statement", ... */
export function heldUntilText(analysis: Analysis, s: StatementAnalysis): string {
  const h = s.heldUntil;
  switch (h.kind) {
    case 'statement':
      return 'for this statement';
    case 'commit':
      return `until COMMIT on line ${lineOfStatement(analysis, h.statement!)}`;
    case 'rollback':
      return `until ROLLBACK on line ${lineOfStatement(analysis, h.statement!)}`;
    case 'end-of-file': {
      const unit = s.timeline.transaction?.runner;
      if (!unit) return "until the migration's transaction commits (end of file)";
      const end = unit.unit === 'this file' ? 'the end of the migration' : `the end of ${unit.unit}`;
      return `until ${end}: ${unitSentence(unit)}`;
    }
    case 'never':
      return 'until the session ends: the transaction is never committed';
  }
}

/** Line number of the statement that releases the locks, or null when released at statement end. */
export function heldUntilLine(analysis: Analysis, s: StatementAnalysis): number | null {
  const h = s.heldUntil;
  if ((h.kind === 'commit' || h.kind === 'rollback') && h.statement !== undefined) return lineOfStatement(analysis, h.statement);
  if (h.kind === 'end-of-file') return h.statement !== undefined ? lineOfStatement(analysis, h.statement) : analysis.lines.lineCount;
  return null;
}

export function lockTimeoutText(s: StatementAnalysis): string {
  const t = s.timeline.lockTimeout;
  const rounded = roundsToZero(t) ? `'${t!.text}' rounds to 0 = no timeout; ` : '';
  if (!t || t.ms === 0) return `none: ${rounded}it waits forever, and every query after it queues behind it`;
  return `${formatDuration(t.ms)}${t.local ? ' (SET LOCAL)' : ''}`;
}

/** Union of blocked operations over all tables. */
export function allBlocked(s: StatementAnalysis): Operation[] {
  const set = new Set<Operation>();
  for (const ops of s.blocks.values()) for (const op of ops) set.add(op);
  return OPERATIONS.map((o) => o.name).filter((o) => set.has(o));
}

/** "reads, writes, index builds, VACUUM, DDL" for a list of operations. */
export function blocksInWords(ops: Operation[]): string {
  const words: string[] = [];
  if (ops.includes('SELECT')) words.push('reads');
  if (ops.includes('INSERT') || ops.includes('UPDATE') || ops.includes('DELETE')) words.push('writes');
  else if (ops.includes('SELECT FOR UPDATE')) words.push('SELECT FOR UPDATE');
  if (ops.includes('CREATE INDEX') || ops.includes('CREATE INDEX CONCURRENTLY')) words.push('index builds');
  if (ops.includes('VACUUM')) words.push('VACUUM');
  if (ops.includes('ALTER TABLE')) words.push('DDL');
  return words.length ? words.join(', ') : 'nothing';
}

/** A lock as reports name it; `condition`: a DO block takes it only if a branch or loop runs (why). */
export interface NamedLock {
  relation: string;
  mode: LockMode;
  condition?: string;
}

/** "may take " before a lock that a DO block takes only if a branch or loop runs. */
export function mayTake(lock: { condition?: string }): string {
  return lock.condition ? 'may take ' : '';
}

function named(l: NamedLock): NamedLock {
  return { relation: l.relation, mode: l.mode, ...(l.condition ? { condition: l.condition } : {}) };
}

/** Ranks locks for "the strongest": by mode, then certain before may-take, then the statement's target. */
function weight(l: { mode: LockMode; condition?: string; role: string }): number {
  return lockRank(l.mode) * 4 + (l.condition ? 0 : 2) + (l.role === 'target' ? 1 : 0);
}

export function strongestLock(s: StatementAnalysis): NamedLock | undefined {
  return strongestOf(s.effect.locks.filter((l) => !l.harmless));
}

/** The strongest lock on a relation that existed before the file (locks on new tables stop nobody); the target on a tie. */
export function strongestExistingLock(s: StatementAnalysis): NamedLock | undefined {
  return strongestOf(s.effect.locks.filter((l) => !l.harmless && !s.newRelations.has(l.relation)));
}

function strongestOf(locks: StatementAnalysis['effect']['locks']): NamedLock | undefined {
  let best: (typeof locks)[number] | undefined;
  for (const l of locks) if (!best || weight(l) > weight(best)) best = l;
  return best && named(best);
}

/**
 * A statement's lock in plain words, for a finding's `= note:` in the CLI (the hover's summary line
 * says the same in markdown): `SHARE on users blocks writes until COMMIT on line 6 · index build · no lock_timeout`;
 * `may take ROW EXCLUSIVE on audit (only if the IF branch at line 3 runs): blocks DDL only ...` in a DO block.
 */
export function lockNote(analysis: Analysis, s: StatementAnalysis): string | undefined {
  const lock = strongestExistingLock(s);
  if (!lock) return undefined;
  const what = `${mayTake(lock)}${lock.mode} on ${lock.relation.replace(/\s+/g, ' ')}${lock.condition ? ` (${lock.condition}):` : ''}`;
  const parts = [`${what} blocks ${BLOCK_LEVEL_WORDS[blockLevel(lock.mode)]} ${heldUntilText(analysis, s)}`];
  const work = s.effect.rewrite ? 'rewrite' : s.effect.indexBuild ? 'index build' : s.effect.scan ? 'full scan' : '';
  if (work) parts.push(work);
  const t = s.timeline.lockTimeout;
  parts.push(t && t.ms > 0 ? `lock_timeout ${t.text}` : roundsToZero(t) ? `no lock_timeout ('${t!.text}' rounds to 0)` : 'no lock_timeout');
  return parts.join(' · ');
}

/** One line, e.g. `ACCESS EXCLUSIVE users · until COMMIT L40 · rewrite`. */
export function compactSummary(analysis: Analysis, s: StatementAnalysis): string {
  const lock = strongestLock(s);
  if (!lock) return 'no table locks';
  // A one-line label (CodeLens, status bar): a quoted name may hold line breaks.
  const parts = [`${mayTake(lock)}${lock.mode} ${lock.relation.replace(/\s+/g, ' ')}`];
  const line = heldUntilLine(analysis, s);
  if (s.heldUntil.kind === 'commit' && line) parts.push(`until COMMIT L${line}`);
  else if (s.heldUntil.kind === 'never') parts.push('never released');
  else if (s.heldUntil.kind === 'end-of-file') parts.push('until end of migration');
  if (s.effect.rewrite) parts.push('rewrite');
  else if (s.effect.indexBuild) parts.push('index build');
  else if (s.effect.scan) parts.push('scan');
  return parts.join(' · ');
}

/** "goose: goose runs this file in one transaction (the file carries goose's marker)", for the hover, audit header and status bar. */
export function runnerText(analysis: Analysis, s?: StatementAnalysis): string | undefined {
  const runner = analysis.runner;
  if (!runner) return undefined;
  const choice = runner.choice;
  const why = choice
    ? ` (${choice.reason}${choice.alternatives?.length ? `; ambiguous, it also fits ${choice.alternatives.join(', ')}: set "runner" in .lockwise.json` : ''})`
    : '';
  const index = s ? s.timeline.unit : undefined;
  const units = index !== undefined ? [analysis.timeline.units?.[index]].filter((u) => !!u) : (analysis.timeline.units ?? []);
  const modes = [...new Set(units.map((u) => unitSentence(u!)))];
  const part =
    s && s.part !== 'up'
      ? ` This is the ${s.part === 'down' ? 'rollback' : 'verify'} part: analysed on its own (downMigrations: ${analysis.config.downMigrations}), never part of the schema history.`
      : '';
  return `${runner.profile.docs.name}${why}${modes.length ? ': ' + modes.join('; ') : ''}.${part}`;
}

/** What a lock stops other sessions from doing, coarsely: the colour of a timeline bar, the weight of the worst-statement score. */
export type BlockLevel = 'reads' | 'writes' | 'ddl';

export function blockLevel(mode: LockMode): BlockLevel {
  const ops = blockedOperations(mode);
  if (ops.includes('SELECT')) return 'reads';
  if (ops.includes('INSERT') || ops.includes('SELECT FOR UPDATE')) return 'writes';
  return 'ddl';
}

export const BLOCK_LEVEL_WORDS: Record<BlockLevel, string> = { reads: 'reads and writes', writes: 'writes', ddl: 'DDL only' };

/** "reads, writes", "writes", "DDL" or "nothing": the blocks column of the audit tables, short enough for a narrow preview. */
export function blocksShort(ops: readonly string[]): string {
  if (ops.includes('SELECT')) return 'reads, writes';
  if (ops.includes('INSERT') || ops.includes('SELECT FOR UPDATE')) return 'writes';
  return ops.length ? 'DDL' : 'nothing';
}
