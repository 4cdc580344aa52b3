/** The audit report of a file: every statement's locks and findings, as JSON and markdown. */
import { Analysis, StatementAnalysis } from '../analyze';
import { lockRank, LockMode } from '../locks/modes';
import { allBlocked, blocksShort, heldUntilLine, heldUntilText, lineOfStatement, lockTimeoutText, runnerText, strongestLock } from './describe';
import { codeSafe, escapeMarkdown } from './escapeMarkdown';
import { findingJson, FindingJson } from './findings';
import { countsText, plural } from './overview';
import { timelineSvg } from './timelineSvg';
import { pendingReason } from '../model/baseline';
import { estimateText } from '../size/estimate';
import { fileSizesJson, FileSizesJson, statementEstimateJson, StatementEstimateJson } from './sizes';

export interface AuditStatementJson {
  line: number;
  endLine: number;
  kind: string;
  sql: string;
  /**
   * `harmless`: why the lock stops no query; `releasedEarly`: released before the statement ends, not at COMMIT;
   * `conditional`: a DO block takes `mode` only if a branch or loop runs (`condition` says which), and
   * `certainMode` (when set) whatever they do.
   */
  locks: AuditLockJson[];
  rewrite: boolean;
  scan: boolean;
  indexBuild: boolean;
  blocks: string[];
  heldUntilLine: number | null;
  heldUntil: string;
  lockTimeout: string | null;
  notes: string[];
  /** Relations created earlier in this file, or by a pending migration (baseline): empty and unused, their locks are harmless. */
  newRelations: string[];
  /** `up` (deployed), `down` (rollback) or `verify`. */
  part: string;
  /** Index into the file's `transactions`, or null outside any transaction block. */
  transaction: number | null;
  findings: FindingJson[];
  /** With a size snapshot: the estimated time its locks are held with work under them. */
  estimate?: StatementEstimateJson;
}

export interface AuditLockJson {
  relation: string;
  mode: LockMode;
  role: string;
  harmless?: string;
  releasedEarly?: true;
  conditional?: true;
  condition?: string;
  certainMode?: LockMode;
}

/** A transaction block: BEGIN and COMMIT/ROLLBACK lines (null when implicit or never closed). */
export interface AuditTransactionJson {
  beginLine: number | null;
  endLine: number | null;
  end: 'commit' | 'rollback' | null;
  /** No BEGIN in the file: the runner (or assumeInTransaction) wraps these statements in a transaction. */
  implicit: boolean;
  /** First and last lines of the statements inside it. */
  firstLine: number | null;
  lastLine: number | null;
  /** The runner's unit for an implicit transaction, e.g. "this file" or "changeset a:1". */
  unit: string | null;
}

export interface AuditFileJson {
  path: string;
  /** The runner that executes the file and how (null: plain psql). */
  runner: { id: string; reason: string | null; alternatives: string[]; units: { part: string; mode: string; unit: string }[]; text: string } | null;
  pgVersion: number;
  statements: AuditStatementJson[];
  transactions: AuditTransactionJson[];
  findings: FindingJson[];
  summary: { worstLock: NamedLockJson | null; tablesTouched: string[]; rewrites: string[]; statements: number };
  /** With a size snapshot: where it came from and the blocking time per table. */
  sizes?: FileSizesJson;
}

/** The worst lock of a file; `conditional` and `condition` as for a statement's lock. */
export interface NamedLockJson {
  relation: string;
  mode: LockMode;
  conditional?: true;
  condition?: string;
}

export function auditJson(path: string, analysis: Analysis): AuditFileJson {
  const statements = analysis.statements.map((s) => statementJson(analysis, s));
  const findings = analysis.findings.map((f) => findingJson(analysis, f));
  return {
    path,
    pgVersion: analysis.config.pgVersion,
    runner: runnerJson(analysis),
    statements,
    transactions: transactionsJson(analysis),
    findings,
    summary: summary(analysis),
    ...(analysis.sizes ? { sizes: fileSizesJson(analysis) } : {}),
  };
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

function transactionsJson(analysis: Analysis): AuditTransactionJson[] {
  const line = (index: number | undefined) => (index === undefined ? null : lineOfStatement(analysis, index));
  const inside = new Map<number, number[]>();
  for (const s of analysis.statements) {
    const id = s.timeline.transaction?.id;
    if (id !== undefined) inside.set(id, [...(inside.get(id) ?? []), s.statement.index]);
  }
  return analysis.timeline.transactions.map((t) => {
    const members = inside.get(t.id) ?? [];
    return {
      beginLine: line(t.begin),
      endLine: line(t.end),
      end: t.endKind ?? null,
      implicit: t.implicit,
      firstLine: line(members[0]),
      lastLine: line(members[members.length - 1]),
      unit: t.runner?.unit ?? null,
    };
  });
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
    locks: s.effect.locks.map((l) => ({
      relation: l.relation,
      mode: l.mode,
      role: l.role,
      ...(l.harmless ? { harmless: l.harmless } : {}),
      ...(l.releasedEarly ? { releasedEarly: true as const } : {}),
      ...conditionJson(l),
    })),
    rewrite: s.effect.rewrite,
    scan: s.effect.scan,
    indexBuild: s.effect.indexBuild,
    blocks: allBlocked(s),
    heldUntilLine: heldUntilLine(analysis, s),
    heldUntil: heldUntilText(analysis, s),
    lockTimeout: t && t.ms > 0 ? t.text : null,
    notes: [...s.effect.notes, ...pendingNotes(analysis, s)],
    newRelations: [...s.newRelations],
    part: s.part,
    transaction: s.timeline.transaction?.id ?? null,
    findings: analysis.findings.filter((f) => f.statement === s.statement.index).map((f) => findingJson(analysis, f)),
    ...estimateField(analysis, s),
  };
}

