/**
 * The file-system half of runner detection: gathers what a migration's folders show (entries,
 * project files up to the repository root, sample texts) for core/runners/detect.ts, and the
 * per-file inputs a profile reads (its companion config file, its sibling names).
 */
import * as path from 'path';
import { SQL_FILE } from './constants';
import { detectRunner, FolderFacts, RunnerChoice } from '../core';
import { RUNNERS, runnerProfile } from '../core';
import type { RunnerId } from '../core';
import type { LockwiseConfig } from '../core';
import { diskSource, TextSource, within } from './history';

/** What analyze() needs to run a file under its runner. */
export interface FileRunner {
  id: RunnerId;
  choice: RunnerChoice;
  fileName: string;
  companion?: string;
  siblings: string[];
}

const PROJECT_FILES = [...new Set(RUNNERS.flatMap((r) => (r.detect.projectFiles ?? []).map((p) => p.name)))];
const READ_PROJECT_FILES = new Set(RUNNERS.flatMap((r) => (r.detect.projectFiles ?? []).filter((p) => p.contentHint).map((p) => p.name)));
const MAX_DEPTH = 8;
const SAMPLE_FILES = 8;
const SAMPLE_CHARS = 4096;
const MAX_PROJECT_FILE = 256 * 1024;

export class RunnerDetector {
  private readonly facts = new Map<string, FolderFacts>();
  /** The names of a folder's entries, one array per listing: every file of a folder shares it. */
  private readonly names = new WeakMap<FolderFacts['entries'], string[]>();
  private readonly nameSets = new WeakMap<FolderFacts['entries'], Set<string>>();

  constructor(private readonly source: TextSource = diskSource) {}

  /** The folder-level choice (no file text): what `lockwise lint --explain-runner` prints per folder. */
  detectFolder(dir: string): RunnerChoice {
    return detectRunner(this.folderFacts(path.resolve(dir)), path.join(dir, '_'));
  }

  /** The runner of one file: the configured one, else detected (the file's own markers first). */
  forFile(file: string, text: string | undefined, config: Pick<LockwiseConfig, 'runner'>): FileRunner {
    const abs = path.resolve(file);
    const facts = this.folderFacts(path.dirname(abs));
    const choice: RunnerChoice =
      config.runner !== 'auto'
        ? { id: config.runner, source: 'config', reason: `"runner": "${config.runner}" in the configuration` }
        : detectRunner(facts, abs, text);
    const profile = runnerProfile(choice.id);
    const companionPath = profile.companion?.(abs);
    const companion = companionPath ? this.source.read(companionPath) : undefined;
    const folderLayout = choice.id === 'diesel' || choice.id === 'prisma';
    const siblings = this.namesOf(folderLayout ? facts.parentEntries : facts.entries);
    return { id: choice.id, choice, fileName: abs, companion, siblings };
  }

  invalidate(): void {
    this.facts.clear();
  }

  /**
   * After `lint --fix` wrote files: forgets the facts of the folders at or under `folders` (where a
   * file or a listing changed, `SnapshotSource.refresh`): a folder's facts read the folder, its
   * parent's entries and the project files above it. The others stay.
   */
  refresh(folders: string[]): void {
    if (!folders.length) return;
    for (const dir of this.facts.keys()) if (within(dir, folders)) this.facts.delete(dir);
  }

  /** The names of a listing as a set, once per listing: every migration folder walks up through the same parents. */
  private nameSet(entries: FolderFacts['entries']): Set<string> {
    let names = this.nameSets.get(entries);
    if (!names) this.nameSets.set(entries, (names = new Set(entries.map((e) => e.name))));
    return names;
  }

  private namesOf(entries: FolderFacts['entries']): string[] {
    let names = this.names.get(entries);
    if (!names) this.names.set(entries, (names = entries.map((e) => e.name)));
    return names;
  }

  private folderFacts(dir: string): FolderFacts {
    let facts = this.facts.get(dir);
    if (facts) return facts;
    const entries = this.source.list(dir);
    const parentEntries = this.source.list(path.dirname(dir));
    const samples: string[] = [];
    for (const e of entries) {
      if (samples.length >= SAMPLE_FILES) break;
      if (e.isDirectory || !SQL_FILE.test(e.name)) continue;
      const text = this.source.read(path.join(dir, e.name));
      if (text !== undefined) samples.push(text.slice(0, SAMPLE_CHARS));
    }
    facts = { folderName: path.basename(dir), entries, parentEntries, projectFiles: this.projectFiles(dir), samples };
    this.facts.set(dir, facts);
    return facts;
  }

  /** Project files in `dir` and its parents, up to the repository root (a folder holding `.git`). */
  private projectFiles(dir: string): FolderFacts['projectFiles'] {
    const out: FolderFacts['projectFiles'] = [];
    let current = dir;
    for (let depth = 0; depth <= MAX_DEPTH; depth++) {
      const names = this.nameSet(this.source.list(current));
      for (const name of PROJECT_FILES) {
        if (!names.has(name)) continue;
        const text = READ_PROJECT_FILES.has(name) ? this.source.read(path.join(current, name))?.slice(0, MAX_PROJECT_FILE) : undefined;
        out.push({ name, depth, text });
      }
      const parent = path.dirname(current);
      if (names.has('.git') || parent === current) break;
      current = parent;
    }
    return out;
  }
}
