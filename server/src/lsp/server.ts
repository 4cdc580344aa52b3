/**
 * Wiring: which LSP message goes to which handler. `initialize` creates the ServerState; every
 * other handler is registered then and reads it. Handlers are guarded: an exception is logged and
 * answered with an empty result instead of taking the server down.
 */
import {
  CodeAction,
  CodeActionKind,
  Connection,
  DidChangeConfigurationNotification,
  DidChangeWatchedFilesNotification,
  ErrorCodes,
  InitializeParams,
  InitializeResult,
  ResponseError,
  TextDocuments,
  TextDocumentSyncKind,
  WatchKind,
} from 'vscode-languageserver/node';
import { TextDocument } from 'vscode-languageserver-textdocument';
import { setFlagsFromString } from 'v8';
import { initParser } from '../core';
import { GIT_REFS_GLOB, SQL_GLOB } from '../project/constants';
import { ActionTarget, codeActions, coreEdit, FIX_ALL_KIND, fixAllEdits, isActionData, resolveAction } from './codeActions';
import { codeLenses, lensesFor } from './codeLens';
import { auditFile, auditFiles, auditHeader, fileSummary, isOverviewFile } from './commands';
import { pathToUri, uriToPath } from './convert';
import { hover } from './hover';
import type { ActionClient, Query, QueryAnswers } from './background';
import { lint, workerAnalysis } from './lint';
import { Log } from './log';
import { COMMANDS, ServerStatus, StatusRequest, TraceAvailability, TraceAvailabilityRequest, TrustNotification } from './protocol';
import { ServerState, VERSION } from './state';
import { traceAvailability, traceDocument } from './traceCommand';

export function startServer(connection: Connection): void {
  keepParserBaseline();
  const documents = new TextDocuments(TextDocument);
  const log = new Log(connection);
  process.on('uncaughtException', (error) => log.error('uncaught exception', error));
  process.on('unhandledRejection', (error) => log.error('unhandled rejection', error));
  let initialized = false;
  connection.onInitialize(async (params: InitializeParams): Promise<InitializeResult> => {
    // LSP allows one initialize; a second one must not reset trust, settings or folders.
    if (initialized) throw new ResponseError(ErrorCodes.InvalidRequest, 'Lockwise: the server is already initialized');
    initialized = true;
    const state = new ServerState(connection, documents, log, params, lint);
    state.workspace.setFolders(workspaceFolders(params));
    registerHandlers(state);
    // No parser is loaded here: this thread loads it when it first analyses a document itself
    // (AnalysisCache.stateOf); a session of big documents only needs the analysis worker's.
    return {
      capabilities: {
        textDocumentSync: TextDocumentSyncKind.Incremental,
        hoverProvider: true,
        codeActionProvider: { codeActionKinds: [CodeActionKind.QuickFix, FIX_ALL_KIND], resolveProvider: true },
        codeLensProvider: { resolveProvider: false },
        executeCommandProvider: { commands: Object.values(COMMANDS) },
        workspace: { workspaceFolders: { supported: true, changeNotifications: true } },
      },
      serverInfo: { name: 'lockwise', version: VERSION },
    };
  });
  documents.listen(connection);
  connection.listen();
}

/**
 * The parsers' WebAssembly stays in V8's baseline code (Liftoff), as in a batch run (cli/main.ts).
 * Optimising it runs TurboFan on the parsers' giant functions, in both isolates, on V8's background
 * threads: ~60 MB of compiler memory at once, which glibc keeps in those threads' arenas afterwards
 * (malloc_info: 60 of 70 MB free, 20-40 MB of the server's RSS for the rest of the session). Edits
 * and the first analysis measured no slower without it (bench/FINDINGS.md). Process-wide, so it is
 * set before either thread compiles a parser; the analysis worker inherits it.
 */
function keepParserBaseline(): void {
  setFlagsFromString('--liftoff-only');
}

function workspaceFolders(params: InitializeParams): string[] {
  const folders = (params.workspaceFolders ?? []).map((f) => uriToPath(f.uri)).filter((p): p is string => !!p);
  if (folders.length === 0 && params.rootUri) {
    const root = uriToPath(params.rootUri);
    if (root) folders.push(root);
  }
  return folders;
}

function registerHandlers(state: ServerState): void {
  onInitialized(state);
  onDocuments(state);
  onWorkspaceChanges(state);
  onFeatures(state);
  onCommands(state);
  state.connection.onShutdown(() => {
    state.tracer.stop('the server is shutting down');
    state.background.stop();
  });
  process.on('exit', () => state.tracer.stop('exit'));
}

