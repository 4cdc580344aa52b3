/**
 * Code actions and their edits, applied the way an editor applies them, then re-linted: the fixed
 * diagnostic is gone and no new error-level diagnostic of another rule appeared. Also fix-all, the audit commands
 * and CodeLens.
 */
import * as assert from 'assert';
import type { AuditFilesResult } from '../../server/src/lsp/protocol';
import * as path from 'path';
import { CodeAction, Diagnostic, DiagnosticSeverity } from 'vscode-languageserver-protocol/node';
import { messageText, TestClient, tempWorkspace, uriOf, write } from './client';

const MIGRATION = [
  '-- add an index and a foreign key',
  'BEGIN;',
  'CREATE INDEX users_email_idx ON users (email);',
  'ALTER TABLE orders ADD CONSTRAINT orders_user_fk FOREIGN KEY (user_id) REFERENCES users (id);',
  'COMMIT;',
  'CREATE INDEX orders_created_idx ON orders (created_at);',
  '',
].join('\n');

const key = (d: Diagnostic) => `${d.code} ${messageText(d.message)}`;
const errors = (ds: Diagnostic[]) => ds.filter((d) => d.severity === DiagnosticSeverity.Error);

describe('LSP code actions', function () {
  let client: TestClient;
  let root: string;
  let n = 0;

  /** Opens a fresh copy of `text` and returns its uri and first diagnostics. */
  async function fresh(text: string) {
    const uri = await client.open(path.join(root, `m${++n}`, '001.sql'), text);
    const { diagnostics } = await client.diagnostics(uri);
    return { uri, diagnostics };
  }

  async function apply(uri: string, action: CodeAction): Promise<Diagnostic[]> {
    assert.ok(action.edit, `action "${action.title}" has an edit`);
    await client.applyWorkspaceEdit(action.edit);
    return (await client.diagnostics(uri)).diagnostics;
  }

  before(async function () {
    root = tempWorkspace();
    client = await TestClient.start(root);
  });
  after(async () => client?.stop());

  it('offers each finding’s fix as a preferred quick fix with its diagnostic; applying it removes the finding and adds no error', async function () {
    const { diagnostics } = await fresh(MIGRATION);
    let tried = 0;
    for (const d of diagnostics) {
      const { uri, diagnostics: before } = await fresh(MIGRATION);
      const actions = await client.codeActions(uri, d.range);
      const fix = actions.find((a) => a.kind === 'quickfix' && a.isPreferred && a.diagnostics?.some((x) => key(x) === key(d)));
      if (!fix) continue;
      tried++;
      assert.strictEqual(fix.diagnostics!.length, 1);
      const after = await apply(uri, fix);
      assert.ok(!after.some((x) => key(x) === key(d)), `"${fix.title}" removed ${d.code}:\n${client.text(uri)}`);
      // The same rule may report its next occurrence (require-lock-timeout reports the first statement only).
      const added = errors(after).filter((x) => x.code !== d.code && !before.some((b) => key(b) === key(x)));
      assert.deepStrictEqual(added.map(key), [], `"${fix.title}" added no error:\n${client.text(uri)}`);
    }
    assert.ok(tried >= 3, `expected at least 3 fixes, tried ${tried}`);
  });

  it('offers a statement’s fixes with the cursor anywhere in the statement, not only on the squiggle', async function () {
    const { uri } = await fresh(MIGRATION);
    // Line 5 is `CREATE INDEX orders_created_idx ON orders (created_at);`: the squiggle covers CREATE INDEX only.
    const titles = (await client.codeActions(uri, { start: { line: 5, character: 40 }, end: { line: 5, character: 40 } })).map((a) => a.title);
    assert.ok(titles.includes('Use CREATE INDEX CONCURRENTLY'), titles.join(', '));
    assert.ok(titles.includes('Ignore require-concurrent-index-creation for this statement'));
    // ...but not those of the statement on the next line.
    assert.ok(!titles.some((t) => /foreign key/i.test(t)));
  });

  it('moves CREATE INDEX CONCURRENTLY after COMMIT when it is the transaction’s last statement', async function () {
    const text = 'BEGIN;\nALTER TABLE a ADD COLUMN b int;\nCREATE INDEX a_b_idx ON a (b);\nCOMMIT;\n';
    const { uri, diagnostics } = await fresh(text);
    const d = diagnostics.find((x) => x.code === 'require-concurrent-index-creation')!;
    const fix = (await client.codeActions(uri, d.range)).find((a) => a.title.startsWith('Use CREATE INDEX CONCURRENTLY'))!;
    assert.ok(fix, 'fix offered');
    await apply(uri, fix);
    assert.match(client.text(uri), /COMMIT;\nCREATE INDEX CONCURRENTLY IF NOT EXISTS a_b_idx ON a \(b\);/);
    assert.doesNotMatch(client.text(uri), /BEGIN;[\s\S]*CONCURRENTLY[\s\S]*COMMIT/);
  });

  it('does not offer a fix that would leave the file with more errors (CONCURRENTLY in the middle of a transaction)', async function () {
    const { uri, diagnostics } = await fresh(MIGRATION);
    const d = diagnostics.find((x) => x.code === 'require-concurrent-index-creation' && x.range.start.line === 2)!;
    const titles = (await client.codeActions(uri, d.range)).map((a) => a.title);
    assert.ok(!titles.some((t) => /CONCURRENTLY/.test(t)), titles.join(', '));
  });

  it('ignores a rule for one statement with a comment line above it, at the same indentation', async function () {
    const text = 'DO $$ BEGIN PERFORM 1; END $$;\n  CREATE INDEX i ON t (c);\n';
    const { uri, diagnostics } = await fresh(text);
    const d = diagnostics.find((x) => x.code === 'require-concurrent-index-creation')!;
    const ignore = (await client.codeActions(uri, d.range)).find((a) => a.title === 'Ignore require-concurrent-index-creation for this statement')!;
    assert.ok(ignore);
    assert.deepStrictEqual(
      ignore.diagnostics?.map((x) => x.code),
      ['require-concurrent-index-creation'],
    );
    const after = await apply(uri, ignore);
    assert.strictEqual(
      client.text(uri),
      'DO $$ BEGIN PERFORM 1; END $$;\n  -- lockwise-ignore require-concurrent-index-creation -- <why>\n  CREATE INDEX i ON t (c);\n',
    );
    assert.deepStrictEqual(
      after.map((x) => x.code),
      ['require-lock-timeout'],
    );
    // A second rule joins the same comment.
    const lt = after[0];
    const ignore2 = (await client.codeActions(uri, lt.range)).find((a) => a.title === 'Ignore require-lock-timeout for this statement')!;
    const after2 = await apply(uri, ignore2);
    assert.match(client.text(uri), /^ {2}-- lockwise-ignore require-concurrent-index-creation, require-lock-timeout -- <why>\n {2}CREATE INDEX/m);
    assert.deepStrictEqual(after2, []);
  });

  it('ignores a rule for the whole file after the header comment block', async function () {
    const text = '-- Migration 42\n-- adds indexes\n\nCREATE INDEX i ON t (c);\nCREATE INDEX j ON u (c);\n';
    const { uri, diagnostics } = await fresh(text);
    const d = diagnostics.find((x) => x.code === 'require-concurrent-index-creation')!;
    const ignore = (await client.codeActions(uri, d.range)).find((a) => a.title === 'Ignore require-concurrent-index-creation for this file')!;
    const after = await apply(uri, ignore);
    assert.strictEqual(
      client.text(uri),
      '-- Migration 42\n-- adds indexes\n-- lockwise-ignore-file require-concurrent-index-creation -- <why>\n\nCREATE INDEX i ON t (c);\nCREATE INDEX j ON u (c);\n',
    );
    assert.ok(!after.some((x) => x.code === 'require-concurrent-index-creation'));
  });

  it('offers "Insert lock_timeout" on a strong-lock statement that the rule did not report', async function () {
    const text = 'ALTER TABLE a ADD COLUMN x int;\nALTER TABLE b ADD COLUMN y int;\n';
    const { uri, diagnostics } = await fresh(text);
    assert.deepStrictEqual(
      diagnostics.filter((d) => d.code === 'require-lock-timeout').map((d) => d.range.start.line),
      [0],
    );
    const actions = await client.codeActions(uri, { start: { line: 1, character: 3 }, end: { line: 1, character: 3 } });
    const insert = actions.find((a) => a.title.startsWith('Insert lock_timeout'))!;
    assert.ok(insert, actions.map((a) => a.title).join(', '));
    await apply(uri, insert);
    assert.strictEqual(client.text(uri), "ALTER TABLE a ADD COLUMN x int;\nSET lock_timeout = '5s';\nALTER TABLE b ADD COLUMN y int;\n");
    // Not offered where a lock_timeout is in effect.
    const none = await client.codeActions(uri, { start: { line: 2, character: 3 }, end: { line: 2, character: 3 } });
    assert.ok(!none.some((a) => a.title.startsWith('Insert lock_timeout')));
  });

  it('source.fixAll.lockwise returns one edit that fixes everything fixable and keeps comments', async function () {
    const { uri } = await fresh(MIGRATION);
    const actions = await client.codeActions(uri, { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } }, ['source.fixAll']);
    assert.strictEqual(actions.length, 1);
    assert.strictEqual(actions[0].kind, 'source.fixAll.lockwise');
    const after = await apply(uri, actions[0]);
    const text = client.text(uri);
    assert.match(text, /^-- add an index and a foreign key\nBEGIN;\nSET LOCAL lock_timeout = '5s';\n/);
    assert.match(
      text,
      /NOT VALID;\nCOMMIT;\nALTER TABLE orders VALIDATE CONSTRAINT orders_user_fk;\nCREATE INDEX CONCURRENTLY IF NOT EXISTS orders_created_idx/,
    );
    assert.ok(errors(after).length < errors((await fresh(MIGRATION)).diagnostics).length);
    // Only on request: an ordinary code action request does not compute it.
    const plain = await client.codeActions(uri, { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } });
    assert.ok(!plain.some((a) => a.kind === 'source.fixAll.lockwise'));
  });

  it('lockwise.fixAll applies the fixes through workspace/applyEdit', async function () {
    const { uri } = await fresh(MIGRATION);
    const result = await client.executeCommand<{ applied: boolean; fixed: string[] }>('lockwise.fixAll', uri);
    assert.strictEqual(result.applied, true);
    assert.deepStrictEqual([...result.fixed].sort(), ['adding-foreign-key-constraint', 'require-concurrent-index-creation', 'require-lock-timeout']);
    const { diagnostics } = await client.diagnostics(uri);
    assert.ok(!diagnostics.some((d) => d.code === 'adding-foreign-key-constraint'));
    assert.match(client.text(uri), /VALIDATE CONSTRAINT/);
  });

  it('lockwise.auditFile returns the audit markdown with line links to the file', async function () {
    const { uri } = await fresh(MIGRATION);
    const md = await client.executeCommand<string>('lockwise.auditFile', uri);
    assert.match(md, /^# Lockwise audit/);
    assert.match(md, /\| line \| statement \| locks \| blocks \| held until \| timeout \| findings \|/);
    assert.match(md, /!\[Lock timeline\]\(data:image\/svg\+xml;base64,[A-Za-z0-9+/=]+\)/, 'the lock timeline picture');
    assert.ok(md.includes(`[3](${uri}#L3)`), md);
    assert.match(md, /SHARE ROW EXCLUSIVE `orders`/);
  });

  it('lockwise.auditFiles audits files from disk in migration order, with schema history', async function () {
    const dir = path.join(root, 'hist');
    write(dir, '10_index.sql', 'CREATE INDEX i ON accounts (email);\n');
    write(dir, '2_create.sql', 'CREATE TABLE accounts (id bigint, email text);\n');
    const uris = ['10_index.sql', '2_create.sql'].map((f) => uriOf(path.join(dir, f)));
    const result = await client.executeCommand<AuditFilesResult>('lockwise.auditFiles', uris);
    assert.strictEqual(result.audited, 2);
    assert.deepStrictEqual(
      result.files.map((f) => f.path.replace(/^.*\//, '')),
      ['2_create.sql', '10_index.sql'],
      'natural order',
    );
    assert.match(result.markdown, /require-concurrent-index-creation/);
    // The overview first; the file without findings only counted there.
    assert.match(
      result.markdown,
      /^# Lockwise audit\n\n\*\*2 files\*\* audited · 1 with errors[\s\S]*### Worst statements[\s\S]*1 file without findings not shown\.\n/,
    );
    assert.ok(!result.markdown.includes('2_create.sql`\n'), 'no section for the file without findings');
    const all = await client.executeCommand<AuditFilesResult>('lockwise.auditFiles', uris, { all: true });
    assert.ok(all.markdown.includes('2_create.sql`\n'));
  });

  it('lockwise.auditOverview: the overview of batches, from their records; malformed records are dropped', async function () {
    const dir = path.join(root, 'batches');
    write(dir, '1_create.sql', 'CREATE TABLE accounts (id bigint, email text);\n');
    write(dir, '2_index.sql', 'CREATE INDEX i ON accounts (email);\n');
    const uris = ['1_create.sql', '2_index.sql'].map((f) => uriOf(path.join(dir, f)));
    const batches = await Promise.all(uris.map((u) => client.executeCommand<AuditFilesResult>('lockwise.auditFiles', [u], { header: false })));
    assert.strictEqual(batches[0].markdown, '', 'a batch has no header, and no section for a file without findings');
    const records: unknown[] = batches.flatMap((b) => b.files);
    const md = await client.executeCommand<string>('lockwise.auditOverview', [
      ...records,
      { path: 1 },
      { ...(records[1] as object), worst: [{ mode: '<img>' }] },
    ]);
    assert.match(md, /^# Lockwise audit\n\n\*\*2 files\*\* audited/);
    assert.match(
      md,
      /\| 4 \| \[`batches\/2_index\.sql:1`\]\(file:[^)]*2_index\.sql#L1\)<br>`CREATE INDEX i ON accounts \(email\)` \| SHARE `accounts` \| writes \| index build \| statement \|/,
    );
  });

  it('lockwise.fileSummary gives the strongest lock on an existing table and the tables touched', async function () {
    const { uri } = await fresh('CREATE TABLE fresh (id int);\nALTER TABLE fresh ADD COLUMN a int;\nCREATE INDEX i ON users (email);\nSELECT * FROM orders;\n');
    const summary = await client.executeCommand<{ worstLock: { mode: string; relation: string }; tables: string[] }>('lockwise.fileSummary', uri);
    assert.deepStrictEqual(summary.worstLock, { mode: 'SHARE', relation: 'users' });
    assert.deepStrictEqual([...summary.tables].sort(), ['fresh', 'orders', 'users']);
  });

  it('CodeLens: above statements with a finding by default, above strong locks with "strong-locks"; a click opens the fixes or the hover', async function () {
    const { uri } = await fresh(MIGRATION + 'CREATE TABLE t (id int);\nALTER TABLE t ADD COLUMN a int;\nINSERT INTO orders VALUES (1);\n');
    const shown = async () =>
      (await client.codeLens(uri)).map((l) => `${l.range.start.line} ${l.command?.title} → ${JSON.stringify(l.command?.arguments?.slice(1))}`);
    assert.deepStrictEqual(await shown(), [
      '2 SHARE users · until COMMIT L5 · index build · 2 findings: show fixes → [2,0,"fixes"]',
      '3 SHARE ROW EXCLUSIVE orders · until COMMIT L5 · scan · 1 finding: show fixes → [3,0,"fixes"]',
      '5 SHARE orders · index build · 1 finding: show fixes → [5,0,"fixes"]',
      '6 no lock on an existing table · 1 finding: show fixes → [6,0,"fixes"]',
    ]);
    for (const lens of await client.codeLens(uri)) {
      assert.strictEqual(lens.command?.command, 'lockwise.showStatement');
      assert.strictEqual(lens.command?.arguments?.[0], uri);
    }
    await client.setSettings({ codeLens: { show: 'strong-locks' } });
    assert.deepStrictEqual(
      (await shown()).map((t) => t.replace(/ · \d findings?: show fixes → .*/, '')),
      ['2 SHARE users · until COMMIT L5 · index build', '3 SHARE ROW EXCLUSIVE orders · until COMMIT L5 · scan', '5 SHARE orders · index build'],
    );
    await client.setSettings({ codeLens: { show: 'off' } });
    assert.deepStrictEqual(await shown(), []);
    await client.setSettings({});
  });
});