/** `conditional`, `condition` and `certainMode` of a lock a DO block takes only if a branch or loop runs. */
function conditionJson(l: { condition?: string; certainMode?: LockMode }): Pick<AuditLockJson, 'conditional' | 'condition' | 'certainMode'> {
  if (!l.condition) return {};
  return { conditional: true, condition: l.condition, ...(l.certainMode ? { certainMode: l.certainMode } : {}) };
}

/** Why the statement's tables of pending migrations are safe to lock (with a deploy baseline). */
function pendingNotes(analysis: Analysis, s: StatementAnalysis): string[] {
  const baseline = analysis.baseline;
  return baseline ? s.pendingRelations.map((p) => pendingReason(p, baseline)) : [];
}

function estimateField(analysis: Analysis, s: StatementAnalysis): { estimate?: StatementEstimateJson } {
  const estimate = analysis.sizes && statementEstimateJson(analysis, s);
  return estimate ? { estimate } : {};
}

function summary(analysis: Analysis): AuditFileJson['summary'] {
  let worst: NamedLockJson | null = null;
  const tables = new Set<string>();
  const rewrites = new Set<string>();
  for (const s of analysis.statements) {
    for (const l of s.effect.locks) if (!l.role.endsWith('index')) tables.add(l.relation);
    if (s.effect.rewrite && s.effect.target) rewrites.add(s.effect.target);
    const lock = strongestLock(s);
    if (lock && !s.newRelations.has(lock.relation) && (!worst || lockRank(lock.mode) > lockRank(worst.mode)))
      worst = { relation: lock.relation, mode: lock.mode, ...conditionJson(lock) };
  }
  return { worstLock: worst, tablesTouched: [...tables], rewrites: [...rewrites], statements: analysis.statements.length };
}

export function oneLine(sql: string, max = 120): string {
  const flat = sql.replace(/\s+/g, ' ').trim();
  return flat.length > max ? flat.slice(0, max - 1) + '…' : flat;
}

export interface AuditMarkdownOptions {
  /** Link target for a line, e.g. `file.sql#L12` (command links are never used). */
  lineLink?: (line: number) => string;
  /** The lock timeline picture (an SVG as a data: URI image, which the editor's markdown preview shows). */
  timeline?: boolean;
}

export function auditMarkdown(path: string, analysis: Analysis, options: AuditMarkdownOptions = {}): string {
  return auditFileMarkdown(auditJson(path, analysis), options);
}

/** One file's section: a summary line, the timeline picture, a compact table of statements, the findings. */
export function auditFileMarkdown(data: AuditFileJson, options: AuditMarkdownOptions = {}): string {
  const out: string[] = [];
  out.push(`## \`${codeSafe(data.path)}\``, '');
  const s = data.summary;
  out.push(
    `PostgreSQL ${data.pgVersion} · ${plural(s.statements, 'statement')} · ${countsText(countFindings(data))} · worst lock: ` +
      (s.worstLock ? `${mayTakeJson(s.worstLock)}**${s.worstLock.mode}** on \`${codeSafe(s.worstLock.relation)}\`` : 'none on existing tables') +
      (s.rewrites.length ? ` · rewrites: ${s.rewrites.map((r) => `\`${codeSafe(r)}\``).join(', ')}` : ''),
    '',
  );
  if (data.runner) out.push(`Runner: ${escapeMarkdown(data.runner.text)}`, '');
  if (data.sizes) out.push(escapeMarkdown(sizesLine(data.sizes)), '');
  const svg = options.timeline ? timelineSvg(data) : undefined;
  if (svg) out.push(`![Lock timeline](data:image/svg+xml;base64,${Buffer.from(svg, 'utf8').toString('base64')})`, '');
  out.push('| line | statement | locks | blocks | held until | timeout | findings |');
  out.push('|--:|---|---|---|---|---|---|');
  for (const st of data.statements) {
    const sql = `\`${codeSafe(oneLine(st.sql, 80))}\``;
    if (!st.locks.length) {
      out.push(`| ${lineCell(st.line, options)} | ${sql} | | | | | ${findingsCell(st)} |`);
      continue;
    }
    const locks = lockGroups(st)
      .map(
        (g) =>
          `${groupMode(g)} ${g.relations.map((r) => `\`${codeSafe(oneLine(r.name, 40))}\`${r.isNew ? ' (new)' : ''}`).join(', ')}${groupCondition(g, escapeMarkdown)}`,
      )
      .join('<br>');
    const work = st.rewrite ? ' · **rewrite**' : st.indexBuild ? ' · index build' : st.scan ? ' · scan' : '';
    const blocks = blocksShort(st.blocks) + work + (st.estimate ? ` · ${escapeMarkdown(st.estimate.text)}` : '');
    const timeout = st.lockTimeout ? `\`${codeSafe(st.lockTimeout)}\`` : '**none**';
    out.push(`| ${lineCell(st.line, options)} | ${sql} | ${locks || '—'} | ${blocks} | ${heldShort(data, st)} | ${timeout} | ${findingsCell(st)} |`);
  }
  if (data.findings.length) {
    out.push('', '### Findings', '');
    for (const f of data.findings) out.push(`- ${f.severity} line ${lineCell(f.line, options)} \`${f.rule}\`: ${escapeMarkdown(f.message)}`);
  }
  out.push('');
  return out.join('\n');
}

