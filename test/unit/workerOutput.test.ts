/**
 * Over --stdio the language server's stdout is the protocol stream: a byte the analysis worker
 * prints there would corrupt it. BackgroundAnalysis takes the worker's stdout and sends it to the
 * log. The proof runs a stand-in worker script that prints before it answers.
 */
import * as assert from 'assert';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { AnalysisJob, BackgroundAnalysis } from '../../server/src/lsp/background';
import { DEFAULT_CONFIG } from '../../server/src/core';

const STAND_IN = `
const { parentPort } = require('worker_threads');
parentPort.on('message', (job) => {
  console.log('stray line from a dependency');
  process.stdout.write('Content-Length: 2\\r\\n\\r\\n{}');
  const result = { uri: job.uri, version: job.version, diagnostics: { whole: [] }, statements: 0, internalErrors: [], ms: 0 };
  // After the output is flushed to the parent, as a real worker's later reply would be.
  setTimeout(() => parentPort.postMessage({ id: job.id, ok: true, result }), 50);
});
`;

describe('analysis worker output', () => {
  it("what the worker prints reaches the log, never the process's stdout", async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'lockwise-worker-output-'));
    const script = path.join(dir, 'stand-in.js');
    fs.writeFileSync(script, STAND_IN);
    const logged: string[] = [];
    const background = new BackgroundAnalysis(script, 0, (m) => logged.push(m));
    const written: string[] = [];
    const write = process.stdout.write.bind(process.stdout);
    process.stdout.write = ((chunk: string | Uint8Array, ...rest: never[]) => {
      written.push(String(chunk));
      return write(chunk, ...rest);
    }) as typeof process.stdout.write;
    try {
      const job: Omit<AnalysisJob, 'id' | 'type'> = { uri: 'file:///big.sql', version: 1, text: 'SELECT 1;', config: DEFAULT_CONFIG, history: [] };
      assert.ok(await background.analyze(job, 0), 'the stand-in answered');
      await new Promise((resolve) => setTimeout(resolve, 50));
    } finally {
      process.stdout.write = write;
      background.stop();
      fs.rmSync(dir, { recursive: true, force: true });
    }
    assert.deepStrictEqual(
      written.filter((w) => /stray|Content-Length/.test(w)),
      [],
    );
    const log = logged.join('\n');
    assert.match(log, /stray line from a dependency/);
    assert.match(log, /Content-Length: 2/);
  });
});
