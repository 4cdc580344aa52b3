/**
 * `lockwise.traceFile` (the "Lockwise: Trace Locks in Embedded PostgreSQL" command) through the real
 * server over stdio: the trace runs in the server's worker process (dist/trace-worker.js), the
 * hover of each traced statement shows what PostgreSQL did, the server stays responsive meanwhile,
 * untrusted workspaces are refused, the worker is reused and stopped when idle, and a build without
 * PGlite says how to enable it (and uses the workspace's copy when there is one).
 */
import * as assert from 'assert';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { Hover, MarkupContent, ResponseError } from 'vscode-languageserver-protocol/node';
import { TestClient, tempWorkspace } from './client';
import { TraceAvailability, TraceAvailabilityRequest, TraceCommandResult } from '../../server/src/lsp/protocol';

const REPO = path.resolve(__dirname, '..', '..', '..');
const FIXTURES = path.join(REPO, 'test/fixtures/trace/migrations');
const TRACE = 'lockwise.traceFile';
const IDLE_MS = 5000;
/**
 * The trusted workspace's idle period: the worker's clock starts when a trace ends, and the next
 * fresh database is made within it; at load that took longer than 5 s, the worker stopped before
 * the second trace, and the reuse test saw a new one.
 */
const TRUSTED_IDLE_MS = 20000;

type TraceResult = TraceCommandResult;

interface Status {
  trusted: boolean;
  tracer: { pid: number | null; busy: boolean; warm: boolean; traces: number; workersStarted: number; source: string | null };
}

function text(h: Hover | null): string {
  return h ? (h.contents as MarkupContent).value : '';
}

function migrations(): Record<string, string> {
  return {
    'migrations/001_init.sql': fs.readFileSync(path.join(FIXTURES, '001_init.sql'), 'utf8'),
    'migrations/002_change.sql': fs.readFileSync(path.join(FIXTURES, '002_change.sql'), 'utf8'),
  };
}

const status = (client: TestClient) => client.conn.sendRequest<Status>('lockwise/status');
/** What the client sets its `lockwise.traceAvailable` context key from. */
const availability = (client: TestClient, uri?: string) => client.conn.sendRequest<TraceAvailability>(TraceAvailabilityRequest.method, { uri });

