/**
 * The Lockwise language server: `node dist/server.js --stdio` (or `--node-ipc`, as the VS Code
 * client starts it). A thin layer over the core: every handler loads the document's analysis from
 * the Project and converts. Handlers are wrapped so that an exception is logged and answered with
 * an empty result instead of taking the server down.
 */
import * as fs from 'fs';
import * as path from 'path';
import {
  CodeActionKind, CodeLensRefreshRequest, createConnection, Diagnostic, DiagnosticSeverity, DidChangeConfigurationNotification, DidChangeWatchedFilesNotification,
  CancellationToken, InitializeParams, InitializeResult, LSPErrorCodes, MessageType, NotificationType, ProposedFeatures, RequestType0, ResponseError, ShowMessageNotification,
  TextDocuments, TextDocumentSyncKind, WatchKind,
} from 'vscode-languageserver/node';
import { TextDocument } from 'vscode-languageserver-textdocument';
import { initParser, LineIndex } from '../core';
import type { LockwiseConfig } from '../core';
import { Project } from './documents';
import { parseSettings, ServerSettings } from './settings';
import { configDiagnostic, findingDiagnostics, Scheduler, SOURCE, toDiagnostic } from './diagnostics';
import { BackgroundAnalysis, WORKER_THRESHOLD } from './background';
import { hover } from './hover';
import { ActionTarget, codeActions, coreEdit, FIX_ALL_KIND, fixAllEdits } from './codeActions';
import { codeLenses } from './codeLens';
import { auditFile, auditFiles, auditHeader, COMMANDS, isOverviewFile, displayPath, fileSummary, formatBytes, linkTarget } from './commands';
import { pathToUri, uriToPath } from './convert';
import { DEFAULT_IDLE_MS, locatePglite, TraceCancelledError, TracerStatus, TraceService, TraceStore, TraceUnavailableError, traceRequest } from './trace';
import { traceMarkdown } from '../trace/command';
import { INSTALL_COMMAND } from '../trace/resolve';

const VERSION = '0.1.0';
const DOCS_REPOSITORY = 'https://github.com/lockwise/lockwise/blob/main/docs/rules';

/** Options the client may pass in `initializationOptions`. */
interface InitOptions {
  /** Workspace trust: false disables everything that would execute SQL (static analysis always runs). */
  trusted?: boolean;
  /** Settings for clients without `workspace/configuration` (same shape as the `lockwise` section). */
  settings?: unknown;
  /** Debounce after edits, in milliseconds (tests lower it). */
  debounceMs?: number;
  /** The trace worker stops after this long without a request (default 2 minutes; tests lower it). */
  traceIdleMs?: number;
  /** Documents longer than this are analysed in the analysis worker (default WORKER_THRESHOLD; tests move it). */
  workerThreshold?: number;
}

export interface ServerStatus {
  version: string;
  trusted: boolean;
  documents: number;
  tracer?: TracerStatus;
}

/** Error codes of the trace command (`data.reason` says the same in words). */
export const TRACE_ERRORS = { untrusted: -32001, unavailable: -32002, notTraceable: -32003, failed: -32004 } as const;

export type { TraceCommandResult } from './protocol';
import type { TraceCommandResult } from './protocol';

export const StatusRequest = new RequestType0<ServerStatus, void>('lockwise/status');
export const TrustNotification = new NotificationType<{ trusted: boolean }>('lockwise/didChangeTrust');
/** Sent while a trace runs: what the worker is doing (the client shows it in its progress notification). */
export const TraceProgressNotification = new NotificationType<{ uri: string; message: string }>('lockwise/traceProgress');

const connection = createConnection(ProposedFeatures.all);
const documents = new TextDocuments(TextDocument);
const parser = initParser();

let trusted = false;
let pulledConfiguration = false;
let versionedEdits = false;
let codeLensRefresh = false;
let pushedSettings: unknown;
// Dynamic registrations are only allowed when the client says so.
const dynamic = { watchedFiles: false, configuration: false, workspaceFolders: false };
const shownMessages = new Set<string>();

function log(message: string): void {
  connection.console.log(message);
}