function onInitialized(state: ServerState): void {
  const { connection, log } = state;
  const dynamic = state.client.dynamic;
  connection.onInitialized(
    log.guard('initialized', undefined, async () => {
      if (dynamic.watchedFiles) {
        await connection.client.register(DidChangeWatchedFilesNotification.type, {
          watchers: [
            { globPattern: '**/.lockwise.json', kind: WatchKind.Create | WatchKind.Change | WatchKind.Delete },
            { globPattern: '**/.lockwise/*.json', kind: WatchKind.Create | WatchKind.Change | WatchKind.Delete },
            { globPattern: SQL_GLOB, kind: WatchKind.Create | WatchKind.Change | WatchKind.Delete },
            // Moved git refs change a git baseline (a commit, a fetch, a checkout).
            { globPattern: GIT_REFS_GLOB, kind: WatchKind.Create | WatchKind.Change | WatchKind.Delete },
          ],
        });
        state.workspace.watchingFiles();
      }
      if (dynamic.configuration) await connection.client.register(DidChangeConfigurationNotification.type, { section: 'lockwise' });
      if (dynamic.workspaceFolders) {
        connection.workspace.onDidChangeWorkspaceFolders(
          log.guard('workspaceFolders', undefined, async () => {
            const folders = (await connection.workspace.getWorkspaceFolders()) ?? [];
            state.workspace.setFolders(folders.map((f) => uriToPath(f.uri)).filter((p): p is string => !!p));
            state.relintAll();
          }),
        );
      }
      log.info(`Lockwise ${VERSION} ready (workspace ${state.trusted ? 'trusted' : 'untrusted: static analysis only'})`);
    }),
  );
}

function onDocuments(state: ServerState): void {
  const { documents, analyses, scheduler, log } = state;
  documents.onDidOpen((e) => {
    try {
      analyses.opened(e.document);
      state.justOpened.add(e.document.uri);
      scheduler.schedule(e.document.uri, 0);
    } catch (error) {
      log.error('didOpen', error);
    }
  });
  documents.onDidChangeContent((e) => {
    try {
      // TextDocuments reports an open as a content change too; the open already scheduled a run.
      if (state.justOpened.delete(e.document.uri)) return;
      analyses.changed(e.document);
      scheduler.schedule(e.document.uri);
      // Later migrations in the same folder see this file as schema history (their traces ran on the old one).
      for (const other of analyses.dependents(e.document.uri)) {
        scheduler.schedule(other.uri, scheduler.delayMs * 3);
        state.traces.delete(other.uri);
      }
    } catch (error) {
      log.error('didChange', error);
    }
  });
  documents.onDidClose((e) => {
    try {
      state.justOpened.delete(e.document.uri);
      scheduler.cancel(e.document.uri);
      state.background.cancel(e.document.uri);
      analyses.closed(e.document.uri);
      state.traces.delete(e.document.uri);
      void state.connection.sendDiagnostics({ uri: e.document.uri, diagnostics: [] });
      for (const other of analyses.dependents(e.document.uri)) scheduler.schedule(other.uri, scheduler.delayMs);
    } catch (error) {
      log.error('didClose', error);
    }
  });
}

function onWorkspaceChanges(state: ServerState): void {
  const { connection, log } = state;
  connection.onDidChangeWatchedFiles(
    log.guard('didChangeWatchedFiles', undefined, (params) => {
      const paths = params.changes.map((c) => uriToPath(c.uri)).filter((p): p is string => !!p);
      state.workspace.filesChanged(paths);
      for (const p of paths) for (const other of state.analyses.dependents(pathToUri(p))) state.traces.delete(other.uri);
      state.configDiagnostics.filesChanged(paths);
      state.relintAll(0);
    }),
  );
  connection.onDidChangeConfiguration(
    log.guard('didChangeConfiguration', undefined, (params) => {
      const settings = (params.settings ?? {}) as Record<string, unknown>;
      if (settings.lockwise !== undefined) state.settingsPushed(settings.lockwise);
      log.resetShown();
      state.workspace.settingsChanged();
      state.relintAll(0);
    }),
  );
  connection.onNotification(TrustNotification, (params) => {
    state.trusted = !!params.trusted;
    log.info(`workspace trust changed: ${state.trusted ? 'trusted' : 'untrusted'}`);
    if (!state.trusted) state.tracer.stop('the workspace is no longer trusted');
    state.workspace.baselinesChanged();
    state.relintAll(0);
  });
  connection.onRequest(
    TraceAvailabilityRequest,
    log.guard<[{ uri?: string }], TraceAvailability>('trace availability', { available: false }, (params) => traceAvailability(state, params.uri)),
  );
  const unknownStatus: ServerStatus = { version: VERSION, trusted: false, documents: 0 };
  connection.onRequest(
    StatusRequest,
    log.guard<[], ServerStatus>('status', unknownStatus, () => ({
      version: VERSION,
      trusted: state.trusted,
      documents: state.documents.all().length,
      analysesHeld: state.analyses.held().length,
      tracer: state.tracer.status(),
    })),
  );
}

