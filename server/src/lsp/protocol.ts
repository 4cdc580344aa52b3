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
