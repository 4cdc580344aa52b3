/**
 * Off-thread analysis of big documents. The server answers every document on one thread, and a
 * multi-megabyte dump takes seconds to analyse: meanwhile no other document would get diagnostics
 * or hovers. Documents over WORKER_THRESHOLD are therefore analysed in a worker_thread
 * (dist/analysis-worker.js, server/src/lsp/analysisWorker.ts), which makes the diagnostics as
 * in-process analysis does and posts what changed since the list it posted last (diagnosticsChange.ts).
 *
 * The worker owns the one analysis of such a document: hover, code actions, their resolve and
 * fix-all are questions (`query`) it answers from the analysis of the version asked about, so the
 * main thread never holds a second copy (an analysis of 10,000 statements is about 100 MB of heap).
 * The worker keeps a bounded number of documents (analysisWorker.ts); a question about one it has
 * dropped, or about an older version, is answered `stale` and the caller analyses again.
 *
 * One worker, one job at a time, the latest job per document: a newer version of a queued document
 * replaces the queued job; a running job is left to finish when the worker holds analyses (its
 * analysis is the incremental base of the next) but its result is dropped, and a first analysis is
 * stopped with the worker. Superseded jobs resolve to undefined, so the caller drops them like any
 * stale result.
 */
import * as fs from 'fs';
import type { Baseline, FileRunnerOptions, SizeInput } from '../core';
import type { HistoryText } from '../project/history';
import { Worker } from 'worker_threads';
import type { CodeAction, CodeLens, Hover, Position, Range, WorkspaceEdit } from 'vscode-languageserver/node';
import type { LockwiseConfig } from '../core';
import type { ActionData } from './codeActions';
import { KEPT_TEXT } from './bounded';
import { IdleCollector } from './idleCollect';
import { withSemiSpace } from './nursery';
import { workerTiering } from './tiering';
import type { Diagnostic } from 'vscode-languageserver/node';
import { applyChange, DiagnosticsChange, PostedList } from './diagnosticsChange';

/**
 * Documents longer than this (UTF-16 code units, as lockwise.maxFileSize counts) are analysed in
 * the worker. Below it analysis takes well under 200 ms on a slow machine, less than the cost of
 * copying the text to the worker and of a worker start after an edit supersedes a job.
 */
export const WORKER_THRESHOLD = 512 * 1024;

/**
 * Documents whose last diagnostics from the worker the main thread keeps (~1 MB for the 1,396 of a
 * 10,000-statement file): the worker's next analysis of one posts only what changed.
 */
const POSTED_LISTS = 8;

/** An unused worker is stopped after this long (the parser's WASM memory is freed with it). */
const IDLE_MS = 2 * 60 * 1000;

/**
 * The worker's heap (V8's old generation) is capped in proportion to the text it analyses: without
 * a cap V8 lets an isolate's heap grow to several times what it keeps alive (a 10,000-statement
 * document: 100-170 MB live, 400 MB of heap). An analysis keeps about 100 bytes per character, and
 * an edit holds the previous analysis while it makes the next. A worker that runs out of memory
 * anyway is started again with twice the allowance per character and the job retried once.
 * Measured on the bench's 10,000-statement session (one run each, load 8-17): 160 bytes per
 * character kept RSS at 363 MB but code actions took 2.8x the CPU (full GCs near the cap while a
 * fix is checked); 320 costs no measurable CPU (6.5 s for the 50 actions, as uncapped) at 439 MB.
 */
export interface HeapAllowance {
  baseMb: number;
  perChar: number;
}
export const HEAP_ALLOWANCE: HeapAllowance = { baseMb: 48, perChar: 320 };

/**
 * The worker's nursery: two 16 MB semi-spaces (V8's young generation is those and as much again for
 * young large objects, so 48 MB), twice the main thread's (nursery.ts). An edit at 10,000 statements
 * allocates about 8 MB in the worker, and with two 8 MB semi-spaces what it kept until the next edit
 * was copied once and promoted by the next: ~2.5 MB more old generation per edit, a full collection
 * every ~10 edits. With 16 MB most of it dies young. 6 alternating sessions of the bench's
 * 10,000-statement file: edit p95 126 -> 111 ms (median), the worker's CPU over the 50 edits 1,600 ->
 * 1,430 ms and the collector's helper threads 1,930 -> 1,510 ms, for 14 MB more RSS at the end
 * (bench/FINDINGS.md).
 */
export const WORKER_SEMI_MB = 16;
export const WORKER_YOUNG_MB = 3 * WORKER_SEMI_MB;

