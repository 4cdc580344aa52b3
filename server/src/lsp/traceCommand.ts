/**
 * The `lockwise.traceFile` command: traces an open document on the embedded PostgreSQL in the
 * worker process (never in the server), stores the per-statement results for the hover and
 * answers with the markdown report. Refusals are ResponseErrors with a TRACE_ERRORS code.
 */
import * as path from 'path';
import { CancellationToken, LSPErrorCodes, ResponseError } from 'vscode-languageserver/node';
import { traceMarkdown } from '../trace/command';
import { bundledPglite, INSTALL_COMMAND, pgliteMissingShort, projectPglite } from '../trace/resolve';
import { displayPath, linkTarget } from './commands';
import { uriToPath } from './convert';
import { TRACE_ERRORS, TraceAvailability, TraceCommandResult, TraceProgressNotification } from './protocol';
import { ServerState } from './state';
import { locatePglite, TraceCancelledError, traceRequest, TraceUnavailableError } from './trace';

function traceError(code: number, reason: string, message: string): ResponseError<{ reason: string; installCommand?: string }> {
  return new ResponseError(code, message, { reason, ...(reason === 'pglite-missing' ? { installCommand: INSTALL_COMMAND } : {}) });
}

export async function traceDocument(state: ServerState, uri: string | undefined, token: CancellationToken): Promise<TraceCommandResult> {
  // Executing the migration (and, without the extension's own PGlite, code from the workspace's node_modules) needs trust.
  if (!state.trusted) {
    throw traceError(
      TRACE_ERRORS.untrusted,
      'untrusted',
      'Lockwise: tracing runs the migration on an embedded PostgreSQL and is disabled in untrusted workspaces. Trust the workspace to use it.',
    );
  }
  const doc = uri ? state.documents.get(uri) : undefined;
  if (!uri || !doc) throw traceError(TRACE_ERRORS.notTraceable, 'not-open', 'Lockwise: open the migration in the editor to trace it.');
  const file = uriToPath(uri);
  if (!file)
    throw traceError(TRACE_ERRORS.notTraceable, 'not-a-file', 'Lockwise: save the migration to a file first (its schema history is read from its folder).');
  const docState = await state.analyses.stateOf(doc);
  if (!docState.analysis)
    throw traceError(
      TRACE_ERRORS.notTraceable,
      'not-checked',
      `Lockwise: this file is not checked (${docState.context.skip ?? 'unknown reason'}), so it cannot be traced.`,
    );
  const analysis = docState.analysis;
  const folder = state.workspace.folderOf(file);
  const location = pgliteFor(state, file, folder);
  if (token.isCancellationRequested) throw new ResponseError(LSPErrorCodes.RequestCancelled, 'the trace was cancelled');
  const started = Date.now();
  let report;
  try {
    report = await state.tracer.trace(location, traceRequest(file, analysis.text, analysis.config), folder ?? path.dirname(file), {
      progress: (message) => void state.connection.sendNotification(TraceProgressNotification, { uri, message }),
      onCancel: (cancel) => token.onCancellationRequested(cancel),
    });
  } catch (error) {
    if (error instanceof TraceCancelledError) throw new ResponseError(LSPErrorCodes.RequestCancelled, error.message);
    throw traceError(TRACE_ERRORS.failed, 'failed', `Lockwise: the trace failed: ${error instanceof Error ? error.message : String(error)}`);
  }
  const traced = state.traces.set(uri, analysis, report);
  const f = report.files[0];
  state.log.info(
    `traced ${path.basename(file)} in ${Date.now() - started} ms: ${f.summary.statements} statement(s), ${f.summary.failed} failed, ${f.summary.disagreements} difference(s)`,
  );
  const target = linkTarget(uri);
  const markdown = traceMarkdown(
    { ...report, files: [{ ...f, path: displayPath(state.analyses, uri) }] },
    uri.startsWith('file:') ? { lineLink: (_f, line) => `${target}#L${line}` } : {},
  );
  return { uri, version: docState.version, engine: report.engine, markdown, summary: f.summary, traced, pglite: location.source };
}

function pgliteFor(state: ServerState, file: string, folder: string | undefined) {
  try {
    return locatePglite(__dirname, file, folder, state.trusted);
  } catch (error) {
    if (error instanceof TraceUnavailableError) throw traceError(TRACE_ERRORS.unavailable, 'pglite-missing', error.message);
    throw error;
  }
}

/**
 * Whether `traceDocument` could load PGlite for this document, answered from the files alone (no
 * worker is started, nothing is loaded): the extension's copy, else in a trusted workspace the
 * project's `@electric-sql/pglite` above the document, within its workspace folder.
 */
export function traceAvailability(state: ServerState, uri: string | undefined): TraceAvailability {
  if (!state.trusted) return { available: false, reason: 'untrusted' };
  if (bundledPglite(__dirname)) return { available: true, pglite: 'bundled' };
  // Without a saved document there is no project to look in (the palette offers the command only on a SQL editor).
  const file = uri ? uriToPath(uri) : undefined;
  const project = file ? projectPglite(path.dirname(file), state.workspace.folderOf(file) ?? path.dirname(file)) : {};
  if (project.found) return { available: true, pglite: 'project' };
  return { available: false, reason: 'pglite-missing', message: pgliteMissingShort(project.unusable), installCommand: INSTALL_COMMAND };
}
