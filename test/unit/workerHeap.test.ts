/**
 * The analysis worker's nursery is bounded by how BackgroundAnalysis starts it (issue 15): V8 lets a
 * young generation grow to two 16 MB semi-spaces and keeps them for the rest of the session. The
 * proof runs a stand-in worker script through BackgroundAnalysis: it allocates as an analysis does
 * (much garbage, some survivors) and answers with the size of its new space. A bound by construction,
 * not a measurement of the real worker.
 */
import * as assert from 'assert';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { AnalysisJob, BackgroundAnalysis, WORKER_YOUNG_MB } from '../../server/src/lsp/background';
import { DEFAULT_CONFIG } from '../../server/src/core';

/** Answers every job with its new space's size (MB) as the statement count, after churning 300 MB. */
const STAND_IN = `
const { parentPort } = require('worker_threads');
const v8 = require('v8');
parentPort.on('message', (job) => {
  let kept = [];
  for (let i = 0; i < 3e6; i++) {
    kept.push({ i, text: 'statement ' + i });
    if (kept.length > 200000) kept = [];
  }
  const space = v8.getHeapSpaceStatistics().find((s) => s.space_name === 'new_space');
  const result = { uri: job.uri, version: job.version, diagnostics: [], statements: space.space_size / 1048576, internalErrors: [], ms: 0 };
  parentPort.postMessage({ id: job.id, ok: true, result });
});
`;

describe('analysis worker heap', () => {
  it(`the worker's new space stays within two semi-spaces of a third of ${WORKER_YOUNG_MB} MB however much it allocates`, async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'lockwise-worker-heap-'));
    const script = path.join(dir, 'stand-in.js');
    fs.writeFileSync(script, STAND_IN);
    const background = new BackgroundAnalysis(script, 0, () => undefined);
    try {
      const job: Omit<AnalysisJob, 'id' | 'type'> = { uri: 'file:///big.sql', version: 1, text: 'SELECT 1;', config: DEFAULT_CONFIG, history: [] };
      const result = await background.analyze(job, 0);
      assert.ok(result, 'the stand-in answered');
      // V8's young generation is two semi-spaces plus as much again for young large objects.
      assert.ok(result.statements <= (2 * WORKER_YOUNG_MB) / 3, `new space ${result.statements} MB`);
    } finally {
      background.stop();
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
