/**
 * `lockwise trace <file>`: run a migration on an embedded PostgreSQL (PGlite) after its schema
 * history and report, per statement, the locks it actually took, the rewrites (and the indexes
 * rebuilt), the scans, how long it ran on the empty schema, and where the static prediction
 * differs. Failures are reported per statement with PostgreSQL's message. `traceFile` runs in the
 * trace worker, a process the CLI (`runTrace`, trace/bounded.ts) and the editor can kill (see
 * docs/trace.md).
 */
import * as fs from 'fs';
import * as path from 'path';
import { analyze, Catalog, initParser, LockwiseConfig, unionEffects } from '../core';
import type { Analysis, StatementEffect } from '../core';
import { LineIndex } from '../core';
import { readSqlFile, toPosix, UsageError } from '../project/files';
import { NATURAL_ORDER, SQL_FILE } from '../project/constants';
import { diskSource, migrationSequence, replay } from '../project/history';
import { compareTrace, describeDisagreement, Disagreement, modelSignature } from './compare';
import { TraceEngine } from './engine';
import { bundledPglite, pgliteMissingMessage, projectPglite } from './resolve';
import { runMigration, RunStep, StepMode } from './run';
import { codeSafe, escapeMarkdown } from '../core';

export interface TraceOptions {
  format?: string;
  /** Folder whose .sql files (in name order) are the schema history, instead of the file's own folder. */
  history?: string;
  /** The version the project targets (predictions are made for the engine's version; this only adds a note). */
  pgVersion?: number;
  config?: string;
  /** Wall-clock limit of the whole trace in seconds (the CLI's --timeout, default 60). */
  timeout?: number;
  /** Called before each statement runs, history included (the CLI names the one running at its time limit). */
  onStatement?: (running: RunningStatement) => void;
}

/** The statement a trace is running: its file, 1-based line and text on one line. */
export interface RunningStatement {
  file: string;
  line: number;
  sql: string;
  /** Part of the schema history, not the traced file. */
  history: boolean;
}

export interface TracedLockJson {
  relation: string;
  mode: string;
  modes: string[];
  kind: string;
  table?: string;
}

export interface TracedStatementJson {
  line: number;
  endLine: number;
  kind: string;
  sql: string;
  /** in-transaction: inside the file's transaction; own-transaction: autocommit (traced in its own BEGIN/COMMIT); outside-transaction: cannot run in a transaction block, storage effects only; control: BEGIN/COMMIT/...; skipped. */
  mode: StepMode;
  ok: boolean;
  error?: { message: string; code?: string };
  durationMs: number;
  locks: TracedLockJson[];
  objectLocks: { type: string; identity: string; modes: string[] }[];
  rewritten: string[];
  indexesRebuilt: string[];
  truncated: string[];
  scanned: string[];
  predicted: { locks: { relation: string; mode: string }[]; rewrite: boolean; scan: boolean };
  disagreements: string[];
  note?: string;
}

export interface TracedFileJson {
  path: string;
  history: { files: string[]; failures: { file: string; line: number; message: string }[] };
  statements: TracedStatementJson[];
  summary: { statements: number; failed: number; disagreements: number; totalMs: number };
}

export interface TraceReport {
  engine: string;
  pgVersion: number;
  notes: string[];
  files: TracedFileJson[];
}

/** Schema history of a file: the earlier migrations of its folder, or every .sql file of `historyDir`. */
export function historyFiles(file: string, historyDir?: string): string[] {
  const self = path.resolve(file);
  if (historyDir) {
    let names: string[];
    try {
      names = fs.readdirSync(historyDir).filter((n) => SQL_FILE.test(n) && !/(^|[._-])down\.\w+$/i.test(n));
    } catch {
      throw new UsageError(`cannot read --history folder ${historyDir}`);
    }
    return names
      .sort(NATURAL_ORDER.compare)
      .map((n) => path.resolve(historyDir, n))
      .filter((f) => f !== self);
  }
  const { steps, key } = migrationSequence(file, diskSource);
  return steps.filter((s) => NATURAL_ORDER.compare(s.key, key) < 0 && path.resolve(s.file) !== self).map((s) => s.file);
}