function logError(where: string, error: unknown): void {
  const detail = error instanceof Error ? `${error.message}\n${error.stack ?? ''}` : String(error);
  connection.console.error(`lockwise: ${where} failed: ${detail}`);
}

/** Runs a handler; an exception (sync or async) is logged and answered with `fallback`. */
function guard<P extends unknown[], R>(where: string, fallback: R, handler: (...args: P) => R | Promise<R>): (...args: P) => Promise<R> {
  return async (...args: P) => {
    try {
      return await handler(...args);
    } catch (error) {
      // Errors meant for the client (the trace command's refusals) are answered as errors.
      if (error instanceof ResponseError) throw error;
      logError(where, error);
      return fallback;
    }
  };
}

/** Shows a message once (per distinct text) instead of on every keystroke. */
function showOnce(kind: 'error' | 'warning', message: string): void {
  if (shownMessages.has(message)) return;
  shownMessages.add(message);
  // A notification, not window/showMessageRequest: nothing waits for the user to dismiss it.
  void connection.sendNotification(ShowMessageNotification.type, { type: kind === 'error' ? MessageType.Error : MessageType.Warning, message });
}

async function fetchSettings(scopeUri: string | undefined): Promise<ServerSettings> {
  let raw: unknown = pushedSettings;
  if (pulledConfiguration) raw = await connection.workspace.getConfiguration({ scopeUri, section: 'lockwise' });
  const settings = parseSettings(raw);
  for (const e of settings.errors) showOnce('warning', `Lockwise: ${e}; the default is used.`);
  return settings;
}

const project = new Project(fetchSettings);
let tracer = new TraceService(path.join(__dirname, 'trace-worker.js'), DEFAULT_IDLE_MS, log);
const traces = new TraceStore();
const analysisWorker = path.join(__dirname, 'analysis-worker.js');
let background = new BackgroundAnalysis(analysisWorker, WORKER_THRESHOLD, log);

// Rule documentation: the page shipped next to the server (dist/../docs/rules) when present.
function docsLink(rule: string): string {
  const local = path.join(__dirname, '..', 'docs', 'rules', `${rule}.md`);
  return fs.existsSync(local) ? pathToUri(local) : `${DOCS_REPOSITORY}/${encodeURIComponent(rule)}.md`;
}
const docsCache = new Map<string, string>();
const docs = (rule: string) => {
  let link = docsCache.get(rule);
  if (!link) docsCache.set(rule, (link = docsLink(rule)));
  return link;
};

// ---- diagnostics -------------------------------------------------------------------------------

const publishedConfigErrors = new Set<string>();

/** Diagnostics on every `.lockwise.json` loaded so far; cleared once a file is valid again. */
function syncConfigDiagnostics(): void {
  for (const { file, error } of project.configFileStates()) {
    const uri = pathToUri(file);
    if (error) {
      let text: string | undefined;
      try {
        text = fs.readFileSync(file, 'utf8');
      } catch {
        text = undefined;
      }
      void connection.sendDiagnostics({ uri, diagnostics: [configDiagnostic(error, text)] });
      publishedConfigErrors.add(uri);
      showOnce('error', `Lockwise: ${error.message}. Using the editor settings until it is fixed.`);
    } else if (publishedConfigErrors.delete(uri)) {
      void connection.sendDiagnostics({ uri, diagnostics: [] });
    }
  }
}

async function lint(uri: string, isStale: () => boolean): Promise<void> {
  const doc = documents.get(uri);
  if (!doc) return;
  await parser;
  const snapshot = await project.snapshot(doc);
  if (!snapshot.context.skip && !snapshot.cached && background.handles(snapshot.text.length)) {
    const diagnostics = await lintInWorker(uri, snapshot.version, snapshot.text, snapshot.context.config);
    // undefined: superseded by a newer job, whose run publishes instead; 'failed': analyse here.
    if (diagnostics !== 'failed') {
      if (diagnostics) publish(uri, snapshot.version, diagnostics, isStale);
      return;
    }
  }
  const state = await project.stateOf(doc);
  let diagnostics: Diagnostic[] = [];
  if (state.analysis) diagnostics = findingDiagnostics(uri, state.analysis, docs);
  // The core skips a rule or lock-model step that threw on this text and carries on: say so in the log.
  if (state.analysis?.internalErrors.length) logError(`analysis of ${uri}`, new Error(state.analysis.internalErrors.join('; ')));
  else if (state.context.skip === 'too-large') {
    const size = doc.getText().length;
    diagnostics = [{
      range: { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } },
      severity: DiagnosticSeverity.Information,
      source: SOURCE,
      code: 'file-too-large',
      message: `Lockwise skipped this file: it is ${formatBytes(size)}, over lockwise.maxFileSize (${formatBytes(state.context.settings.maxFileSize)}).`,
    }];
    log(`skipped ${uri}: ${size} characters is over maxFileSize`);
  }
  publish(uri, state.version, diagnostics, isStale);
}

