/**
 * The analysis worker (worker_thread, bundled as dist/analysis-worker.js): analyses the big
 * documents that would block the server's main thread for seconds (see background.ts). It loads
 * the parser once, replays the schema history it is given (a Catalog cannot be posted between
 * threads, its texts can), runs the same `analyze` as the main thread and posts back plain data.
 */
import { parentPort } from 'worker_threads';
import { analyze, Catalog, initParser } from '../core';
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
    let history: Catalog | undefined;
    for (const h of job.history) replay(h.text, (history ??= new Catalog()), h.file);
    const analysis = analyze(job.text, { config: job.config, history, runner: job.runner, baseline: job.baseline, sizes: job.sizes });
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