/** What `traceFile` reports while it runs (the editor shows it in its progress notification). */
export type TraceProgress = (message: string) => void;

/**
 * The TimeZone the engine's session runs with, which decides whether timestamp <-> timestamptz
 * rewrites: the configured one (set on the engine, so both sides agree), else the engine's own.
 */
async function sessionTimeZone(engine: TraceEngine, configured: string | undefined): Promise<string> {
  if (configured) {
    try {
      await engine.exec(`SET TimeZone = '${configured.replace(/'/g, "''")}'`);
    } catch {
      // A zone the engine does not know: it keeps its own, and the model is told which.
    }
  }
  return (await engine.query<{ TimeZone: string }>('SHOW TimeZone'))[0].TimeZone;
}

/**
 * Traces one file on `engine` (a fresh database). `text` is the file's content when it is not the
 * one on disk (an editor's unsaved document); the schema history is read from disk.
 */
export async function traceFile(
  engine: TraceEngine,
  file: string,
  baseConfig: LockwiseConfig,
  options: TraceOptions,
  text?: string,
  progress?: TraceProgress,
): Promise<TracedFileJson> {
  const config: LockwiseConfig = { ...baseConfig, pgVersion: engine.major, timeZone: await sessionTimeZone(engine, baseConfig.timeZone) };
  await initParser(config.pgVersion);
  const catalog = new Catalog();
  const history = historyFiles(file, options.history);
  const failures: TracedFileJson['history']['failures'] = [];
  const replayed: string[] = [];
  for (const [i, h] of history.entries()) {
    progress?.(`replaying schema history: ${i + 1} of ${history.length} (${path.basename(h)})`);
    // The lint's history reader: a FIFO, a device or a dangling link is skipped (and listed), never read.
    const historyText = diskSource.read(h);
    if (historyText === undefined) {
      failures.push({ file: toPosix(path.relative(process.cwd(), h)), line: 0, message: 'skipped: not a readable regular file' });
      continue;
    }
    replayed.push(h);
    const analysis = analyze(historyText, { config: { ...config, assumeInTransaction: baseConfig.assumeInTransaction }, history: catalog });
    const run = await runMigration(engine, analysis, { measure: false, onStatement: announce(options, analysis, h, true) });
    for (const step of run.steps.filter((s) => s.trace.error)) {
      const stmt = analysis.statements[step.statement].statement;
      failures.push({
        file: toPosix(path.relative(process.cwd(), h)),
        line: analysis.lines.positionAt(stmt.span.start).line + 1,
        message: step.trace.error!.message,
      });
    }
    replay(historyText, catalog);
  }
  text ??= readSqlFile(file);
  progress?.(`tracing ${path.basename(file)}`);
  const analysis = analyze(text, { config, history: catalog.relations.size ? catalog : undefined });
  const run = await runMigration(engine, analysis, { measure: true, onStatement: announce(options, analysis, file, false) });
  const statements = run.steps.map((step) => statementJson(analysis, step));
  if (run.rolledBackAtEnd) {
    const last = statements[statements.length - 1];
    if (last) last.note = 'the file ends inside a transaction: it was rolled back, as when the session ends';
  }
  return {
    path: toPosix(file),
    history: { files: replayed.map((h) => toPosix(path.relative(process.cwd(), h))), failures },
    statements,
    summary: {
      statements: statements.length,
      failed: statements.filter((s) => !s.ok).length,
      disagreements: statements.reduce((n, s) => n + s.disagreements.length, 0),
      totalMs: round(statements.reduce((n, s) => n + s.durationMs, 0)),
    },
  };
}