/** The analysis of an open document (undefined when it is not open or not checked). */
async function analysisOf(state: ServerState, uri: string) {
  const doc = state.documents.get(uri);
  if (!doc) return undefined;
  const docState = await state.analyses.stateOf(doc);
  return docState.analysis ? { doc, state: docState, analysis: docState.analysis } : undefined;
}

async function actionTarget(state: ServerState, uri: string): Promise<ActionTarget | undefined> {
  const loaded = await analysisOf(state, uri);
  if (!loaded) return undefined;
  const options = state.workspace.analyzeOptions(uri, loaded.analysis.config, loaded.analysis.text, loaded.analysis.baseline);
  return {
    uri,
    version: loaded.state.version,
    analysis: loaded.analysis,
    options,
    reanalyze: (text) => state.analyses.variant(uri, text, options),
    reanalyzeLineBlind: state.analyses.lineBlindVariant(uri, options),
    versioned: state.client.versionedEdits,
    resolvable: state.client.resolvableActions,
    disabledActions: state.client.disabledActions,
    snippetEdits: state.client.snippetEdits,
    docs: state.docs,
  };
}

/** What code actions may offer this client. */
function actionClient(state: ServerState): ActionClient {
  const { versionedEdits, resolvableActions, disabledActions, snippetEdits } = state.client;
  return { versioned: versionedEdits, resolvable: resolvableActions, disabledActions, snippetEdits };
}

/**
 * The answer of the analysis worker when it owns the document (a big one, background.ts): the main
 * thread then holds no analysis of it. 'here': the main thread answers (a small document, or the
 * worker failed). Undefined: the document changed while the question was on its way.
 */
async function askWorker<K extends Query['kind']>(
  state: ServerState,
  uri: string,
  query: Extract<Query, { kind: K }>,
): Promise<QueryAnswers[K] | undefined | 'here'> {
  const doc = state.documents.get(uri);
  if (!doc || !state.background.handles(doc.getText().length)) return 'here';
  // Twice: the worker may have dropped its analysis of the document (it keeps a bounded number).
  for (let attempt = 0; attempt < 2; attempt++) {
    const analysed = await workerAnalysis(state, doc);
    if (analysed === 'here' || analysed === 'failed') return 'here';
    if (analysed === 'superseded') return undefined;
    try {
      const answer = await state.background.query(uri, analysed.version, query);
      if (answer !== undefined) return answer;
    } catch (error) {
      state.log.error(`analysis worker on ${uri}`, error);
      return 'here';
    }
    if (doc.version !== analysed.version) return undefined;
  }
  return undefined;
}

function onFeatures(state: ServerState): void {
  const { connection, log } = state;
  connection.onHover(
    log.guard('hover', null, async (params) => {
      const uri = params.textDocument.uri;
      // A traced document's card shows the trace's results, which the main thread holds.
      if (!state.traces.has(uri)) {
        const answer = await askWorker(state, uri, { kind: 'hover', position: params.position });
        if (answer !== 'here') return answer ?? null;
      }
      const loaded = await analysisOf(state, uri);
      if (!loaded) return null;
      const { analysis } = loaded;
      return hover(analysis, analysis.lines.offsetAt(params.position), (s) => state.traces.get(uri, analysis, s)) ?? null;
    }),
  );
  connection.onCodeAction(
    log.guard('codeAction', [], async (params) => {
      const query = { kind: 'codeActions', range: params.range, only: params.context.only, client: actionClient(state) } as const;
      const answer = await askWorker(state, params.textDocument.uri, query);
      if (answer !== 'here') return answer ?? [];
      const target = await actionTarget(state, params.textDocument.uri);
      if (!target) return [];
      return codeActions(target, params.range, params.context.only);
    }),
  );
  connection.onCodeActionResolve(async (action) => {
    try {
      return await resolveCodeAction(state, action);
    } catch (error) {
      log.error('codeAction/resolve', error);
      return action;
    }
  });
  connection.onCodeLens(
    log.guard('codeLens', [], async (params) => {
      const uri = params.textDocument.uri;
      // A big document's lenses are asked of the worker that analysed it: editors ask for lenses on
      // every open, and analysing it here for them would block every other document.
      const mode = (await state.workspace.settingsFor(uri)).codeLens;
      if (mode === 'off') return [];
      const fromWorker = await askWorker(state, uri, { kind: 'codeLens' });
      if (fromWorker === undefined) return [];
      if (fromWorker !== 'here') return lensesFor(mode, fromWorker);
      const loaded = await analysisOf(state, uri);
      if (!loaded || loaded.state.context.settings.codeLens === 'off') return [];
      return lensesFor(loaded.state.context.settings.codeLens, codeLenses(loaded.analysis, uri));
    }),
  );
}

