/**
 * Everything the language server holds, created once at `initialize` from the client's
 * capabilities and initialization options. Only trust and the pushed settings change afterwards.
 */
import * as path from 'path';
import { CodeLensRefreshRequest, Connection, InitializeParams, TextDocuments } from 'vscode-languageserver/node';
import { TextDocument } from 'vscode-languageserver-textdocument';
import { ruleDocsUrl, VERSION } from '../project/constants';
import { BackgroundAnalysis, HEAP_ALLOWANCE, HeapAllowance, WORKER_THRESHOLD } from './background';
import { ConfigDiagnostics } from './configDiagnostics';
import { DocsLink } from './diagnostics';
import { Documents } from './documents';
import { Log } from './log';
import { Scheduler } from './scheduler';
import { parseSettings, ServerSettings } from './settings';
import { DEFAULT_IDLE_MS, TraceService, TraceStore } from './trace';
import { Workspace } from './workspace';

export { VERSION };

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
  /** The analysis worker's heap cap per character of text (default HEAP_ALLOWANCE; tests shrink it). */
  workerHeap?: HeapAllowance;
}

/** What the client can do; dynamic registrations are only allowed when it says so. */
export interface ClientCapabilities {
  pulledConfiguration: boolean;
  versionedEdits: boolean;
  /** The client resolves code actions' edits when they are chosen (`codeAction/resolve`). */
  resolvableActions: boolean;
  /** The client shows disabled code actions with their reason. */
  disabledActions: boolean;
  /** The client applies snippet text edits (`workspace.workspaceEdit.snippetEditSupport`, LSP 3.18). */
  snippetEdits: boolean;
  codeLensRefresh: boolean;
  dynamic: { watchedFiles: boolean; configuration: boolean; workspaceFolders: boolean };
}

/** Runs the diagnostics of one document; `isStale` says a newer run was scheduled. */
export type LintRun = (state: ServerState, uri: string, isStale: () => boolean) => Promise<void>;

export class ServerState {
  trusted: boolean;
  private pushedSettings: unknown;
  readonly client: ClientCapabilities;
  readonly workspace: Workspace;
  readonly analyses: Documents;
  readonly configDiagnostics: ConfigDiagnostics;
  readonly scheduler: Scheduler;
  readonly background: BackgroundAnalysis;
  readonly tracer: TraceService;
  readonly traces = new TraceStore();
  /** Documents whose open already scheduled a run (TextDocuments reports the open as a change too). */
  readonly justOpened = new Set<string>();
  /** Rule documentation: the rendered page where the docs are published (an editor opens it in a browser, not as an editable file). */
  readonly docs: DocsLink = ruleDocsUrl;

  constructor(
    readonly connection: Connection,
    readonly documents: TextDocuments<TextDocument>,
    readonly log: Log,
    params: InitializeParams,
    lint: LintRun,
  ) {
    const options = (params.initializationOptions ?? {}) as InitOptions;
    this.trusted = options.trusted ?? true;
    this.pushedSettings = options.settings;
    this.client = clientCapabilities(params);
    const info = (message: string) => log.info(message);
    this.workspace = new Workspace(
      (scope) => this.fetchSettings(scope),
      (file) => this.analyses.textOf(file),
      { trusted: () => this.trusted, warn: (message) => log.showOnce('warning', `Lockwise: ${message}`), info },
    );
    this.analyses = new Documents(this.workspace, (length) => this.background.handles(length));
    this.configDiagnostics = new ConfigDiagnostics(connection, this.workspace, this.log);
    const safeLint = this.log.guard('diagnostics', undefined, (uri: string, isStale: () => boolean) => lint(this, uri, isStale));
    this.scheduler = new Scheduler(safeLint, nonNegative(options.debounceMs) ?? 150);
    this.background = new BackgroundAnalysis(
      path.join(__dirname, 'analysis-worker.js'),
      nonNegative(options.workerThreshold) ?? WORKER_THRESHOLD,
      info,
      heapAllowance(options.workerHeap),
    );
    const idleMs = typeof options.traceIdleMs === 'number' && options.traceIdleMs > 0 ? options.traceIdleMs : DEFAULT_IDLE_MS;
    this.tracer = new TraceService(path.join(__dirname, 'trace-worker.js'), idleMs, info);
  }

  /** The client pushed new settings (`workspace/didChangeConfiguration` with a `lockwise` section). */
  settingsPushed(raw: unknown): void {
    this.pushedSettings = raw;
  }

  private async fetchSettings(scopeUri: string | undefined): Promise<ServerSettings> {
    let raw: unknown = this.pushedSettings;
    if (this.client.pulledConfiguration) raw = await this.connection.workspace.getConfiguration({ scopeUri, section: 'lockwise' });
    const settings = parseSettings(raw);
    for (const e of settings.errors) this.log.showOnce('warning', `Lockwise: ${e}; the default is used.`);
    return settings;
  }

  /** Re-runs every open document's diagnostics (and asks for fresh CodeLens). */
  relintAll(delayMs = this.scheduler.delayMs): void {
    for (const doc of this.documents.all()) this.scheduler.schedule(doc.uri, delayMs);
    if (this.client.codeLensRefresh) void this.connection.sendRequest(CodeLensRefreshRequest.type).catch((e: unknown) => this.log.error('codeLens refresh', e));
  }
}

function heapAllowance(given: unknown): HeapAllowance {
  const { baseMb, perChar } = (typeof given === 'object' && given !== null ? given : {}) as Partial<Record<keyof HeapAllowance, unknown>>;
  return { baseMb: nonNegative(baseMb) ?? HEAP_ALLOWANCE.baseMb, perChar: nonNegative(perChar) ?? HEAP_ALLOWANCE.perChar };
}

function nonNegative(n: unknown): number | undefined {
  return typeof n === 'number' && n >= 0 ? n : undefined;
}

function clientCapabilities(params: InitializeParams): ClientCapabilities {
  const caps = params.capabilities;
  return {
    pulledConfiguration: !!caps.workspace?.configuration,
    versionedEdits: !!caps.workspace?.workspaceEdit?.documentChanges,
    resolvableActions: !!caps.textDocument?.codeAction?.resolveSupport?.properties.includes('edit'),
    disabledActions: !!caps.textDocument?.codeAction?.disabledSupport,
    snippetEdits: !!caps.workspace?.workspaceEdit?.snippetEditSupport,
    codeLensRefresh: !!caps.workspace?.codeLens?.refreshSupport,
    dynamic: {
      watchedFiles: !!caps.workspace?.didChangeWatchedFiles?.dynamicRegistration,
      configuration: !!caps.workspace?.didChangeConfiguration?.dynamicRegistration,
      workspaceFolders: !!caps.workspace?.workspaceFolders,
    },
  };
}