function publish(uri: string, version: number, diagnostics: Diagnostic[], isStale: () => boolean): void {
  // Never publish for an older version than the editor shows: a newer run is on its way.
  if (isStale() || documents.get(uri)?.version !== version) return;
  void connection.sendDiagnostics({ uri, version, diagnostics });
  syncConfigDiagnostics();
}

/**
 * A big document's diagnostics from the analysis worker (background.ts), so that other documents
 * are answered meanwhile. Undefined when superseded; 'failed' (logged) to analyse it here instead.
 */
async function lintInWorker(uri: string, version: number, text: string, config: LockwiseConfig): Promise<Diagnostic[] | undefined | 'failed'> {
  let result;
  try {
    result = await background.analyze({ uri, version, text, config, history: project.historyTexts(uri), runner: project.runnerFor(uri, text, config) });
  } catch (error) {
    logError(`analysis worker on ${uri}`, error);
    return 'failed';
  }
  if (!result) return undefined;
  log(`analysed ${uri} v${version} in the analysis worker: ${result.statements} statement(s) in ${result.ms} ms`);
  if (result.internalErrors.length) logError(`analysis of ${uri}`, new Error(result.internalErrors.join('; ')));
  const lines = new LineIndex(text);
  return result.diagnostics.map((d) => toDiagnostic(uri, lines, d, docs));
}

const safeLint = guard('diagnostics', undefined, lint);
let scheduler = new Scheduler((uri, isStale) => safeLint(uri, isStale), 150);

function relintAll(delayMs = scheduler.delayMs): void {
  for (const doc of documents.all()) scheduler.schedule(doc.uri, delayMs);
  if (codeLensRefresh) void connection.sendRequest(CodeLensRefreshRequest.type).catch((e: unknown) => logError('codeLens refresh', e));
}

// ---- lifecycle ---------------------------------------------------------------------------------

connection.onInitialize(
  async (params: InitializeParams): Promise<InitializeResult> => {
    const options = (params.initializationOptions ?? {}) as InitOptions;
    trusted = options.trusted ?? true;
    pushedSettings = options.settings;
    if (typeof options.workerThreshold === 'number' && options.workerThreshold >= 0) background = new BackgroundAnalysis(analysisWorker, options.workerThreshold, log);
    if (typeof options.traceIdleMs === 'number' && options.traceIdleMs > 0) tracer = new TraceService(path.join(__dirname, 'trace-worker.js'), options.traceIdleMs, log);
    if (typeof options.debounceMs === 'number' && options.debounceMs >= 0) {
      scheduler = new Scheduler((uri, isStale) => safeLint(uri, isStale), options.debounceMs);
    }
    const caps = params.capabilities;
    dynamic.watchedFiles = !!caps.workspace?.didChangeWatchedFiles?.dynamicRegistration;
    dynamic.configuration = !!caps.workspace?.didChangeConfiguration?.dynamicRegistration;
    dynamic.workspaceFolders = !!caps.workspace?.workspaceFolders;
    pulledConfiguration = !!caps.workspace?.configuration;
    versionedEdits = !!caps.workspace?.workspaceEdit?.documentChanges;
    codeLensRefresh = !!caps.workspace?.codeLens?.refreshSupport;
    const folders = (params.workspaceFolders ?? []).map((f) => uriToPath(f.uri)).filter((p): p is string => !!p);
    if (folders.length === 0 && params.rootUri) {
      const root = uriToPath(params.rootUri);
      if (root) folders.push(root);
    }
    project.setFolders(folders);
    // The WASM parser loads once, before the first request is answered.
    await parser;
    return {
      capabilities: {
        textDocumentSync: TextDocumentSyncKind.Incremental,
        hoverProvider: true,
        codeActionProvider: { codeActionKinds: [CodeActionKind.QuickFix, FIX_ALL_KIND], resolveProvider: false },
        codeLensProvider: { resolveProvider: false },
        executeCommandProvider: { commands: Object.values(COMMANDS) },
        workspace: { workspaceFolders: { supported: true, changeNotifications: true } },
      },
      serverInfo: { name: 'lockwise', version: VERSION },
    };
  },
);

