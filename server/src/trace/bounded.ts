/**
 * `lockwise trace` under a wall-clock limit (`--timeout`, default 60 s). PGlite runs a statement
 * inside the process that loaded it and ignores statement_timeout, so `SELECT pg_sleep(1e9)`, an
 * endless DO loop or a runaway recursive CTE never returns and no timer in that process can fire.
 * The trace therefore runs in the trace worker (worker.ts, as the editor's does); at the limit the
 * worker is killed and the error names the statement that was running.
 */
import { ChildProcess, fork } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { jsonText, LockwiseConfig } from '../core';
import { writeReport } from '../project/output';
import { ConfigResolver } from '../project/configFor';
import { expandPaths, readSqlFile, UsageError } from '../project/files';
import { findPgliteForCli, historyFiles, RunningStatement, TraceOptions, TraceReport, traceMarkdown } from './command';
import type { RunningMessage, TraceJob, WorkerMessage } from './worker';

export const DEFAULT_TIMEOUT_S = 60;
/** Temporary files a traced statement may write (on an empty schema a migration needs next to none). */
const TEMP_FILE_LIMIT_KB = 128 * 1024;

/**
 * The CLI entry: prints the report; exit 1 when a statement failed, 0 otherwise, 2 (TraceTimeoutError,
 * one line naming the statement) when the trace did not finish within --timeout.
 */
export async function runTrace(paths: string[], options: TraceOptions = {}): Promise<number> {
  const format = options.format ?? 'markdown';
  if (!['markdown', 'json'].includes(format)) throw new UsageError(`--format for trace must be markdown or json, not "${format}"`);
  if (paths.length === 0) throw new UsageError('trace needs a migration file (e.g. lockwise trace migrations/0003_add_index.sql)');
  const report = await traceFilesBounded(paths, findPgliteForCli().dir, options);
  writeReport(format === 'json' ? jsonText(report) : traceMarkdown(report));
  return report.files.some((f) => f.summary.failed > 0) ? 1 : 0;
}

/** The trace did not finish within --timeout: the worker was killed. */
export class TraceTimeoutError extends UsageError {}

/** Traces every file in the worker, one fresh database each, within `options.timeout` seconds in all. */
export async function traceFilesBounded(paths: string[], pgliteDir: string, options: TraceOptions = {}): Promise<TraceReport> {
  const files = expandPaths(paths).map((f) => f.file);
  if (files.length === 0) throw new UsageError(`no .sql files found in ${paths.join(', ')}`);
  const resolver = new ConfigResolver({ configFile: options.config });
  // Refusals come before the engine starts: an unreadable migration or --history folder is exit 2 at once.
  const jobs = files.map((file) => {
    historyFiles(file, options.history);
    return { file, text: readSqlFile(file), config: resolver.forFile(file).config };
  });
  const seconds = options.timeout ?? DEFAULT_TIMEOUT_S;
  const worker = new BoundedWorker(pgliteDir, seconds * 1000);
  try {
    const report: TraceReport = { engine: '', pgVersion: 0, notes: [], files: [] };
    for (const job of jobs) {
      const one = await worker.trace(job, options.history, seconds);
      report.engine = one.engine;
      report.pgVersion = one.pgVersion;
      report.files.push(...one.files);
    }
    if (options.pgVersion && options.pgVersion !== report.pgVersion) {
      report.notes.push(
        `Locks were traced on PostgreSQL ${report.pgVersion} and predicted for it; the project targets ${options.pgVersion}, where some locks differ (see docs/trace.md).`,
      );
    }
    return report;
  } finally {
    worker.stop();
  }
}

const SIGNALS: NodeJS.Signals[] = ['SIGINT', 'SIGTERM', 'SIGHUP'];

/** One worker process for the run, and the deadline that kills it. */
class BoundedWorker {
  private readonly child: ChildProcess;
  private readonly deadline: number;
  private stderr = '';
  private nextId = 1;
  /** What the worker was doing last: the statement, else its last progress message. */
  private doing = 'starting the embedded PostgreSQL';

  constructor(pgliteDir: string, limitMs: number) {
    this.deadline = Date.now() + limitMs;
    this.child = fork(workerScript(), [pgliteDir], { stdio: ['ignore', 'ignore', 'pipe', 'ipc'], execArgv: [] });
    this.child.stderr?.on('data', (d: Buffer) => (this.stderr = (this.stderr + d.toString()).slice(-4000)));
    // A CI job's timeout or a kill ends the CLI: the worker, stuck in a statement, cannot notice that itself.
    for (const signal of SIGNALS) process.once(signal, this.onSignal);
  }

  private readonly onSignal = (signal: NodeJS.Signals): void => {
    this.kill();
    process.kill(process.pid, signal);
  };

  trace(job: { file: string; text: string; config: LockwiseConfig }, history: string | undefined, seconds: number): Promise<TraceReport> {
    const request: TraceJob = {
      type: 'trace',
      id: this.nextId++,
      ...job,
      history,
      // Where the engine is a real server it cancels the statement itself (PGlite does not).
      statementTimeoutMs: seconds * 1000,
      tempFileLimitKb: TEMP_FILE_LIMIT_KB,
      reportStatements: true,
    };
    return new Promise<TraceReport>((resolve, reject) => {
      const timer = setTimeout(
        () => {
          this.kill();
          reject(new TraceTimeoutError(`the trace stopped after ${seconds} s (--timeout ${seconds}): ${this.doing}`));
        },
        Math.max(0, this.deadline - Date.now()),
      );
      const done = () => {
        clearTimeout(timer);
        this.child.removeAllListeners('message').removeAllListeners('exit');
      };
      this.child.on('message', (m: WorkerMessage | RunningMessage) => {
        if (m.type === 'running') this.doing = runningText(m.statement);
        else if (m.type === 'progress') this.doing = m.message;
        else if (m.type === 'result' && m.id === request.id) {
          done();
          resolve(m.report);
        } else if (m.type === 'error' && m.id === request.id) {
          done();
          reject(m.usage ? new UsageError(m.message) : new Error(m.message));
        }
      });
      this.child.on('exit', (code, signal) => {
        done();
        reject(new Error(this.stderr.trim() || `the trace worker exited (${signal ?? code})`));
      });
      this.child.send(request);
    });
  }

  /** Ends the worker: it may be inside a statement that never returns, so no polite request. */
  kill(): void {
    if (this.child.exitCode === null && this.child.signalCode === null) this.child.kill('SIGKILL');
  }

  stop(): void {
    for (const signal of SIGNALS) process.removeListener(signal, this.onSignal);
    this.kill();
    if (this.child.connected) this.child.disconnect();
  }
}

function runningText(s: RunningStatement): string {
  return `${s.history ? 'the schema history, ' : ''}${s.file}:${s.line} was still running: ${s.sql}`;
}

/** dist/trace-worker.js beside the bundled CLI; worker.js beside this module when run from out/ (the tests). */
function workerScript(): string {
  const script = [path.join(__dirname, 'trace-worker.js'), path.join(__dirname, 'worker.js')].find((f) => fs.existsSync(f));
  if (!script) throw new UsageError(`this build of Lockwise is incomplete: trace-worker.js is missing beside ${path.basename(process.argv[1] ?? 'cli.js')}`);
  return script;
}
