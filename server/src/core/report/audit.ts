/** The audit report of a file: every statement's locks and findings, as JSON and markdown. */
import { Analysis, StatementAnalysis } from '../analyze';
import { Finding } from '../rules/types';
import { lockRank, LockMode } from '../locks/modes';
import { allBlocked, blocksInWords, heldUntilLine, heldUntilText, lockTimeoutText, runnerText, strongestLock } from './describe';
import { findingJson, FindingJson } from './findings';

export interface AuditStatementJson {
  line: number;
  endLine: number;
  kind: string;
  sql: string;
  locks: { relation: string; mode: LockMode; role: string }[];
  rewrite: boolean;
  scan: boolean;
  blocks: string[];
  heldUntilLine: number | null;
  heldUntil: string;
  lockTimeout: string | null;
  notes: string[];
  /** Relations created earlier in this file (empty and unused: their locks are harmless). */
  newRelations: string[];
  /** `up` (deployed), `down` (rollback) or `verify`. */
  part: string;
  findings: FindingJson[];
}

export interface AuditFileJson {
  path: string;
  /** The runner that executes the file and how (null: plain psql). */
  runner: { id: string; reason: string | null; alternatives: string[]; units: { part: string; mode: string; unit: string }[]; text: string } | null;
  statements: AuditStatementJson[];
  findings: FindingJson[];
  summary: { worstLock: { relation: string; mode: LockMode } | null; tablesTouched: string[]; rewrites: string[]; statements: number };
}

export function auditJson(path: string, analysis: Analysis): AuditFileJson {
  const statements = analysis.statements.map((s) => statementJson(analysis, s));
  const findings = analysis.findings.map((f) => findingJson(analysis, f));
  return { path, runner: runnerJson(analysis), statements, findings, summary: summary(analysis) };
}

function runnerJson(analysis: Analysis): AuditFileJson['runner'] {
  const r = analysis.runner;
  if (!r) return null;
  return {
    id: r.profile.id,
    reason: r.choice?.reason ?? null,
    alternatives: r.choice?.alternatives ?? [],
    units: r.units.map((u) => ({ part: u.part, mode: u.mode, unit: u.unit })),
    text: runnerText(analysis) ?? '',
  };
}

function statementJson(analysis: Analysis, s: StatementAnalysis): AuditStatementJson {
  const start = analysis.lines.positionAt(s.statement.span.start);
  const end = analysis.lines.positionAt(s.statement.span.end);
  const t = s.timeline.lockTimeout;
  return {
    line: start.line + 1,
    endLine: end.line + 1,
    kind: s.statement.kind,
    sql: oneLine(s.statement.text),
    locks: s.effect.locks.map((l) => ({ relation: l.relation, mode: l.mode, role: l.role })),
    rewrite: s.effect.rewrite,
    scan: s.effect.scan,
    blocks: allBlocked(s),
    heldUntilLine: heldUntilLine(analysis, s),
    heldUntil: heldUntilText(analysis, s),
    lockTimeout: t && t.ms > 0 ? t.text : null,
    notes: s.effect.notes,
    newRelations: [...s.newRelations],
    part: s.part,
    findings: analysis.findings.filter((f) => f.statement === s.statement.index).map((f) => findingJson(analysis, f)),
  };
}

function summary(analysis: Analysis): AuditFileJson['summary'] {
  let worst: { relation: string; mode: LockMode } | null = null;
  const tables = new Set<string>();
  const rewrites = new Set<string>();
  for (const s of analysis.statements) {
    for (const l of s.effect.locks) if (!l.role.endsWith('index')) tables.add(l.relation);
    if (s.effect.rewrite && s.effect.target) rewrites.add(s.effect.target);
    const lock = strongestLock(s);
    if (lock && !s.newRelations.has(lock.relation) && (!worst || lockRank(lock.mode) > lockRank(worst.mode))) worst = lock;
  }
  return { worstLock: worst, tablesTouched: [...tables], rewrites: [...rewrites], statements: analysis.statements.length };
}

export function oneLine(sql: string, max = 120): string {
  const flat = sql.replace(/\s+/g, ' ').trim();
  return flat.length > max ? flat.slice(0, max - 1) + '…' : flat;
}

