/**
 * Off-thread analysis of big documents. The server answers every document on one thread, and a
 * multi-megabyte dump takes seconds to analyse: meanwhile no other document would get diagnostics
 * or hovers. Documents over WORKER_THRESHOLD are therefore analysed for their diagnostics (and
 * CodeLens) in a worker_thread (dist/analysis-worker.js, server/src/lsp/analysisWorker.ts), which
 * posts back plain data that the main thread converts with the same `toDiagnostic` as in-process
 * analysis.
 *
 * One worker, one job at a time, the latest job per document: a newer version of the document
 * that is being analysed terminates the worker (its result would be dropped anyway) and a fresh
 * one starts; a newer version of a queued document replaces the queued job. Superseded jobs
 * resolve to undefined, so the caller drops them like any stale result.
 *
 * Trade-off: hover, code actions and commands on the big document itself still analyse it on the
 * main thread on demand (cached per version, Project.stateOf): they need the full Analysis (AST,
 * catalog, lock effects), which cannot cross a thread boundary, and a user hovering the big file
 * is waiting for that file anyway. Diagnostics and CodeLens, which editors request for every open
 * document without the user asking, never do.
 */
import * as fs from 'fs';
import type { Baseline, FileRunnerOptions, SizeInput } from '../core';
import type { HistoryText } from '../project/history';
import { Worker } from 'worker_threads';
import type { CodeLens } from 'vscode-languageserver/node';
import type { LockwiseConfig } from '../core';
import type { DiagnosticData } from './diagnostics';

/**
 * Documents longer than this (UTF-16 code units, as lockwise.maxFileSize counts) are analysed in
 * the worker. Below it analysis takes well under 200 ms on a slow machine, less than the cost of
 * copying the text to the worker and of a worker start after an edit supersedes a job.
 */
export const WORKER_THRESHOLD = 512 * 1024;

/** An unused worker is stopped after this long (the parser's WASM memory is freed with it). */
const IDLE_MS = 2 * 60 * 1000;

/** What the main thread sends: everything the analysis needs, as plain data. */
export interface AnalysisJob {
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
}

export interface AnalysisResult {
  uri: string;
  version: number;
  diagnostics: DiagnosticData[];
  lenses: CodeLens[];
  statements: number;
  internalErrors: string[];
  /** Time spent in the worker (history replay and analysis). */
  ms: number;
}

export type AnalysisReply = { id: number; ok: true; result: AnalysisResult } | { id: number; ok: false; error: string };

interface Job {
  message: AnalysisJob;
  resolve: (result: AnalysisResult | undefined) => void;
  reject: (error: Error) => void;
}

export class BackgroundAnalysis {
  private worker?: Worker;
  private running?: Job;
  /** Waiting jobs, at most one per document (Map keeps insertion order: first come, first served). */
  private readonly queue = new Map<string, Job>();
  /** The latest job per document, for CodeLens requests that arrive while it runs. */
  private readonly latest = new Map<string, { version: number; result: Promise<AnalysisResult | undefined> }>();
  private nextId = 0;
  private idle?: NodeJS.Timeout;
  readonly available: boolean;

  constructor(
    private readonly script: string,
    readonly threshold: number,
    private readonly log: (message: string) => void,
  ) {
    // Run from the TypeScript output (tests of modules) there is no bundle: analyse in-process.
    this.available = fs.existsSync(script);
  }

  handles(length: number): boolean {
    return this.available && length > this.threshold;
  }

  /** Analyses off-thread. Undefined when a newer job for the same document superseded this one. */
  analyze(job: Omit<AnalysisJob, 'id'>): Promise<AnalysisResult | undefined> {
    this.supersede(job.uri);
    const result = new Promise<AnalysisResult | undefined>((resolve, reject) => {
      this.queue.set(job.uri, { message: { ...job, id: ++this.nextId }, resolve, reject });
    });
    this.latest.set(job.uri, { version: job.version, result });
    // Callers that only peek (CodeLens) must not turn a failure into an unhandled rejection.
    result.catch(() => undefined);
    this.pump();
    return result;
  }

  /** The result of the latest job for this version of the document, finished or under way. */
  resultFor(uri: string, version: number): Promise<AnalysisResult | undefined> | undefined {
    const latest = this.latest.get(uri);
    return latest && latest.version === version ? latest.result : undefined;
  }

  /** The document was closed: drop its jobs and results. */
  cancel(uri: string): void {
    this.supersede(uri);
    this.latest.delete(uri);
  }

  stop(): void {
    for (const uri of [...this.queue.keys()]) this.supersede(uri);
    if (this.running) this.supersede(this.running.message.uri);
    if (this.idle) clearTimeout(this.idle);
    this.terminate();
  }

  private supersede(uri: string): void {
    const queued = this.queue.get(uri);
    if (queued) {
      this.queue.delete(uri);
      queued.resolve(undefined);
    }
    if (this.running?.message.uri === uri) {
      // Its result would be stale: stop the work rather than wait seconds for it.
      const running = this.running;
      this.running = undefined;
      this.terminate();
      running.resolve(undefined);
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
    let worker: Worker;
    try {
      worker = this.spawn();
    } catch (error) {
      job.reject(error instanceof Error ? error : new Error(String(error)));
      this.pump();
      return;
    }
    this.running = job;
    worker.postMessage(job.message);
  }

  private spawn(): Worker {
    if (this.worker) return this.worker;
    const worker = new Worker(this.script);
    // The language connection keeps the process alive; an analysis must not delay its exit.
    worker.unref();
    worker.on('message', (reply: AnalysisReply) => {
      if (worker !== this.worker) return;
      const job = this.running;
      if (!job || job.message.id !== reply.id) return;
      this.running = undefined;
      if (reply.ok) job.resolve(reply.result);
      else job.reject(new Error(reply.error));
      this.pump();
    });
    const failed = (error: Error) => {
      if (worker !== this.worker) return;
      this.worker = undefined;
      const job = this.running;
      this.running = undefined;
      job?.reject(error);
      this.pump();
    };
    worker.on('error', failed);
    worker.on('exit', (code) => failed(new Error(`the analysis worker exited with code ${code}`)));
    this.worker = worker;
    return worker;
  }

  private terminate(): void {
    const worker = this.worker;
    this.worker = undefined;
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
