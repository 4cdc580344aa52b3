/**
 * The server's view of the project: open documents, which of them Lockwise checks, the settings
 * and `.lockwise.json` that apply to each, schema history (earlier migrations, read from open
 * editors first, then disk), and a per-document analysis cache keyed by version.
 */
import * as fs from 'fs';
import * as path from 'path';
import picomatch from 'picomatch';
import { TextDocument } from 'vscode-languageserver-textdocument';
import {
  analyze, Analysis, AnalyzeOptions, CONFIG_FILE_NAME, ConfigError, findConfigFile, LockwiseConfig, mergeConfig, readConfigFile, RULES_BY_ID,
} from '../core';
import { HistoryProvider, TextSource } from '../project/history';
import { FileRunner, RunnerDetector } from '../project/runners';
import { DEFAULT_SETTINGS, ServerSettings } from './settings';
import { pathToUri, uriToPath } from './convert';

export const SQL_LANGUAGES = new Set(['sql', 'pgsql', 'postgres']);
const SQL_EXTENSION = /\.(sql|psql|pgsql)$/i;

export interface DocumentContext {
  config: LockwiseConfig;
  settings: ServerSettings;
  /** The `.lockwise.json` that applies, if any. */
  configFile?: string;
  /** Set when that file is invalid: the document is then checked with the settings alone. */
  configError?: ConfigError;
  /** Why the document is not checked (undefined when it is). */
  skip?: 'not-sql' | 'excluded' | 'too-large';
}

export interface DocumentState {
  analysis?: Analysis;
  context: DocumentContext;
}

/** Reads files from disk, re-reading only when their modification time or size changed. */
class DiskCache {
  private readonly files = new Map<string, { mtimeMs: number; size: number; text: string }>();

