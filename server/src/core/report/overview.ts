/**
 * The audit overview of many files: how many have errors or warnings, the worst statements (what
 * their lock blocks × the work done while it is held) and the tables touched most. Built from
 * each file's audit JSON in two steps, so the editor can audit a workspace in batches and merge
 * the small per-file records at the end.
 */
import type { LockMode } from '../locks/modes';
import type { AuditFileJson, AuditStatementJson } from './audit';
import type { BlockLevel } from './describe';
import { timelineOf, TimelineBar } from './timeline';

export interface WorstStatement {
  path: string;
  line: number;
  sql: string;
  mode: LockMode;
  /** A DO block takes the lock only if a branch or loop runs ("may take"). */
  conditional?: true;
  relation: string;
  level: Exclude<BlockLevel, 'ddl'>;
  /** What the statement itself does under the lock. */
  work: 'rewrite' | 'scan' | 'index build' | null;
  /** Later statements that run while the lock is held. */
  statementsUnder: number;
  /** "COMMIT L10", "statement", "end of file", "never". */
  held: string;
  score: number;
}

/** What one file contributes to the overview (small: the workspace audit sends it from the server in batches). */
export interface OverviewFile {
  path: string;
  /** Link target of the file for line links (`<target>#L<line>`), where the view can follow one. */
  link?: string;
  statements: number;
  findings: { error: number; warning: number; info: number };
  worst: WorstStatement[];
  /** Statements that lock each table that existed before the file. */
  tables: Record<string, number>;
}

export interface Overview {
  files: OverviewFile[];
  statements: number;
  findings: { error: number; warning: number; info: number };
  filesWithErrors: number;
  filesWithWarnings: number;
  worst: WorstStatement[];
  tables: { relation: string; statements: number; files: number }[];
}

export const TOP = 10;
const LEVEL_WEIGHT = { reads: 3, writes: 2 } as const;
export const SCORE_EXPLAINED =
  'score = what the lock blocks (reads and writes 3, writes 2) × the work done while it is held (rewrite 3, full scan or index build 2, any other statement 1)';

export function overviewFile(file: AuditFileJson): OverviewFile {
  const findings = { error: 0, warning: 0, info: 0 };
  for (const f of file.findings) findings[f.severity]++;
  const timeline = timelineOf(file);
  const best = new Map<number, { w: WorstStatement; onTarget: boolean }>();
  const tables: Record<string, number> = {};
  for (const row of timeline.rows) {
    tables[row.relation] = new Set(row.bars.map((b) => b.from)).size;
    for (const bar of row.bars) {
      const w = worstOf(file.path, timeline.statements, row.relation, bar);
      const known = best.get(bar.from);
      // On a tie, the lock on the table the statement rewrites or scans tells more.
      const onTarget = bar.work !== null;
      if (w && (!known || w.score > known.w.score || (w.score === known.w.score && onTarget && !known.onTarget))) best.set(bar.from, { w, onTarget });
    }
  }
  return { path: file.path, statements: file.statements.length, findings, worst: topWorst([...best.values()].map((b) => b.w)), tables };
}

function worstOf(path: string, statements: AuditStatementJson[], relation: string, bar: TimelineBar): WorstStatement | undefined {
  if (bar.level === 'ddl') return undefined;
  const s = statements[bar.from];
  // Statements from the one that takes the lock to the one that releases it (a COMMIT does no work).
  const last = Math.min(bar.end === 'implicit-commit' ? bar.to - 1 : bar.to, statements.length - 1);
  let work = 0;
  let under = 0;
  for (let c = bar.from; c <= last; c++) {
    const w = workOf(statements[c]);
    work += w;
    if (c > bar.from && w > 0) under++;
  }
  const held =
    bar.end === 'commit' || bar.end === 'rollback'
      ? `${bar.end.toUpperCase()} L${bar.endLine}`
      : bar.end === 'implicit-commit'
        ? `COMMIT after L${bar.endLine}`
        : bar.end;
  const own = s.rewrite ? 'rewrite' : s.indexBuild ? 'index build' : s.scan ? 'scan' : null;
  return {
    path,
    line: s.line,
    sql: s.sql,
    mode: bar.mode,
    ...(bar.conditional ? { conditional: true as const } : {}),
    relation,
    level: bar.level,
    work: own,
    statementsUnder: under,
    held,
    score: LEVEL_WEIGHT[bar.level] * work,
  };
}

function workOf(s: AuditStatementJson): number {
  if (s.rewrite) return 3;
  if (s.scan || s.indexBuild) return 2;
  return s.locks.length ? 1 : 0;
}

function topWorst(list: WorstStatement[]): WorstStatement[] {
  return list.sort((a, b) => b.score - a.score || a.path.localeCompare(b.path) || a.line - b.line).slice(0, TOP);
}

export function overview(files: OverviewFile[]): Overview {
  const findings = { error: 0, warning: 0, info: 0 };
  const tables = new Map<string, { relation: string; statements: number; files: number }>();
  for (const f of files) {
    findings.error += f.findings.error;
    findings.warning += f.findings.warning;
    findings.info += f.findings.info;
    for (const [relation, n] of Object.entries(f.tables)) {
      const t = tables.get(relation) ?? { relation, statements: 0, files: 0 };
      t.statements += n;
      t.files++;
      tables.set(relation, t);
    }
  }
  return {
    files,
    statements: files.reduce((n, f) => n + f.statements, 0),
    findings,
    filesWithErrors: files.filter((f) => f.findings.error > 0).length,
    filesWithWarnings: files.filter((f) => f.findings.warning > 0).length,
    worst: topWorst(files.flatMap((f) => f.worst)),
    tables: [...tables.values()].sort((a, b) => b.statements - a.statements || b.files - a.files || a.relation.localeCompare(b.relation)).slice(0, TOP),
  };
}

export function hasFindings(f: { findings: { error: number; warning: number; info: number } | unknown[] }): boolean {
  const n = f.findings;
  return Array.isArray(n) ? n.length > 0 : n.error + n.warning + n.info > 0;
}

/** "3 errors, 1 warning", "no findings". */
export function countsText(n: { error: number; warning: number; info: number }): string {
  const parts = [plural(n.error, 'error'), plural(n.warning, 'warning'), n.info ? `${n.info} info` : ''].filter((p) => p && !p.startsWith('0 '));
  return parts.length ? parts.join(', ') : 'no findings';
}

export function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`;
}

/** "rewrite, then 4 statements", "2 statements", "—". */
export function workText(w: WorstStatement): string {
  const later = w.statementsUnder ? plural(w.statementsUnder, 'later statement') : '';
  return [w.work ?? '', later].filter(Boolean).join(' + ') || '—';
}
