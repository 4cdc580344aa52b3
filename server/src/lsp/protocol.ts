/**
 * Names and result shapes shared by the language server and the VS Code client. Type-only
 * imports: the client bundles this file without pulling in the server.
 */
import type { LockMode } from '../core/locks/modes';
import type { OverviewFile } from '../core/report/overview';

/** Commands the server handles through workspace/executeCommand (the palette commands have their own ids). */
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