connection.onInitialized(
  guard('initialized', undefined, async () => {
    if (dynamic.watchedFiles) {
      await connection.client.register(DidChangeWatchedFilesNotification.type, {
        watchers: [
          { globPattern: '**/.lockwise.json', kind: WatchKind.Create | WatchKind.Change | WatchKind.Delete },
          { globPattern: '**/*.{sql,psql,pgsql}', kind: WatchKind.Create | WatchKind.Change | WatchKind.Delete },
        ],
      });
    }
    if (dynamic.configuration) await connection.client.register(DidChangeConfigurationNotification.type, { section: 'lockwise' });
    if (dynamic.workspaceFolders) {
      connection.workspace.onDidChangeWorkspaceFolders(
        guard('workspaceFolders', undefined, async () => {
          const folders = (await connection.workspace.getWorkspaceFolders()) ?? [];
          project.setFolders(folders.map((f) => uriToPath(f.uri)).filter((p): p is string => !!p));
          relintAll();
        }),
      );
    }
    log(`Lockwise ${VERSION} ready (workspace ${trusted ? 'trusted' : 'untrusted: static analysis only'})`);
  }),
);

// ---- documents ---------------------------------------------------------------------------------

const justOpened = new Set<string>();

documents.onDidOpen((e) => {
  try {
    project.open(e.document);
    justOpened.add(e.document.uri);
    scheduler.schedule(e.document.uri, 0);
  } catch (error) {
    logError('didOpen', error);
  }
});

documents.onDidChangeContent((e) => {
  try {
    // TextDocuments reports an open as a content change too; the open already scheduled a run.
    if (justOpened.delete(e.document.uri)) return;
    project.changed(e.document);
    scheduler.schedule(e.document.uri);
    // Later migrations in the same folder see this file as schema history (their traces ran on the old one).
    for (const other of project.dependents(e.document.uri)) {
      scheduler.schedule(other.uri, scheduler.delayMs * 3);
      traces.delete(other.uri);
    }
  } catch (error) {
    logError('didChange', error);
  }
});

documents.onDidClose((e) => {
  try {
    justOpened.delete(e.document.uri);
    scheduler.cancel(e.document.uri);
    background.cancel(e.document.uri);
    project.close(e.document.uri);
    traces.delete(e.document.uri);
    void connection.sendDiagnostics({ uri: e.document.uri, diagnostics: [] });
    for (const other of project.dependents(e.document.uri)) scheduler.schedule(other.uri, scheduler.delayMs);
  } catch (error) {
    logError('didClose', error);
  }
});

connection.onDidChangeWatchedFiles(
  guard('didChangeWatchedFiles', undefined, (params) => {
    const paths = params.changes.map((c) => uriToPath(c.uri)).filter((p): p is string => !!p);
    project.filesChanged(paths);
    for (const p of paths) for (const other of project.dependents(pathToUri(p))) traces.delete(other.uri);
    // Validate changed config files now, so their diagnostics appear even with no SQL file open.
    for (const p of paths) if (path.basename(p) === '.lockwise.json' && fs.existsSync(p)) project.loadConfig(p);
    for (const p of paths) {
      const uri = pathToUri(p);
      if (path.basename(p) === '.lockwise.json' && !fs.existsSync(p) && publishedConfigErrors.delete(uri)) {
        void connection.sendDiagnostics({ uri, diagnostics: [] });
      }
    }
    syncConfigDiagnostics();
    relintAll(0);
  }),
);

