/**
 * The files of a `lint` or `audit` run with what their output needs, in command-line order: from
 * the cache (`--cache`) when the key matches, else analysed across worker threads (parallel.ts).
 */
import { initParser, LockwiseConfig } from '../core';
import { ResultCache } from './cache';
import { cacheLocation } from './cacheBase';
import { Options } from './args';
import { PlannedFile, planFiles, RunContext, RunNotes, runSetup } from './files';
import { writeLine } from '../project/output';
import { analyzePlanned, FilePayload, ReportKind, Workers } from './parallel';
import { noteCacheUse } from './replay';

export interface ReportedFile {
  /** Path as printed. */
  path: string;
  /** The analysed text (without a byte order mark). */
  text: string;
  payload: FilePayload;
}

export async function reportFiles(opts: Options, kind: ReportKind): Promise<ReportedFile[]> {
  const run = new RunContext(runSetup(opts));
  const location = cacheLocation(opts);
  const workers = new Workers(kind, run.setup, opts.jobs, location === undefined);
  try {
    return await analyzeAll(opts, kind, run, location, workers);
  } finally {
    workers.close();
  }
}

async function analyzeAll(opts: Options, kind: ReportKind, run: RunContext, location: string | undefined, workers: Workers): Promise<ReportedFile[]> {
  // Without a cache every file is analysed: parsers and workers start while the files are planned.
  const preload = location === undefined ? preloadParsers() : undefined;
  const onPlanned = (p: PlannedFile) => {
    preload?.(p.config);
    workers.planned(p);
  };
  const planned = await planFiles(opts, run, preload && onPlanned);
  const cache = location !== undefined ? new ResultCache(location, kind) : undefined;
  // A file with a size snapshot is never cached: its verdicts depend on the snapshot's age.
  const keys = planned.map((p) => (cache && !p.sizes ? cache.key(run, p) : undefined));
  const payloads = new Map<number, FilePayload>();
  const todo: number[] = [];
  planned.forEach((p, i) => {
    const key = keys[i];
    const hit = key === undefined ? undefined : cache?.get(p.file, key);
    if (hit) payloads.set(i, hit);
    else todo.push(i);
  });
  if (cache) noteCacheUse(todo.length === 0);
  if (todo.length) {
    for (const [i, payload] of await analyzePlanned(kind, run, planned, todo, workers)) {
      payloads.set(i, payload);
      const key = keys[i];
      if (key !== undefined) cache?.set(planned[i].file, key, payload);
    }
  }
  cache?.save();
  if (cache && process.env.LOCKWISE_DEBUG?.includes('cache')) {
    writeLine(`lockwise: cache: ${planned.length - todo.length} hit(s), ${todo.length} analysed${todo.map((i) => ` ${planned[i].path}`).join('')}`, 'stderr');
  }
  const notes = new RunNotes();
  return planned.map((p, i) => {
    const payload = payloads.get(i)!;
    notes.file(p, payload.staleAgeMs, payload.internalErrors);
    return { path: p.path, text: p.text, payload };
  });
}

/**
 * Without a cache every selected file is analysed: the parsers its configs need start loading (their
 * WebAssembly compiled on V8's threads) as soon as the first such file is found, while the files are
 * read and planned, and before they fill the heap: a grammar loaded after that set off two or three
 * full collections of the whole heap for its memory. analyzePlanned waits for them (and reports a failure).
 */
function preloadParsers(): (config: LockwiseConfig) => void {
  const versions = new Set<number>();
  return ({ pgVersion }) => {
    if (versions.has(pgVersion)) return;
    versions.add(pgVersion);
    initParser(pgVersion, false).catch(() => undefined);
  };
}
