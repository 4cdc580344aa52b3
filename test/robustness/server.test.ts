/**
 * The real server (dist/server.js over stdio) on hostile files: over lockwise.maxFileSize it says it
 * skipped the file instead of analysing it; below it, it analyses big files (in its analysis worker,
 * bigDocuments.test.ts) and other documents get diagnostics and hovers first (latency measured and
 * printed); hostile text keeps exact ranges.
 */
import * as assert from 'assert';
import * as fs from 'fs';
import * as path from 'path';
import { messageText, TestClient, tempWorkspace, uriOf, write } from '../lsp/client';
import { loadCorpus, rangeInside } from './fuzzer';
import { denseLine, dumpLike, HOSTILE, MB } from './hostile';
import { itWithCorpus } from '../support/corpus';

const SMALL = "SET lock_timeout = '1s';\nCREATE INDEX small_idx ON t (c);\n";

function errorsIn(client: TestClient): string[] {
  return client.logs.filter((l) => / failed: |uncaught|unhandled/i.test(l));
}

describe('server robustness: big and hostile files', function () {
  this.timeout(120000);
  let client: TestClient;
  let dir: string;
  let stderr = '';

  before(async () => {
    dir = tempWorkspace();
    client = await TestClient.start(dir);
    client.proc.stderr?.on('data', (d: Buffer) => (stderr += d.toString()));
  });
  after(() => client?.stop());
  afterEach(() => {
    assert.deepStrictEqual(errorsIn(client), [], 'the server logged an error');
    assert.strictEqual(stderr, '', 'the server wrote to stderr');
    assert.ok(client.alive(), 'the server is alive');
  });

  it('over the default lockwise.maxFileSize (5 MB): one "skipped" diagnostic, no analysis, hover and code actions empty', async () => {
    const text = dumpLike(5.5 * MB);
    const uri = uriOf(write(dir, 'huge.sql', text));
    const t0 = Date.now();
    await client.openUri(uri, text);
    const published = await client.diagnostics(uri);
    const ms = Date.now() - t0;
    assert.strictEqual(published.diagnostics.length, 1, JSON.stringify(published.diagnostics.slice(0, 3)));
    const d = published.diagnostics[0];
    assert.strictEqual(d.code, 'file-too-large');
    assert.match(messageText(d.message), /skipped this file: it is 5\.\d MB, over lockwise\.maxFileSize \(5 MB\)/);
    assert.ok(ms < 5000, `${ms} ms: the skip must not analyse the file`);
    assert.strictEqual(await client.hover(uri, 2, 5), null);
    assert.deepStrictEqual(await client.codeActions(uri, { start: { line: 2, character: 0 }, end: { line: 2, character: 5 } }), []);
    console.log(`      (5.5 MB file skipped in ${ms} ms)`);
    await client.close(uri);
  });

  it('below it: a 4.5 MB file is analysed, and another document still gets diagnostics and hovers meanwhile', async () => {
    const big = dumpLike(4.5 * MB);
    const bigUri = uriOf(write(dir, 'big.sql', big));
    // Another folder: the big file is not its schema history (that would add a replay of it).
    const smallUri = uriOf(write(dir, 'other/small.sql', SMALL));
    const t0 = Date.now();
    await client.openUri(bigUri, big);
    await new Promise((r) => setTimeout(r, 50));
    const t1 = Date.now();
    await client.openUri(smallUri, SMALL);
    const smallDiagnostics = client.diagnostics(smallUri).then(() => Date.now() - t1);
    const smallHover = client.hover(smallUri, 1, 3).then((h) => ({ ms: Date.now() - t1, h }));
    const bigDone = client.diagnostics(bigUri).then((p) => ({ ms: Date.now() - t0, p }));
    const [small, hover, done] = await Promise.all([smallDiagnostics, smallHover, bigDone]);
    console.log(`      (4.5 MB file analysed in ${done.ms} ms; meanwhile a small file got diagnostics after ${small} ms and a hover after ${hover.ms} ms)`);
    assert.ok(hover.h, 'the small file has a hover');
    const lines = big.split(/\r\n|\r|\n/);
    const last = lines.length - 2;
    assert.ok(
      done.p.diagnostics.some((d) => d.code === 'require-concurrent-index-creation' && d.range.start.line === last && d.range.start.character === 0),
      'the finding on the last line of the big file',
    );
    // The big file is analysed in the analysis worker (over WORKER_THRESHOLD): the small one does not wait for it.
    assert.ok(small < done.ms, `small file after ${small} ms, big file after ${done.ms} ms`);
    await client.close(bigUri);
    await client.close(smallUri);
  });

  it('worst case per byte (1 MB of tiny statements): the latency another document sees is measured', async () => {
    const dense = denseLine(1 * MB);
    const bigUri = uriOf(write(dir, 'dense.sql', dense));
    const smallUri = uriOf(write(dir, 'other2/small.sql', SMALL));
    const t0 = Date.now();
    await client.openUri(bigUri, dense);
    await new Promise((r) => setTimeout(r, 50));
    const t1 = Date.now();
    await client.openUri(smallUri, SMALL);
    const small = client.diagnostics(smallUri).then(() => Date.now() - t1);
    const big = client.diagnostics(bigUri).then(() => Date.now() - t0);
    const [smallMs, bigMs] = await Promise.all([small, big]);
    console.log(`      (1 MB of tiny statements analysed in ${bigMs} ms; a small file waited ${smallMs} ms for its diagnostics)`);
    // 1 MB is over WORKER_THRESHOLD too: analysed off the main thread.
    assert.ok(smallMs < bigMs, `small file after ${smallMs} ms, big file after ${bigMs} ms`);
    await client.close(bigUri);
    await client.close(smallUri);
  });

  itWithCorpus(
    'the whole corpus (PostgreSQL regression suite included): every file gets diagnostics inside the document, no error logged',
    async function (CORPUS) {
      const files = loadCorpus(CORPUS, 5 * MB);
      const t0 = Date.now();
      let diagnostics = 0;
      for (const [i, file] of files.entries()) {
        const text = fs.readFileSync(file, 'utf8');
        // One folder per file, so each is analysed on its own (no history replay of its neighbours).
        const uri = uriOf(path.join(dir, 'corpus', String(i), path.basename(file)));
        await client.openUri(uri, text);
        const published = await client.diagnostics(uri);
        const doc = client.docs.get(uri)!;
        for (const d of published.diagnostics) {
          const bad = rangeInside(doc, d.range);
          assert.ok(!bad, `${path.relative(CORPUS, file)}: ${d.code} ${bad}`);
        }
        diagnostics += published.diagnostics.length;
        await client.close(uri);
      }
      console.log(`      (${files.length} corpus files through the server in ${Date.now() - t0} ms, ${diagnostics} diagnostics)`);
    },
  );

  it('hostile texts (as an editor decodes them) keep exact ranges in published diagnostics', async () => {
    for (const h of HOSTILE) {
      const text = h.text();
      if (text.length > 300 * 1024 || !h.expect) continue;
      const uri = uriOf(write(dir, `hostile-${HOSTILE.indexOf(h)}.sql`, text));
      await client.openUri(uri, text);
      const published = await client.diagnostics(uri);
      const e = h.expect;
      const hit = published.diagnostics.find(
        (d) =>
          d.code === e.rule &&
          d.range.start.line === e.line &&
          d.range.start.character === e.character &&
          d.range.end.line === e.line &&
          d.range.end.character === e.endCharacter,
      );
      assert.ok(hit, `${h.name}: ${JSON.stringify(published.diagnostics.map((d) => [d.code, d.range]))}`);
      await client.close(uri);
    }
  });
});