  read(file: string): string | undefined {
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

export type SettingsFetcher = (scopeUri: string | undefined) => Promise<ServerSettings>;

export class Project {
  readonly documents = new Map<string, TextDocument>();
  private readonly byPath = new Map<string, string>();
  private folders: string[] = [];
  private readonly disk = new DiskCache();
  private readonly configFiles = new Map<string, { config: Partial<LockwiseConfig> } | { error: ConfigError }>();
  private readonly settings = new Map<string, Promise<ServerSettings>>();
  private readonly cache = new Map<string, { version: number; generation: number; state: DocumentState }>();
  readonly history: HistoryProvider;
  readonly runners: RunnerDetector;
  /** Bumped by anything that can change an analysis other than the document's own text. */
  private generation = 0;

  constructor(private readonly fetchSettings: SettingsFetcher) {
    const source: TextSource = {
      read: (file) => {
        const uri = this.byPath.get(path.resolve(file));
        const doc = uri ? this.documents.get(uri) : undefined;
        return doc ? doc.getText() : this.disk.read(file);
      },
      list: (dir) => {
        try {
          return fs.readdirSync(dir, { withFileTypes: true }).map((d) => ({ name: d.name, isDirectory: d.isDirectory() }));
        } catch {
          return [];
        }
      },
    };
    this.runners = new RunnerDetector(source);
    // Earlier migrations are detected on their own (their folder's markers, project files, layout).
    this.history = new HistoryProvider(source, (file, text) => this.runners.forFile(file, text, { runner: 'auto' }));
  }

  /** The runner of a document (undefined for untitled documents). */
  runnerFor(uri: string, text: string, config: LockwiseConfig): FileRunner | undefined {
    const file = uriToPath(uri);
    return file ? this.runners.forFile(file, text, config) : undefined;
  }

  setFolders(folders: string[]): void {
    this.folders = folders.map((f) => path.resolve(f));
    this.invalidateAll();
  }

  open(doc: TextDocument): void {
    this.documents.set(doc.uri, doc);
    const file = uriToPath(doc.uri);
    if (file) this.byPath.set(file, doc.uri);
    this.generation++;
  }

  close(uri: string): void {
    this.documents.delete(uri);
    const file = uriToPath(uri);
    if (file && this.byPath.get(file) === uri) this.byPath.delete(file);
    this.cache.delete(uri);
    this.generation++;
  }

  /** A document's text changed: other files' schema history may have too. */
  changed(doc: TextDocument): void {
    this.documents.set(doc.uri, doc);
    this.generation++;
  }

  /** Files changed on disk (watched files), or a config file changed. */
  filesChanged(paths: string[]): void {
    if (paths.some((p) => path.basename(p) === CONFIG_FILE_NAME)) this.configFiles.clear();
    this.disk.clear();
    this.history.invalidate();
    this.runners.invalidate();
    this.generation++;
  }

  settingsChanged(): void {
    this.settings.clear();
    this.generation++;
  }

  invalidateAll(): void {
    this.settings.clear();
    this.configFiles.clear();
    this.disk.clear();
    this.history.invalidate();
    this.runners.invalidate();
    this.generation++;
  }

  folderOf(file: string): string | undefined {
    let best: string | undefined;
    for (const folder of this.folders) {
      const rel = path.relative(folder, file);
      if (!rel.startsWith('..') && !path.isAbsolute(rel) && (!best || folder.length > best.length)) best = folder;
    }
    return best;
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

  /** The config file that applies to `file`, loaded and validated (cached until it changes). */
  configFileFor(file: string): { file: string; config?: Partial<LockwiseConfig>; error?: ConfigError } | undefined {
    const found = findConfigFile(path.dirname(file));
    return found ? this.loadConfig(found) : undefined;
  }

  /** Loads and validates one config file (cached until a watched-file event). */
  loadConfig(found: string): { file: string; config?: Partial<LockwiseConfig>; error?: ConfigError } {
    let loaded = this.configFiles.get(found);
    if (!loaded) {
      try {
        loaded = { config: readConfigFile(found, new Set(RULES_BY_ID.keys())) };
      } catch (error) {
        if (!(error instanceof ConfigError)) throw error;
        loaded = { error };
      }
      this.configFiles.set(found, loaded);
    }
    return 'error' in loaded ? { file: found, error: loaded.error } : { file: found, config: loaded.config };
  }

  /** Every config file loaded so far with its error, for diagnostics on the config files themselves. */
  configFileStates(): { file: string; error?: ConfigError }[] {
    return [...this.configFiles.entries()].map(([file, state]) => ({ file, error: 'error' in state ? state.error : undefined }));
  }

  async contextFor(uri: string, languageId: string | undefined, size: number): Promise<DocumentContext> {
    const settings = await this.settingsFor(uri);
    return this.resolveContext(uri, languageId, size, settings);
  }

  private resolveContext(uri: string, languageId: string | undefined, size: number, settings: ServerSettings): DocumentContext {
    const file = uriToPath(uri);
    const found = file ? this.configFileFor(file) : undefined;
    const config = mergeConfig(settings.core, found?.config ?? {});
    const context: DocumentContext = { config, settings, configFile: found?.file, configError: found?.error };
    const sqlLanguage = languageId !== undefined && SQL_LANGUAGES.has(languageId);
    const sqlExtension = SQL_EXTENSION.test(file ?? uri);
    if (!sqlLanguage && !sqlExtension) return { ...context, skip: 'not-sql' };
    if (file) {
      // Globs are relative to the config file's folder, else the workspace folder.
      const base = found ? path.dirname(found.file) : this.folderOf(file) ?? path.dirname(file);
      const rel = path.relative(base, file).split(path.sep).join('/');
      const outside = rel.startsWith('../');
      const target = outside ? file.split(path.sep).join('/') : rel;
      if (config.exclude.length && picomatch(config.exclude, { dot: true })(target)) return { ...context, skip: 'excluded' };
      // include narrows files by name; a document the user explicitly set to SQL is checked whatever its name.
      if (sqlExtension && config.include.length && !outside && !picomatch(config.include, { dot: true })(target)) {
        return { ...context, skip: 'excluded' };
      }
    }
    if (size > settings.maxFileSize) return { ...context, skip: 'too-large' };
    return context;
  }

  /** The analysis of an open document at its current version (computed on demand, cached). */
  async stateOf(doc: TextDocument): Promise<DocumentState & { version: number }> {
    const cached = this.cache.get(doc.uri);
    if (cached && cached.version === doc.version && cached.generation === this.generation) return { ...cached.state, version: cached.version };
    // TextDocuments updates documents in place: take the text and its version together, before any await.
    const generation = this.generation;
    const version = doc.version;
    const text = doc.getText();
    const context = await this.contextFor(doc.uri, doc.languageId, text.length);
    return { ...this.compute(doc.uri, version, generation, text, context), version };
  }

  /**
   * An open document's text, version and context without analysing it: the input of an off-thread
   * analysis (background.ts). `cached` is the analysis of this version when one was already made.
   */
  async snapshot(doc: TextDocument): Promise<{ version: number; text: string; context: DocumentContext; cached?: DocumentState }> {
    const cached = this.cache.get(doc.uri);
    if (cached && cached.version === doc.version && cached.generation === this.generation) {
      return { version: cached.version, text: doc.getText(), context: cached.state.context, cached: cached.state };
    }
    // As in stateOf: the text and its version together, before any await.
    const version = doc.version;
    const text = doc.getText();
    const context = await this.contextFor(doc.uri, doc.languageId, text.length);
    return { version, text, context };
  }

  /** The earlier migrations' texts that make up a document's schema history, in run order. */
  historyTexts(uri: string): string[] {
    const file = uriToPath(uri);
    return file ? this.history.textsBefore(file) : [];
  }

  /** Options that reproduce a document's analysis on another text (fixes are checked that way). */
  analyzeOptions(uri: string, config: LockwiseConfig, text?: string): AnalyzeOptions {
    const file = uriToPath(uri);
    const runner = file ? this.runners.forFile(file, text, config) : undefined;
    return { config, history: file ? this.history.catalogBefore(file) : undefined, runner };
  }

  /** Analysis of a file that may not be open (audit of a set of files). */
  async stateOfFile(uri: string): Promise<{ text: string; state: DocumentState } | undefined> {
    const open = this.documents.get(uri);
    if (open) {
      const state = await this.stateOf(open);
      return { text: state.analysis?.text ?? open.getText(), state };
    }
    const file = uriToPath(uri);
    if (!file) return undefined;
    const text = this.disk.read(file);
    if (text === undefined) return undefined;
    const context = await this.contextFor(uri, undefined, text.length);
    return { text, state: this.analyzeWith(file, text, context) };
  }

  private compute(uri: string, version: number, generation: number, text: string, context: DocumentContext): DocumentState {
    const file = uriToPath(uri);
    const state = this.analyzeWith(file, text, context);
    // A change that arrived while the settings were fetched makes this result stale: do not cache it.
    if (generation === this.generation) this.cache.set(uri, { version, generation, state });
    return state;
  }

  private analyzeWith(file: string | undefined, text: string, context: DocumentContext): DocumentState {
    if (context.skip) return { context };
    const history = file ? this.history.catalogBefore(file) : undefined;
    const runner = file ? this.runners.forFile(file, text, context.config) : undefined;
    return { context, analysis: analyze(text, { config: context.config, history, runner }) };
  }

  /** Open documents other than `uri` whose schema history may include `uri` (same migrations folder). */
  dependents(uri: string): TextDocument[] {
    const file = uriToPath(uri);
    if (!file) return [];
    const dirs = new Set([path.dirname(file), path.dirname(path.dirname(file))]);
    return [...this.documents.values()].filter((d) => {
      if (d.uri === uri) return false;
      const other = uriToPath(d.uri);
      return !!other && (dirs.has(path.dirname(other)) || dirs.has(path.dirname(path.dirname(other))));
    });
  }
}