/** The heap cap (MB) of a worker that holds `length` characters of documents. */
export function heapLimitMb(allowance: HeapAllowance, length: number): number {
  return Math.ceil(allowance.baseMb + (allowance.perChar * length) / (1024 * 1024));
}

/** What the main thread sends: everything the analysis needs, as plain data. */
export interface AnalysisJob {
  type: 'analyze';
  id: number;
  uri: string;
  version: number;
  text: string;
  config: LockwiseConfig;
  /** Texts of the earlier migrations in run order, replayed into the schema history (HistoryProvider.textsBefore). */
  history: HistoryText[];
  /** The deploy baseline (its Set survives postMessage's structured clone). */
  baseline?: Baseline;
  /** The file's runner (plain data: profiles are looked up by id in the worker). */
  runner?: FileRunnerOptions;
  /** The size snapshot and rates (plain data). */
  sizes?: SizeInput;
  /** The job whose diagnostics of this document the main thread holds: the worker may post a change from them. */
  base?: number;
}

export interface AnalysisResult {
  uri: string;
  version: number;
  /** Frozen (diagnosticsChange.ts `applyChange`). */
  diagnostics: Diagnostic[];
  statements: number;
  internalErrors: string[];
  /** Time spent in the worker (history replay and analysis). */
  ms: number;
}

/** An analysis as the worker posts it: its diagnostics as a change from the job's `base`. */
export type PostedAnalysis = Omit<AnalysisResult, 'diagnostics'> & { diagnostics: DiagnosticsChange };

export type AnalysisReply = { id: number; ok: true; result: PostedAnalysis } | { id: number; ok: false; error: string };

/** What the client can take, as code actions need it (ActionTarget's flags). */
export interface ActionClient {
  versioned: boolean;
  resolvable: boolean;
  disabledActions: boolean;
  snippetEdits: boolean;
}

/** A question about one version of a document, answered from the worker's analysis of it. */
export type Query =
  | { kind: 'hover'; position: Position }
  | { kind: 'codeActions'; range: Range; only?: string[]; client: ActionClient }
  | { kind: 'resolve'; action: CodeAction; data: ActionData; client: ActionClient }
  | { kind: 'fixAll'; client: ActionClient }
  | { kind: 'codeLens' };

/** What each kind of question is answered with (plain data). */
export interface QueryAnswers {
  hover: Hover | null;
  codeActions: CodeAction[];
  resolve: CodeAction | null;
  /** `edit` undefined: nothing to fix (`empty`) or the edit needs what the client cannot take. */
  fixAll: { edit?: WorkspaceEdit; fixed: string[]; empty: boolean };
  codeLens: CodeLens[];
}

export interface QueryJob {
  type: 'query';
  id: number;
  uri: string;
  version: number;
  query: Query;
}

/** `stale`: the worker holds no analysis of that version (dropped, or a newer one arrived). */
export type QueryReply =
  { id: number; ok: true; stale: true } | { id: number; ok: true; stale?: false; answer: unknown } | { id: number; ok: false; error: string };

/** Every message the worker takes. `close`: forget the document. */
export type WorkerMessage = AnalysisJob | QueryJob | { type: 'close'; uri: string };

interface Job {
  message: AnalysisJob;
  /** Already run again after the worker ran out of memory. */
  retried?: boolean;
  /** The workspace generation the job's inputs were read in (settings, history). */
  generation: number;
  resolve: (result: AnalysisResult | undefined) => void;
  reject: (error: Error) => void;
}

export class BackgroundAnalysis {
  private worker?: Worker;
  private running?: Job;
  /** Waiting jobs, at most one per document (Map keeps insertion order: first come, first served). */
  private queue = new Map<string, Job>();
  /** The latest job per document, for CodeLens and questions that arrive while it runs. */
  private readonly latest = new Map<string, { version: number; generation: number; result: Promise<AnalysisResult | undefined> }>();
  /** Documents the worker analysed since it started, with their lengths (it may have dropped some since). */
  private readonly analysed = new Map<string, number>();
  /** The last diagnostics the worker posted, of the most recent POSTED_LISTS documents: the base of its next change. */
  private readonly posted = new Map<string, PostedList>();
  /** The running worker's heap cap (MB). */
  private heapMb = 0;
  /** Questions posted to the worker, by id. */
  private readonly questions = new Map<number, { resolve: (reply: QueryReply) => void; reject: (error: Error) => void }>();
  private nextId = 0;
  private idle?: NodeJS.Timeout;
  /**
   * Every job posts the document's whole text, a flat copy that is dead once the next edit's is
   * posted: a full collection on this thread after typing pauses frees them (the bench's
   * 10,000-statement session ended at 225-231 MB instead of 246-257). This thread keeps little
   * (~11 MB there), so the collection is short and may come soon.
   */
  private readonly collector = new IdleCollector(400);
  readonly available: boolean;