/** "Sizes: .lockwise/stats.json of 2026-12-01T10:00:00Z (stale), default rates; blocking: users reads ≈ 4 – 20 s". */
export function sizesLine(sizes: FileSizesJson): string {
  const blocking = sizes.blocking.map((b) => `${b.table} ${b.blocks} ${estimateText({ low: b.seconds.low, high: b.seconds.high })}`);
  return (
    `Sizes: ${sizes.snapshot} of ${sizes.capturedAt}${sizes.stale ? ' (stale)' : ''}, ${sizes.rates === 'default' ? 'default rates' : `rates from ${sizes.rates}`}` +
    (blocking.length ? `; blocking: ${blocking.join(', ')}` : '')
  );
}

/** A group of a statement's table locks: one mode, and the condition when a DO block only may take it. */
export interface LockGroup {
  mode: LockMode;
  condition?: string;
  relations: { name: string; isNew: boolean }[];
}

/**
 * A statement's table locks grouped by mode (index locks go with their table): `SHARE ROW EXCLUSIVE
 * orders, users`; a DO block's may-take locks apart, by condition.
 */
export function lockGroups(st: AuditStatementJson): LockGroup[] {
  const groups = new Map<string, LockGroup>();
  for (const l of st.locks) {
    if (l.role.endsWith('index')) continue;
    const key = `${l.mode}\u0000${l.condition ?? ''}`;
    const group = groups.get(key) ?? { mode: l.mode, ...(l.condition ? { condition: l.condition } : {}), relations: [] };
    if (!group.relations.some((r) => r.name === l.relation)) group.relations.push({ name: l.relation, isNew: st.newRelations.includes(l.relation) });
    groups.set(key, group);
  }
  return [...groups.values()].sort((a, b) => lockRank(b.mode) - lockRank(a.mode) || Number(!!a.condition) - Number(!!b.condition));
}

/** "ROW EXCLUSIVE", or "may take ROW EXCLUSIVE" for a DO block's branch-dependent lock. */
export function groupMode(g: { mode: LockMode; condition?: string }): string {
  return `${g.condition ? 'may take ' : ''}${g.mode}`;
}

/** " (only if the loop over users runs)" through the output's escape function, or "". */
export function groupCondition(g: { condition?: string }, escape: (text: string) => string): string {
  return g.condition ? ` (${escape(g.condition)})` : '';
}

/** "may take " before a file's worst lock when a DO block only may take it. */
export function mayTakeJson(lock: { conditional?: true }): string {
  return lock.conditional ? 'may take ' : '';
}

function countFindings(data: AuditFileJson): { error: number; warning: number; info: number } {
  const n = { error: 0, warning: 0, info: 0 };
  for (const f of data.findings) n[f.severity]++;
  return n;
}

function findingsCell(st: AuditStatementJson): string {
  return st.findings.map((f) => `${f.severity} \`${f.rule}\``).join('<br>');
}

/** "COMMIT L10", "statement", "end of file", "never": the held-until column, short enough for a narrow preview. */
export function heldShort(file: AuditFileJson, st: AuditStatementJson): string {
  if (st.heldUntilLine === null || st.transaction === null) return 'statement';
  const tx = file.transactions[st.transaction];
  if (tx.implicit) return `COMMIT after L${tx.lastLine}`;
  if (tx.endLine === null) return 'never';
  return `${tx.end === 'rollback' ? 'ROLLBACK' : 'COMMIT'} L${tx.endLine}`;
}

function lineCell(line: number, options: AuditMarkdownOptions): string {
  return options.lineLink ? `[${line}](${options.lineLink(line)})` : String(line);
}

export { lockTimeoutText };