/** A listed fix's edit, checked now (codeActions.ts lists most fixes unchecked when the client resolves). */
async function resolveCodeAction(state: ServerState, action: CodeAction): Promise<CodeAction> {
  if (!isActionData(action.data)) return action;
  const data = action.data;
  let resolved: CodeAction | undefined;
  const answer = await askWorker(state, data.uri, { kind: 'resolve', action, data, client: actionClient(state) });
  if (answer !== 'here') resolved = answer ?? undefined;
  else {
    const target = await actionTarget(state, data.uri);
    resolved = target ? resolveAction(target, action, data) : undefined;
  }
  if (resolved) return resolved;
  state.log.showOnce('warning', `Lockwise: "${action.title}" was not applied: the file changed since it was offered, or the fix did not pass its check.`);
  return action;
}

function argUri(arg: unknown): string | undefined {
  if (typeof arg === 'string') return arg;
  if (typeof arg === 'object' && arg !== null && typeof (arg as { uri?: unknown }).uri === 'string') return (arg as { uri: string }).uri;
  return undefined;
}

async function fixAllCommand(state: ServerState, uri: string | undefined): Promise<{ applied: boolean; fixed: string[] }> {
  if (!uri) return { applied: false, fixed: [] };
  const fix = await fixAllOf(state, uri);
  if (!fix) return { applied: false, fixed: [] };
  const { edit, fixed, empty } = fix;
  if (empty) return { applied: true, fixed: [] };
  if (!edit) return { applied: false, fixed: [] };
  const result = await state.connection.workspace.applyEdit({ label: 'Lockwise: fix all', edit });
  return { applied: result.applied, fixed: result.applied ? fixed : [] };
}

/** Every safe fix of the document as one edit: from the worker when it owns the document. */
async function fixAllOf(state: ServerState, uri: string): Promise<QueryAnswers['fixAll'] | undefined> {
  const answer = await askWorker(state, uri, { kind: 'fixAll', client: actionClient(state) });
  if (answer !== 'here') return answer;
  const target = await actionTarget(state, uri);
  if (!target) return undefined;
  const { edits, fixed, files } = fixAllEdits(target);
  return { edit: edits.length ? coreEdit(target, edits, files) : undefined, fixed, empty: edits.length === 0 };
}

function onCommands(state: ServerState): void {
  state.connection.onExecuteCommand(
    state.log.guard('executeCommand', null, async (params, token) => {
      await initParser();
      const args = params.arguments ?? [];
      const uri = argUri(args[0]);
      switch (params.command) {
        case COMMANDS.auditFile:
          return uri ? auditFile(state.analyses, uri) : null;
        case COMMANDS.auditFiles: {
          const uris = (Array.isArray(args[0]) ? args[0] : []).map(argUri).filter((u): u is string => !!u);
          const options = (typeof args[1] === 'object' && args[1] !== null ? args[1] : {}) as { header?: unknown; all?: unknown };
          return auditFiles(state.analyses, uris, token, { header: options.header !== false, all: options.all === true });
        }
        case COMMANDS.auditOverview: {
          const files = Array.isArray(args[0]) ? args[0].filter(isOverviewFile) : [];
          return auditHeader(files, args[1] === true);
        }
        case COMMANDS.fixAll:
          return fixAllCommand(state, uri);
        case COMMANDS.traceFile:
          return traceDocument(state, uri, token);
        case COMMANDS.fileSummary:
          return uri ? fileSummary(state.analyses, uri) : null;
        default:
          state.log.error('executeCommand', new Error(`unknown command ${params.command}`));
          return null;
      }
    }),
  );
}
