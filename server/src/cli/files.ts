/** Reads and analyses the files a `lint` or `audit` run names, each with its config and schema history. */
import * as fs from 'fs';
import * as path from 'path';
import { ageText, analyze, FileReport, initParser, LockwiseConfig, SizeInput, Severity, terminalLines } from '../core';
import { expandPaths, readSqlFile, reportPath, toPosix, UsageError } from '../project/files';
import { select } from '../project/selection';
import { ConfigResolver } from '../project/configFor';
import { HistoryProvider, SnapshotSource } from '../project/history';
import { FileRunner, RunnerDetector } from '../project/runners';
import { SizesError, SizesLoader } from '../project/sizes';
import { BaselineResolver } from '../project/baseline';
import { Options, SEVERITY_RANK } from './args';
import { writeLine, writeReport } from '../project/output';

export interface FileResult extends FileReport {
  config: LockwiseConfig;
  /** The file starts with a UTF-8 byte order mark (not part of the analysed text, kept by --fix). */
  bom?: boolean;
  /** The runner that executes the file. */
  runner?: FileRunner;
}

/** Analyses every file, with its config and schema history. */
export async function analyzeFiles(opts: Options): Promise<FileResult[]> {
  if (opts.paths.length === 0) throw new UsageError('no paths given (e.g. lockwise lint migrations/)');
  if (opts.config && !fs.existsSync(opts.config)) throw new UsageError(`cannot read config ${opts.config}: no such file`);
  const resolver = new ConfigResolver({ configFile: opts.config, flags: opts.pgVersion ? { pgVersion: opts.pgVersion } : {}, stableFiles: true });
  const files = expandPaths(opts.paths);
  if (files.length === 0) throw new UsageError(`no .sql files found in ${opts.paths.join(', ')}`);
  await initParser();
  // Files do not change during the run: list folders and read earlier migrations once.
  const snapshot = new SnapshotSource();
  const runners = new RunnerDetector(snapshot);
  const history = new HistoryProvider(snapshot, (f, t) => runners.forFile(f, t, resolver.forFile(f).config));
  const sizes = new SizesLoader({ stableFiles: true });
  const warned = new Set<string>();
  const baselines = new CliBaselines(snapshot);
  const results: FileResult[] = [];
  for (const { file, explicit } of files) {
    const { config, source } = resolver.forFile(file);
    // include/exclude come from a .lockwise.json, relative to its folder: without one, every file found is checked.
    if (source && select({ file: path.resolve(file), base: path.dirname(path.resolve(source)), explicit }, config) !== 'selected') continue;
    let text = readSqlFile(file);
    snapshot.remember(path.resolve(file), text);
    // Editors do not count a byte order mark as a column: neither do the reported positions.
    const bom = text.charCodeAt(0) === 0xfeff;
    if (bom) text = text.slice(1);
    const runner = runners.forFile(file, text, config);
    const baseline = await baselines.forFile(file, config);
    const analysis = analyze(text, { config, history: history.catalogBefore(file), runner, sizes: sizesFor(sizes, file), baseline });
    if (analysis.sizes?.stale && !warned.has(analysis.sizes.input.source)) {
      warned.add(analysis.sizes.input.source);
      writeReport(terminalLines(staleWarning(analysis.sizes.input, analysis.sizes.ageMs, config)), 'stderr');
    }
    for (const e of analysis.internalErrors) writeLine(`lockwise: internal error in ${toPosix(file)}, ${e} (the rest of the file was analysed)`, 'stderr');
    results.push({ path: reportPath(file), analysis, config, bom, runner });
  }
  return results;
}

function sizesFor(loader: SizesLoader, file: string): SizeInput | undefined {
  try {
    return loader.forFile(file);
  } catch (error) {
    if (error instanceof SizesError) throw new UsageError(error.message);
    throw error;
  }
}

function staleWarning(input: SizeInput, ageMs: number, config: LockwiseConfig): string {
  const source = toPosix(path.relative(process.cwd(), input.source));
  return `lockwise: ${source} is stale (${ageText(ageMs)} old, statsMaxAge ${config.statsMaxAge}): sizes are shown but lower no severity; refresh it with lockwise stats pull\n`;
}

/** Baselines resolved once per folder for the run; each problem printed once on stderr. */
class CliBaselines {
  private readonly resolver: BaselineResolver;
  private readonly shown = new Set<string>();

  constructor(source: SnapshotSource) {
    this.resolver = new BaselineResolver(source);
  }

  async forFile(file: string, config: LockwiseConfig) {
    if (!config.baseline) return undefined;
    const { baseline, problem } = await this.resolver.forFile(file, config.baseline);
    const line = problem && `lockwise: warning: ${shortPath(problem.folder)}: ${problem.message}; tables of earlier migrations count as deployed`;
    if (line && !this.shown.has(line)) {
      this.shown.add(line);
      writeLine(line, 'stderr');
    }
    return baseline;
  }
}

function shortPath(dir: string): string {
  const rel = path.relative(process.cwd(), dir);
  return toPosix(rel.startsWith('..') || path.isAbsolute(rel) ? dir : rel || '.');
}

/** 1 when a finding is at or above `failOn`, else 0. */
export function worstSeverityExitCode(results: FileResult[], failOn: Severity): number {
  const threshold = SEVERITY_RANK[failOn];
  return results.some((r) => r.analysis.findings.some((f) => SEVERITY_RANK[f.severity] >= threshold)) ? 1 : 0;
}
