/**
 * Names shared by the language server and the VS Code client. No imports: the client bundles this
 * file without pulling in the server.
 */

/** Commands the server handles through workspace/executeCommand (the palette commands have their own ids). */
export const COMMANDS = {
  auditFile: 'lockwise.auditFile',
  auditFiles: 'lockwise.auditFiles',
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
