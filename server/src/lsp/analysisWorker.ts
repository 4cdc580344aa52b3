/**
 * The analysis worker (worker_thread, bundled as dist/analysis-worker.js): analyses the big
 * documents that would block the server's main thread for seconds (see background.ts). It loads
 * the parser once, replays the schema history it is given (a Catalog cannot be posted between
 * threads, its texts can), runs the same analysis as the main thread and posts back its diagnostics
 * as a change from the last it posted (diagnosticsChange.ts).
 *
 * It holds the one analysis of each big document and answers the server's questions about it
 * (hover, code actions, fix-all) from it. Kept: the most recent documents, while their texts
 * together stay within KEPT_TEXT (the most recent one always), each with its replayed history and
 * its incremental analysis (core/incremental), so the next version re-walks only what the edit can
 * change; a dropped document is analysed again in full when it is next asked about.
 */
import { parentPort } from 'worker_threads';
import type { Analysis, AnalyzeOptions } from '../core';
import { Catalog, IncrementalAnalyzer, initParser } from '../core';
import { ruleDocsUrl } from '../project/constants';
import type { HistoryText } from '../project/history';
import { replay } from '../project/history';
import type { ActionClient, AnalysisJob, AnalysisReply, Query, QueryAnswers, QueryJob, QueryReply, WorkerMessage } from './background';
import { KEPT_TEXT, WeightedLru } from './bounded';
import { ActionTarget, codeActions, coreEdit, fixAllEdits, resolveAction } from './codeActions';
import { codeLenses } from './codeLens';
import { findingDiagnostics } from './diagnostics';
import { changeFrom, PostedList } from './diagnosticsChange';
import { hover } from './hover';
import { IdleCollector } from './idleCollect';

const port = parentPort;
if (!port) throw new Error('analysis-worker.js runs as a worker_thread of the language server');
const parser = initParser();

/**
 * After two seconds without a message (edits, hovers, code actions), a full collection of the
 * analyses and texts that later ones replaced: the server rests at 207-219 MB instead of 222-237,
 * 3.5 s after 50 edits of the bench's 10,000-statement file. Not sooner: collecting 0.4 s after
 * the last edit, while the bench still asked for code actions, made them wait (p95 57-84 ms against
 * 42-55; bench/FINDINGS.md).
 */
const idle = new IdleCollector(2000);

// One message at a time, in order: a question posted after a job is answered from that job's analysis.
let chain: Promise<void> = Promise.resolve();
port.on('message', (message: WorkerMessage) => {
  chain = chain
    .then(() => handle(message))
    .catch((error: unknown) => port.postMessage({ id: 'id' in message ? message.id : -1, ok: false, error: errorText(error) }));
});

async function handle(message: WorkerMessage): Promise<void> {
  if (message.type === 'close') documents.delete(message.uri);
  else if (message.type === 'query') port!.postMessage(answer(message));
  else port!.postMessage(await run(message));
  idle.touch();
}

async function run(job: AnalysisJob): Promise<AnalysisReply> {
  try {
    await parser;
    await initParser(job.config.pgVersion);
    const started = Date.now();
    const doc = documentOf(job);
    // The superseded analysis goes before the next is made: the worker never holds two per document.
    doc.current = undefined;
    const options: AnalyzeOptions = { config: job.config, history: doc.history, runner: job.runner, baseline: job.baseline, sizes: job.sizes };
    const analysis = doc.analyzer.analyze(job.text, options);
    doc.current = { version: job.version, analysis, options };
    const diagnostics = findingDiagnostics(job.uri, analysis, ruleDocsUrl);
    const { change, kept } = changeFrom(doc.sent, job.base, diagnostics);
    doc.sent = { id: job.id, diagnostics: kept };
    return {
      id: job.id,
      ok: true,
      result: {
        uri: job.uri,
        version: job.version,
        diagnostics: change,
        statements: analysis.statements.length,
        internalErrors: analysis.internalErrors,
        ms: Date.now() - started,
      },
    };
  } catch (error) {
    documents.delete(job.uri);
    return { id: job.id, ok: false, error: errorText(error) };
  }
}

function answer(job: QueryJob): QueryReply {
  const doc = documents.get(job.uri);
  const current = doc?.current;
  if (!doc || !current || current.version !== job.version) return { id: job.id, ok: true, stale: true };
  try {
    return { id: job.id, ok: true, answer: answerFor(doc, job.uri, job.query) };
  } catch (error) {
    return { id: job.id, ok: false, error: errorText(error) };
  }
}

function answerFor(doc: KeptDocument, uri: string, query: Query): QueryAnswers[Query['kind']] {
  const { analysis } = doc.current!;
  switch (query.kind) {
    case 'hover':
      return hover(analysis, analysis.lines.offsetAt(query.position)) ?? null;
    case 'codeActions':
      return codeActions(actionTarget(doc, uri, query.client), query.range, query.only);
    case 'resolve':
      return resolveAction(actionTarget(doc, uri, query.client), query.action, query.data) ?? null;
    case 'fixAll': {
      const target = actionTarget(doc, uri, query.client);
      const { edits, fixed, files } = fixAllEdits(target);
      if (edits.length === 0) return { fixed: [], empty: true };
      return { edit: coreEdit(target, edits, files), fixed, empty: false };
    }
    // Asked for, not sent with every analysis: a lens per statement of the whole file cost 9% of an edit at 10,000 statements.
    case 'codeLens':
      return codeLenses(analysis, uri);
  }
}

/** A fix is checked against the analysis of the fixed text, made from this one without replacing it. */
function actionTarget(doc: KeptDocument, uri: string, client: ActionClient): ActionTarget {
  const { version, analysis, options } = doc.current!;
  return {
    uri,
    version,
    analysis,
    options,
    reanalyze: (text) => doc.analyzer.peek(text, options),
    reanalyzeLineBlind: (text) => doc.analyzer.peekLineBlind(text, options),
    ...client,
    docs: ruleDocsUrl,
  };
}

function errorText(error: unknown): string {
  return error instanceof Error ? `${error.message}\n${error.stack ?? ''}` : String(error);
}

interface KeptDocument {
  historyTexts: HistoryText[];
  history?: Catalog;
  analyzer: IncrementalAnalyzer;
  /** The analysis of the last version analysed: the one the questions are answered from. */
  current?: { version: number; analysis: Analysis; options: AnalyzeOptions };
  /** The diagnostics last posted: what the next job's may be posted as a change from. */
  sent?: PostedList;
  length: number;
}

const documents = new WeightedLru<KeptDocument>(KEPT_TEXT, (d) => d.length);

/** The document's replayed history (again only when its texts changed) and incremental analyzer. */
function documentOf(job: AnalysisJob): KeptDocument {
  let doc = documents.get(job.uri);
  if (!doc || !sameHistory(doc.historyTexts, job.history)) {
    // Same as HistoryProvider.catalogBefore: undefined without earlier migrations (the analysis
    // then starts from an empty schema and says so), else every earlier file replayed in order.
    let history: Catalog | undefined;
    for (const h of job.history) replay(h.text, (history ??= new Catalog()), h.file);
    doc = { historyTexts: job.history, history, analyzer: new IncrementalAnalyzer(), length: 0 };
  }
  doc.length = job.text.length;
  documents.set(job.uri, doc);
  return doc;
}

function sameHistory(a: HistoryText[], b: HistoryText[]): boolean {
  return a.length === b.length && a.every((h, i) => h.file === b[i].file && h.text === b[i].text);
}
