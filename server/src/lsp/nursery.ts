/**
 * A worker thread with a bigger nursery (V8's semi-spaces) than the main thread's. The language
 * server's process runs with `--max-semi-space-size` (SERVER_EXEC_ARGV: the main thread's nursery),
 * and that process-wide flag overrides a worker's `resourceLimits.maxYoungGenerationSizeMb`. V8 reads
 * it once per heap, when it makes the heap, and makes a worker's on the worker's own thread: so the
 * flag gives the worker's size from the worker's start until it runs, then the process's again. The
 * main thread's heap was made at start-up and keeps its size.
 */
import { setFlagsFromString } from 'v8';
import type { Worker } from 'worker_threads';

/** Workers started with another size that do not run yet: the last one to run restores the flag. */
let starting = 0;

/** `start()`, its worker's semi-spaces `semiMb` MB each even where the process sets a size for every heap. */
export function withSemiSpace(semiMb: number, start: () => Worker, argv: readonly string[] = processArgv()): Worker {
  const own = semiSpaceOf(argv);
  if (own === undefined || own === semiMb) return start();
  setFlagsFromString(`--max-semi-space-size=${semiMb}`);
  starting++;
  let pending = true;
  const running = () => {
    if (!pending) return;
    pending = false;
    if (--starting === 0) setFlagsFromString(`--max-semi-space-size=${own}`);
  };
  try {
    const worker = start();
    // 'exit' without 'online': it failed to start.
    worker.once('online', running).once('exit', running);
    return worker;
  } catch (error) {
    running();
    throw error;
  }
}

/** The size the process gives every heap's semi-spaces (MB), if it sets one; the last flag counts, as in V8. */
export function semiSpaceOf(argv: readonly string[]): number | undefined {
  let size: number | undefined;
  for (const arg of argv) {
    const m = /^--max[-_]semi[-_]space[-_]size=(\d+)$/.exec(arg);
    if (m) size = Number(m[1]);
  }
  return size;
}

function processArgv(): string[] {
  return [...(process.env.NODE_OPTIONS ?? '').split(/\s+/), ...process.execArgv];
}
