/**
 * `lockwise trace` in the editor. The server never loads PGlite itself: a worker process
 * (dist/trace-worker.js, server/src/trace/worker.ts) does, the first time the user asks for a
 * trace; the worker is kept for the next request and stopped after an idle period. The results
 * are kept per document so the hover of each traced statement shows what PostgreSQL actually did,
 * until the statement, or one before it, changes.
 */
import { ChildProcess, fork } from 'child_process';
import * as path from 'path';
import { Analysis, LockwiseConfig, StatementAnalysis } from '../core';
import { codeSafe, escapeMarkdown } from '../core';
import { effectsText, significantLocks, TracedStatementJson, TraceReport } from '../trace/command';
import { bundledPglite, pgliteMissingMessage, PgliteLocation, projectPglite } from '../trace/resolve';
import type { TraceJob, WorkerMessage } from '../trace/worker';
import type { TracerStatus } from './protocol';

export const DEFAULT_IDLE_MS = 2 * 60 * 1000;
const JOB_TIMEOUT_MS = 3 * 60 * 1000;

export class TraceUnavailableError extends Error {}

export class TraceCancelledError extends Error {
  constructor() {
    super('the trace was cancelled');
  }
}

/** Where the worker finds PGlite: the extension's own copy, else the workspace's (trusted workspaces only). */
export function locatePglite(serverDir: string, file: string, folder: string | undefined, trusted: boolean): PgliteLocation {
  const bundled = bundledPglite(serverDir);
  if (bundled) return bundled;
  const project = trusted ? projectPglite(path.dirname(file), folder ?? path.dirname(file)) : {};
  if (project.found) return project.found;
  throw new TraceUnavailableError(pgliteMissingMessage({ where: folder ?? path.dirname(file), editor: true, unusable: project.unusable }));
}

interface Pending {
  job: TraceJob;
  resolve: (report: TraceReport) => void;
  reject: (error: Error) => void;
  progress?: (message: string) => void;
  timer: NodeJS.Timeout;
}

/** One worker process at a time; requests are sent in order and answered by id. */
export class TraceService {
  private worker: ChildProcess | undefined;
  private location: PgliteLocation | undefined;
  private readonly pending = new Map<number, Pending>();
  private nextId = 1;
  private idleTimer: NodeJS.Timeout | undefined;
  private stderr = '';
  private traces = 0;
  private workersStarted = 0;
  private warm = false;
  private engineLogged = false;

  constructor(
    private readonly workerScript: string,
    private readonly idleMs: number,
    private readonly log: (message: string) => void,
  ) {}

  status(): TracerStatus {
    return {
      pid: this.worker?.pid ?? null,
      pglite: this.location?.dir ?? null,
      source: this.location?.source ?? null,
      busy: this.pending.size > 0,
      warm: this.warm,
      traces: this.traces,
      workersStarted: this.workersStarted,
    };
  }

  trace(
    location: PgliteLocation,
    request: Omit<TraceJob, 'type' | 'id'>,
    cwd: string,
    options: { progress?: (message: string) => void; onCancel?: (cancel: () => void) => void } = {},
  ): Promise<TraceReport> {
    const worker = this.ensureWorker(location, cwd);
    const job: TraceJob = { type: 'trace', id: this.nextId++, ...request };
    this.clearIdle();
    return new Promise<TraceReport>((resolve, reject) => {
      const timer = setTimeout(() => this.kill(`the trace took longer than ${JOB_TIMEOUT_MS / 1000} s`), JOB_TIMEOUT_MS);
      this.pending.set(job.id, { job, resolve, reject, progress: options.progress, timer });
      // PGlite cannot be interrupted mid-statement: cancelling stops the worker (the next trace starts a new one).
      options.onCancel?.(() => {
        if (this.pending.has(job.id)) this.kill(undefined, new TraceCancelledError());
      });
      this.warm = false;
      worker.send(job);
    });
  }