function announce(options: TraceOptions, analysis: Analysis, file: string, history: boolean): ((index: number) => void) | undefined {
  const report = options.onStatement;
  if (!report) return undefined;
  const shown = toPosix(path.relative(process.cwd(), path.resolve(file)));
  return (index) => {
    const stmt = analysis.statements[index].statement;
    report({ file: shown, line: analysis.lines.positionAt(stmt.span.start).line + 1, sql: oneLine(stmt.text), history });
  };
}

/** A statement's effect; a DO block's with its body's statements (the engine runs them as the DO). */
function withBody(analysis: Analysis, index: number): StatementEffect {
  const own = analysis.statements[index];
  if (own.statement.kind !== 'DoStmt') return own.effect;
  return unionEffects([own.effect, ...analysis.statements.filter((s) => s.statement.container === index).map((s) => s.effect)]);
}

function statementJson(analysis: Analysis, step: RunStep): TracedStatementJson {
  const a = analysis.statements[step.statement];
  const { trace } = step;
  const lines: LineIndex = analysis.lines;
  const kind = a.statement.kind;
  const effect = withBody(analysis, step.statement);
  const diffs: Disagreement[] =
    step.mode === 'control' || step.mode === 'skipped' || trace.error
      ? []
      : compareTrace(effect, analysis.finalCatalog, trace, { statementKind: kind, heldBefore: step.heldBefore, scans: 'any' });
  const newStorage = trace.storage.filter((s) => s.change !== 'dropped' && !s.toast);
  const truncate = kind === 'TruncateStmt';
  return {
    line: lines.positionAt(a.statement.span.start).line + 1,
    endLine: lines.positionAt(a.statement.span.end).line + 1,
    kind,
    sql: oneLine(a.statement.text),
    mode: step.mode,
    ok: !trace.error,
    ...(trace.error ? { error: trace.error } : {}),
    durationMs: round(trace.durationMs),
    locks: trace.locks
      .filter((l) => !l.created && !l.toast)
      .map((l) => ({
        relation: l.relation,
        mode: l.strongest,
        modes: l.modes,
        kind: l.kind,
        ...(l.table ? { table: l.table } : {}),
      })),
    objectLocks: trace.objectLocks,
    rewritten: truncate ? [] : newStorage.filter((s) => !s.table).map((s) => s.relation),
    indexesRebuilt: truncate ? [] : newStorage.filter((s) => s.table).map((s) => s.relation),
    truncated: truncate ? newStorage.filter((s) => !s.table).map((s) => s.relation) : [],
    scanned: truncate ? [] : trace.scans.filter((s) => s.kind !== 'index' && s.kind !== 'toast' && s.scans > 0).map((s) => s.relation),
    predicted: {
      locks: [...modelSignature(effect, analysis.finalCatalog)].map(([relation, mode]) => ({ relation, mode })),
      rewrite: effect.rewrite,
      scan: effect.scan,
    },
    disagreements: diffs.map(describeDisagreement),
    ...(step.reason
      ? { note: step.reason }
      : step.mode === 'outside-transaction' && !trace.error
        ? { note: 'cannot run in a transaction block: ran on its own, its locks were released before they could be read (storage effects only)' }
        : {}),
  };
}

function oneLine(sql: string): string {
  const flat = sql.replace(/\s+/g, ' ').trim();
  return flat.length > 120 ? flat.slice(0, 117) + '...' : flat;
}

function round(ms: number): number {
  return Math.round(ms * 100) / 100;
}

export interface TraceMarkdownOptions {
  /** A link target for a line of a traced file (the editor's report links each row to its statement). */
  lineLink?: (file: TracedFileJson, line: number) => string;
}

/**
 * The report as markdown. Everything that comes from the migration (statements, names, PostgreSQL's
 * messages, which quote identifiers) is escaped or put in a code span: the editor shows it in the
 * markdown preview, where a table named `[x](command:...)` must stay text.
 */
