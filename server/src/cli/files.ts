/** Reads and analyses the files a `lint` or `audit` run names, each with its config and schema history. */
import * as fs from 'fs';
import * as path from 'path';
import { ageText, analyze, Analysis, Baseline, FileReport, initParser, loadAskedGrammars, LockwiseConfig, SizeInput, Severity, terminalLines } from '../core';
import { expandPaths, readSqlFile, reportPath, toPosix, UsageError } from '../project/files';
import { select } from '../project/selection';
import { ConfigLayers, ConfigResolver } from '../project/configFor';
import { HistoryProvider, SnapshotSource } from '../project/history';
import { FileRunner, RunnerDetector } from '../project/runners';
import { SizesError, SizesLoader } from '../project/sizes';
import { BaselineResolver } from '../project/baseline';
import { Options, SEVERITY_RANK } from './args';
import { writeLine, writeReport } from '../project/output';

export interface FileResult extends FileReport {
  analysis: Analysis;
  config: LockwiseConfig;
  /** The file starts with a UTF-8 byte order mark (not part of the analysed text, kept by --fix). */
  bom?: boolean;
  /** The runner that executes the file. */
  runner?: FileRunner;
}

/** A selected file, read, with what its analysis takes (all but the schema history). */
export interface PlannedFile {
  /** As named on the command line or found under a named folder. */
  file: string;
  /** Path as printed (reportPath: relative to the current folder, POSIX separators). */
  path: string;
  /** Without the byte order mark. */
  text: string;
  bom: boolean;
  config: LockwiseConfig;
  runner: FileRunner;
  /** The project's size snapshot, when it has one. */
  sizes?: SizeInput;
  /** The deploy baseline of the file's folder, when one is configured and resolved. */
  baseline?: Baseline;
  /** Why the configured baseline is not used (printed once per message, in file order). */
  baselineWarning?: string;
}

/** What a worker thread needs to see the run as the main thread does. */
export interface RunSetup {
  layers: ConfigLayers;
  /** The run's clock, for the age of size snapshots: one for every thread. */
  now: number;
}

/** What one run shares: files do not change during it, so folders are listed and files read once. */
export class RunContext {
  readonly resolver: ConfigResolver;
  readonly snapshot = new SnapshotSource();
  readonly runners = new RunnerDetector(this.snapshot);
  readonly history: HistoryProvider;
  private readonly sizes: SizesLoader;
  private readonly baselines = new BaselineResolver(this.snapshot);
  /** Each file's runner, detected once (as a migration and as history of the files after it). */
  private readonly runnerMemo = new Map<string, { text: string; runner: string; value: FileRunner }>();

  constructor(readonly setup: RunSetup) {
    this.resolver = new ConfigResolver({ ...setup.layers, stableFiles: true });
    this.history = new HistoryProvider(this.snapshot, (f, t) => this.runnerFor(f, t, this.resolver.forFile(f).config));
    this.sizes = new SizesLoader({ stableFiles: true, now: () => setup.now });
  }

  runnerFor(file: string, text: string, config: LockwiseConfig): FileRunner {
    // By resolved path: a file is planned by the path its command line gives and replayed as history
    // by its absolute path (forFile resolves it, and reads nothing else of the path or the config).
    const key = path.resolve(file);
    const memo = this.runnerMemo.get(key);
    if (memo && memo.text === text && memo.runner === config.runner) return memo.value;
    const value = this.runners.forFile(file, text, config);
    this.runnerMemo.set(key, { text, runner: config.runner, value });
    return value;
  }

  /** Reads `file` (remembered as history for the files after it), finds its runner and size snapshot. */
  plan(file: string, config: LockwiseConfig, given?: string): PlannedFile {
    const resolved = path.resolve(file);
    // Runner detection reads the first files of each folder it sees (samples): those are not read twice.
    let text = given ?? this.snapshot.known(resolved) ?? readSqlFile(file);
    this.snapshot.remember(resolved, text);
    // Editors do not count a byte order mark as a column: neither do the reported positions.
    const bom = text.charCodeAt(0) === 0xfeff;
    if (bom) text = text.slice(1);
    return { file, path: reportPath(file), text, bom, config, runner: this.runnerFor(file, text, config), sizes: this.sizesFor(file) };
  }

  analyze(planned: PlannedFile): Analysis {
    const { text, config, runner, sizes, baseline } = planned;
    return analyze(text, { config, history: this.history.catalogBefore(planned.file), runner, sizes, baseline });
  }

  /**
   * `analyze` in a run whose parser was loaded without the grammars newer than its pgVersions
   * (`initParser(versions, false)`): when a check asked for one, it is loaded and the file analysed
   * again (the first analysis holds that check's internal error; its history is the same catalog).
   */
  async analyzeLoaded(planned: PlannedFile): Promise<Analysis> {
    let analysis = this.analyze(planned);
    while (await loadAskedGrammars()) analysis = this.analyze(planned);
    return analysis;
  }

