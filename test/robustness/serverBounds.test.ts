/**
 * The language server stays responsive and bounded on inputs that used to exhaust it (issue 12):
 * pathological include/exclude globs, a second `initialize`, code actions over a whole big file,
 * hundreds of edits inside one huge statement, an invalid `.lockwise.json` on every keystroke.
 * Memory is read from /proc (the server's VmHWM / VmRSS), so those tests run on Linux only.
 */
import * as assert from 'assert';
import * as fs from 'fs';
import * as path from 'path';
import { spawnSync } from 'child_process';
import { InitializeRequest } from 'vscode-languageserver-protocol/node';
import { messageText, TestClient, tempWorkspace, uriOf, write } from '../lsp/client';

const CLI = path.resolve(__dirname, '../../../dist/cli.js');
/** `a*a*…a*b`: a regex-compiling matcher backtracks for minutes on a long run of `a`. */
export const HOSTILE_GLOB = 'a*'.repeat(14) + 'b';
const LONG_NAME = 'a'.repeat(60) + '.sql';

/** The server's memory in MB (`VmRSS` now or `VmHWM`, the peak), undefined off Linux. */
export function serverMemoryMb(client: TestClient, field: 'VmRSS' | 'VmHWM'): number | undefined {
  try {
    const status = fs.readFileSync(`/proc/${client.proc.pid}/status`, 'utf8');
    const kb = new RegExp(`${field}:\\s*(\\d+) kB`).exec(status);
    return kb ? Number(kb[1]) / 1024 : undefined;
  } catch {
    return undefined;
  }
}

