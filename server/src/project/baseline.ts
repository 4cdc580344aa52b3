/**
 * The deploy baseline of a migrations folder: which of its migrations production has not run yet.
 * For a git ref, the migration files that do not exist at that commit (`git.ts`); for a migration
 * id, the migrations that run after it in the runner's order (`history.ts`). Resolved once per
 * folder and baseline until `invalidate()`; a baseline that cannot be resolved is no baseline, with
 * a problem for the front end to show once.
 */
import * as path from 'path';
import { Baseline, baselineLabel, BaselineSpec } from '../core';
import { SQL_FILE } from './constants';
import { commitOf, filesAt, GitAnswer } from './git';
import { migrationSequence, TextSource } from './history';

export interface BaselineResult {
  baseline?: Baseline;
  /** Why the configured baseline is not used for this folder (the analysis runs without one). */
  problem?: { folder: string; message: string };
}

export interface BaselineOptions {
  /** False in an untrusted workspace: git is a process, and nothing is started there. */
  gitAllowed?: () => boolean;
  timeoutMs?: number;
  /** Told once per resolution (the server's log: how often git runs is visible there). */
  log?: (message: string) => void;
}

interface Step {
  file: string;
}

export class BaselineResolver {
  private readonly folders = new Map<string, Promise<BaselineResult>>();
  private readonly commits = new Map<string, Promise<GitAnswer<string>>>();
  private readonly trees = new Map<string, Promise<GitAnswer<Set<string>>>>();

  constructor(
    private readonly source: TextSource,
    private readonly options: BaselineOptions = {},
  ) {}

  /** The baseline of the folder that holds `file` (memoised per folder). */
  forFile(file: string, spec: BaselineSpec): Promise<BaselineResult> {
    const key = `${'git' in spec ? `git\0${spec.git}` : `id\0${spec.migration}`}\0${path.dirname(path.resolve(file))}`;
    let result = this.folders.get(key);
    if (!result) this.folders.set(key, (result = this.resolve(path.resolve(file), spec)));
    return result;
  }

  /** Forget everything: migrations were added, the config changed or git refs moved. */
  invalidate(): void {
    this.folders.clear();
    this.commits.clear();
    this.trees.clear();
  }

  private async resolve(file: string, spec: BaselineSpec): Promise<BaselineResult> {
    const started = Date.now();
    const result = await this.pendingOf(file, spec);
    const what = result.baseline ? `${result.baseline.pending.size} pending migration(s)` : result.problem?.message;
    this.options.log?.(`baseline "${baselineLabel(spec)}" for ${path.dirname(file)}: ${what} (${Date.now() - started} ms)`);
    return result;
  }

  private async pendingOf(file: string, spec: BaselineSpec): Promise<BaselineResult> {
    const steps = migrationSequence(file, this.source).steps;
    const folder = commonFolder(steps.map((s) => s.file)) ?? path.dirname(file);
    const pending = 'git' in spec ? await this.gitPending(folder, spec.git, steps) : pendingAfter(steps, spec.migration);
    const named = 'git' in spec ? `"${spec.git}"` : `migration "${spec.migration}"`;
    if (typeof pending === 'string') return { problem: { folder, message: `baseline ${named} not used: ${pending}` } };
    return { baseline: { label: baselineLabel(spec), pending: new Set(pending) } };
  }

  /** The steps whose files do not exist at `ref`, or why that cannot be told. */
  private async gitPending(folder: string, ref: string, steps: Step[]): Promise<string[] | string> {
    if (this.options.gitAllowed && !this.options.gitAllowed()) return 'git is not run in an untrusted workspace';
    const commit = await memo(this.commits, `${folder}\0${ref}`, () => commitOf(folder, ref, this.options.timeoutMs));
    if (!commit.ok) return commit.problem;
    const tree = await memo(this.trees, `${folder}\0${commit.value}`, () => filesAt(folder, commit.value, this.options.timeoutMs));
    if (!tree.ok) return tree.problem;
    return steps.filter((s) => !tree.value.has(path.relative(folder, s.file).split(path.sep).join('/'))).map((s) => s.file);
  }
}

function memo<T>(cache: Map<string, Promise<T>>, key: string, make: () => Promise<T>): Promise<T> {
  let value = cache.get(key);
  if (!value) cache.set(key, (value = make()));
  return value;
}

/**
 * The migrations after the one `id` names, in run order: `id` is a migration's name (file name
 * without extension, folder name for one-folder-per-migration layouts, sqitch change) or a version
 * prefix of it (`V12`, `20261101`); the last match is the baseline. A string when nothing matches:
 * guessing would exempt tables production may have.
 */
export function pendingAfter(steps: Step[], id: string): string[] | string {
  const wanted = id.trim().replace(SQL_FILE, '');
  let last = -1;
  steps.forEach((s, i) => {
    if (matchesId(stepName(s.file), wanted)) last = i;
  });
  if (last < 0) return `no migration of this folder is named "${id}" or starts with that version`;
  return steps.slice(last + 1).map((s) => s.file);
}

/** `V12` names `V12__users` but not `V120__x` nor `V12.1__x`. */
function matchesId(name: string, id: string): boolean {
  if (!name.startsWith(id)) return false;
  const rest = name.slice(id.length);
  return rest === '' || (/^[^0-9A-Za-z]/.test(rest) && !/^[._]\d/.test(rest));
}

function stepName(file: string): string {
  const base = path.basename(file);
  return /^(up|migration)\.\w+$/i.test(base) ? path.basename(path.dirname(file)) : base.replace(SQL_FILE, '');
}

/** The deepest folder holding every file. */
function commonFolder(files: string[]): string | undefined {
  if (!files.length) return undefined;
  let common = path.dirname(files[0]);
  for (const f of files) while (path.relative(common, f).startsWith('..')) common = path.dirname(common);
  return common;
}
