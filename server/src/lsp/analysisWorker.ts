/**
 * The analysis worker (worker_thread, bundled as dist/analysis-worker.js): analyses the big
 * documents that would block the server's main thread for seconds (see background.ts). It loads
 * the parser once, replays the schema history it is given (a Catalog cannot be posted between
 * threads, its texts can), runs the same analysis as the main thread and posts back plain data.
 * The last few documents keep their replayed history and their incremental analysis
 * (core/incremental), so the next version of a document re-walks only what the edit can change.
 */
import { parentPort } from 'worker_threads';
import { Catalog, IncrementalAnalyzer, initParser } from '../core';
import type { HistoryText } from '../project/history';
import { replay } from '../project/history';
import type { AnalysisJob, AnalysisReply } from './background';
import { codeLenses } from './codeLens';
import { diagnosticData } from './diagnostics';

const port = parentPort;
if (!port) throw new Error('analysis-worker.js runs as a worker_thread of the language server');
const parser = initParser();

port.on('message', (job: AnalysisJob) => {
  void run(job).then((reply) => port.postMessage(reply));
});

async function run(job: AnalysisJob): Promise<AnalysisReply> {
  try {
    await parser;
    await initParser(job.config.pgVersion);
    const started = Date.now();
    // Same as HistoryProvider.catalogBefore: undefined without earlier migrations (analyze then
    // starts from an empty schema and says so), else every earlier file replayed in order.
    const doc = documentOf(job);
    const analysis = doc.analyzer.analyze(job.text, { config: job.config, history: doc.history, runner: job.runner, baseline: job.baseline, sizes: job.sizes });
    return {
      id: job.id,
      ok: true,
      result: {
        uri: job.uri,
        version: job.version,
        diagnostics: analysis.findings.map((f) => diagnosticData(analysis, f)),
        lenses: codeLenses(analysis, job.uri),
        statements: analysis.statements.length,
        internalErrors: analysis.internalErrors,
        ms: Date.now() - started,
      },
    };
  } catch (error) {
    return { id: job.id, ok: false, error: error instanceof Error ? `${error.message}\n${error.stack ?? ''}` : String(error) };
  }
}

/** Documents whose analysis state the worker keeps (each holds about one analysis and its snapshots). */
const KEPT_DOCUMENTS = 4;

interface KeptDocument {
  historyTexts: HistoryText[];
  history?: Catalog;
  analyzer: IncrementalAnalyzer;
}

/** Most recently used last. */
const documents = new Map<string, KeptDocument>();

/** The document's replayed history (again only when its texts changed) and incremental analyzer. */
function documentOf(job: AnalysisJob): KeptDocument {
  let doc = documents.get(job.uri);
  documents.delete(job.uri);
  if (!doc || !sameHistory(doc.historyTexts, job.history)) {
    // Same as HistoryProvider.catalogBefore: undefined without earlier migrations (the analysis
    // then starts from an empty schema and says so), else every earlier file replayed in order.
    let history: Catalog | undefined;
    for (const h of job.history) replay(h.text, (history ??= new Catalog()), h.file);
    doc = { historyTexts: job.history, history, analyzer: new IncrementalAnalyzer() };
  }
  documents.set(job.uri, doc);
  for (const uri of documents.keys()) if (documents.size > KEPT_DOCUMENTS) documents.delete(uri);
  return doc;
}

function sameHistory(a: HistoryText[], b: HistoryText[]): boolean {
  return a.length === b.length && a.every((h, i) => h.file === b[i].file && h.text === b[i].text);
}
