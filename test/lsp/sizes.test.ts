/**
 * Sizes in the editor: the server finds `.lockwise/stats.json` like `.lockwise.json`, a finding on a
 * small table becomes information with its size, the hover says how long the lock is held with work
 * under it, and a new snapshot (a watched-file change) re-checks the open documents.
 */
import * as assert from 'assert';
import * as path from 'path';
import { DiagnosticSeverity, MarkupContent } from 'vscode-languageserver-protocol/node';
import { messageText, TestClient, tempWorkspace, write } from './client';

const GB = 1024 ** 3;

function stats(usersRows: number, usersHeap: number): string {
  const table = (name: string, reltuples: number, heapBytes: number) => ({
    schema: 'public',
    name,
    kind: 'r',
    reltuples,
    heapBytes,
    indexBytes: 0,
    toastBytes: 0,
    indexes: [],
  });
  return JSON.stringify({
    version: 1,
    capturedAt: new Date().toISOString(),
    server: { version: '15.18', versionNum: 150018 },
    database: 'app',
    tables: [table('users', usersRows, usersHeap)],
  });
}

const MIGRATION = "SET lock_timeout = '2s';\nBEGIN;\nCREATE INDEX users_email_idx ON users (email);\nCOMMIT;\n";

describe('LSP sizes (.lockwise/stats.json)', function () {
  let client: TestClient;
  let root: string;
  let uri: string;

  before(async function () {
    root = tempWorkspace({ '.lockwise/stats.json': stats(1200, 200 * 1024), 'db/001.sql': MIGRATION });
    client = await TestClient.start(root);
    uri = await client.open(path.join(root, 'db/001.sql'));
  });
  after(async () => client?.stop());

  it('a finding on a small table is information, with the size as the reason', async () => {
    const d = (await client.diagnostics(uri)).diagnostics.find((x) => x.code === 'require-concurrent-index-creation');
    assert.strictEqual(d?.severity, DiagnosticSeverity.Information);
    assert.match(messageText(d!.message), /\(small table: users: 1,200 rows, 200 kB\)$/);
  });

  it('a new snapshot with a large table: an error again, and the hover gives the time under the lock', async () => {
    const since = client.mark();
    await client.fileChanged(write(root, '.lockwise/stats.json', stats(12_000_000, 12 * GB)));
    const published = await client.diagnostics(uri, since, (p) => p.diagnostics.some((x) => x.severity === DiagnosticSeverity.Error));
    const d = published.diagnostics.find((x) => x.code === 'require-concurrent-index-creation')!;
    assert.doesNotMatch(messageText(d.message), /small table/);
    const hover = await client.hover(uri, 2, 5);
    const md = (hover!.contents as MarkupContent).value;
    assert.match(md.split('\n')[2], /^≈ [\d.]+( s| min)? – [\d.]+ (s|min|h) of SHARE on users \\\(12 GB\\\)$/);
  });
});