connection.onDidChangeConfiguration(
  guard('didChangeConfiguration', undefined, (params) => {
    const settings = (params.settings ?? {}) as Record<string, unknown>;
    if (settings.lockwise !== undefined) pushedSettings = settings.lockwise;
    shownMessages.clear();
    project.settingsChanged();
    relintAll(0);
  }),
);

connection.onNotification(TrustNotification, (params) => {
  trusted = !!params.trusted;
  log(`workspace trust changed: ${trusted ? 'trusted' : 'untrusted'}`);
  if (!trusted) tracer.stop('the workspace is no longer trusted');
});

connection.onRequest(
  StatusRequest,
  guard<[], ServerStatus>('status', { version: VERSION, trusted: false, documents: 0 }, () => ({ version: VERSION, trusted, documents: documents.all().length, tracer: tracer.status() })),
);

// ---- language features -------------------------------------------------------------------------

async function analysisOf(uri: string) {
  const doc = documents.get(uri);
  if (!doc) return undefined;
  await parser;
  const state = await project.stateOf(doc);
  return state.analysis ? { doc, state, analysis: state.analysis } : undefined;
}

connection.onHover(
  guard('hover', null, async (params) => {
    const loaded = await analysisOf(params.textDocument.uri);
    if (!loaded) return null;
    const { analysis } = loaded;
    return hover(analysis, analysis.lines.offsetAt(params.position), (s) => traces.get(params.textDocument.uri, analysis, s)) ?? null;
  }),
);

async function actionTarget(uri: string): Promise<ActionTarget | undefined> {
  const loaded = await analysisOf(uri);
  if (!loaded) return undefined;
  return {
    uri,
    version: loaded.state.version,
    analysis: loaded.analysis,
    options: project.analyzeOptions(uri, loaded.analysis.config, loaded.analysis.text),
    versioned: versionedEdits,
    docs,
  };
}

connection.onCodeAction(
  guard('codeAction', [], async (params) => {
    const target = await actionTarget(params.textDocument.uri);
    if (!target) return [];
    return codeActions(target, params.range, params.context.only);
  }),
);

connection.onCodeLens(
  guard('codeLens', [], async (params) => {
    // A big document's lenses come with its diagnostics from the worker: editors ask for lenses on
    // every open, and analysing it here for them would block every other document.
    const doc = documents.get(params.textDocument.uri);
    const fromWorker = doc ? await background.resultFor(doc.uri, doc.version)?.catch(() => undefined) : undefined;
    if (fromWorker) return (await project.settingsFor(params.textDocument.uri)).codeLens ? fromWorker.lenses : [];
    const loaded = await analysisOf(params.textDocument.uri);
    if (!loaded || !loaded.state.context.settings.codeLens) return [];
    return codeLenses(loaded.analysis);
  }),
);

function argUri(arg: unknown): string | undefined {
  if (typeof arg === 'string') return arg;
  if (typeof arg === 'object' && arg !== null && typeof (arg as { uri?: unknown }).uri === 'string') return (arg as { uri: string }).uri;
  return undefined;
}

connection.onExecuteCommand(
  guard('executeCommand', null, async (params, token) => {
    await parser;
    const args = params.arguments ?? [];
    switch (params.command) {
      case COMMANDS.auditFile: {
        const uri = argUri(args[0]);
        return uri ? auditFile(project, uri) : null;
      }
      case COMMANDS.auditFiles: {
        const uris = (Array.isArray(args[0]) ? args[0] : []).map(argUri).filter((u): u is string => !!u);
        const options = (typeof args[1] === 'object' && args[1] !== null ? args[1] : {}) as { header?: unknown; all?: unknown };
        return auditFiles(project, uris, token, { header: options.header !== false, all: options.all === true });
      }
      case COMMANDS.auditOverview: {
        const files = Array.isArray(args[0]) ? args[0].filter(isOverviewFile) : [];
        return auditHeader(files, args[1] === true);
      }
      case COMMANDS.fixAll: {
        const uri = argUri(args[0]);
        const target = uri ? await actionTarget(uri) : undefined;
        if (!target) return { applied: false, fixed: [] };
        const { edits, fixed, files } = fixAllEdits(target);
        if (edits.length === 0) return { applied: true, fixed: [] };
        const edit = coreEdit(target, edits, files);
        if (!edit) return { applied: false, fixed: [] };
        const result = await connection.workspace.applyEdit({ label: 'Lockwise: fix all', edit });
        return { applied: result.applied, fixed: result.applied ? fixed : [] };
      }
      case COMMANDS.traceFile:
        return traceDocument(argUri(args[0]), token);
      case COMMANDS.fileSummary: {
        const uri = argUri(args[0]);
        return uri ? fileSummary(project, uri) : null;
      }
      default:
        logError('executeCommand', new Error(`unknown command ${params.command}`));
        return null;
    }
  }),
);

