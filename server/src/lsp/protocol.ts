/**
 * The custom protocol between the language server and the VS Code client: every custom request,
 * notification, command id, error code and result shape. Besides vscode-languageserver-protocol,
 * type-only imports: the client bundles this file without pulling in the server.
 */
import { NotificationType, RequestType, RequestType0 } from 'vscode-languageserver-protocol';
import type { LockMode } from '../core';
import type { OverviewFile } from '../core';

/** `lockwise/status`: the server's version, trust and trace worker state (tests and diagnostics). */
export const StatusRequest = new RequestType0<ServerStatus, void>('lockwise/status');
/** `lockwise/didChangeTrust`: the client's workspace trust changed (untrusted: nothing executes SQL). */
export const TrustNotification = new NotificationType<{ trusted: boolean }>('lockwise/didChangeTrust');
/** `lockwise/traceProgress`, sent while a trace runs: what the worker is doing (shown in the client's progress notification). */
export const TraceProgressNotification = new NotificationType<{ uri: string; message: string }>('lockwise/traceProgress');

/**
 * `lockwise/traceAvailability`: whether the trace can load PGlite for a document (the extension's
 * copy, or the workspace's in a trusted workspace). The client sets TRACE_CONTEXT_KEY from it, so
 * the trace command is in the palette only where it can run.
 */
export const TraceAvailabilityRequest = new RequestType<{ uri?: string }, TraceAvailability, void>('lockwise/traceAvailability');
/** The context key package.json's `when` clause of the trace command reads. */
export const TRACE_CONTEXT_KEY = 'lockwise.traceAvailable';

export interface TraceAvailability {
  available: boolean;
  /** Where PGlite would be loaded from. */
  pglite?: 'bundled' | 'project';
  /** Why not: the workspace is untrusted, or no usable PGlite was found. */
  reason?: 'untrusted' | 'pglite-missing';
  /** One short sentence with the install step, when PGlite is missing. */
  message?: string;
  installCommand?: string;
}

/** Error codes of the trace command (`data.reason` says the same in words). */
export const TRACE_ERRORS = { untrusted: -32001, unavailable: -32002, notTraceable: -32003, failed: -32004 } as const;

export interface ServerStatus {
  version: string;
  trusted: boolean;
  documents: number;
  /** Open documents whose analysis the main thread holds (big ones are held by the analysis worker only). */
  analysesHeld?: number;
  tracer?: TracerStatus;
}

/** The trace worker process, as `lockwise/status` reports it. */
export interface TracerStatus {
  /** The worker's process id while it runs. */
  pid: number | null;
  /** The PGlite folder it loaded. */
  pglite: string | null;
  source: 'bundled' | 'project' | null;
  busy: boolean;
  /** The worker has the next fresh database ready (a trace now skips PGlite's start). */
  warm: boolean;
  traces: number;
  workersStarted: number;
}

/** The extension's palette commands (contributed in package.json; test/lsp/manifest.test.ts checks both agree). */
export const CLIENT_COMMANDS = {
  showAudit: 'lockwise.showAudit',
  auditWorkspace: 'lockwise.auditWorkspace',
  fixAllInFile: 'lockwise.fixAllInFile',
  showOutput: 'lockwise.showOutput',
  restartServer: 'lockwise.restartServer',
  trace: 'lockwise.trace',
} as const;

/** Commands the server handles through workspace/executeCommand (the palette commands are CLIENT_COMMANDS). */
export const COMMANDS = {
  auditFile: 'lockwise.auditFile',
  auditFiles: 'lockwise.auditFiles',
  /** The workspace audit's title and overview, from the `files` records of its auditFiles batches. */
  auditOverview: 'lockwise.auditOverview',
  fixAll: 'lockwise.fixAll',
  fileSummary: 'lockwise.fileSummary',
  /** Trace a document on the embedded PostgreSQL (trusted workspaces only); see trace.ts. */
  traceFile: 'lockwise.traceFile',
} as const;

/**
 * Commands the client registers (not in the palette) and the server puts in CodeLenses: `showStatement(uri, line,
 * character, 'fixes' | 'hover')` moves the cursor there and opens the fix menu or the hover.
 */
export const LENS_COMMANDS = {
  showStatement: 'lockwise.showStatement',
} as const;

/** What the server answers to `lockwise.traceFile`. */
export interface TraceCommandResult {
  uri: string;
  /** The document version that was traced. */
  version: number;
  engine: string;
  markdown: string;
  summary: { statements: number; failed: number; disagreements: number; totalMs: number };
  /** Statements whose hover now shows the trace. */
  traced: number;
  /** PGlite came from the extension or from the workspace's node_modules. */
  pglite: 'bundled' | 'project';
}

/** What the server answers to `lockwise.fileSummary` (the status bar item). */
export interface FileSummary {
  uri: string;
  /** Why the file is not checked; the other fields are then empty. */
  skipped?: string;
  /** The strongest lock on a relation that existed before the file. */
  worstLock: { mode: LockMode; relation: string } | null;
  tables: string[];
  rewrites: string[];
  findings: { error: number; warning: number; info: number };
  /** The runner that executes the file and how (e.g. "goose (…): goose runs this file in one transaction."). */
  runner?: string;
}

/** What the server answers to `lockwise.auditFiles`. */
export interface AuditFilesResult {
  markdown: string;
  audited: number;
  skipped: number;
  /** Per-file overview records, sent back with `lockwise.auditOverview` once every batch is in. */
  files: OverviewFile[];
}