  private ensureWorker(location: PgliteLocation, cwd: string): ChildProcess {
    // Another PGlite than the running worker's (the user installed one, or got the full build): start over.
    if (this.worker && this.location?.dir !== location.dir) this.kill('PGlite location changed');
    if (this.worker) return this.worker;
    this.stderr = '';
    this.warm = false;
    this.engineLogged = false;
    const worker = fork(this.workerScript, [location.dir], { cwd, stdio: ['ignore', 'ignore', 'pipe', 'ipc'], execArgv: [] });
    this.workersStarted++;
    this.worker = worker;
    this.location = location;
    this.log(
      `trace worker ${worker.pid} started (PGlite from ${location.source === 'bundled' ? 'the extension' : `the workspace, ${location.version}`}: ${location.dir})`,
    );
    worker.stderr?.on('data', (d: Buffer) => (this.stderr = (this.stderr + d.toString()).slice(-4000)));
    worker.on('message', (m: WorkerMessage) => this.onMessage(m));
    worker.on('error', (error) => this.log(`trace worker: ${error.message}`));
    worker.on('exit', (code, signal) => {
      if (this.worker !== worker) return;
      this.worker = undefined;
      this.warm = false;
      this.clearIdle();
      this.log(`trace worker ${worker.pid} exited (${signal ?? code})`);
      const why = this.stderr.trim() || `the trace worker exited (${signal ?? code})`;
      this.failAll(new Error(why));
    });
    return worker;
  }

  private onMessage(m: WorkerMessage): void {
    if (m.type === 'ready') {
      this.warm = this.pending.size === 0;
      if (!this.engineLogged) this.log(`trace worker ready: ${m.engine}`);
      this.engineLogged = true;
      return;
    }
    const p = this.pending.get(m.id);
    if (!p) return;
    if (m.type === 'progress') {
      p.progress?.(m.message);
      return;
    }
    this.pending.delete(m.id);
    clearTimeout(p.timer);
    if (m.type === 'result') {
      this.traces++;
      p.resolve(m.report);
    } else p.reject(new Error(m.message));
    if (this.pending.size === 0) this.scheduleIdle();
  }

  private failAll(error: Error): void {
    for (const p of this.pending.values()) {
      clearTimeout(p.timer);
      p.reject(error);
    }
    this.pending.clear();
  }

  private scheduleIdle(): void {
    this.clearIdle();
    this.idleTimer = setTimeout(() => this.stop('idle'), this.idleMs);
    this.idleTimer.unref();
  }

  private clearIdle(): void {
    if (this.idleTimer) clearTimeout(this.idleTimer);
    this.idleTimer = undefined;
  }

  private kill(reason?: string, error?: Error): void {
    const worker = this.worker;
    if (!worker) return;
    this.worker = undefined;
    this.warm = false;
    this.clearIdle();
    this.failAll(error ?? new Error(reason ?? 'the trace worker was stopped'));
    this.log(`trace worker ${worker.pid} killed${reason ? `: ${reason}` : error ? `: ${error.message}` : ''}`);
    worker.kill();
  }

  /** Stops the worker: politely (it closes its database), then for sure. */
  stop(reason: string): void {
    const worker = this.worker;
    if (!worker) return;
    if (this.pending.size > 0) {
      this.kill(reason);
      return;
    }
    this.worker = undefined;
    this.warm = false;
    this.clearIdle();
    this.log(`trace worker ${worker.pid} stopped: ${reason}`);
    try {
      worker.send({ type: 'shutdown' });
    } catch {
      // Already gone.
    }
    const timer = setTimeout(() => worker.kill(), 3000);
    timer.unref();
    worker.once('exit', () => clearTimeout(timer));
  }
}

// ---- results kept for the hover ----------------------------------------------------------------

export interface TracedStatement {
  engine: string;
  result: TracedStatementJson;
}

interface DocumentTrace {
  engine: string;
  /** Whitespace-normalised text of every top-level statement of the traced version, in order. */
  keys: string[];
  /** Statement index (in the traced analysis) → its result. */
  results: Map<number, TracedStatementJson>;
  /** How many leading statements match the current document (later ones may depend on a changed one). */
  valid: number;
  /** The analysis the `valid` count was computed for. */
  checked?: Analysis;
}

function statementKey(s: StatementAnalysis): string {
  return s.statement.text.replace(/\s+/g, ' ').trim();
}

