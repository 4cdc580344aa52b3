/**
 * One document's diagnostics run: analysed here, or in the analysis worker for big documents
 * (background.ts), then published unless a newer run or version superseded it.
 */
import { Diagnostic, DiagnosticSeverity } from 'vscode-languageserver/node';
import { formatBytes } from './commands';
import { findingDiagnostics, SOURCE } from './diagnostics';
import { TextDocument } from 'vscode-languageserver-textdocument';
import type { AnalysisResult } from './background';
import { DocumentState } from './documents';
import { ServerState } from './state';

export async function lint(state: ServerState, uri: string, isStale: () => boolean): Promise<void> {
  const doc = state.documents.get(uri);
  if (!doc) return;
  const outcome = await workerAnalysis(state, doc);
  // The worker's result is published; superseded: a newer job's run publishes instead.
  if (outcome === 'superseded') return;
  if (typeof outcome === 'object') {
    publish(state, uri, outcome.version, fromWorker(state, uri, outcome), isStale);
    return;
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

/** The analysis worker's analysis of a version of a document. */
export interface WorkerAnalysis {
  version: number;
  result: AnalysisResult;
}

/**
 * The worker's analysis of the document's current version (background.ts), started here unless
 * one for this version is already under way or done (a hover may have asked first). 'here': the
 * main thread analyses it (a small or unchecked document, or one already analysed here);
 * 'failed' (logged): analyse it here instead; 'superseded': a newer version replaced the job.
 */
export async function workerAnalysis(state: ServerState, doc: TextDocument): Promise<WorkerAnalysis | 'here' | 'failed' | 'superseded'> {
  const generation = state.workspace.generation;
  const snapshot = await state.analyses.snapshot(doc);
  const { version, text, context } = snapshot;
  if (context.skip || snapshot.cached || !state.background.handles(text.length)) return 'here';
  const uri = doc.uri;
  const result =
    state.background.resultFor(uri, version, generation) ??
    state.background.analyze(
      {
        uri,
        version,
        text,
        config: context.config,
        history: state.workspace.historyTexts(uri),
        runner: state.workspace.runnerFor(uri, text, context.config),
        baseline: context.baseline,
        sizes: state.workspace.sizesFor(uri),
      },
      generation,
    );
  try {
    const analysed = await result;
    return analysed ? { version, result: analysed } : 'superseded';
  } catch (error) {
    state.log.error(`analysis worker on ${uri}`, error);
    return 'failed';
  }
}

/** A big document's diagnostics, made in the worker as `findingDiagnostics` makes them here. */
function fromWorker(state: ServerState, uri: string, { version, result }: WorkerAnalysis): Diagnostic[] {
  state.log.info(`analysed ${uri} v${version} in the analysis worker: ${result.statements} statement(s) in ${result.ms} ms`);
  if (result.internalErrors.length) state.log.error(`analysis of ${uri}`, new Error(result.internalErrors.join('; ')));
  return result.diagnostics;
}
