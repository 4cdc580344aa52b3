/**
 * Analysis of a `lint` or `audit` run across worker_threads. Migration folders share no schema
 * history, so the files are grouped by history scope (`historyScope`), and the main thread and
 * `jobs - 1` workers each take the next group, costliest first, until none is left (a counter in
 * shared memory); the results are put back in command-line order: the output does not depend on the
 * number of workers or on which took what. Each worker loads its own parser (WASM) and resolves
 * configs, runners and history as the main thread does; results cross as plain data.
 */
import * as os from 'os';
import { isMainThread, parentPort, Worker, workerData } from 'worker_threads';
import { Analysis, auditJson, AuditFileJson, Baseline, Finding, initParser, lockNote } from '../core';
import { fs } from '../project/builtins';
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

/** What a worker starts with; its files come later in a message (`ToWorker`). */
interface WorkerInput {
  lockwise: 'lint-worker';
  kind: ReportKind;
  setup: RunSetup;
  /** The pgVersions planned so far: their parsers start loading at once. */
  preload: number[];
}

/** To a worker: another pgVersion to load a parser for, or the run's groups and their counter (the last message). */
type ToWorker = { preload: number } | { groups: Job[][]; claims: Int32Array };

/** Worker threads below this much SQL cost more (a parser per thread) than they save. */
const MIN_PARALLEL_CHARS = 256 * 1024;

/**
 * The default number of threads: one per idle core, by the threads runnable right now (/proc/loadavg's
 * fourth field, which counts this one). The 1-minute load average, the fallback where there is no
 * such count, still says "busy" for a minute after another step of a script ended: in the bench, and
 * in CI, a run then took one thread with both cores idle (3,544 ms; 2,858 with `--jobs 2`). On a busy
 * machine a moment's count can come out low; a worker then takes its share of the cores like any thread.
 */
export function defaultJobs(): number {
  const cores = Math.max(1, os.availableParallelism?.() ?? os.cpus().length);
  return Math.max(1, Math.min(cores, cores - othersRunnable()));
}

/** Threads of other processes (and V8's of this one) runnable now; else the 1-minute load average. */
function othersRunnable(): number {
  const running = runnableThreads();
  return running !== undefined ? Math.max(0, running - 1) : Math.round(os.loadavg()[0]);
}

/** Threads runnable right now, the calling one included (/proc/loadavg's fourth field); undefined without /proc. The bench waits on it too. */
export function runnableThreads(): number | undefined {
  try {
    const running = /^\S+ \S+ \S+ (\d+)\//.exec(fs.readFileSync('/proc/loadavg', 'latin1'));
    return running ? Number(running[1]) : undefined;
  } catch {
    // Not Linux: no /proc.
    return undefined;
  }
}

interface Started {
  worker: Worker;
  results: Promise<[number, FilePayload][]>;
}

/**
 * The run's workers. Without a cache every planned file is analysed, so `planned` starts them while
 * the files are planned, once the SQL planned reaches MIN_PARALLEL_CHARS in two history scopes
 * (from there analyzePlanned hands them groups of files): their start (bundle, parsers' WebAssembly, ~0.4 s of
 * CPU) overlaps the planning instead of delaying their first file. Otherwise `analyze` starts them.
 */
export class Workers {
  private readonly started: Started[] = [];
  private readonly versions = new Set<number>();
  private readonly scopes = new Set<string>();
  private chars = 0;
  private threads?: number;

  constructor(
    private readonly kind: ReportKind,
    private readonly setup: RunSetup,
    private readonly requested: number | undefined,
    planning: boolean,
  ) {
    if (planning) this.threads = requested ?? defaultJobs();
  }

  /**
   * `--jobs`, else `defaultJobs()`: `planning` (no cache) counts the runnable threads now, before the
   * parsers' WebAssembly compiles on V8's threads; with a cache only once threads may be used, as a run
   * that takes every file from the cache is recorded for replay (replay.ts) and must not read /proc/loadavg.
   */
  get jobs(): number {
    return (this.threads ??= this.requested ?? defaultJobs());
  }

  /** A planned file, in planning order. */
  planned(p: PlannedFile): void {
    const version = p.config.pgVersion;
    if (!this.versions.has(version)) {
      this.versions.add(version);
      for (const { worker } of this.started) worker.postMessage({ preload: version } satisfies ToWorker);
    }
    if (this.started.length > 0 || this.jobs < 2) return;
    this.chars += p.text.length;
    this.scopes.add(historyScope(p.file));
    if (this.chars >= MIN_PARALLEL_CHARS && this.scopes.size > 1) while (this.started.length < this.jobs - 1) this.start();
  }

  /** The results of `count` workers (started here if not yet; the others stop) that take `groups` as the main thread does. */
  analyze(count: number, groups: Job[][], claims: Int32Array): Promise<[number, FilePayload][]>[] {
    while (this.started.length < count) this.start();
    for (const { worker } of this.started.splice(count)) void worker.terminate();
    return this.started.map(({ worker, results }) => {
      worker.postMessage({ groups, claims } satisfies ToWorker);
      return results;
    });
  }

