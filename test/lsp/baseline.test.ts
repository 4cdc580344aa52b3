/**
 * Deploy baseline in the editor, over stdio on a real git repository: statements on a table created
 * by a pending migration get no diagnostic and a hover that says why; moving the baseline branch
 * (a watched git ref) brings the diagnostics back; the big-document worker applies the same
 * baseline; an untrusted workspace runs no git and says so once.
 */
import * as assert from 'assert';
import * as fs from 'fs';
import * as path from 'path';
import { MarkupContent } from 'vscode-languageserver-protocol/node';
import { TestClient } from './client';
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

    repo.git('branch', '-f', 'main', 'feature');
    const since = client.mark();
    await client.fileChanged(path.join(repo.dir, '.git/refs/heads/main'));
    const back = await client.diagnostics(uri, since);
    assert.deepStrictEqual(lines(back), [0, 1, 2, 3, 4, 5]);
    assert.doesNotMatch(((await client.hover(uri, 0, 3))!.contents as MarkupContent).value, /not deployed yet/);
    repo.git('branch', '-f', 'main', 'feature~1');
  });

  it('the analysis worker (big documents) uses the same baseline', async () => {
    const { client, uri } = await start({ workerThreshold: 0 });
    assert.deepStrictEqual(lines(await client.diagnostics(uri)), [4, 5]);
    await client.waitFor('the worker log line', () => client.logs.find((l) => l.includes('in the analysis worker')));
  });

  it('an untrusted workspace runs no git: one warning, no baseline', async () => {
    const { client, uri } = await start({ trusted: false });
    assert.deepStrictEqual(lines(await client.diagnostics(uri)), [0, 1, 2, 3, 4, 5]);
    const warning = await client.waitFor('the warning', () => client.messages.find((m) => m.message.includes('baseline')));
    assert.match(
      warning.message,
      /^Lockwise: .*\/m: baseline "main" not used: git is not run in an untrusted workspace; tables of earlier migrations count as deployed\.$/,
    );
  });
});
