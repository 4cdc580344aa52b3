/**
 * The language server's trace worker (dist/trace-worker.js): a child process, forked by the server
 * with an IPC channel, that loads PGlite from the folder given as its first argument and traces
 * documents on request. It stays alive between requests (the server stops it after an idle period)
 * and keeps the next fresh database ready, so a repeated trace does not pay for loading the
 * engine again. PGlite's WASM memory lives and dies with this process, never in the server.
 *
 * The CLI's `lockwise trace` runs here too (trace/bounded.ts), so that its time limit can end a
 * statement PGlite would never stop: it asks for a 'running' message before each statement.
 *
 * Protocol (process.send / 'message'):
 *   server → worker  { type: 'trace', id, file, text, config, history?, statementTimeoutMs?, tempFileLimitKb?, reportStatements? } | { type: 'shutdown' }
 *   worker → server  { type: 'ready', engine } | { type: 'progress', id, message }
 *                    | { type: 'running', id, statement } (only when reportStatements)
 *                    | { type: 'result', id, report } | { type: 'error', id, message, usage? }
 */
import * as path from 'path';
import { initParser, LockwiseConfig } from '../core';
import { TraceEngine, usePgliteFrom } from './engine';
import { RunningStatement, TraceReport, traceFile } from './command';
import { UsageError } from '../project/files';
import { writeLine } from '../project/output';

export interface TraceJob {
  type: 'trace';
  id: number;
  file: string;
  /** The document's text (may be unsaved); the schema history is read from disk. */
  text: string;
  config: LockwiseConfig;
  history?: string;
  /** A statement_timeout for the session (effective on a real server; PGlite ignores it). */
  statementTimeoutMs?: number;
  /** A temp_file_limit for the session, in kB (PGlite enforces it: a runaway recursive CTE stops there). */
  tempFileLimitKb?: number;
  /** Send a 'running' message before each statement. */
  reportStatements?: boolean;
}

export type WorkerRequest = TraceJob | { type: 'shutdown' };

export type WorkerMessage =
  /** A fresh database is ready for the next request. */
  | { type: 'ready'; engine: string }
  | { type: 'progress'; id: number; message: string }
  | { type: 'result'; id: number; report: TraceReport }
  /** `usage`: a problem with the request (an unreadable --history folder), not a bug. */
  | { type: 'error'; id: number; message: string; usage?: boolean };

/** What a job that asked for reportStatements also receives (the editor does not ask). */
export type RunningMessage = { type: 'running'; id: number; statement: RunningStatement };

function send(message: WorkerMessage | RunningMessage): void {
  process.send?.(message);
}

/** The next fresh database, created ahead of the request that will use it. */
let spare: Promise<TraceEngine> | undefined;
let queue: Promise<void> = Promise.resolve();

function prepare(): Promise<TraceEngine> {
  const next = TraceEngine.create();
  // A failure is reported to the request that takes it.
  next.then(
    (engine) => send({ type: 'ready', engine: engine.version.replace(/ on wasm32.*$/, '') }),
    () => undefined,
  );
  return next;
}

function takeEngine(): Promise<TraceEngine> {
  const engine = spare ?? prepare();
  spare = undefined;
  return engine;
}

async function run(job: TraceJob): Promise<void> {
  try {
    send({ type: 'progress', id: job.id, message: 'starting the embedded PostgreSQL' });
    const engine = await takeEngine();
    try {
      await engine.setLimits(job);
      const onStatement = job.reportStatements ? (statement: RunningStatement) => send({ type: 'running', id: job.id, statement }) : undefined;
      const file = await traceFile(engine, job.file, job.config, { history: job.history, onStatement }, job.text, (message) =>
        send({ type: 'progress', id: job.id, message }),
      );
      const report: TraceReport = { engine: engine.version.replace(/ on wasm32.*$/, ''), pgVersion: engine.major, notes: [], files: [file] };
      if (job.config.pgVersion !== engine.major) {
        report.notes.push(
          `Locks were traced on PostgreSQL ${engine.major} and predicted for it; the project targets ${job.config.pgVersion}, where some locks differ.`,
        );
      }
      send({ type: 'result', id: job.id, report });
    } finally {
      await engine.close().catch(() => undefined);
    }
  } catch (error) {
    send({
      type: 'error',
      id: job.id,
      message: error instanceof Error ? error.message : String(error),
      ...(error instanceof UsageError ? { usage: true } : {}),
    });
  } finally {
    spare ??= prepare();
  }
}

async function main(): Promise<void> {
  const dir = process.argv[2];
  if (!dir) throw new Error('usage: trace-worker <pglite folder>');
  usePgliteFrom(path.resolve(dir));
  // Requests wait for the SQL parser; the first fresh database is made meanwhile.
  // PGlite is PostgreSQL 17 or 18: traceFile loads the 17 grammar when it is 17.
  const parser = initParser(18);
  queue = parser;
  spare = prepare();
  process.on('message', (message: WorkerRequest) => {
    if (message.type === 'shutdown') {
      void (spare ?? Promise.resolve(undefined))
        .then((e) => e?.close())
        .catch(() => undefined)
        .finally(() => process.exit(0));
    } else if (message.type === 'trace') {
      queue = queue.then(() => run(message));
    }
  });
  // The server went away (crash, kill): do not outlive it.
  process.on('disconnect', () => process.exit(0));
  await parser;
}

main().catch((error: unknown) => {
  writeLine(`lockwise trace worker: ${error instanceof Error ? error.message : String(error)}`, 'stderr');
  process.exit(1);
});
