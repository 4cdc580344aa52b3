/**
 * The analysis worker's nursery is what BackgroundAnalysis starts it with (issue 15): bounded, and
 * its own even where the process sets a smaller one for every heap (the server's SERVER_EXEC_ARGV:
 * lsp/nursery.ts). The proof runs a stand-in worker script through BackgroundAnalysis: it allocates
 * as an analysis does (much garbage, some survivors) and answers with the size of its new space. A
 * bound by construction, not a measurement of the real worker.
 */
import * as assert from 'assert';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { execFileSync } from 'child_process';
import { AnalysisJob, BackgroundAnalysis, WORKER_YOUNG_MB } from '../../server/src/lsp/background';
import { DEFAULT_CONFIG } from '../../server/src/core';
import { semiSpaceOf } from '../../server/src/lsp/nursery';

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
  const result = { uri: job.uri, version: job.version, diagnostics: { whole: [] }, statements: space.space_size / 1048576, internalErrors: [], ms: 0 };
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

  it("reads the process's semi-space size as V8 does: the last flag, dashes or underscores", () => {
    assert.strictEqual(semiSpaceOf(['--max-semi-space-size=8']), 8);
    assert.strictEqual(semiSpaceOf(['--max_semi_space_size=4', '--inspect', '--max-semi-space-size=12']), 12);
    assert.strictEqual(semiSpaceOf(['--max-old-space-size=100', '']), undefined);
  });

  it('the worker gets its own nursery where the process sets a smaller one for every heap, and the main thread keeps that one', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'lockwise-worker-heap-'));
    const script = path.join(dir, 'stand-in.js');
    fs.writeFileSync(script, STAND_IN);
    // The server's process as the extension starts it: every heap's semi-spaces 8 MB.
    const server = `
      const v8 = require('v8');
      const { BackgroundAnalysis } = require(${JSON.stringify(path.join(__dirname, '../../server/src/lsp/background.js'))});
      const { DEFAULT_CONFIG } = require(${JSON.stringify(path.join(__dirname, '../../server/src/core/index.js'))});
      const background = new BackgroundAnalysis(${JSON.stringify(script)}, 0, () => undefined);
      background.analyze({ uri: 'file:///big.sql', version: 1, text: 'SELECT 1;', config: DEFAULT_CONFIG, history: [] }, 0).then((result) => {
        background.stop();
        let kept = [];
        for (let i = 0; i < 3e6; i++) {
          kept.push({ i, text: 'statement ' + i });
          if (kept.length > 200000) kept = [];
        }
        const main = v8.getHeapSpaceStatistics().find((s) => s.space_name === 'new_space').space_size / 1048576;
        console.log(JSON.stringify({ worker: result.statements, main }));
      });
    `;
    try {
      const out = execFileSync(process.execPath, ['--max-semi-space-size=8', '-e', server], { encoding: 'utf8' });
      const { worker, main } = JSON.parse(out) as { worker: number; main: number };
      assert.deepStrictEqual({ worker, main }, { worker: (2 * WORKER_YOUNG_MB) / 3, main: 16 });
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
