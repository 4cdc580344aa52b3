/**
 * The server's workspace: folders, the editor settings and `.lockwise.json` that apply to each
 * file, which files Lockwise checks, and schema history (earlier migrations, read from open
 * editors first, then disk). `generation` counts the changes that can alter an analysis other
 * than a document's own text.
 */
import * as fs from 'fs';
import * as path from 'path';
import { AnalyzeOptions, Baseline, CONFIG_FILE_NAME, ConfigError, LockwiseConfig, mergeConfig, SizeInput } from '../core';
import { BaselineResolver } from '../project/baseline';
import { ConfigResolver, LoadedConfig } from '../project/configFor';
import { SQL_LANGUAGES } from '../project/constants';
import { select } from '../project/selection';
import { HistoryProvider, HistoryText, TextSource } from '../project/history';
import { FileRunner, RunnerDetector } from '../project/runners';
import { SizesError, SizesLoader } from '../project/sizes';
import { DEFAULT_SETTINGS, ServerSettings } from './settings';
import { pathToUri, uriToPath } from './convert';

export interface DocumentContext {
  config: LockwiseConfig;
  settings: ServerSettings;
  /** The `.lockwise.json` that applies, if any. */
  configFile?: string;
  /** Set when that file is invalid: the document is then checked with the settings alone. */
  configError?: ConfigError;
  /** Why the document is not checked (undefined when it is). */
  skip?: 'not-sql' | 'excluded' | 'too-large';
  /** The deploy baseline of the document's folder, when one is configured and could be resolved. */
  baseline?: Baseline;
}

export type SettingsFetcher = (scopeUri: string | undefined) => Promise<ServerSettings>;
/** The text of a file open in the editor (undefined when it is not open). */
export type OpenText = (file: string) => string | undefined;

/** What the workspace needs from the server around it: trust (git runs only when trusted) and where to say a baseline is not used. */
export interface WorkspaceHost {
  trusted(): boolean;
  warn(message: string): void;
  info(message: string): void;
}

/** Reads files from disk, re-reading only when their modification time or size changed. */
class DiskCache {
  private readonly files = new Map<string, { mtimeMs: number; size: number; text: string }>();

  /** `reported`: the client reports every change to the file, so a text read since the last `clear()` stands without a stat. */
  read(file: string, reported = false): string | undefined {
    if (reported) {
      const known = this.files.get(file);
      if (known) return known.text;
    }
    let stat: fs.Stats;
    try {
      stat = fs.statSync(file);
    } catch {
      this.files.delete(file);
      return undefined;
    }
    // A FIFO (or device) would block the read, and with it the whole server, forever.
    if (!stat.isFile()) return undefined;
    const cached = this.files.get(file);
    if (cached && cached.mtimeMs === stat.mtimeMs && cached.size === stat.size) return cached.text;
    try {
      const text = fs.readFileSync(file, 'utf8');
      this.files.set(file, { mtimeMs: stat.mtimeMs, size: stat.size, text });
      return text;
    } catch {
      return undefined;
    }
  }

  clear(): void {
    this.files.clear();
  }
}

type Entry = { name: string; isDirectory: boolean };

/** The names server.ts's watcher reports (SQL_GLOB, matched as case-sensitively as the client may). */
const REPORTED_NAME = /\.(sql|psql|pgsql)$/;

function listDir(dir: string): Entry[] {
  try {
    return fs.readdirSync(dir, { withFileTypes: true }).map((d) => ({ name: d.name, isDirectory: d.isDirectory() }));
  } catch {
    return [];
  }
}

export class Workspace {
  private folders: string[] = [];
  private readonly disk = new DiskCache();
  /**
   * The client reports changes to SQL files under the workspace folders (`watchingFiles`). Every
   * analysis reads the schema history, and checked each earlier migration on disk and listed its
   * folder again: a stat per file, ~9 ms per keystroke with kratos' 546 migrations
   * (bench/FINDINGS.md). Those files and the history's folder listings are then read once until
   * the client reports a change.
   */
  private watched = false;
  /** The history's folder listings, while `watched` (a folder's SQL files are what its history reads of it). */
  private readonly listings = new Map<string, Entry[]>();
  /** Per resolved path, whether it lies under a workspace folder (`inFolders`), until the folders change. */
  private readonly insideFolders = new Map<string, boolean>();
  private readonly configs = new ConfigResolver();
  private readonly settings = new Map<string, Promise<ServerSettings>>();
  readonly history: HistoryProvider;
  private readonly runners: RunnerDetector;
  private readonly baselines: BaselineResolver;
  /** Config file → why its `baseline` is not used (shown as a warning on the key). */
  private readonly baselineProblems = new Map<string, string>();
  private generationCount = 0;
  /** `.lockwise/stats.json` and rates.json, re-read when they change on disk. */
  private readonly sizes = new SizesLoader();
  private readonly sizeErrorsShown = new Set<string>();