  constructor(
    private readonly script: string,
    readonly threshold: number,
    private readonly log: (message: string) => void,
    private readonly allowance: HeapAllowance = { ...HEAP_ALLOWANCE },
  ) {
    // Run from the TypeScript output (tests of modules) there is no bundle: analyse in-process.
    this.available = fs.existsSync(script);
  }

  handles(length: number): boolean {
    return this.available && length > this.threshold;
  }

  /** Analyses off-thread. Undefined when a newer job for the same document superseded this one. */
  analyze(job: Omit<AnalysisJob, 'id' | 'type'>, generation: number): Promise<AnalysisResult | undefined> {
    this.supersede(job.uri);
    const result = new Promise<AnalysisResult | undefined>((resolve, reject) => {
      this.queue.set(job.uri, { message: { ...job, type: 'analyze', id: ++this.nextId }, generation, resolve, reject });
    });
    this.latest.set(job.uri, { version: job.version, generation, result });
    // Callers that only peek (CodeLens) must not turn a failure into an unhandled rejection.
    result.catch(() => undefined);
    this.pump();
    return result;
  }

  /** The result of the latest job for this version of the document (and workspace generation), finished or under way. */
  resultFor(uri: string, version: number, generation: number): Promise<AnalysisResult | undefined> | undefined {
    const latest = this.latest.get(uri);
    return latest && latest.version === version && latest.generation === generation ? latest.result : undefined;
  }

  /**
   * Asks the worker about `version` of the document, after the latest job (which must be for that
   * version) finished. Undefined when there is no such analysis: none was made, it was superseded
   * or failed, or the worker dropped it (the caller analyses again).
   */
  async query<K extends Query['kind']>(uri: string, version: number, query: Extract<Query, { kind: K }>): Promise<QueryAnswers[K] | undefined> {
    const latest = this.latest.get(uri);
    if (!latest || latest.version !== version) return undefined;
    const result = await latest.result.catch(() => undefined);
    const worker = this.worker;
    if (!result || !worker || this.latest.get(uri)?.result !== latest.result) return undefined;
    const id = ++this.nextId;
    const reply = await new Promise<QueryReply>((resolve, reject) => {
      this.questions.set(id, { resolve, reject });
      const message: QueryJob = { type: 'query', id, uri, version, query };
      worker.postMessage(message);
    });
    if (!reply.ok) throw new Error(reply.error);
    if (reply.stale) {
      // The worker no longer has it: the next question analyses again.
      if (this.latest.get(uri)?.result === latest.result) this.latest.delete(uri);
      return undefined;
    }
    return reply.answer as QueryAnswers[K];
  }

  /** The document was closed: drop its jobs, results and the worker's analysis of it. */
  cancel(uri: string): void {
    this.supersede(uri);
    this.latest.delete(uri);
    this.analysed.delete(uri);
    this.posted.delete(uri);
    this.worker?.postMessage({ type: 'close', uri } satisfies WorkerMessage);
  }

  stop(): void {
    for (const uri of [...this.queue.keys()]) this.supersede(uri);
    this.running?.resolve(undefined);
    if (this.idle) clearTimeout(this.idle);
    this.collector.stop();
    this.terminate();
  }

  private supersede(uri: string): void {
    const queued = this.queue.get(uri);
    if (queued) {
      this.queue.delete(uri);
      queued.resolve(undefined);
    }
    const running = this.running;
    if (running?.message.uri !== uri) return;
    running.resolve(undefined);
    // A worker that holds analyses finishes the job (it becomes the incremental base of the next);
    // a first analysis with nothing else held is stopped: starting over costs less than finishing it.
    if (this.analysed.size === 0) {
      this.running = undefined;
      this.terminate();
    }
  }

  private pump(): void {
    if (this.running) return;
    const next = this.queue.entries().next();
    if (next.done) {
      this.scheduleIdleStop();
      return;
    }
    const [uri, job] = next.value;
    this.queue.delete(uri);
    if (this.idle) clearTimeout(this.idle);
    this.running = job;
    let worker: Worker;
    try {
      worker = this.workerFor(job.message);
    } catch (error) {
      this.running = undefined;
      job.reject(error instanceof Error ? error : new Error(String(error)));
      this.pump();
      return;
    }
    job.message.base = this.posted.get(uri)?.id;
    worker.postMessage(job.message);
    this.collector.touch();
  }