// ---- trace -------------------------------------------------------------------------------------

function traceError(code: number, reason: string, message: string): ResponseError<{ reason: string; installCommand?: string }> {
  return new ResponseError(code, message, { reason, ...(reason === 'pglite-missing' ? { installCommand: INSTALL_COMMAND } : {}) });
}

/**
 * Traces an open document on the embedded PostgreSQL in the worker process (never in this one),
 * stores the per-statement results for the hover and answers with the markdown report.
 */
async function traceDocument(uri: string | undefined, token: CancellationToken): Promise<TraceCommandResult> {
  // Executing the migration (and, without the extension's own PGlite, code from the workspace's node_modules) needs trust.
  if (!trusted) {
    throw traceError(TRACE_ERRORS.untrusted, 'untrusted', 'Lockwise: tracing runs the migration on an embedded PostgreSQL and is disabled in untrusted workspaces. Trust the workspace to use it.');
  }
  const doc = uri ? documents.get(uri) : undefined;
  if (!uri || !doc) throw traceError(TRACE_ERRORS.notTraceable, 'not-open', 'Lockwise: open the migration in the editor to trace it.');
  const file = uriToPath(uri);
  if (!file) throw traceError(TRACE_ERRORS.notTraceable, 'not-a-file', 'Lockwise: save the migration to a file first (its schema history is read from its folder).');
  const state = await project.stateOf(doc);
  if (!state.analysis) throw traceError(TRACE_ERRORS.notTraceable, 'not-checked', `Lockwise: this file is not checked (${state.context.skip ?? 'unknown reason'}), so it cannot be traced.`);
  const analysis = state.analysis;
  const folder = project.folderOf(file);
  let location;
  try {
    location = locatePglite(__dirname, file, folder, trusted);
  } catch (error) {
    if (error instanceof TraceUnavailableError) throw traceError(TRACE_ERRORS.unavailable, 'pglite-missing', error.message);
    throw error;
  }
  if (token.isCancellationRequested) throw new ResponseError(LSPErrorCodes.RequestCancelled, 'the trace was cancelled');
  const started = Date.now();
  let report;
  try {
    report = await tracer.trace(location, traceRequest(file, analysis.text, analysis.config), folder ?? path.dirname(file), {
      progress: (message) => void connection.sendNotification(TraceProgressNotification, { uri, message }),
      onCancel: (cancel) => token.onCancellationRequested(cancel),
    });
  } catch (error) {
    if (error instanceof TraceCancelledError) throw new ResponseError(LSPErrorCodes.RequestCancelled, error.message);
    throw traceError(TRACE_ERRORS.failed, 'failed', `Lockwise: the trace failed: ${error instanceof Error ? error.message : String(error)}`);
  }
  const traced = traces.set(uri, analysis, report);
  const f = report.files[0];
  log(`traced ${path.basename(file)} in ${Date.now() - started} ms: ${f.summary.statements} statement(s), ${f.summary.failed} failed, ${f.summary.disagreements} difference(s)`);
  const target = linkTarget(uri);
  const markdown = traceMarkdown(
    { ...report, files: [{ ...f, path: displayPath(project, uri) }] },
    uri.startsWith('file:') ? { lineLink: (_f, line) => `${target}#L${line}` } : {},
  );
  return { uri, version: state.version, engine: report.engine, markdown, summary: f.summary, traced, pglite: location.source };
}

connection.onShutdown(() => {
  tracer.stop('the server is shutting down');
  background.stop();
});
process.on('exit', () => tracer.stop('exit'));

process.on('uncaughtException', (error) => logError('uncaught exception', error));
process.on('unhandledRejection', (error) => logError('unhandled rejection', error));

documents.listen(connection);
connection.listen();
