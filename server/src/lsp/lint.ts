/**
 * One document's diagnostics run: analysed here, or in the analysis worker for big documents
 * (background.ts), then published unless a newer run or version superseded it.
 */
import { Diagnostic, DiagnosticSeverity } from 'vscode-languageserver/node';
import { initParser, LineIndex } from '../core';
import { formatBytes } from './commands';
import { findingDiagnostics, SOURCE, toDiagnostic } from './diagnostics';
import { DocumentState } from './documents';
import { ServerState } from './state';
import type { DocumentContext } from './workspace';

export async function lint(state: ServerState, uri: string, isStale: () => boolean): Promise<void> {
  const doc = state.documents.get(uri);
  if (!doc) return;
  await initParser();
  const snapshot = await state.analyses.snapshot(doc);
  if (!snapshot.context.skip && !snapshot.cached && state.background.handles(snapshot.text.length)) {
    const diagnostics = await lintInWorker(state, uri, snapshot.version, snapshot.text, snapshot.context);
    // undefined: superseded by a newer job, whose run publishes instead; 'failed': analyse here.
    if (diagnostics !== 'failed') {
      if (diagnostics) publish(state, uri, snapshot.version, diagnostics, isStale);
      return;
    }
  }
  const docState = await state.analyses.stateOf(doc);
  let diagnostics: Diagnostic[] = [];
  if (docState.analysis) diagnostics = findingDiagnostics(uri, docState.analysis, state.docs);
  // The core skips a rule or lock-model step that threw on this text and carries on: say so in the log.
  if (docState.analysis?.internalErrors.length) state.log.error(`analysis of ${uri}`, new Error(docState.analysis.internalErrors.join('; ')));
  else if (docState.context.skip === 'too-large') {
    const size = doc.getText().length;
    diagnostics = [tooLarge(docState, size)];
    state.log.info(`skipped ${uri}: ${size} characters is over maxFileSize`);
  }
  publish(state, uri, docState.version, diagnostics, isStale);
}

function tooLarge(docState: DocumentState, size: number): Diagnostic {
  return {
    range: { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } },
    severity: DiagnosticSeverity.Information,
    source: SOURCE,
    code: 'file-too-large',
    message: `Lockwise skipped this file: it is ${formatBytes(size)}, over lockwise.maxFileSize (${formatBytes(docState.context.settings.maxFileSize)}).`,
  };
}

function publish(state: ServerState, uri: string, version: number, diagnostics: Diagnostic[], isStale: () => boolean): void {
  // Never publish for an older version than the editor shows: a newer run is on its way.
  if (isStale() || state.documents.get(uri)?.version !== version) return;
  void state.connection.sendDiagnostics({ uri, version, diagnostics });
  state.configDiagnostics.sync();
}

/**
 * A big document's diagnostics from the analysis worker, so that other documents are answered
 * meanwhile. Undefined when superseded; 'failed' (logged) to analyse it here instead.
 */
async function lintInWorker(
  state: ServerState,
  uri: string,
  version: number,
  text: string,
  { config, baseline }: DocumentContext,
): Promise<Diagnostic[] | undefined | 'failed'> {
  let result;
  try {
    result = await state.background.analyze({
      uri,
      version,
      text,
      config,
      history: state.workspace.historyTexts(uri),
      runner: state.workspace.runnerFor(uri, text, config),
      baseline,
      sizes: state.workspace.sizesFor(uri),
    });
  } catch (error) {
    state.log.error(`analysis worker on ${uri}`, error);
    return 'failed';
  }
  if (!result) return undefined;
  state.log.info(`analysed ${uri} v${version} in the analysis worker: ${result.statements} statement(s) in ${result.ms} ms`);
  if (result.internalErrors.length) state.log.error(`analysis of ${uri}`, new Error(result.internalErrors.join('; ')));
  const lines = new LineIndex(text);
  return result.diagnostics.map((d) => toDiagnostic(uri, lines, d, state.docs));
}
