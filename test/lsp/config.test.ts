/** Configuration: .lockwise.json and settings reloads, invalid config, include/exclude, file size, history, trust. */
import * as assert from 'assert';
import * as fs from 'fs';
import * as path from 'path';
import { DiagnosticSeverity, FileChangeType, MarkupContent, MessageType } from 'vscode-languageserver-protocol/node';
import { messageText, TestClient, tempWorkspace, uriOf, write } from './client';

const INDEX = 'CREATE INDEX i ON users (email);\n';

describe('LSP configuration', function () {
  let client: TestClient;
  let root: string;

  beforeEach(async function () {
    root = tempWorkspace();
    client = await TestClient.start(root);
  });
  afterEach(async () => client?.stop());

  const codes = (p: { diagnostics: { code?: number | string }[] }) => p.diagnostics.map((d) => d.code).sort();

  it('re-lints open documents when .lockwise.json changes', async function () {
    const uri = await client.open(write(root, 'db/001.sql', INDEX));
    assert.deepStrictEqual(codes(await client.diagnostics(uri)), ['require-concurrent-index-creation', 'require-lock-timeout']);
    const mark = client.mark();
    const config = write(root, '.lockwise.json', JSON.stringify({ rules: { 'require-lock-timeout': 'off', 'require-concurrent-index-creation': 'warning' } }));
    await client.fileChanged(config, FileChangeType.Created);
    const after = await client.diagnostics(uri, mark);
    assert.deepStrictEqual(codes(after), ['require-concurrent-index-creation']);
    assert.strictEqual(after.diagnostics[0].severity, DiagnosticSeverity.Warning);
  });

  it('shows an invalid .lockwise.json as a diagnostic on the key and a message, keeps checking with the settings, and recovers', async function () {
    const uri = await client.open(write(root, 'db/001.sql', INDEX));
    await client.diagnostics(uri);
    const configText = '{\n  "pgVersion": 15,\n  "rules": { "no-such-rule": "off" }\n}\n';
    const config = write(root, '.lockwise.json', configText);
    const mark = client.mark();
    await client.fileChanged(config);
    const configUri = uriOf(config);
    const problem = await client.waitFor('config diagnostic', () => client.published.slice(mark).find((p) => p.uri === configUri && p.diagnostics.length));
    const d = problem.diagnostics[0];
    assert.strictEqual(d.severity, DiagnosticSeverity.Error);
    assert.match(messageText(d.message), /\.lockwise\.json: "rules\.no-such-rule": unknown rule id/);
    assert.deepStrictEqual(d.range, { start: { line: 2, character: 13 }, end: { line: 2, character: 27 } });
    const shown = await client.waitFor('error message', () => client.messages.find((m) => m.type === MessageType.Error));
    assert.match(shown.message, /no-such-rule/);
    // Still alive and still checking SQL with the settings alone.
    assert.ok(client.alive());
    assert.deepStrictEqual(codes(await client.diagnostics(uri, mark)), ['require-concurrent-index-creation', 'require-lock-timeout']);
    assert.ok((await client.hover(uri, 0, 3)) !== null);

    const fixedMark = client.mark();
    fs.writeFileSync(config, '{ "rules": { "require-lock-timeout": "off" } }');
    await client.fileChanged(config);
    await client.waitFor('config diagnostics cleared', () => client.published.slice(fixedMark).find((p) => p.uri === configUri && p.diagnostics.length === 0));
    assert.deepStrictEqual(codes(await client.diagnostics(uri, fixedMark)), ['require-concurrent-index-creation']);
  });

  it('survives a config file that is not JSON', async function () {
    const config = write(root, '.lockwise.json', '{ "rules": ');
    const uri = await client.open(write(root, 'db/001.sql', INDEX));
    await client.diagnostics(uri);
    const configUri = uriOf(config);
    const problem = await client.waitFor('config diagnostic', () => client.published.find((p) => p.uri === configUri && p.diagnostics.length));
    assert.match(messageText(problem.diagnostics[0].message), /is not valid JSON/);
    assert.ok(client.alive());
  });

  it('pulls the lockwise settings, and .lockwise.json wins where both speak', async function () {
    await client.setSettings({ pgVersion: 11, rules: { 'require-lock-timeout': 'info' } });
    const uri = await client.open(write(root, 'db/001.sql', INDEX));
    const first = await client.diagnostics(uri);
    assert.strictEqual(first.diagnostics.find((d) => d.code === 'require-lock-timeout')!.severity, DiagnosticSeverity.Information);
    assert.match(((await client.hover(uri, 0, 3))!.contents as MarkupContent).value, /PostgreSQL 11/);
    const mark = client.mark();
    const config = write(root, '.lockwise.json', JSON.stringify({ pgVersion: 16, rules: { 'require-lock-timeout': 'warning' } }));
    await client.fileChanged(config, FileChangeType.Created);
    const after = await client.diagnostics(uri, mark);
    assert.strictEqual(after.diagnostics.find((d) => d.code === 'require-lock-timeout')!.severity, DiagnosticSeverity.Warning);
    assert.match(((await client.hover(uri, 0, 3))!.contents as MarkupContent).value, /PostgreSQL 16/);
  });

  it('reports an invalid setting once and ignores only that key', async function () {
    await client.setSettings({ pgVersion: 'fifteen', rules: { 'require-lock-timeout': 'off', bogus: 'error' } });
    const uri = await client.open(write(root, 'db/001.sql', INDEX));
    assert.deepStrictEqual(codes(await client.diagnostics(uri)), ['require-concurrent-index-creation']);
    const warnings = await client.waitFor('warnings', () => {
      const w = client.messages.filter((m) => m.type === MessageType.Warning);
      return w.length >= 2 ? w : undefined;
    });
    assert.ok(warnings.some((m) => /lockwise\.pgVersion/.test(m.message)));
    assert.ok(warnings.some((m) => /lockwise\.rules\.bogus/.test(m.message)));
  });

  it('turns CodeLens off with lockwise.codeLens.enable (or show: "off"); a wrong show value is reported', async function () {
    const uri = await client.open(write(root, 'db/001.sql', INDEX));
    await client.diagnostics(uri);
    assert.strictEqual((await client.codeLens(uri)).length, 1);
    await client.setSettings({ codeLens: { enable: false } });
    assert.strictEqual((await client.codeLens(uri)).length, 0);
    await client.setSettings({ codeLens: { show: 'off' } });
    assert.strictEqual((await client.codeLens(uri)).length, 0);
    await client.setSettings({ codeLens: { show: 'everywhere' } });
    assert.strictEqual((await client.codeLens(uri)).length, 1, 'a wrong value falls back to "findings"');
    await client.setSettings({});
  });

  it('honours include/exclude from .lockwise.json, relative to its folder', async function () {
    write(root, '.lockwise.json', JSON.stringify({ exclude: ['legacy/**'] }));
    const excluded = await client.open(write(root, 'legacy/001.sql', INDEX));
    assert.deepStrictEqual((await client.diagnostics(excluded)).diagnostics, []);
    const included = await client.open(write(root, 'db/001.sql', INDEX));
    assert.ok((await client.diagnostics(included)).diagnostics.length > 0);
    const mark = client.mark();
    const config = write(root, '.lockwise.json', JSON.stringify({ include: ['legacy/**/*.sql'] }));
    await client.fileChanged(config);
    assert.ok((await client.diagnostics(excluded, mark)).diagnostics.length > 0);
    assert.deepStrictEqual((await client.diagnostics(included, mark)).diagnostics, []);
  });

  it('skips files over lockwise.maxFileSize and says so', async function () {
    await client.setSettings({ maxFileSize: 1000 });
    const uri = await client.open(write(root, 'db/big.sql', INDEX.repeat(100)));
    const { diagnostics } = await client.diagnostics(uri);
    assert.strictEqual(diagnostics.length, 1);
    assert.strictEqual(diagnostics[0].severity, DiagnosticSeverity.Information);
    assert.match(messageText(diagnostics[0].message), /skipped this file: it is 3\.2 KB, over lockwise\.maxFileSize \(1000 bytes\)/);
    assert.strictEqual(await client.hover(uri, 0, 3), null);
  });

  it('uses earlier migrations as schema history, reading open editors before disk', async function () {
    const create = write(root, 'db/001_create.sql', 'CREATE TABLE accounts (id bigint, email text);\n');
    const later = await client.open(write(root, 'db/002_index.sql', 'CREATE INDEX i ON accounts (email);\n'));
    await client.diagnostics(later);
    const card = async () => ((await client.hover(later, 0, 3))!.contents as MarkupContent).value;
    assert.match(await card(), /schema from the earlier migrations/);
    // An unsaved edit of the earlier file changes the later file's history.
    const earlier = await client.open(create);
    await client.change(earlier, 'SELECT 1;\n');
    await client.diagnostics(earlier);
    assert.match(await card(), /no schema history/);
    // ...and so does the file on disk once the editor closes without saving.
    await client.close(earlier);
    fs.writeFileSync(create, 'CREATE TABLE accounts (id bigint, email text);\nCREATE TABLE other (id int);\n');
    await client.fileChanged(create);
    assert.match(await card(), /schema from the earlier migrations/);
  });

  it('reports workspace trust and follows trust changes', async function () {
    assert.strictEqual((await client.conn.sendRequest<{ trusted: boolean }>('lockwise/status')).trusted, true);
    await client.conn.sendNotification('lockwise/didChangeTrust', { trusted: false });
    assert.strictEqual((await client.conn.sendRequest<{ trusted: boolean }>('lockwise/status')).trusted, false);
  });

  it('answers requests for unknown documents and bad command arguments with empty results', async function () {
    const unknown = uriOf(path.join(root, 'nope.sql'));
    assert.strictEqual(await client.hover(unknown, 0, 0), null);
    assert.deepStrictEqual(await client.codeActions(unknown, { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } }), []);
    assert.strictEqual(await client.executeCommand('lockwise.auditFile', 42), null);
    assert.strictEqual(await client.executeCommand('lockwise.nope'), null);
    assert.ok(client.alive());
  });
});