async function until(what: string, check: () => Promise<boolean>, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** The rejection of a request, as a ResponseError. */
async function refusal(p: Promise<unknown>): Promise<ResponseError<{ reason?: string; installCommand?: string }>> {
  try {
    await p;
  } catch (error) {
    assert.ok(error instanceof ResponseError, `expected a ResponseError, got ${String(error)}`);
    return error as ResponseError<{ reason?: string; installCommand?: string }>;
  }
  assert.fail('the request was not refused');
}

describe('LSP trace on the embedded PostgreSQL', function () {
  // PGlite starts in 2-3 s from the cached initdb (8-12 s the very first time on a machine).
  this.timeout(120000);

  describe('trusted workspace', function () {
    let client: TestClient;
    let root: string;
    let uri: string;
    let first: TraceResult;
    let firstMs: number;
    let workerPid: number | null;

    before(async function () {
      root = tempWorkspace(migrations());
      client = await TestClient.start(root, { initializationOptions: { traceIdleMs: TRUSTED_IDLE_MS } });
      uri = await client.open(path.join(root, 'migrations/002_change.sql'));
      await client.diagnostics(uri);
    });
    after(async () => client?.stop());

    it('answers hovers while the trace runs in the worker process', async function () {
      assert.doesNotMatch(text(await client.hover(uri, 3, 5)), /Traced on/);
      const started = Date.now();
      let done = false;
      const pending = client.executeCommand<TraceResult>(TRACE, uri).finally(() => (done = true));
      let answeredWhileBusy = 0;
      let slowest = 0;
      while (!done) {
        const t0 = Date.now();
        const md = text(await client.hover(uri, 3, 5));
        const ms = Date.now() - t0;
        assert.match(md, /SHARE ROW EXCLUSIVE/);
        if (!done) {
          answeredWhileBusy++;
          slowest = Math.max(slowest, ms);
          const s = await status(client);
          if (s.tracer.busy) workerPid = s.tracer.pid;
        }
        await new Promise((r) => setTimeout(r, 50));
      }
      first = await pending;
      firstMs = Date.now() - started;
      assert.ok(answeredWhileBusy >= 3, `only ${answeredWhileBusy} hover(s) answered during a ${firstMs} ms trace`);
      assert.ok(slowest < 1000, `a hover took ${slowest} ms during the trace`);
      assert.ok(workerPid && workerPid !== client.proc.pid, 'the trace ran in another process');
    });

    it('answers with the markdown report', function () {
      assert.match(first.engine, /^PostgreSQL 18\./);
      assert.strictEqual(first.pglite, 'bundled');
      assert.deepStrictEqual({ statements: first.summary.statements, failed: first.summary.failed }, { statements: 9, failed: 1 });
      assert.strictEqual(first.version, 1);
      assert.match(first.markdown, /^# Lockwise trace \(PostgreSQL 18\./);
      assert.match(first.markdown, /## migrations\/002\\_change\.sql/);
      assert.match(first.markdown, /Schema history replayed first: 1 file\(s\)\./);
      // Each row links to its line in the migration.
      assert.match(first.markdown, /\| \[4\]\(file:\/\/\/[^)]*002_change\.sql#L4\) \| `ALTER TABLE orders ADD CONSTRAINT orders_user_fk/);
      assert.match(first.markdown, /\*\*ERROR\*\*: relation "invoices" does not exist/);
    });

    it('the hover of each traced statement shows what PostgreSQL did', async function () {
      const fk = text(await client.hover(uri, 3, 5));
      const tracedLine = fk.split('\n').find((l) => l.startsWith('**Traced on')) ?? '';
      assert.match(
        tracedLine,
        /^\*\*Traced on PostgreSQL 18\.\d+:\*\* `(users|orders)` SHARE ROW EXCLUSIVE, `(users|orders)` SHARE ROW EXCLUSIVE; no rewrite, no scan; [\d.]+ ms \(empty schema\)/,
      );
      assert.match(tracedLine, /`orders`/);
      assert.match(tracedLine, /`users`/);
      assert.match(fk, /Matches the prediction\./);
      // The static card is still there, above the traced section.
      assert.ok(fk.indexOf('| relation | mode | role |') < fk.indexOf('Traced on'));
      const rewrite = text(await client.hover(uri, 4, 5));
      assert.match(rewrite, /`users` ACCESS EXCLUSIVE, `users_pkey` ACCESS EXCLUSIVE; rewrites `users`; rebuilds `users_pkey`; scans `users`; /);
      const concurrently = text(await client.hover(uri, 6, 5));
      assert.match(concurrently, /locks not observable \(ran outside a transaction: storage effects only\)/);
      const failed = text(await client.hover(uri, 8, 5));
      assert.match(failed, /\*\*Failed on PostgreSQL 18\.\d+\*\* \(embedded, empty schema\): relation "invoices" does not exist \(42P01\)/);
    });

    it('reuses the worker: a second trace runs in the same process, with no second start', async function () {
      // The worker prepares the next fresh database after each trace.
      await until('the next database to be ready', async () => (await status(client)).tracer.warm, 30000);
      const t0 = Date.now();
      const second = await client.executeCommand<TraceResult>(TRACE, uri);
      const secondMs = Date.now() - t0;
      assert.strictEqual(second.summary.statements, 9);
      const s = await status(client);
      assert.strictEqual(s.tracer.pid, workerPid);
      assert.strictEqual(s.tracer.workersStarted, 1);
      assert.strictEqual(s.tracer.traces, 2);
      // Reuse is shown by the process and the start count; the times are printed, not asserted (a
      // loaded machine can make the second slower without anything being wrong).
      console.log(`      first trace ${firstMs} ms (worker start), second ${secondMs} ms (reused worker)`);
    });

    it('stops the worker after the idle period', async function () {
      await until('the idle worker to stop', async () => (await status(client)).tracer.pid === null, TRUSTED_IDLE_MS + 10000);
      assert.ok(workerPid);
      await until('the worker process to exit', async () => !alive(workerPid!), 5000);
    });

    it("keeps a statement's result while it and the statements before it are unchanged", async function () {
      const original = client.text(uri);
      const lines = original.split('\n');
      // Edit line 8 (the type change): statements before it keep their trace, it and the later ones lose it.
      lines[7] = 'ALTER TABLE orders ALTER COLUMN total TYPE numeric;';
      await client.change(uri, lines.join('\n'));
      assert.match(text(await client.hover(uri, 3, 5)), /Traced on/);
      assert.match(text(await client.hover(uri, 6, 5)), /Traced on/);
      assert.doesNotMatch(text(await client.hover(uri, 7, 5)), /Traced on/);
      assert.doesNotMatch(text(await client.hover(uri, 9, 5)), /Traced on/);
      // Undo: the text is the traced one again.
      await client.change(uri, original);
      assert.match(text(await client.hover(uri, 9, 5)), /Traced on/);
      // Whitespace does not matter; an edit of an earlier migration (the schema history) drops the results.
      await client.change(uri, original.replace('REINDEX TABLE users;', 'REINDEX   TABLE users;'));
      assert.match(text(await client.hover(uri, 9, 5)), /Traced on/);
      const init = await client.open(path.join(root, 'migrations/001_init.sql'));
      await client.change(init, client.text(init) + 'CREATE TABLE invoices (id bigint);\n');
      assert.doesNotMatch(text(await client.hover(uri, 3, 5)), /Traced on/);
    });
  });

  it('untrusted workspace: the trace is refused with a clear error and no process starts; allowed once trusted', async function () {
    const root = tempWorkspace(migrations());
    const client = await TestClient.start(root, { initializationOptions: { trusted: false, traceIdleMs: IDLE_MS } });
    try {
      const uri = await client.open(path.join(root, 'migrations/002_change.sql'));
      await client.diagnostics(uri);
      assert.deepStrictEqual(await availability(client, uri), { available: false, reason: 'untrusted' });
      const error = await refusal(client.executeCommand(TRACE, uri));
      assert.strictEqual(error.code, -32001);
      assert.strictEqual(error.data?.reason, 'untrusted');
      assert.match(error.message, /disabled in untrusted workspaces\. Trust the workspace to use it\./);
      assert.strictEqual((await status(client)).tracer.workersStarted, 0);
      assert.doesNotMatch(text(await client.hover(uri, 3, 5)), /Traced on/);
      await client.conn.sendNotification('lockwise/didChangeTrust', { trusted: true });
      // The repository's build has its own copy (dist/pglite), like the full .vsix.
      assert.deepStrictEqual(await availability(client, uri), { available: true, pglite: 'bundled' });
      const result = await client.executeCommand<TraceResult>(TRACE, uri);
      assert.strictEqual(result.summary.statements, 9);
      assert.match(text(await client.hover(uri, 3, 5)), /Traced on/);
    } finally {
      await client.stop();
    }
  });

  describe('a build without PGlite (the default .vsix)', function () {
    let dist: string;
    before(() => {
      // A copy of what the default package ships in dist/: no pglite/ folder.
      dist = path.join(fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), 'lockwise-nopglite-'))), 'dist');
      fs.mkdirSync(dist);
      for (const f of ['server.js', 'trace-worker.js', 'libpg-query.wasm']) fs.copyFileSync(path.join(REPO, 'dist', f), path.join(dist, f));
      fs.cpSync(path.join(REPO, 'dist', 'grammars'), path.join(dist, 'grammars'), { recursive: true });
    });
    after(() => fs.rmSync(path.dirname(dist), { recursive: true, force: true }));

    it("says how to enable tracing; uses the workspace's @electric-sql/pglite once it is installed", async function () {
      const root = tempWorkspace(migrations());
      const client = await TestClient.start(root, { serverPath: path.join(dist, 'server.js'), initializationOptions: { traceIdleMs: IDLE_MS } });
      try {
        const uri = await client.open(path.join(root, 'migrations/002_change.sql'));
        await client.diagnostics(uri);
        // The palette hides the command (the client's context key), and the message is one sentence with the install step.
        const missing = await availability(client, uri);
        assert.strictEqual(missing.available, false);
        assert.strictEqual(missing.reason, 'pglite-missing');
        assert.strictEqual(missing.installCommand, 'npm install --save-dev @electric-sql/pglite');
        assert.match(
          missing.message!,
          /^Tracing needs PGlite: install it in the project with npm install --save-dev @electric-sql\/pglite, or use the full Lockwise extension\.$/,
        );
        assert.strictEqual((await status(client)).tracer.workersStarted, 0, 'asking starts no worker');
        const error = await refusal(client.executeCommand(TRACE, uri));
        assert.strictEqual(error.code, -32002);
        assert.strictEqual(error.data?.reason, 'pglite-missing');
        assert.strictEqual(error.data?.installCommand, 'npm install --save-dev @electric-sql/pglite');
        assert.match(error.message, /Tracing needs PGlite, the embedded PostgreSQL \(@electric-sql\/pglite\), which this build of Lockwise does not include/);
        assert.match(error.message, /npm install --save-dev @electric-sql\/pglite \(used in trusted workspaces only\)/);
        assert.match(error.message, /lockwise-full-<version>\.vsix/);
        assert.strictEqual((await status(client)).tracer.workersStarted, 0);
        // `npm install` in the project (a link to the repo's copy stands in for it).
        fs.mkdirSync(path.join(root, 'node_modules', '@electric-sql'), { recursive: true });
        fs.symlinkSync(path.join(REPO, 'node_modules', '@electric-sql', 'pglite'), path.join(root, 'node_modules', '@electric-sql', 'pglite'), 'dir');
        assert.deepStrictEqual(await availability(client, uri), { available: true, pglite: 'project' });
        const result = await client.executeCommand<TraceResult>(TRACE, uri);
        assert.strictEqual(result.pglite, 'project');
        assert.strictEqual(result.summary.statements, 9);
        assert.match(text(await client.hover(uri, 3, 5)), /Traced on PostgreSQL 18/);
      } finally {
        await client.stop();
      }
    });
  });
});

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}
