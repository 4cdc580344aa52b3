/**
 * Deploy baseline in the editor, over stdio on a real git repository: statements on a table created
 * by a pending migration get no diagnostic and a hover that says why; moving the baseline branch
 * (a watched git ref) brings the diagnostics back; the big-document worker applies the same
 * baseline; a baseline that cannot be used is a warning on its key in .lockwise.json (a message
 * when it comes from the settings); an untrusted workspace runs no git.
 */
import * as assert from 'assert';
import * as fs from 'fs';
import * as path from 'path';
import { DiagnosticSeverity, MarkupContent } from 'vscode-languageserver-protocol/node';
import { messageText, TestClient, uriOf } from './client';
import { gitRepo, GitRepo } from '../support/gitRepo';

/** 0-based lines of 003_orders_more.sql with a diagnostic. */
function lines(p: { diagnostics: { range: { start: { line: number } } }[] }): number[] {
  return [...new Set(p.diagnostics.map((d) => d.range.start.line))].sort((a, b) => a - b);
}

describe('LSP deploy baseline', function () {
  this.timeout(60000);
  let repo: GitRepo;
  let file: string;
  const clients: TestClient[] = [];
  const start = async (initializationOptions: Record<string, unknown> = {}) => {
    const client = await TestClient.start(repo.dir, { initializationOptions });
    clients.push(client);
    return { client, uri: await client.open(file) };
  };

  before(() => {
    repo = gitRepo('lockwise-lsp-baseline-');
    fs.writeFileSync(path.join(repo.dir, '.lockwise.json'), JSON.stringify({ baseline: 'main' }));
    file = path.join(repo.dir, 'm/003_orders_more.sql');
  });
  after(async () => {
    for (const c of clients) await c.stop();
    fs.rmSync(repo.dir, { recursive: true, force: true });
  });

  it('no diagnostics on the pending table, a hover that says why, and the diagnostics back once main moves', async () => {
    const { client, uri } = await start();
    assert.deepStrictEqual(lines(await client.diagnostics(uri)), [4, 5]);
    const hover = await client.hover(uri, 0, 3);
    const md = (hover!.contents as MarkupContent).value.replace(/\\(.)/g, '$1');
    assert.strictEqual(md.split('\n')[0], 'Locks only tables that are new in production, or locks that block nobody.');
    assert.ok(md.includes('orders is created by 002_orders.sql, not deployed yet (baseline main): it is empty in production'), md);
    const users = (await client.hover(uri, 5, 3))!.contents as MarkupContent;
    assert.doesNotMatch(users.value, /not deployed yet/);
    // Edits re-analyse the document, never re-read git: one resolution in the log.
    for (const extra of ['-- a', '-- ab', '-- abc']) {
      await client.change(uri, client.text(uri) + extra);
      await client.diagnostics(uri);
    }
    const resolutions = () => client.logs.filter((l) => l.startsWith('baseline "main" for ')).length;
    assert.strictEqual(resolutions(), 1, client.logs.join('\n'));

    repo.git('branch', '-f', 'main', 'feature');
    const since = client.mark();
    await client.fileChanged(path.join(repo.dir, '.git/refs/heads/main'));
    const back = await client.diagnostics(uri, since);
    assert.deepStrictEqual(lines(back), [0, 1, 2, 3, 4, 5]);
    assert.strictEqual(resolutions(), 2, 'read again once the ref moved');
    assert.doesNotMatch(((await client.hover(uri, 0, 3))!.contents as MarkupContent).value, /not deployed yet/);
    repo.git('branch', '-f', 'main', 'feature~1');
  });

  it('the analysis worker (big documents) uses the same baseline', async () => {
    const { client, uri } = await start({ workerThreshold: 0 });
    assert.deepStrictEqual(lines(await client.diagnostics(uri)), [4, 5]);
    await client.waitFor('the worker log line', () => client.logs.find((l) => l.includes('in the analysis worker')));
  });

  it('an untrusted workspace runs no git: a warning on the baseline key of .lockwise.json, no baseline', async () => {
    const { client, uri } = await start({ trusted: false });
    assert.deepStrictEqual(lines(await client.diagnostics(uri)), [0, 1, 2, 3, 4, 5]);
    const config = await client.diagnostics(uriOf(path.join(repo.dir, '.lockwise.json')));
    assert.strictEqual(config.diagnostics.length, 1);
    const [d] = config.diagnostics;
    assert.deepStrictEqual([d.severity, d.code, d.range.start], [DiagnosticSeverity.Warning, 'baseline-unavailable', { line: 0, character: 1 }]);
    assert.match(
      messageText(d.message),
      /^baseline not used: .*\/m: baseline "main" not used: git is not run in an untrusted workspace; tables of earlier migrations count as deployed\.$/,
    );
  });

  it('a bad ref: the warning until .lockwise.json names a known one; from the settings, one message', async () => {
    const other = gitRepo('lockwise-lsp-baseline-ref-');
    try {
      const configFile = path.join(other.dir, '.lockwise.json');
      fs.writeFileSync(configFile, JSON.stringify({ baseline: 'origin/nope' }));
      const client = await TestClient.start(other.dir);
      clients.push(client);
      const uri = await client.open(path.join(other.dir, 'm/003_orders_more.sql'));
      assert.deepStrictEqual(lines(await client.diagnostics(uri)), [0, 1, 2, 3, 4, 5]);
      const warned = await client.diagnostics(uriOf(configFile));
      assert.match(messageText(warned.diagnostics[0].message), /git does not know the ref "origin\/nope"/);
      const since = client.mark();
      fs.writeFileSync(configFile, JSON.stringify({ baseline: 'main' }));
      await client.fileChanged(configFile);
      assert.deepStrictEqual((await client.diagnostics(uriOf(configFile), since)).diagnostics, []);
      assert.deepStrictEqual(lines(await client.diagnostics(uri, since)), [4, 5]);

      fs.writeFileSync(configFile, '{}');
      await client.fileChanged(configFile);
      await client.setSettings({ baseline: 'v9' });
      const message = await client.waitFor('the message', () => client.messages.find((m) => m.message.includes('"v9"')));
      assert.match(
        message.message,
        /^Lockwise: .*\/m: baseline "v9" not used: git does not know the ref "v9"; tables of earlier migrations count as deployed\.$/,
      );
      assert.strictEqual(client.messages.filter((m) => m.message.includes('"v9"')).length, 1);
    } finally {
      fs.rmSync(other.dir, { recursive: true, force: true });
    }
  });
});
