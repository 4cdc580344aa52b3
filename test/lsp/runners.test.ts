/**
 * Runners in the editor: the hover names the runner and how it runs the file, and a fix that must
 * leave the runner's transaction arrives as a CreateFile (the new migration) plus edits.
 */
import * as assert from 'assert';
import * as path from 'path';
import { CreateFile, DiagnosticSeverity, MarkupContent, TextDocumentEdit } from 'vscode-languageserver-protocol/node';
import { TestClient, tempWorkspace, uriOf } from './client';

const EARLIER = 'CREATE TABLE users (id bigint PRIMARY KEY, email text);\n';
const MIGRATION = 'ALTER TABLE users ADD COLUMN IF NOT EXISTS name text;\nCREATE INDEX CONCURRENTLY IF NOT EXISTS users_email_idx ON users (email);\n';

describe('LSP runners', function () {
  let client: TestClient;
  let root: string;

  before(async function () {
    root = tempWorkspace({
      'prisma/migrations/migration_lock.toml': 'provider = "postgresql"\n',
      'prisma/migrations/20240101000000_init/migration.sql': EARLIER,
    });
    client = await TestClient.start(root);
  });
  after(async () => client?.stop());

  it('Prisma: the hover says how the file runs; the fix moves CONCURRENTLY to a new migration (CreateFile + edits)', async () => {
    const file = path.join(root, 'prisma/migrations/20240102000000_email/migration.sql');
    const uri = await client.open(file, MIGRATION);
    const { diagnostics } = await client.diagnostics(uri);
    const error = diagnostics.find((d) => d.code === 'ban-concurrent-index-creation-in-transaction');
    assert.ok(error && error.severity === DiagnosticSeverity.Error, JSON.stringify(diagnostics));

    const hover = await client.hover(uri, 0, 3);
    assert.match((hover?.contents as MarkupContent).value, /^Runner: Prisma Migrate .*one multi-statement query/m);

    const actions = await client.codeActions(uri, error.range);
    const fix = actions.find((a) => a.diagnostics?.some((d) => d.code === error.code) && a.isPreferred);
    assert.ok(fix?.edit?.documentChanges, `a fix with document changes: ${actions.map((a) => a.title).join(', ')}`);
    const created = fix.edit.documentChanges.filter((c): c is CreateFile => 'kind' in c && c.kind === 'create');
    const newUri = uriOf(path.join(root, 'prisma/migrations/20240102000001_email_no_transaction/migration.sql'));
    assert.deepStrictEqual(
      created.map((c) => c.uri),
      [newUri],
    );
    const content = fix.edit.documentChanges.find((c): c is TextDocumentEdit => 'textDocument' in c && c.textDocument.uri === newUri);
    assert.strictEqual(
      content?.edits.map((e) => ('newText' in e ? e.newText : '')).join(''),
      'CREATE INDEX CONCURRENTLY IF NOT EXISTS users_email_idx ON users (email);\n',
    );
    const own = fix.edit.documentChanges.find((c): c is TextDocumentEdit => 'textDocument' in c && c.textDocument.uri === uri);
    assert.ok(own && own.edits.length > 0, 'the statement leaves this file');
  });
});
