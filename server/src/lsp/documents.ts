/**
 * Open documents and their analyses: a per-document cache keyed by version and by the workspace's
 * generation, so an edit re-analyses only that document and a settings or history change all of them.
 */
import * as path from 'path';
import { TextDocument } from 'vscode-languageserver-textdocument';
import { analyze, Analysis, AnalyzeOptions, IncrementalAnalyzer, initParser, LineBlindAnalysis } from '../core';
import { uriToPath } from './convert';
import { mainThreadTiering } from './tiering';
import { DocumentContext, Workspace } from './workspace';

export interface DocumentState {
  analysis?: Analysis;
  context: DocumentContext;
}

export class Documents {
  private readonly open = new Map<string, TextDocument>();
  private readonly byPath = new Map<string, string>();
  private readonly cache = new Map<string, { version: number; generation: number; state: DocumentState }>();
  /** Per open document, the base of its next analysis (core/incremental): an edit re-walks only what it can change. */
  private readonly incremental = new Map<string, IncrementalAnalyzer>();

  /**
   * `offThread`: whether the analysis worker owns documents of this length (background.ts). The main
   * thread analyses those only when asked for something the worker does not answer (an audit, a
   * trace); an edit drops that analysis instead of keeping it as the base of a next one.
   */
  constructor(
    readonly workspace: Workspace,
    private readonly offThread: (length: number) => boolean = () => false,
  ) {}

  /** The text of an open document by resolved file path (the workspace reads history through this). */
  textOf(file: string): string | undefined {
    const uri = this.byPath.get(file);
    return uri ? this.open.get(uri)?.getText() : undefined;
  }

  opened(doc: TextDocument): void {
    this.open.set(doc.uri, doc);
    const file = uriToPath(doc.uri);
    if (file) this.byPath.set(file, doc.uri);
    this.workspace.touch();
  }

  closed(uri: string): void {
    this.open.delete(uri);
    const file = uriToPath(uri);
    if (file && this.byPath.get(file) === uri) this.byPath.delete(file);
    this.drop(uri);
    this.workspace.touch();
  }

  /** A document's text changed: other files' schema history may have too. */
  changed(doc: TextDocument): void {
    this.open.set(doc.uri, doc);
    if (this.offThread(doc.getText().length)) this.drop(doc.uri);
    this.workspace.touch();
  }

  /** Forgets the document's analysis and incremental base (the worker holds the one that counts). */
  private drop(uri: string): void {
    this.cache.delete(uri);
    this.incremental.delete(uri);
  }

  /** Tests: the documents whose analysis (or incremental base) the main thread holds. */
  held(): string[] {
    return [...new Set([...this.cache.keys(), ...this.incremental.keys()])];
  }

  private cached(doc: TextDocument) {
    const cached = this.cache.get(doc.uri);
    return cached && cached.version === doc.version && cached.generation === this.workspace.generation ? cached : undefined;
  }

  /** The analysis of an open document at its current version (computed on demand, cached). */
  async stateOf(doc: TextDocument): Promise<DocumentState & { version: number }> {
    const cached = this.cached(doc);
    if (cached) return { ...cached.state, version: cached.version };
    // TextDocuments updates documents in place: take the text and its version together, before any await.
    const generation = this.workspace.generation;
    const version = doc.version;
    const text = doc.getText();
    const context = await this.parserFor(await this.workspace.contextFor(doc.uri, doc.languageId, text.length), text.length);
    const state = this.analyzeWith(uriToPath(doc.uri), text, context, this.analyzerOf(doc.uri));
    // A change that arrived while the settings were fetched makes this result stale: do not cache it.
    if (generation === this.workspace.generation) this.cache.set(doc.uri, { version, generation, state });
    return { ...state, version };
  }

  /**
   * An open document's text, version and context without analysing it: the input of an off-thread
   * analysis (background.ts). `cached` is the analysis of this version when one was already made.
   */
  async snapshot(doc: TextDocument): Promise<{ version: number; text: string; context: DocumentContext; cached?: DocumentState }> {
    const cached = this.cached(doc);
    if (cached) return { version: cached.version, text: doc.getText(), context: cached.state.context, cached: cached.state };
    // As in stateOf: the text and its version together, before any await.
    const version = doc.version;
    const text = doc.getText();
    const context = await this.workspace.contextFor(doc.uri, doc.languageId, text.length);
    return { version, text, context };
  }

  /** Analysis of a file that may not be open (audit of a set of files). */
  async stateOfFile(uri: string): Promise<{ text: string; state: DocumentState } | undefined> {
    const open = this.open.get(uri);
    if (open) {
      const state = await this.stateOf(open);
      return { text: state.analysis?.text ?? open.getText(), state };
    }
    const file = uriToPath(uri);
    if (!file) return undefined;
    const text = this.workspace.readFile(file);
    if (text === undefined) return undefined;
    const context = await this.parserFor(await this.workspace.contextFor(uri, undefined, text.length), text.length);
    return { text, state: this.analyzeWith(file, text, context) };
  }

  /**
   * Loads the parser and the grammar of the context's pgVersion (once; nothing for 18 and newer)
   * before this thread analyses a document. Only here: documents the analysis worker takes never
   * load them on this thread (four WebAssembly parsers, ~20 MB of the server's memory).
   */
  private async parserFor(context: DocumentContext, length: number): Promise<DocumentContext> {
    if (context.skip) return context;
    mainThreadTiering(length);
    await initParser(context.config.pgVersion);
    return context;
  }

  private analyzeWith(file: string | undefined, text: string, context: DocumentContext, incremental?: IncrementalAnalyzer): DocumentState {
    if (context.skip) return { context };
    const history = file ? this.workspace.history.catalogBefore(file) : undefined;
    const runner = file ? this.workspace.runnerOfFile(file, text, context.config) : undefined;
    const sizes = file ? this.workspace.sizesForFile(file) : undefined;
    const options: AnalyzeOptions = { config: context.config, history, runner, baseline: context.baseline, sizes };
    return { context, analysis: incremental ? incremental.analyze(text, options) : analyze(text, options) };
  }

  private analyzerOf(uri: string): IncrementalAnalyzer | undefined {
    if (!this.open.has(uri)) return undefined;
    let analyzer = this.incremental.get(uri);
    if (!analyzer) this.incremental.set(uri, (analyzer = new IncrementalAnalyzer()));
    return analyzer;
  }

  /**
   * The analysis of another text of an open document (a fix applied), from its last analysis,
   * which stays the base of the next edit's: checking a fix re-walks only what the fix can change.
   */
  variant(uri: string, text: string, options: AnalyzeOptions): Analysis {
    return this.incremental.get(uri)?.peek(text, options) ?? analyze(text, options);
  }

  /** The line-blind variant (IncrementalAnalyzer.peekLineBlind) for a fix's check, when the document has a last analysis to walk from. */
  lineBlindVariant(uri: string, options: AnalyzeOptions): ((text: string) => LineBlindAnalysis) | undefined {
    const analyzer = this.incremental.get(uri);
    return analyzer && ((text) => analyzer.peekLineBlind(text, options));
  }

  /** Open documents other than `uri` whose schema history may include `uri` (same migrations folder). */
  dependents(uri: string): TextDocument[] {
    const file = uriToPath(uri);
    if (!file) return [];
    const dirs = new Set([path.dirname(file), path.dirname(path.dirname(file))]);
    return [...this.open.values()].filter((d) => {
      if (d.uri === uri) return false;
      const other = uriToPath(d.uri);
      return !!other && (dirs.has(path.dirname(other)) || dirs.has(path.dirname(path.dirname(other))));
    });
  }
}