  constructor(
    private readonly fetchSettings: SettingsFetcher,
    openText: OpenText,
    private readonly host: WorkspaceHost = { trusted: () => true, warn: () => undefined, info: () => undefined },
  ) {
    const source: TextSource = {
      read: (file) => {
        const abs = path.resolve(file);
        return openText(abs) ?? this.disk.read(file, this.reported(abs));
      },
      list: listDir,
    };
    this.runners = new RunnerDetector(source);
    const history: TextSource = { read: source.read, list: (dir) => this.historyListing(dir) };
    // Earlier migrations are detected on their own (their folder's markers, project files, layout).
    this.history = new HistoryProvider(history, (file, text) => this.runners.forFile(file, text, { runner: 'auto' }));
    this.baselines = new BaselineResolver(source, { gitAllowed: () => host.trusted(), log: (message) => host.info(message) });
  }

  /** The runner of a document (undefined for untitled documents). */
  runnerFor(uri: string, text: string | undefined, config: LockwiseConfig): FileRunner | undefined {
    const file = uriToPath(uri);
    return file ? this.runnerOfFile(file, text, config) : undefined;
  }

  runnerOfFile(file: string, text: string | undefined, config: LockwiseConfig): FileRunner {
    return this.runners.forFile(file, text, config);
  }

  /** The client now reports changes to SQL files (server.ts registered didChangeWatchedFiles). */
  watchingFiles(): void {
    this.watched = true;
  }

  /** Whether the client reports every change to `file` (resolved): a SQL file under a workspace folder, watched. */
  private reported(file: string): boolean {
    return this.watched && REPORTED_NAME.test(file) && this.inFolders(file);
  }

  /** `folderOf(file) !== undefined` (resolved), remembered until the folders change. */
  private inFolders(file: string): boolean {
    let inside = this.insideFolders.get(file);
    if (inside === undefined) this.insideFolders.set(file, (inside = this.folderOf(file) !== undefined));
    return inside;
  }

  private historyListing(dir: string): Entry[] {
    if (!this.watched || !this.inFolders(path.resolve(dir))) return listDir(dir);
    let entries = this.listings.get(dir);
    if (!entries) this.listings.set(dir, (entries = listDir(dir)));
    return entries;
  }

  get generation(): number {
    return this.generationCount;
  }

  /** Something other than the workspace changed an input of the analyses (a document opened, closed, edited). */
  touch(): void {
    this.generationCount++;
  }

  setFolders(folders: string[]): void {
    this.folders = folders.map((f) => path.resolve(f));
    this.insideFolders.clear();
    this.invalidateAll();
  }

  /** Files changed on disk (watched files), or a config file changed. */
  filesChanged(paths: string[]): void {
    // git refs moved (a commit, a fetch, a checkout): only the baselines read them.
    if (paths.length && paths.every(isGitPath)) return this.baselinesChanged();
    this.forgetBaselines();
    if (paths.some((p) => path.basename(p) === CONFIG_FILE_NAME)) this.configs.clear();
    this.disk.clear();
    this.listings.clear();
    this.history.invalidate();
    this.runners.invalidate();
    this.generationCount++;
  }

  settingsChanged(): void {
    this.settings.clear();
    this.forgetBaselines();
    this.generationCount++;
  }

  private forgetBaselines(): void {
    this.baselines.invalidate();
    this.baselineProblems.clear();
  }

  /** Git refs moved or trust changed: resolve the baselines again. */
  baselinesChanged(): void {
    this.forgetBaselines();
    this.generationCount++;
  }

  private invalidateAll(): void {
    this.settings.clear();
    this.configs.clear();
    this.disk.clear();
    this.listings.clear();
    this.history.invalidate();
    this.runners.invalidate();
    this.forgetBaselines();
    this.generationCount++;
  }

  folderOf(file: string): string | undefined {
    let best: string | undefined;
    for (const folder of this.folders) {
      const rel = path.relative(folder, file);
      if (!rel.startsWith('..') && !path.isAbsolute(rel) && (!best || folder.length > best.length)) best = folder;
    }
    return best;
  }