  /** The file's deploy baseline (resolved once per folder) and why it is not used, if it is not. */
  async baselineOf(file: string, config: LockwiseConfig): Promise<Pick<PlannedFile, 'baseline' | 'baselineWarning'>> {
    if (!config.baseline) return {};
    const { baseline, problem } = await this.baselines.forFile(file, config.baseline);
    const warning = problem && `lockwise: warning: ${shortPath(problem.folder)}: ${problem.message}; tables of earlier migrations count as deployed`;
    return { baseline, ...(warning ? { baselineWarning: warning } : {}) };
  }

  private sizesFor(file: string): SizeInput | undefined {
    try {
      return this.sizes.forFile(file);
    } catch (error) {
      if (error instanceof SizesError) throw new UsageError(error.message);
      throw error;
    }
  }
}

/** The run's setup from the options (what a worker needs to resolve configs as the main thread does). */
export function runSetup(opts: Options): RunSetup {
  if (opts.paths.length === 0) throw new UsageError('no paths given (e.g. lockwise lint migrations/)');
  if (opts.config && !fs.existsSync(opts.config)) throw new UsageError(`cannot read config ${opts.config}: no such file`);
  return { layers: { configFile: opts.config, flags: opts.pgVersion ? { pgVersion: opts.pgVersion } : {} }, now: Date.now() };
}

/**
 * The selected files in command-line order, read, with their config, runner, size snapshot and
 * baseline. `selected`: told each selected file's config before the file is read.
 */
export async function planFiles(opts: Options, run: RunContext, onPlanned?: (p: PlannedFile) => void): Promise<PlannedFile[]> {
  const files = expandPaths(opts.paths);
  if (files.length === 0) throw new UsageError(`no .sql files found in ${opts.paths.join(', ')}`);
  const planned: PlannedFile[] = [];
  for (const { file, explicit } of files) {
    const { config, source } = run.resolver.forFile(file);
    // include/exclude come from a .lockwise.json, relative to its folder: without one, every file found is checked.
    if (source && select({ file: path.resolve(file), base: path.dirname(path.resolve(source)), explicit }, config) !== 'selected') continue;
    const plan = { ...run.plan(file, config), ...(await run.baselineOf(file, config)) };
    onPlanned?.(plan);
    planned.push(plan);
  }
  return planned;
}

/** Analyses every file in this thread, with its config and schema history (for --fix and --explain-runner). */
export async function analyzeFiles(opts: Options): Promise<FileResult[]> {
  const run = new RunContext(runSetup(opts));
  const planned = await planFiles(opts, run);
  await initParser(planned.map((p) => p.config.pgVersion));
  const notes = new RunNotes();
  return planned.map((p) => {
    const analysis = run.analyze(p);
    notes.file(p, analysis.sizes?.stale ? analysis.sizes.ageMs : undefined, analysis.internalErrors);
    return { path: p.path, analysis, config: p.config, bom: p.bom, runner: p.runner };
  });
}

/** What a run says on stderr about each file, in file order: a stale size snapshot (once per snapshot), internal errors. */
export class RunNotes {
  private readonly warned = new Set<string>();

  file(p: PlannedFile, staleAgeMs: number | undefined, internalErrors: string[]): void {
    if (p.baselineWarning && !this.warned.has(p.baselineWarning)) {
      this.warned.add(p.baselineWarning);
      writeLine(p.baselineWarning, 'stderr');
    }
    if (staleAgeMs !== undefined && p.sizes && !this.warned.has(p.sizes.source)) {
      this.warned.add(p.sizes.source);
      writeReport(terminalLines(staleWarning(p.sizes.source, staleAgeMs, p.config)), 'stderr');
    }
    for (const e of internalErrors) writeLine(`lockwise: internal error in ${toPosix(p.file)}, ${e} (the rest of the file was analysed)`, 'stderr');
  }
}

function shortPath(dir: string): string {
  const rel = path.relative(process.cwd(), dir);
  return toPosix(rel.startsWith('..') || path.isAbsolute(rel) ? dir : rel || '.');
}

function staleWarning(sizesSource: string, ageMs: number, config: LockwiseConfig): string {
  const source = toPosix(path.relative(process.cwd(), sizesSource));
  return `lockwise: ${source} is stale (${ageText(ageMs)} old, statsMaxAge ${config.statsMaxAge}): sizes are shown but lower no severity; refresh it with lockwise stats pull\n`;
}

/** 1 when a finding is at or above `failOn`, else 0. */
export function worstSeverityExitCode(findings: { severity: Severity }[][], failOn: Severity): number {
  const threshold = SEVERITY_RANK[failOn];
  return findings.some((list) => list.some((f) => SEVERITY_RANK[f.severity] >= threshold)) ? 1 : 0;
}
