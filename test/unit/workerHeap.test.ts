/**
 * The analysis worker's nursery is bounded by how BackgroundAnalysis starts it (issue 15): V8 lets a
 * young generation grow to two 16 MB semi-spaces and keeps them for the rest of the session. The
 * proof runs a stand-in worker script through BackgroundAnalysis: it allocates as an analysis does
 * (much garbage, some survivors) and answers with the size of its new space. A bound by construction,
 * not a measurement of the real worker.
 */
import * as assert from 'assert';
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { AnalysisJob, BackgroundAnalysis, HEAP_GROWING_PERCENT, WORKER_YOUNG_MB } from '../../server/src/lsp/background';
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

  /**
   * A fresh process (V8's flags are process-wide, and the runner's heap would blur the numbers) starts
   * a stand-in worker through BackgroundAnalysis, keeps ~40 MB alive on its main thread and then
   * replaces a 1 MB text 150 times, as each edit replaces the document's text. V8's default let that
   * old generation reach ~135 MB (no full GC before 4x of what it keeps); the bound is the factor set
   * when the worker starts, with room for what is allocated while a collection is under way.
   */
  it(`once the worker starts, the main thread's dead texts are collected within ${HEAP_GROWING_PERCENT}% of what it keeps`, () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'lockwise-main-heap-'));
    try {
      const standIn = path.join(dir, 'stand-in.js');
      fs.writeFileSync(standIn, ANSWERING);
      const main = path.join(dir, 'main.js');
      fs.writeFileSync(main, MAIN_THREAD.replace('BACKGROUND', JSON.stringify(path.join(__dirname, '../../server/src/lsp/background.js'))));
      const run = spawnSync(process.execPath, ['--max-semi-space-size=1', main, standIn], { encoding: 'utf8', timeout: 60000 });
      assert.strictEqual(run.status, 0, run.stderr);
      const { live, peak } = JSON.parse(run.stdout) as { live: number; peak: number };
      assert.ok(live > 30, `kept ${live} MB`);
      assert.ok(peak < live * (1 + HEAP_GROWING_PERCENT / 100) + 16, `old generation ${peak} MB for ${live} MB kept`);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});

/** A stand-in worker that answers at once. */
const ANSWERING = `
const { parentPort } = require('worker_threads');
parentPort.on('message', (job) => parentPort.postMessage({ id: job.id, ok: true, result: { uri: job.uri, version: job.version, diagnostics: [], statements: 0, internalErrors: [], ms: 0 } }));
`;

/** The main thread of the process above: prints the old generation's size (MB) after its objects were made, and its peak over the texts. */
const MAIN_THREAD = `
const v8 = require('v8');
const { BackgroundAnalysis } = require(BACKGROUND);
const old = () => v8.getHeapSpaceStatistics().filter((s) => s.space_name === 'old_space' || s.space_name === 'large_object_space').reduce((a, s) => a + s.space_used_size, 0) / 1048576;
(async () => {
  const background = new BackgroundAnalysis(process.argv[2], 0, () => undefined);
  await background.analyze({ uri: 'file:///big.sql', version: 1, text: 'SELECT 1;', config: {}, history: [] }, 0);
  const kept = [];
  for (let i = 0; i < 400000; i++) kept.push({ i, text: 'kept ' + i });
  // Let the objects reach the old generation before measuring what is kept.
  for (let i = 0; i < 20; i++) new Array(100000).fill(i);
  const live = old();
  let text = '';
  let peak = 0;
  for (let i = 0; i < 150; i++) {
    // A flat 1 MB string on the heap, as a document's text once it has been read whole.
    text = new Array(1 << 16).fill(String.fromCharCode(97 + (i % 26)).repeat(16)).join('');
    // What an edit allocates besides: the text outlives a scavenge (a small nursery here) and reaches the old generation.
    for (let j = 0; j < 2; j++) new Array(100000).fill(j);
    peak = Math.max(peak, old());
  }
  background.stop();
  process.stdout.write(JSON.stringify({ live, peak, kept: kept.length, text: text.length }));
})();
`;