  /** A file's text from disk (cached by modification time). */
  readFile(file: string): string | undefined {
    return this.disk.read(file);
  }

  /** Settings for a document's folder (memoised until the settings change). */
  settingsFor(uri: string | undefined): Promise<ServerSettings> {
    const file = uri ? uriToPath(uri) : undefined;
    const folder = file ? this.folderOf(file) : undefined;
    const key = folder ?? '';
    let pending = this.settings.get(key);
    if (!pending) {
      const scope = folder ? pathToUri(folder) : undefined;
      pending = this.fetchSettings(scope).catch(() => DEFAULT_SETTINGS);
      this.settings.set(key, pending);
    }
    return pending;
  }

  /** Loads and validates one config file (cached until a watched-file event). */
  loadConfig(file: string): LoadedConfig {
    return this.configs.load(file);
  }

  /** Every config file loaded so far with its error, for diagnostics on the config files themselves. */
  configFileStates(): { file: string; error?: ConfigError; baselineProblem?: string }[] {
    return this.configs.states().map((s) => ({ ...s, baselineProblem: this.baselineProblems.get(s.file) }));
  }

  async contextFor(uri: string, languageId: string | undefined, size: number): Promise<DocumentContext> {
    const settings = await this.settingsFor(uri);
    const context = this.resolveContext(uri, languageId, size, settings);
    const file = uriToPath(uri);
    if (context.skip || !file || !context.config.baseline) return context;
    const { baseline, problem } = await this.baselines.forFile(file, context.config.baseline);
    if (problem) this.baselineProblem(context, `${problem.folder}: ${problem.message}; tables of earlier migrations count as deployed.`);
    return { ...context, baseline };
  }

  /** A baseline from `.lockwise.json` is reported on its key there; one from the settings, once as a message. */
  private baselineProblem(context: DocumentContext, message: string): void {
    const file = context.configFile;
    if (file && !context.configError && this.configs.load(file).config?.baseline) this.baselineProblems.set(file, message);
    else this.host.warn(message);
  }

  private resolveContext(uri: string, languageId: string | undefined, size: number, settings: ServerSettings): DocumentContext {
    const file = uriToPath(uri);
    const resolved = file ? this.configs.resolve(file, settings.core) : { config: mergeConfig(settings.core, {}), source: undefined, error: undefined };
    const context: DocumentContext = { config: resolved.config, settings, configFile: resolved.source, configError: resolved.error };
    const sqlLanguage = languageId !== undefined && SQL_LANGUAGES.has(languageId);
    // Globs are relative to the config file's folder, else the workspace folder (untitled documents: none apply).
    const base = file && (resolved.source ? path.dirname(resolved.source) : (this.folderOf(file) ?? path.dirname(file)));
    const selection = select({ file: file ?? uri, base: base || '', sqlLanguage }, file ? resolved.config : { include: [], exclude: [] });
    if (selection !== 'selected') return { ...context, skip: selection };
    if (size > settings.maxFileSize) return { ...context, skip: 'too-large' };
    return context;
  }

  /** The earlier migrations' texts that make up a document's schema history, in run order. */
  historyTexts(uri: string): HistoryText[] {
    const file = uriToPath(uri);
    return file ? this.history.textsBefore(file) : [];
  }

  /** Options that reproduce a document's analysis on another text (fixes are checked that way). */
  analyzeOptions(uri: string, config: LockwiseConfig, text?: string, baseline?: Baseline): AnalyzeOptions {
    const file = uriToPath(uri);
    return {
      config,
      history: file ? this.history.catalogBefore(file) : undefined,
      runner: this.runnerFor(uri, text, config),
      baseline,
      sizes: this.sizesFor(uri),
    };
  }

  /** The size snapshot and rates that apply to a document (undefined: none, or an unusable file, reported once). */
  sizesFor(uri: string): SizeInput | undefined {
    const file = uriToPath(uri);
    return file ? this.sizesForFile(file) : undefined;
  }

  sizesForFile(file: string): SizeInput | undefined {
    try {
      return this.sizes.forFile(file);
    } catch (error) {
      if (!(error instanceof SizesError)) throw error;
      if (!this.sizeErrorsShown.has(error.message)) this.host.warn(`sizes not used: ${error.message}`);
      this.sizeErrorsShown.add(error.message);
      return undefined;
    }
  }
}

/** A file inside a `.git` folder (the watcher reports ref and HEAD changes). */
function isGitPath(file: string): boolean {
  return file.split(/[\\/]/).includes('.git');
}