/** Escapes text for a markdown table cell or inline text (no HTML, no links, no emphasis). */
export function escapeMarkdown(text: string): string {
  return (
    text
      .replace(/[\\`*_{}[\]()<>#!|~&]/g, (c) => `\\${c}`)
      // Autolink literals (GFM in hovers, linkify in the markdown preview) need no brackets: break
      // `scheme://`, `www.` and e-mail addresses so a name like `https://evil.example` stays text.
      .replace(/:(?=\/\/)/g, '\\:')
      .replace(/\b(www)\./gi, '$1\\.')
      .replace(/@/g, '\\@')
      .replace(/\r?\n|\r/g, ' ')
  );
}

export interface AuditMarkdownOptions {
  /** Link target for a line, e.g. `file.sql#L12` (command links are never used). */
  lineLink?: (line: number) => string;
}

export function auditMarkdown(path: string, analysis: Analysis, options: AuditMarkdownOptions = {}): string {
  const data = auditJson(path, analysis);
  const out: string[] = [];
  out.push(`## \`${codeSafe(path)}\``, '');
  const s = data.summary;
  out.push(
    `PostgreSQL ${analysis.config.pgVersion} · ${s.statements} statement${s.statements === 1 ? '' : 's'} · worst lock: ` +
      (s.worstLock ? `**${s.worstLock.mode}** on \`${codeSafe(s.worstLock.relation)}\`` : 'none on existing tables') +
      ` · rewrites: ${s.rewrites.length ? s.rewrites.map((r) => `\`${codeSafe(r)}\``).join(', ') : 'none'}` +
      ` · findings: ${data.findings.length}`,
    '',
  );
  if (data.runner) out.push(`Runner: ${escapeMarkdown(data.runner.text)}`, '');
  out.push('| line | statement | locks | blocks | rewrite / scan | held | lock_timeout | findings |');
  out.push('|---|---|---|---|---|---|---|---|');
  for (const st of data.statements) {
    if (st.kind === 'TransactionStmt' || st.kind === 'VariableSetStmt') {
      out.push(`| ${lineCell(st.line, options)} | \`${codeSafe(st.sql)}\` | | | | | | |`);
      continue;
    }
    const locks = st.locks.map((l) => `${l.mode} \`${codeSafe(l.relation)}\`${st.newRelations.includes(l.relation) ? ' (new)' : ''}`).join('<br>') || '—';
    const blocks = st.locks.length ? blocksInWords(st.blocks as never) : '—';
    const rw = st.rewrite ? '**rewrite**' : st.scan ? 'scan' : '—';
    const findings = st.findings.map((f) => `${icon(f.severity)} \`${f.rule}\``).join('<br>');
    const held = st.locks.length ? escapeMarkdown(st.heldUntil) : '';
    const timeout = st.locks.length ? (st.lockTimeout ? `\`${codeSafe(st.lockTimeout)}\`` : '**none**') : '';
    out.push(`| ${lineCell(st.line, options)} | \`${codeSafe(st.sql)}\` | ${locks} | ${blocks} | ${rw} | ${held} | ${timeout} | ${findings} |`);
  }
  if (data.findings.length) {
    out.push('', '### Findings', '');
    for (const f of data.findings) out.push(`- ${icon(f.severity)} line ${lineCell(f.line, options)} \`${f.rule}\`: ${escapeMarkdown(f.message)}`);
  }
  out.push('');
  return out.join('\n');
}

function lineCell(line: number, options: AuditMarkdownOptions): string {
  return options.lineLink ? `[${line}](${options.lineLink(line)})` : String(line);
}

function icon(severity: Finding['severity']): string {
  return severity === 'error' ? '⛔' : severity === 'warning' ? '⚠️' : 'ℹ️';
}

/** Text inside a code span: backticks cannot be escaped there, so they are replaced; pipes would end the table cell. */
export function codeSafe(text: string): string {
  return text.replace(/`/g, "'").replace(/\|/g, '¦').replace(/\r?\n|\r/g, ' ');
}

export { lockTimeoutText };
