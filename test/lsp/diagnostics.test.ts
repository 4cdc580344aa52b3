/** Diagnostics over a real JSON-RPC connection: codes, ranges, severities, links, related info, versions. */
import * as assert from 'assert';
import * as fs from 'fs';
import * as path from 'path';
import { DiagnosticSeverity } from 'vscode-languageserver-protocol/node';
import { messageText, TestClient, tempWorkspace, uriOf } from './client';

/** package.json's repository, where docs/rules/*.md are rendered. */
const REPOSITORY = (JSON.parse(fs.readFileSync(path.resolve(__dirname, '../../../package.json'), 'utf8')) as { repository: { url: string } }).repository.url;

const MIGRATION = [
  '-- add an index and a foreign key',
  'BEGIN;',
  'CREATE INDEX users_email_idx ON users (email);',
  'ALTER TABLE orders ADD CONSTRAINT orders_user_fk FOREIGN KEY (user_id) REFERENCES users (id);',
  'COMMIT;',
  'CREATE INDEX orders_created_idx ON orders (created_at);',
  '',
].join('\n');

const RULES_UNDER_TEST = ['require-concurrent-index-creation', 'require-lock-timeout', 'adding-foreign-key-constraint'];

describe('LSP diagnostics', function () {
  let client: TestClient;
  let root: string;

  before(async function () {
    root = tempWorkspace({ 'migrations/001_index.sql': MIGRATION });
    client = await TestClient.start(root);
  });
  after(async () => client?.stop());

  it('publishes one diagnostic per finding with rule code, docs link, severity and source', async function () {
    const uri = await client.open(path.join(root, 'migrations/001_index.sql'));
    const { diagnostics: all, version } = await client.diagnostics(uri);
    assert.strictEqual(version, 1);
    // Rules are added independently; this test is about how findings of these three travel over LSP.
    const diagnostics = all.filter((d) => RULES_UNDER_TEST.includes(String(d.code)));
    const summary = diagnostics.map((d) => `${d.range.start.line}:${d.range.start.character}-${d.range.end.line}:${d.range.end.character} ${d.code}`);
    assert.deepStrictEqual(summary, [
      '2:0-2:12 require-concurrent-index-creation',
      '2:0-2:45 require-lock-timeout',
      '3:23-3:92 adding-foreign-key-constraint',
      '5:0-5:12 require-concurrent-index-creation',
    ]);
    for (const d of diagnostics) {
      assert.strictEqual(d.source, 'lockwise');
      assert.strictEqual(d.severity, DiagnosticSeverity.Error);
      // A rendered page where the docs are published (the repository of package.json), not an editable file.
      assert.strictEqual(d.codeDescription!.href, `${REPOSITORY}/blob/main/docs/rules/${d.code}.md`);
      assert.ok(messageText(d.message).length <= 160, messageText(d.message));
    }
  });

  it('relates findings inside a transaction to its BEGIN and to the COMMIT that releases the locks', async function () {
    const uri = uriOf(path.join(root, 'migrations/001_index.sql'));
    const { diagnostics } = await client.diagnostics(uri);
    const fk = diagnostics.find((d) => d.code === 'adding-foreign-key-constraint')!;
    const related = (fk.relatedInformation ?? []).map((r) => `${r.location.range.start.line} ${r.message}`);
    assert.deepStrictEqual(related, ['1 The transaction starts here: its locks are held from here until it ends', '4 The locks are released at this COMMIT']);
    for (const r of fk.relatedInformation!) assert.strictEqual(r.location.uri, uri);
    // Outside the transaction there is nothing to relate.
    const outside = diagnostics.find((d) => d.range.start.line === 5)!;
    assert.strictEqual(outside.relatedInformation, undefined);
  });

  it('publishes only for the final version after rapid edits, and debounces', async function () {
    const uri = await client.open(path.join(root, 'migrations/002_rapid.sql'), 'SELECT 1;\n');
    await client.diagnostics(uri);
    const mark = client.mark();
    for (let i = 0; i < 15; i++) await client.change(uri, `CREATE INDEX idx_${i} ON t${i} (c);\n`);
    const final = await client.diagnostics(uri, mark);
    assert.strictEqual(final.version, 16);
    assert.deepStrictEqual(
      final.diagnostics.map((d) => d.code),
      ['require-concurrent-index-creation', 'require-lock-timeout'],
    );
    assert.match(messageText(final.diagnostics[0].message), / t14 /);
    // Let any straggler arrive, then check what was published after the edits began.
    await new Promise((r) => setTimeout(r, 200));
    const later = client.published.slice(mark).filter((p) => p.uri === uri);
    assert.ok(later.length < 15, `expected debouncing, got ${later.length} publishes`);
    assert.strictEqual(later[later.length - 1].version, 16);
    for (let i = 0; i < later.length; i++) {
      const p = later[i];
      if (i > 0) assert.ok(p.version! >= later[i - 1].version!, 'versions never go backwards');
      // Each publish describes the text of the version it names (version v holds idx_{v-2} on t{v-2}).
      assert.match(messageText(p.diagnostics[0].message), new RegExp(` t${p.version! - 2} `));
    }
  });

  it('handles CRLF documents and non-ASCII text with UTF-16 columns', async function () {
    const text = "-- é 😀\r\nSELECT '😀';\r\nCREATE INDEX i ON tbl (c);\r\n";
    const uri = await client.open(path.join(root, 'other/crlf.sql'), text);
    const { diagnostics } = await client.diagnostics(uri);
    const index = diagnostics.find((d) => d.code === 'require-concurrent-index-creation')!;
    assert.deepStrictEqual(index.range, { start: { line: 2, character: 0 }, end: { line: 2, character: 12 } });
  });

  it('clears diagnostics when the document closes', async function () {
    const uri = await client.open(path.join(root, 'other/closing.sql'), 'CREATE INDEX i ON t (c);\n');
    const first = await client.diagnostics(uri);
    assert.ok(first.diagnostics.length > 0);
    const mark = client.mark();
    await client.close(uri);
    const cleared = await client.waitFor('cleared diagnostics', () => client.published.slice(mark).find((p) => p.uri === uri));
    assert.deepStrictEqual(cleared.diagnostics, []);
  });

  it('does not check files that are not SQL', async function () {
    const mark = client.mark();
    const uri = await client.open(path.join(root, 'notes.txt'), 'CREATE INDEX i ON t (c);\n', 'plaintext');
    const result = await client.diagnostics(uri, mark);
    assert.deepStrictEqual(result.diagnostics, []);
  });

  it('checks a document the user set to SQL whatever its name, and untitled SQL documents', async function () {
    const named = await client.open(path.join(root, 'query.txt'), 'CREATE INDEX i ON t (c);\n', 'sql');
    assert.ok((await client.diagnostics(named)).diagnostics.length > 0);
    const untitled = await client.openUri('untitled:Untitled-1', 'CREATE INDEX i ON t (c);', 'sql');
    const result = await client.diagnostics(untitled);
    assert.deepStrictEqual(
      result.diagnostics.map((d) => d.code),
      ['require-concurrent-index-creation', 'require-lock-timeout'],
    );
  });
});
