/**
 * V8's background threads at a lower scheduling priority than the threads that answer the editor.
 * Those threads (a pool made at start-up, shared by every isolate of the process) run the optimising
 * compiler and the collector's concurrent marking and sweeping. On a machine with two cores, the
 * analysis worker, the main thread and four of them compete during the first edits of a big document,
 * and the worker, which the edit waits for, got a third of a core at times (bench/FINDINGS.md,
 * session 20). At nice 10 they still run on any idle core, but yield one the worker wants.
 *
 * Linux only: there a thread's nice value is its own (setpriority(2) with a thread id), and
 * /proc/self/task lists the threads. Called before any other thread starts (the analysis worker,
 * libuv's pool), so every thread but this one is V8's; threads started later take this thread's
 * priority, as they are made by it.
 */
import * as fs from 'fs';
import * as os from 'os';

/** Nice value of V8's background threads: CFS gives a nice-0 thread about ten times their weight. */
export const HELPER_NICE = 10;

/** Lowers the priority of the process's other threads (V8's); returns how many it changed (0 off Linux). */
export function lowerHelperPriority(nice = HELPER_NICE): number {
  if (process.platform !== 'linux') return 0;
  let tasks: string[];
  try {
    tasks = fs.readdirSync('/proc/self/task');
  } catch {
    // No /proc mounted (a container without it): nothing to change.
    return 0;
  }
  let changed = 0;
  for (const task of tasks) {
    const tid = Number(task);
    if (tid === process.pid) continue;
    try {
      os.setPriority(tid, nice);
      changed++;
    } catch {
      // The thread ended meanwhile, or the system refuses: it keeps its priority.
    }
  }
  return changed;
}
