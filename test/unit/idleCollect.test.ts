/**
 * The idle collection (lsp/idleCollect.ts): one full collection after a burst of work, never during
 * it; and on the server's main thread it frees the dead copies of the texts that edits posted to the
 * analysis worker. The second proof runs in a fresh process (V8's flags are process-wide, and the
 * test runner's own heap would blur the numbers) with a stand-in worker.
 */
import * as assert from 'assert';
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { IdleCollector } from '../../server/src/lsp/idleCollect';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('idle collection', () => {
  it('collects once, a delay after the last touch of a burst', async () => {
    let collections = 0;
    const collector = new IdleCollector(60, () => collections++);
    for (let i = 0; i < 5; i++) {
      collector.touch();
      await sleep(20);
    }
    assert.strictEqual(collections, 0, 'not while touched more often than the delay');
    await sleep(120);
    assert.strictEqual(collections, 1);
  });

  it('collects nothing once stopped', async () => {
    let collections = 0;
    const collector = new IdleCollector(20, () => collections++);
    collector.touch();
    collector.stop();
    await sleep(80);
    assert.strictEqual(collections, 0);
  });

  it("frees the main thread's dead texts once the edits pause", () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'lockwise-idle-gc-'));
    try {
      const standIn = path.join(dir, 'stand-in.js');
      fs.writeFileSync(standIn, ANSWERING);
      const main = path.join(dir, 'main.js');
      fs.writeFileSync(main, MAIN_THREAD.replace('BACKGROUND', JSON.stringify(path.join(__dirname, '../../server/src/lsp/background.js'))));
      const run = spawnSync(process.execPath, [main, standIn], { encoding: 'utf8', timeout: 60000 });
      assert.strictEqual(run.status, 0, run.stderr);
      const { edited, rested } = JSON.parse(run.stdout) as { edited: number; rested: number };
      assert.ok(edited >= 6, `the dead texts were there: ${edited} MB of large objects after the edits`);
      assert.ok(rested <= 2.5, `${rested} MB of large objects after the pause`);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});

/** A stand-in worker that answers at once. */
const ANSWERING = `
const { parentPort } = require('worker_threads');
parentPort.on('message', (job) => parentPort.postMessage({ id: job.id, ok: true, result: { uri: job.uri, version: job.version, diagnostics: { whole: [] }, statements: 0, internalErrors: [], ms: 0 } }));
`;

/**
 * Posts 12 versions of a 1 MB text through BackgroundAnalysis, as edits of a big document do, and
 * prints the size (MB) of V8's large objects (each text is one) after them and after a second's pause.
 */
const MAIN_THREAD = `
const v8 = require('v8');
const { BackgroundAnalysis } = require(BACKGROUND);
const large = () => v8.getHeapSpaceStatistics().find((s) => s.space_name === 'large_object_space').space_used_size / 1048576;
(async () => {
  const background = new BackgroundAnalysis(process.argv[2], 0, () => undefined);
  for (let version = 1; version <= 12; version++) {
    // A flat 1 MB string, as the document's text that each edit posts.
    const text = new Array(1 << 16).fill(String.fromCharCode(97 + version).repeat(16)).join('');
    await background.analyze({ uri: 'file:///big.sql', version, text, config: {}, history: [] }, 0);
  }
  const edited = large();
  await new Promise((resolve) => setTimeout(resolve, 1000));
  const rested = large();
  background.stop();
  process.stdout.write(JSON.stringify({ edited, rested }));
})();
`;