  /** The worker, started (again) with a heap that fits this job and the other documents it keeps. */
  private workerFor(job: AnalysisJob): Worker {
    let others = 0;
    for (const [uri, length] of this.analysed) if (uri !== job.uri) others += length;
    const needed = heapLimitMb(this.allowance, job.text.length + Math.min(others, KEPT_TEXT));
    if (this.worker && this.heapMb >= needed) return this.worker;
    this.terminate();
    // `stdout: true`: over --stdio the process's stdout is the LSP stream, and a worker's output would
    // be copied into it; what the worker prints (a dependency's stray output) goes to the log instead.
    workerTiering();
    const worker = withSemiSpace(
      WORKER_SEMI_MB,
      () => new Worker(this.script, { stdout: true, resourceLimits: { maxOldGenerationSizeMb: needed, maxYoungGenerationSizeMb: WORKER_YOUNG_MB } }),
    );
    worker.stdout.setEncoding('utf8');
    worker.stdout.on('data', (text: string) => this.log(`analysis worker: ${text.replace(/\n$/, '')}`));
    this.heapMb = needed;
    // The language connection keeps the process alive; an analysis must not delay its exit.
    worker.unref();
    worker.on('message', (reply: AnalysisReply | QueryReply) => {
      if (worker === this.worker) this.received(reply);
    });
    const failed = (error: Error) => {
      if (worker === this.worker) this.failed(error);
    };
    worker.on('error', failed);
    worker.on('exit', (code) => failed(new Error(`the analysis worker exited with code ${code}`)));
    this.worker = worker;
    return worker;
  }

  private received(reply: AnalysisReply | QueryReply): void {
    const question = this.questions.get(reply.id);
    if (question) {
      this.questions.delete(reply.id);
      question.resolve(reply as QueryReply);
      return;
    }
    const job = this.running;
    if (!job || job.message.id !== reply.id) return;
    this.running = undefined;
    const analysed = reply as AnalysisReply;
    const uri = job.message.uri;
    const diagnostics = analysed.ok ? applyChange(this.posted.get(uri), analysed.result.diagnostics) : undefined;
    this.posted.delete(uri);
    if (analysed.ok && diagnostics) {
      this.analysed.set(uri, job.message.text.length);
      this.remember(uri, { id: reply.id, diagnostics });
      job.resolve({ ...analysed.result, diagnostics });
    } else job.reject(new Error(analysed.ok ? `the analysis worker's diagnostics change from job ${job.message.base} does not apply` : analysed.error));
    this.pump();
  }

  private remember(uri: string, list: PostedList): void {
    this.posted.set(uri, list);
    if (this.posted.size > POSTED_LISTS) this.posted.delete(this.posted.keys().next().value as string);
  }

  /** The worker crashed or ran out of its heap: the running job fails, or runs once more with twice the allowance. */
  private failed(error: Error): void {
    const job = this.running;
    this.running = undefined;
    const outOfMemory = (error as { code?: string }).code === 'ERR_WORKER_OUT_OF_MEMORY';
    if (outOfMemory) {
      this.log(`the analysis worker ran out of its ${this.heapMb} MB heap: started again with twice the allowance`);
      this.allowance.perChar *= 2;
      this.allowance.baseMb *= 2;
    }
    const retry = job && outOfMemory && !job.retried && !this.queue.has(job.message.uri);
    if (retry) this.queue = new Map([[job.message.uri, { ...job, retried: true }], ...this.queue]);
    this.terminate();
    if (!retry) job?.reject(error);
    this.pump();
  }

  /** Stops the worker: its analyses go with it, so no finished result stands for one any more. */
  private terminate(): void {
    const worker = this.worker;
    this.worker = undefined;
    this.analysed.clear();
    this.posted.clear();
    for (const uri of [...this.latest.keys()]) if (!this.queue.has(uri) && this.running?.message.uri !== uri) this.latest.delete(uri);
    const questions = [...this.questions.values()];
    this.questions.clear();
    for (const q of questions) q.reject(new Error('the analysis worker stopped'));
    if (worker) void worker.terminate().catch(() => undefined);
  }

  private scheduleIdleStop(): void {
    if (!this.worker) return;
    if (this.idle) clearTimeout(this.idle);
    this.idle = setTimeout(() => {
      if (this.running || this.queue.size) return;
      this.log('analysis worker stopped after being idle');
      this.terminate();
    }, IDLE_MS);
    this.idle.unref();
  }
}