function topLevel(analysis: Analysis): StatementAnalysis[] {
  return analysis.statements.filter((s) => s.statement.container === undefined);
}

/**
 * Traced statements per document. A statement keeps its traced result while it and every
 * statement before it are unchanged (what a statement does depends on what ran before it);
 * edits after it, or in whitespace, do not matter.
 */
export class TraceStore {
  private readonly byUri = new Map<string, DocumentTrace>();

  /** Stores a report for the document whose analysis (same text) is `analysis`. */
  set(uri: string, analysis: Analysis, report: TraceReport): number {
    const statements = topLevel(analysis);
    const byLine = new Map(statements.map((s, i) => [analysis.lines.positionAt(s.statement.span.start).line + 1, i]));
    const results = new Map<number, TracedStatementJson>();
    for (const r of report.files[0]?.statements ?? []) {
      const i = byLine.get(r.line);
      if (i !== undefined) results.set(i, r);
    }
    this.byUri.set(uri, { engine: report.engine, keys: statements.map(statementKey), results, valid: statements.length, checked: analysis });
    return results.size;
  }

  /** The traced result of a statement of the current analysis, if it still applies. */
  get(uri: string, analysis: Analysis, s: StatementAnalysis): TracedStatement | undefined {
    const trace = this.byUri.get(uri);
    if (!trace || s.statement.container !== undefined) return undefined;
    const statements = topLevel(analysis);
    if (trace.checked !== analysis) {
      // Against the traced text, not the last check: undoing an edit brings the results back.
      let valid = 0;
      while (valid < Math.min(trace.keys.length, statements.length) && statementKey(statements[valid]) === trace.keys[valid]) valid++;
      trace.valid = valid;
      trace.checked = analysis;
    }
    const index = statements.indexOf(s);
    if (index < 0 || index >= trace.valid) return undefined;
    const result = trace.results.get(index);
    return result ? { engine: trace.engine, result } : undefined;
  }

  /** The schema history of the document changed (an earlier migration), or it was closed. */
  delete(uri: string): void {
    this.byUri.delete(uri);
  }

  has(uri: string): boolean {
    return this.byUri.has(uri);
  }
}

/** The hover section for a traced statement (markdown; names are escaped). */
export function tracedSection(traced: TracedStatement): string {
  const r = traced.result;
  const engine = escapeMarkdown(traced.engine.replace(/ \(PGlite.*\)$/, ''));
  const out = ['', '---', ''];
  if (!r.ok) {
    out.push(
      `**Failed on ${engine}** (embedded, empty schema): ${escapeMarkdown(r.error?.message ?? 'error')}${r.error?.code ? ` (${escapeMarkdown(r.error.code)})` : ''}`,
    );
    return out.join('\n');
  }
  if (r.mode === 'skipped') {
    out.push(`**Not traced on ${engine}**${r.note ? `: ${escapeMarkdown(r.note)}` : ''}`);
    return out.join('\n');
  }
  const locks =
    r.mode === 'outside-transaction'
      ? 'locks not observable (ran outside a transaction: storage effects only)'
      : significantLocks(r)
          .map((l) => `\`${codeSafe(l.relation)}\` ${l.mode}`)
          .join(', ') || 'no table locks';
  const effects = effectsText(r, (n) => `\`${codeSafe(n)}\``) || 'no rewrite, no scan';
  out.push(`**Traced on ${engine}:** ${locks}; ${effects}; ${r.durationMs} ms (empty schema)  `);
  if (r.disagreements.length) out.push(`**Differs from the prediction:** ${r.disagreements.map(escapeMarkdown).join('; ')}`);
  else if (r.mode !== 'control') out.push('Matches the prediction.');
  if (r.note && r.mode !== 'outside-transaction') out.push('', `_${escapeMarkdown(r.note)}_`);
  return out.join('\n');
}

/** What the server sends the worker for a document. */
export function traceRequest(file: string, text: string, config: LockwiseConfig): Omit<TraceJob, 'type' | 'id'> {
  return { file, text, config: JSON.parse(JSON.stringify(config)) as LockwiseConfig };
}
