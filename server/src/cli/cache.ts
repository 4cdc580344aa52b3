/**
 * The CLI's on-disk cache (`--cache`, like ESLint's): per file, what its output needs (findings,
 * or the audit record), under a key of everything the analysis reads: the file's text, path,
 * config and runner, its schema history's fingerprint (each earlier migration's text and runner),
 * and the Lockwise build. One JSON shard per history scope and report kind, so that touching a file
 * rewrites one shard. Writes go to a temporary file renamed over the shard (atomic: concurrent runs
 * never read half a shard, the last writer wins); the folder is pruned oldest-first past MAX_BYTES.
 * An unreadable or foreign shard is a miss, never an error.
 */
import { createHash } from 'crypto';
import * as fs from 'fs';
import * as path from 'path';
import { FileRunnerOptions } from '../core';
import { historyScope } from '../project/history';
import { writeLine } from '../project/output';
import { PlannedFile, RunContext } from './files';
import { FilePayload, ReportKind } from './parallel';
import { buildHash, writeAtomic } from './cacheBase';

/** Shards beyond this total are deleted, least recently written first. */
const MAX_BYTES = 256 * 1024 * 1024;
const FORMAT = 'lockwise-cache-1';

interface Shard {
  format: string;
  entries: Record<string, { key: string; payload: FilePayload }>;
}

export class ResultCache {
  private readonly dir: string;
  private readonly shards = new Map<string, { shard: Shard; dirty: boolean }>();
  private readonly build: string;

  constructor(
    location: string,
    private readonly kind: ReportKind,
  ) {
    this.dir = path.resolve(location);
    this.build = buildHash();
  }

  /** The key of a planned file: equal keys give equal payloads. */
  key(run: RunContext, p: PlannedFile): string {
    const baseline = p.baseline ? JSON.stringify([p.baseline.label, [...p.baseline.pending].sort()]) : '';
    const parts = [
      this.build,
      this.kind,
      p.path,
      JSON.stringify(p.config),
      runnerPrint(p.runner),
      baseline,
      run.history.fingerprintBefore(p.file, runnerPrint),
      p.text,
    ];
    return createHash('sha256').update(parts.join('\0')).digest('hex');
  }

  get(file: string, key: string): FilePayload | undefined {
    const entry = this.shardOf(file).shard.entries[path.resolve(file)];
    return entry?.key === key ? entry.payload : undefined;
  }

  set(file: string, key: string, payload: FilePayload): void {
    const s = this.shardOf(file);
    s.shard.entries[path.resolve(file)] = { key, payload };
    s.dirty = true;
  }

  /** Writes the changed shards; a failure is reported once and costs only the cache. */
  save(): void {
    const dirty = [...this.shards].filter(([, s]) => s.dirty);
    if (!dirty.length) return;
    try {
      fs.mkdirSync(this.dir, { recursive: true });
      for (const [name, s] of dirty) writeAtomic(path.join(this.dir, name), JSON.stringify(s.shard));
      prune(this.dir, MAX_BYTES);
    } catch (error) {
      writeLine(`lockwise: cannot write the cache in ${this.dir}: ${(error as NodeJS.ErrnoException).code ?? String(error)} (results not cached)`, 'stderr');
    }
  }

  private shardOf(file: string): { shard: Shard; dirty: boolean } {
    const name =
      createHash('sha256')
        .update(`${this.kind}\0${historyScope(file)}`)
        .digest('hex')
        .slice(0, 32) + '.json';
    let s = this.shards.get(name);
    if (!s) this.shards.set(name, (s = { shard: readShard(path.join(this.dir, name)), dirty: false }));
    return s;
  }
}

const siblingPrints = new WeakMap<string[], string>();

/** A runner as a string for hashing; the sibling list (one array per folder, often long) hashed once. */
function runnerPrint(runner: FileRunnerOptions): string {
  const siblings = runner.siblings;
  let names = siblings ? siblingPrints.get(siblings) : '';
  if (names === undefined && siblings) siblingPrints.set(siblings, (names = createHash('sha256').update(siblings.join('\0')).digest('hex')));
  return JSON.stringify({ ...runner, siblings: names });
}

function readShard(file: string): Shard {
  try {
    const shard = JSON.parse(fs.readFileSync(file, 'utf8')) as Shard;
    if (shard.format === FORMAT && shard.entries && typeof shard.entries === 'object') return shard;
  } catch {
    // missing or unreadable: a miss
  }
  return { format: FORMAT, entries: {} };
}

/** Deletes the least recently written shards (and stale temporary files) until the folder is under `max` bytes. */
export function prune(dir: string, max: number): void {
  const files = fs.readdirSync(dir).flatMap((name) => {
    try {
      return [{ file: path.join(dir, name), name, ...fs.statSync(path.join(dir, name)) }];
    } catch {
      return [];
    }
  });
  const hourAgo = Date.now() - 3600_000;
  for (const f of files) if (f.name.endsWith('.tmp') && f.mtimeMs < hourAgo) fs.rmSync(f.file, { force: true });
  let total = files.reduce((n, f) => n + f.size, 0);
  for (const f of files.filter((x) => x.name.endsWith('.json') || x.name.endsWith('.run')).sort((a, b) => a.mtimeMs - b.mtimeMs)) {
    if (total <= max) break;
    fs.rmSync(f.file, { force: true });
    total -= f.size;
  }
}
