/**
 * The lock timeline of one file as data: for every table, the spans of statements during which a
 * lock is held on it, from the statement that takes it to the COMMIT that releases it. Read from
 * the audit JSON alone, so whatever draws it (timelineSvg.ts) needs nothing else.
 */
import { estimateText } from '../size/estimate';
import { LockMode, lockRank } from '../locks/modes';
import type { AuditFileJson, AuditStatementJson } from './audit';
import { blockLevel, BlockLevel } from './describe';

/** Work done under the lock by the statement itself, drawn as hatching on its own column. */
export type Work = 'rewrite' | 'scan' | null;

export interface TimelineBar {
  mode: LockMode;
  /** A DO block takes the lock only if a branch or loop runs ("may take"). */
  conditional?: true;
  level: BlockLevel;
  /** Column of the statement that takes the lock (statement index in the file). */
  from: number;
  /** Column that releases it: the COMMIT/ROLLBACK, the column after an implicit transaction's last statement, or `columns` (never). */
  to: number;
  /** How the lock ends: at the statement's end, at a COMMIT/ROLLBACK column, when the runner's (or the whole file's) transaction commits, or never. `endLine`: the COMMIT's line, or the last statement's before an implicit commit. */
  end: 'statement' | 'commit' | 'rollback' | 'implicit-commit' | 'never';
  line: number;
  endLine: number | null;
  work: Work;
  /** With a size snapshot: how long the lock is held with work under it, e.g. "≈ 40 s – 2 min". */
  estimate?: string;
}

export interface TimelineRow {
  relation: string;
  bars: TimelineBar[];
}

export interface TimelineTransaction {
  /** Column of BEGIN, or of the first statement of an implicit (runner's) transaction. */
  begin: number;
  /** Column of COMMIT/ROLLBACK, or null when implicit or never closed. */
  end: number | null;
  endKind: 'commit' | 'rollback' | null;
  /** Column of the last statement inside it (an implicit transaction commits right after it). */
  last: number;
  implicit: boolean;
  /** The runner's unit of an implicit transaction ("this file", "changeset a:1"). */
  unit: string | null;
}

export interface Timeline {
  path: string;
  /** The deployed statements (a runner's rollback part is not drawn), one column each. */
  statements: AuditStatementJson[];
  /** The statements' first lines. */
  lines: number[];
  rows: TimelineRow[];
  transactions: TimelineTransaction[];
}

export function timelineOf(file: AuditFileJson): Timeline {
  const statements = file.statements.filter((s) => s.part === 'up');
  const lines = statements.map((s) => s.line);
  const columnOfLine = new Map<number, number>();
  lines.forEach((line, i) => {
    if (!columnOfLine.has(line)) columnOfLine.set(line, i);
  });
  const column = (line: number | null) => (line === null ? undefined : columnOfLine.get(line));
  // Transactions by their index in the audit JSON; those of a rollback part have no column.
  const byId = new Map<number, TimelineTransaction>();
  file.transactions.forEach((t, id) => {
    const begin = column(t.beginLine) ?? column(t.firstLine);
    const last = column(t.lastLine);
    if (begin === undefined || last === undefined) return;
    byId.set(id, { begin, end: column(t.endLine) ?? null, endKind: t.end, last, implicit: t.implicit, unit: t.unit });
  });
  const rows = new Map<string, TimelineBar[]>();
  statements.forEach((s, i) => {
    const tx = s.transaction === null ? undefined : byId.get(s.transaction);
    for (const [relation, lock] of heldLocks(s)) {
      const bars = rows.get(relation) ?? [];
      bars.push({ ...barOf(s, i, lock.mode, tx, lines, relation), ...(lock.conditional ? { conditional: true as const } : {}) });
      rows.set(relation, bars);
    }
  });
  return { path: file.path, statements, lines, rows: [...rows].map(([relation, bars]) => ({ relation, bars })), transactions: [...byId.values()] };
}

/**
 * The table locks a statement holds on tables that existed before the file, strongest per table.
 * Index locks go with their table's row; locks on tables created in this file stop nobody.
 */
function heldLocks(s: AuditStatementJson): Map<string, { mode: LockMode; conditional?: true }> {
  const out = new Map<string, { mode: LockMode; conditional?: true }>();
  for (const l of s.locks) {
    if (l.role.endsWith('index') || l.harmless || s.newRelations.includes(l.relation)) continue;
    const known = out.get(l.relation);
    if (!known || lockRank(l.mode) > lockRank(known.mode)) out.set(l.relation, { mode: l.mode, ...(l.conditional ? { conditional: true as const } : {}) });
  }
  return out;
}

function barOf(s: AuditStatementJson, column: number, mode: LockMode, tx: TimelineTransaction | undefined, lines: number[], relation: string): TimelineBar {
  const target = s.locks.some((l) => l.relation === relation && l.role === 'target');
  const work: Work = !target ? null : s.rewrite ? 'rewrite' : s.scan || s.indexBuild ? 'scan' : null;
  const held = s.estimate?.heldSeconds ?? s.estimate?.ownSeconds;
  const base = { mode, level: blockLevel(mode), from: column, line: s.line, work, ...(held ? { estimate: estimateText(held) } : {}) };
  const early = s.locks.every((l) => l.relation !== relation || l.releasedEarly);
  if (!tx || early || s.kind === 'TransactionStmt') return { ...base, to: column, end: 'statement', endLine: null };
  if (tx.end !== null && tx.end >= column) return { ...base, to: tx.end, end: tx.endKind ?? 'commit', endLine: s.heldUntilLine };
  if (tx.implicit) return { ...base, to: tx.last + 1, end: 'implicit-commit', endLine: lines[tx.last] };
  return { ...base, to: lines.length, end: 'never', endLine: null };
}