  /** Stops every worker (the run is over, or failed): a live one would keep the process running. */
  close(): void {
    for (const { worker } of this.started) void worker.terminate();
  }

  private start(): void {
    const input: WorkerInput = { lockwise: 'lint-worker', kind: this.kind, setup: this.setup, preload: [...this.versions] };
    const worker = new Worker(__filename, { workerData: input });
    const results = new Promise<[number, FilePayload][]>((resolve, reject) => {
      worker.once('message', resolve);
      worker.once('error', reject);
      worker.once('exit', (code) => reject(new Error(`analysis worker exited with code ${code}`)));
    });
    // Awaited only once the files are planned; a worker stopped unused rejects unheard.
    results.catch(() => undefined);
    this.started.push({ worker, results });
  }
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
  workers: Workers,
): Promise<Map<number, FilePayload>> {
  const chars = todo.reduce((n, i) => n + planned[i].text.length, 0);
  const groups = chars < MIN_PARALLEL_CHARS ? [todo] : scopeGroups(planned, todo);
  const claims = new Int32Array(new SharedArrayBuffer(Int32Array.BYTES_PER_ELEMENT));
  const jobs = groups.map((group) => group.map((i) => job(planned[i], i)));
  const results = workers.analyze(Math.min(workers.jobs, groups.length) - 1, jobs, claims);
  const out = new Map<number, FilePayload>();
  for (const group of taken(groups, claims)) {
    // The grammars newer than a pgVersion are loaded when a statement needs one (most runs never do).
    await initParser(
      group.map((i) => planned[i].config.pgVersion),
      false,
    );
    for (const i of group) out.set(i, payloadOf(kind, planned[i].path, await run.analyzeLoaded(planned[i])));
  }
  for (const r of await Promise.all(results)) for (const [i, payload] of r) out.set(i, payload);
  return out;
}

function job(p: PlannedFile, index: number): Job {
  return { index, file: p.file, raw: (p.bom ? '\uFEFF' : '') + p.text, ...(p.baseline ? { baseline: p.baseline } : {}) };
}

/** The groups this thread takes, in turn: each the next one no thread has taken yet (`claims` counts them out). */
function* taken<T>(groups: T[], claims: Int32Array): Generator<T> {
  for (let k = Atomics.add(claims, 0, 1); k < groups.length; k = Atomics.add(claims, 0, 1)) yield groups[k];
}

/**
 * What a file costs besides its characters, in characters: planning it, its history's catalog and the
 * rules' set-up (over the corpus, a file under 100 bytes took 0.39 ms of a thread, and 1,000 characters
 * of a file ~0.56 ms: bench/FINDINGS.md, session 20).
 */
const FILE_COST_CHARS = 600;

/** The files by history scope, each group in command-line order; the costliest groups first, so that the last ones fill the gaps. */
export function scopeGroups(planned: PlannedFile[], todo: number[]): number[][] {
  const groups = new Map<string, { files: number[]; cost: number }>();
  for (const i of todo) {
    const scope = historyScope(planned[i].file);
    let g = groups.get(scope);
    if (!g) groups.set(scope, (g = { files: [], cost: 0 }));
    g.files.push(i);
    g.cost += planned[i].text.length + FILE_COST_CHARS;
  }
  return [...groups.values()].sort((a, b) => b.cost - a.cost).map((g) => g.files);
}

/**
 * The worker's side: parsers load as pgVersions are announced; once its files come, it plans and
 * analyses them in order, posts the payloads back once and stops listening (so the thread ends).
 */
function serve(input: WorkerInput): void {
  const run = new RunContext(input.setup);
  const preload = (version: number) => void initParser(version, false).catch(() => undefined);
  input.preload.forEach(preload);
  const port = parentPort!;
  const onMessage = (message: ToWorker) => {
    if ('preload' in message) return preload(message.preload);
    port.off('message', onMessage);
    void analyzeGroups(input.kind, run, message.groups, message.claims).then((results) => port.postMessage(results));
  };
  port.on('message', onMessage);
}

/** The groups this worker takes (the next one not yet taken, until none is left), each analysed in order. */
async function analyzeGroups(kind: ReportKind, run: RunContext, groups: Job[][], claims: Int32Array): Promise<[number, FilePayload][]> {
  const results: [number, FilePayload][] = [];
  for (const group of taken(groups, claims)) {
    await initParser(
      group.map(({ file }) => run.resolver.forFile(file).config.pgVersion),
      false,
    );
    for (const { index, file, raw, baseline } of group) {
      const planned = { ...run.plan(file, run.resolver.forFile(file).config, raw), baseline };
      results.push([index, payloadOf(kind, planned.path, await run.analyzeLoaded(planned))]);
    }
  }
  return results;
}

// The CLI bundle is its own worker script (dist/cli.js; out/server/src/cli/parallel.js under tsc).
if (!isMainThread && (workerData as WorkerInput | undefined)?.lockwise === 'lint-worker') serve(workerData as WorkerInput);
