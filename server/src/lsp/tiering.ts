/**
 * When V8 optimises the server's JavaScript (TurboFan). Its flags are process-wide, so the main
 * thread and the analysis worker share one interrupt budget (how much bytecode a function runs
 * before V8 optimises it; 67,584 by default): each asks for the budget its work repays, and the
 * process keeps the lowest asked so far (never raised again).
 *
 * The main thread's first own analysis also turns on baseline code at once (`--always-sparkplug`):
 * the incremental path first runs on the first edit after an open, and the first ~10 edits of a
 * 1,000-statement file ran mostly interpreted (main-thread CPU 15-18 ms per edit, 9-10 once warm);
 * with it 13-15, and the warm ones ~1 ms less. Not at start: a session of big documents only keeps
 * the memory that code would take.
 */
import { setFlagsFromString } from 'v8';

/**
 * The main thread's budget for a document up to MANY_STATEMENTS characters. TurboFan's compilations
 * run on V8's threads next to the main thread on the two shared cores, and during the first ~20 edits
 * of a document they made edits wait: at 1,000 statements, 150,000 gave edit p95 22.5-24.9 ms against
 * 16.6-20.8 at 1,000,000, with a third less CPU per edit (bench/FINDINGS.md, session 15).
 */
export const SMALL_DOCUMENT_BUDGET = 1_000_000;

/**
 * The main thread's budget once it analyses a bigger document: one of several thousand statements runs
 * long enough to repay TurboFan (at 5,000, 1,000,000 was 15% slower per edit and held 25-40 MB more).
 */
export const BIG_DOCUMENT_BUDGET = 150_000;

/**
 * The analysis worker's (documents over 512 KB), asked for when it starts. With V8's default it
 * compiled ~1.5 s of TurboFan code over the open and first 50 edits of the bench's 10,000-statement
 * file, much of it again after deoptimisations, on the two cores the worker needs: 400,000 halved
 * the helper threads' CPU and cut edit p95 (bench/FINDINGS.md, session 20).
 */
export const WORKER_BUDGET = 400_000;

/** About 2,800 of the bench's generated statements (UTF-16 code units). */
const MANY_STATEMENTS = 256 * 1024;

/** The budget set so far (Infinity: none yet, V8's default). */
let budget = Infinity;
let baselineAtOnce = false;

/** The main thread is about to analyse a document of `length` characters. */
export function mainThreadTiering(length: number): void {
  if (!baselineAtOnce) {
    baselineAtOnce = true;
    setFlagsFromString('--always-sparkplug');
  }
  lowerInterruptBudget(length > MANY_STATEMENTS ? BIG_DOCUMENT_BUDGET : SMALL_DOCUMENT_BUDGET);
}

/** The analysis worker is about to start. */
export function workerTiering(): void {
  lowerInterruptBudget(WORKER_BUDGET);
}

function lowerInterruptBudget(to: number): void {
  if (to >= budget) return;
  budget = to;
  setFlagsFromString(`--interrupt-budget=${to}`);
}
