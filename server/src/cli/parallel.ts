/**
 * Analysis of a `lint` or `audit` run across worker_threads. Migration folders share no schema
 * history, so the files are grouped by history scope (`historyScope`), the groups spread over the
 * main thread and `jobs - 1` workers by size, and the results put back in command-line order: the
 * output does not depend on the number of workers. Each worker loads its own parser (WASM) and
 * resolves configs, runners and history as the main thread does; results cross as plain data.
 */
import * as os from 'os';
import { isMainThread, parentPort, Worker, workerData } from 'worker_threads';
import { Analysis, auditJson, AuditFileJson, Baseline, Finding, initParser, lockNote } from '../core';
import { historyScope } from '../project/history';
import { PlannedFile, RunContext, RunSetup } from './files';

export type ReportKind = 'lint' | 'audit';

/** What the output of one file needs: its findings (lint) or its audit record (audit). */
export interface FilePayload {
  findings: Finding[];
  /** The text of each statement a finding is about, by index (lint: SARIF fingerprints read it). */
  statementTexts: Record<number, string>;
  /** The lock of each statement a finding is about, in words (the text format's `= note:`). */
  lockNotes?: Record<number, string>;
  audit?: AuditFileJson;
  internalErrors: string[];
  /** The age of the project's size snapshot when it is stale (the run warns once per snapshot). */
  staleAgeMs?: number;
}

export function payloadOf(kind: ReportKind, file: string, analysis: Analysis): FilePayload {
  const notes = { internalErrors: analysis.internalErrors, ...(analysis.sizes?.stale ? { staleAgeMs: analysis.sizes.ageMs } : {}) };
  if (kind === 'audit') return { findings: [], statementTexts: {}, audit: auditJson(file, analysis), ...notes };
  const statementTexts: Record<number, string> = {};
  const lockNotes: Record<number, string> = {};
  for (const f of analysis.findings) {
    const s = analysis.statements[f.statement];
    // A statement with several findings: its text and lock note once.
    if (!s || f.statement in statementTexts) continue;
    statementTexts[f.statement] = s.statement.text;
    const lock = s.statement.kind === 'Invalid' ? undefined : lockNote(analysis, s);
    if (lock) lockNotes[f.statement] = lock;
  }
  return { findings: analysis.findings, statementTexts, lockNotes, ...notes };
}

interface Job {
  index: number;
  file: string;
  /** Resolved by the main thread (git runs once per folder). */
  baseline?: Baseline;
  /** The text as read (with its byte order mark): the worker analyses what the main thread hashed. */
  raw: string;
}

interface WorkerInput {
  lockwise: 'lint-worker';
  kind: ReportKind;
  setup: RunSetup;
  jobs: Job[];
}

/** Worker threads below this much SQL cost more (a parser per thread) than they save. */
const MIN_PARALLEL_CHARS = 256 * 1024;

/**
 * The default number of threads: one per idle core (cores minus the 1-minute load average, like
 * `make -l`). A second thread costs its own parser and start-up (measured: +0.5 s CPU over the
 * corpus) and gains nothing when other processes already keep the cores busy (measured at load 5
 * on 2 cores: 1.76 s wall with two threads, 1.56 s with one).
 */
export function defaultJobs(): number {
  const cores = Math.max(1, os.availableParallelism?.() ?? os.cpus().length);
  return Math.max(1, Math.min(cores, Math.round(cores - os.loadavg()[0])));
}

/**
 * Payloads of `todo` (indices into `planned`), computed here and in up to `jobs - 1` workers.
 * `run` is the main thread's context, already holding every planned file.
 */
export async function analyzePlanned(
  kind: ReportKind,
  run: RunContext,
  planned: PlannedFile[],
  todo: number[],
  jobs: number,
): Promise<Map<number, FilePayload>> {
  const chars = todo.reduce((n, i) => n + planned[i].text.length, 0);
  const bins = chars < MIN_PARALLEL_CHARS ? [todo] : spread(planned, todo, jobs);
  const workers = bins.slice(1).map((bin) => inWorker({ lockwise: 'lint-worker', kind, setup: run.setup, jobs: bin.map((i) => job(planned[i], i)) }));
  const out = new Map<number, FilePayload>();
  // The grammars newer than a pgVersion are loaded when a statement needs one (most runs never do).
  await initParser(
    (bins[0] ?? []).map((i) => planned[i].config.pgVersion),
    false,
  );
  for (const i of bins[0] ?? []) out.set(i, payloadOf(kind, planned[i].path, await run.analyzeLoaded(planned[i])));
  for (const results of await Promise.all(workers)) for (const [i, payload] of results) out.set(i, payload);
  return out;
}

function job(p: PlannedFile, index: number): Job {
  return { index, file: p.file, raw: (p.bom ? '\uFEFF' : '') + p.text, ...(p.baseline ? { baseline: p.baseline } : {}) };
}

/** Groups by history scope, largest first onto the lightest bin (kept in command-line order inside each bin). */
function spread(planned: PlannedFile[], todo: number[], jobs: number): number[][] {
  const groups = new Map<string, number[]>();
  for (const i of todo) {
    const scope = historyScope(planned[i].file);
    let g = groups.get(scope);
    if (!g) groups.set(scope, (g = []));
    g.push(i);
  }
  const size = (g: number[]) => g.reduce((n, i) => n + planned[i].text.length, 0);
  const sorted = [...groups.values()].map((g) => ({ g, n: size(g) })).sort((a, b) => b.n - a.n);
  const bins = Array.from({ length: Math.min(jobs, sorted.length) }, () => ({ items: [] as number[], n: 0 }));
  for (const { g, n } of sorted) {
    const lightest = bins.reduce((a, b) => (b.n < a.n ? b : a));
    lightest.items.push(...g);
    lightest.n += n;
  }
  return bins.map((b) => b.items.sort((x, y) => x - y));
}

function inWorker(input: WorkerInput): Promise<[number, FilePayload][]> {
  return new Promise((resolve, reject) => {
    const worker = new Worker(__filename, { workerData: input });
    worker.once('message', (results: [number, FilePayload][]) => resolve(results));
    worker.once('error', reject);
    worker.once('exit', (code) => reject(new Error(`analysis worker exited with code ${code}`)));
  });
}

/** The worker's side: plan and analyse its files in order, post the payloads back once. */
async function serve(input: WorkerInput): Promise<void> {
  const run = new RunContext(input.setup);
  await initParser(
    input.jobs.map(({ file }) => run.resolver.forFile(file).config.pgVersion),
    false,
  );
  const results: [number, FilePayload][] = [];
  for (const { index, file, raw, baseline } of input.jobs) {
    const planned = { ...run.plan(file, run.resolver.forFile(file).config, raw), baseline };
    results.push([index, payloadOf(input.kind, planned.path, await run.analyzeLoaded(planned))]);
  }
  parentPort!.postMessage(results);
}

// The CLI bundle is its own worker script (dist/cli.js; out/server/src/cli/parallel.js under tsc).
if (!isMainThread && (workerData as WorkerInput | undefined)?.lockwise === 'lint-worker') void serve(workerData as WorkerInput);
