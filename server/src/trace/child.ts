/**
 * For the language server: run `lockwise trace` in a child process, so loading PGlite (a few
 * seconds, ~100 MB of WASM memory) never blocks the server and the memory is returned when it ends.
 * The child is the bundled CLI next to the server (dist/cli.js) with `--format json`.
 */
import { spawn } from 'child_process';
import * as path from 'path';
import type { TraceReport } from './command';

export interface ChildTraceOptions {
  /** The bundled CLI; default: cli.js beside the running bundle (dist/). */
  cliPath?: string;
  /** --history folder. */
  history?: string;
  cwd?: string;
  /** Killed after this long (default 120 s). */
  timeoutMs?: number;
  /** Cancels the run (e.g. the editor's progress notification was cancelled). */
  signal?: AbortSignal;
}

/** Traces one migration file in a child process. Rejects with the CLI's message on exit code 2. */
export function traceInChildProcess(file: string, options: ChildTraceOptions = {}): Promise<TraceReport> {
  const cli = options.cliPath ?? path.join(__dirname, 'cli.js');
  const args = [cli, 'trace', file, '--format', 'json', ...(options.history ? ['--history', options.history] : [])];
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, args, { cwd: options.cwd, stdio: ['ignore', 'pipe', 'pipe'], signal: options.signal });
    const timer = setTimeout(() => child.kill(), options.timeoutMs ?? 120000);
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
    child.on('close', (code) => {
      clearTimeout(timer);
      // Exit 1 only means a statement failed: the report says which.
      if (code === 0 || code === 1) {
        try {
          resolve(JSON.parse(stdout) as TraceReport);
        } catch {
          reject(new Error(`lockwise trace printed no report: ${stderr.trim() || 'empty output'}`));
        }
      } else reject(new Error(stderr.trim() || `lockwise trace exited with ${code}`));
    });
  });
}