export function traceMarkdown(report: TraceReport, options: TraceMarkdownOptions = {}): string {
  const out: string[] = [`# Lockwise trace (${escapeMarkdown(report.engine)})`, ''];
  for (const n of report.notes) out.push(`> ${escapeMarkdown(n)}`, '');
  for (const f of report.files) {
    out.push(`## ${escapeMarkdown(f.path)}`, '');
    out.push(
      f.history.files.length ? `Schema history replayed first: ${f.history.files.length} file(s).` : 'No schema history: the file ran on an empty database.',
    );
    for (const h of f.history.failures) out.push(`- history ${escapeMarkdown(h.file)}:${h.line} failed: ${escapeMarkdown(h.message)}`);
    out.push('', '| line | statement | locks taken | rewrite / scan | ms | prediction |', '|---|---|---|---|---|---|');
    for (const s of f.statements) out.push(markdownRow(s, options.lineLink ? (line) => options.lineLink!(f, line) : undefined));
    const { statements, failed, disagreements, totalMs } = f.summary;
    out.push('', `${statements} statement(s), ${failed} failed, ${disagreements} difference(s) from the prediction, ${totalMs} ms on the empty schema.`, '');
  }
  return out.join('\n');
}

/** Index locks weaker than SHARE UPDATE EXCLUSIVE are noise in a summary (every statement that touches a table takes them). */
export function significantLocks(s: TracedStatementJson): TracedLockJson[] {
  return s.locks.filter((l) => !(l.kind.includes('index') && ['ACCESS SHARE', 'ROW SHARE', 'ROW EXCLUSIVE'].includes(l.mode)));
}

/** Rewrites, rebuilt indexes, truncations and scans in words ('' when none). */
export function effectsText(s: TracedStatementJson, name: (n: string) => string = escapeMarkdown): string {
  const list = (items: string[]) => items.map(name).join(', ');
  return [
    s.rewritten.length ? `rewrites ${list(s.rewritten)}` : '',
    s.indexesRebuilt.length ? `rebuilds ${list(s.indexesRebuilt)}` : '',
    s.truncated.length ? `truncates ${list(s.truncated)}` : '',
    s.scanned.length ? `scans ${list(s.scanned)}` : '',
  ]
    .filter(Boolean)
    .join('; ');
}

function markdownRow(s: TracedStatementJson, lineLink?: (line: number) => string): string {
  const locks =
    s.mode === 'outside-transaction'
      ? '_not observable (ran outside a transaction)_'
      : s.mode === 'control'
        ? ''
        : [
            ...significantLocks(s).map((l) => `${escapeMarkdown(l.relation)}: **${l.mode}**`),
            ...s.objectLocks.filter((o) => o.type === 'type').map((o) => `${escapeMarkdown(o.type)} ${escapeMarkdown(o.identity)}: ${o.modes.join('+')}`),
          ].join('<br>') || 'none';
  const effects = effectsText(s);
  const verdict = !s.ok
    ? `**ERROR**: ${escapeMarkdown(s.error!.message)}`
    : s.disagreements.length
      ? `differs: ${s.disagreements.map(escapeMarkdown).join('; ')}`
      : s.mode === 'control'
        ? ''
        : 'as predicted';
  const note = s.note ? ` (${escapeMarkdown(s.note)})` : '';
  const line = lineLink ? `[${s.line}](${lineLink(s.line)})` : String(s.line);
  return `| ${line} | \`${codeSafe(s.sql)}\` | ${locks} | ${effects || '-'} | ${s.durationMs} | ${verdict + note} |`;
}

/**
 * PGlite for the CLI: the build's own copy (dist/pglite next to cli.js), else the project's
 * node_modules from the current folder up. Missing: a UsageError (exit 2) saying how to enable it.
 */
export function findPgliteForCli(cwd = process.cwd()) {
  const bundled = bundledPglite(__dirname);
  if (bundled) return bundled;
  const project = projectPglite(cwd);
  if (project.found) return project.found;
  throw new UsageError(pgliteMissingMessage({ where: cwd, unusable: project.unusable }));
}