describe('server bounds', function () {
  this.timeout(60000);
  const clients: TestClient[] = [];
  const start = async (dir: string, options: Parameters<typeof TestClient.start>[1] = {}) => {
    const client = await TestClient.start(dir, options);
    clients.push(client);
    return client;
  };
  afterEach(async () => {
    for (const client of clients.splice(0)) {
      assert.ok(client.alive(), 'the server is alive');
      await client.stop();
    }
  });

  it('a pathological exclude glob neither hangs `lint .` nor the server', async () => {
    const config = JSON.stringify({ exclude: [HOSTILE_GLOB], include: [`**/${HOSTILE_GLOB}`, '**/*.sql'] });
    const dir = tempWorkspace({ '.lockwise.json': config, [`m/${LONG_NAME}`]: 'CREATE INDEX i ON t (c);\n' });
    const started = Date.now();
    const r = spawnSync(process.execPath, [CLI, 'lint', '.'], { cwd: dir, encoding: 'utf8', timeout: 20000 });
    assert.strictEqual(r.error, undefined, `lint . did not finish in 20 s (${Date.now() - started} ms)`);
    assert.strictEqual(r.status, 1, r.stderr);
    const client = await start(dir);
    const uri = await client.open(path.join(dir, 'm', LONG_NAME));
    const { diagnostics } = await client.diagnostics(uri);
    assert.ok(diagnostics.some((d) => d.code === 'require-concurrent-index-creation'));
  });

  it('a second initialize keeps workspace trust and settings', async () => {
    const dir = tempWorkspace();
    const client = await start(dir, { initializationOptions: { trusted: false }, settings: { rules: { 'require-concurrent-index-creation': 'off' } } });
    let second: unknown;
    try {
      second = await client.conn.sendRequest(InitializeRequest.type, {
        processId: process.pid,
        rootUri: uriOf(dir),
        workspaceFolders: null,
        capabilities: {},
        initializationOptions: { trusted: true, settings: {} },
      });
    } catch (error) {
      second = error;
    }
    assert.ok(second instanceof Error, 'the second initialize is refused');
    const status = await client.conn.sendRequest<{ trusted: boolean }>('lockwise/status');
    assert.strictEqual(status.trusted, false, 'still untrusted');
    const uri = await client.open(write(dir, 'm/001.sql', "SET lock_timeout = '1s';\nCREATE INDEX i ON t (c);\n"));
    const { diagnostics } = await client.diagnostics(uri);
    assert.ok(!diagnostics.some((d) => d.code === 'require-concurrent-index-creation'), 'the pushed settings still apply');
  });

  /** 2,000 fixable statements on an existing table: each CREATE INDEX has a fix (CONCURRENTLY). */
  const HISTORY = 'CREATE TABLE t (id bigint, c text);\n';
  const BIG = Array.from({ length: 2000 }, (_, i) => `CREATE INDEX i${i} ON t (c);`).join('\n') + '\n';
  const WHOLE = { start: { line: 0, character: 0 }, end: { line: 2001, character: 0 } };

  for (const resolveCodeActions of [false, true]) {
    it(`code actions over a whole 2,000-statement file: bounded time and memory (resolve: ${resolveCodeActions})`, async () => {
      const dir = tempWorkspace({ 'm/001.sql': HISTORY, 'm/002.sql': BIG });
      const client = await start(dir, { resolveCodeActions });
      const uri = await client.open(path.join(dir, 'm/002.sql'));
      await client.diagnostics(uri);
      const before = serverMemoryMb(client, 'VmRSS');
      const started = Date.now();
      const actions = await client.codeActions(uri, WHOLE);
      const ms = Date.now() - started;
      const peak = serverMemoryMb(client, 'VmHWM');
      console.log(`      (${actions.length} actions in ${ms} ms; server RSS before ${before?.toFixed(0)} MB, peak ${peak?.toFixed(0)} MB)`);
      assert.ok(ms < 20000, `${ms} ms`);
      if (before !== undefined && peak !== undefined) assert.ok(peak - before < 300, `peak ${peak} MB, ${before} MB before the request`);
      const fixes = actions.filter((a) => a.title.includes('CONCURRENTLY'));
      assert.ok(fixes.length >= 5, `${fixes.length} fixes listed`);
      if (!resolveCodeActions)
        return assert.ok(
          fixes.every((a) => a.edit),
          'listed fixes carry their edit',
        );
      // Unchecked fixes are resolved (checked) when chosen: the edit makes that statement concurrent.
      const lazy = fixes.find((a) => !a.edit);
      assert.ok(lazy, 'some fixes are left for resolve');
      const resolved = await client.resolveCodeAction(lazy);
      assert.ok(resolved.edit, 'the resolved fix has its edit');
      await client.applyWorkspaceEdit(resolved.edit);
      const fixedText = client.text(uri);
      assert.strictEqual(fixedText.split('CREATE INDEX CONCURRENTLY').length, 2, 'one statement was fixed');
    });
  }

  it('an invalid .lockwise.json is read once per change, not on every keystroke', async function () {
    // Reads are seen through the access time: with relatime (the default) a read moves an access
    // time that is older than the modification time. Skip where the filesystem does not do that.
    const dir = tempWorkspace({ probe: 'x' });
    const old = new Date('2020-01-01T00:00:00Z');
    const readSince = (file: string) => fs.statSync(file).atimeMs > old.getTime();
    const resetAccess = (file: string) => fs.utimesSync(file, old, fs.statSync(file).mtime);
    resetAccess(path.join(dir, 'probe'));
    fs.readFileSync(path.join(dir, 'probe'));
    if (!readSince(path.join(dir, 'probe'))) {
      console.log('      (skipped: this filesystem does not update access times on read)');
      return this.skip();
    }
    const config = write(dir, '.lockwise.json', '{ "rules": { "no-such-rule": "off" }, ' + '"pad": 0, '.repeat(1000) + '}');
    const client = await start(dir);
    const uri = await client.open(write(dir, 'm/001.sql', 'CREATE INDEX i ON t (c);\n'));
    await client.diagnostics(uri);
    await client.waitFor('the config diagnostic', () => client.published.find((p) => p.uri === uriOf(config)));
    for (let edit = 0; edit < 5; edit++) {
      resetAccess(config);
      await client.change(uri, `CREATE INDEX i${edit} ON t (c);\n`);
      await client.diagnostics(uri);
      assert.ok(!readSince(config), `the config was read again after edit ${edit + 1}`);
    }
    // A change of the file is read (once) and its new error published.
    fs.writeFileSync(config, '{ "pgVersion": 3 }');
    await client.fileChanged(config);
    const published = await client.waitFor('the new config diagnostic', () =>
      client.published.find((p) => p.uri === uriOf(config) && /pgVersion/.test(messageText(p.diagnostics[0]?.message ?? ''))),
    );
    assert.strictEqual(published.diagnostics.length, 1);
  });
});
