/** Hover cards: lock table, held until, lock_timeout, findings, lock mode explanations, and escaping. */
import * as assert from 'assert';
import * as path from 'path';
import MarkdownIt from 'markdown-it';
import { Hover, MarkupContent } from 'vscode-languageserver-protocol/node';
import { TestClient, tempWorkspace } from './client';

const MIGRATION = [
  '-- add an index and a foreign key',
  'BEGIN;',
  'CREATE INDEX users_email_idx ON users (email);',
  'ALTER TABLE orders ADD CONSTRAINT orders_user_fk FOREIGN KEY (user_id) REFERENCES users (id);',
  'COMMIT;',
  "SET lock_timeout = '2s';",
  'LOCK TABLE accounts IN SHARE ROW EXCLUSIVE MODE;',
  '-- this one takes ACCESS EXCLUSIVE for a moment',
  'ALTER TABLE accounts ADD COLUMN note text;',
  '',
].join('\n');

function markdown(h: Hover | null): string {
  assert.ok(h, 'expected a hover');
  const contents = h.contents as MarkupContent;
  assert.strictEqual(contents.kind, 'markdown');
  // Plain MarkupContent: nothing asks the editor to trust it (no isTrusted, no command links).
  assert.deepStrictEqual(Object.keys(contents).sort(), ['kind', 'value']);
  return contents.value;
}

/** Renders like a permissive markdown renderer would (HTML allowed), to prove the escaping does the work. */
const render = (md: string) => new MarkdownIt({ html: true, linkify: true }).render(md);

describe('LSP hover', function () {
  let client: TestClient;
  let root: string;
  let uri: string;

  before(async function () {
    root = tempWorkspace({ 'db/001.sql': MIGRATION });
    client = await TestClient.start(root);
    uri = await client.open(path.join(root, 'db/001.sql'));
    await client.diagnostics(uri);
  });
  after(async () => client?.stop());

  it('shows the locks, what they block, how long they are held and the lock_timeout, anywhere in the statement', async function () {
    for (const character of [0, 20, 44]) {
      const md = markdown(await client.hover(uri, 2, character));
      assert.match(md, /\| relation \| mode \| role \|/);
      assert.match(md, /\| `users` \| SHARE \| target \|/);
      assert.match(md, /\*\*Blocks:\*\* writes, index builds, VACUUM, DDL on `users`/);
      assert.match(md, /\*\*Held:\*\* until COMMIT on line 5/);
      assert.match(md, /\*\*lock_timeout:\*\* none: it waits forever, and every query after it queues behind it/);
      assert.match(md, /PostgreSQL 15/);
      assert.match(md, /builds an index/);
      assert.match(md, /`require-concurrent-index-creation`/);
    }
  });

  it('lists the findings with their quick fix titles', async function () {
    const md = markdown(await client.hover(uri, 3, 5));
    assert.match(md, /\| `orders` \| SHARE ROW EXCLUSIVE \| target \|/);
    assert.match(md, /\| `users` \| SHARE ROW EXCLUSIVE \| referenced \|/);
    assert.match(md, /`adding-foreign-key-constraint`: Adding foreign key orders\\_user\\_fk/);
    assert.match(md, /Quick fix: Add the foreign key NOT VALID, then VALIDATE it separately/);
    assert.match(md, /\*\*scans\*\* the whole table/);
  });

  it('shows the lock_timeout in effect and "for this statement" outside a transaction', async function () {
    const md = markdown(await client.hover(uri, 8, 3));
    assert.match(md, /\| `accounts` \| ACCESS EXCLUSIVE \| target \|/);
    assert.match(md, /\*\*Held:\*\* for this statement/);
    assert.match(md, /\*\*lock_timeout:\*\* 2s/);
    assert.match(md, /\*\*Blocks:\*\* reads, writes/);
  });

  it('explains a lock mode named in LOCK TABLE or in a comment', async function () {
    const share = markdown(await client.hover(uri, 6, 27));
    assert.match(share, /^\*\*SHARE ROW EXCLUSIVE\*\* \(PostgreSQL table lock mode\)/);
    assert.match(share, /Conflicts with:\*\* ROW EXCLUSIVE, SHARE UPDATE EXCLUSIVE, SHARE, SHARE ROW EXCLUSIVE, EXCLUSIVE, ACCESS EXCLUSIVE/);
    assert.match(share, /CREATE TRIGGER/);
    const hoverRange = (await client.hover(uri, 6, 27))!.range!;
    assert.deepStrictEqual(hoverRange, { start: { line: 6, character: 23 }, end: { line: 6, character: 42 } });
    const comment = markdown(await client.hover(uri, 7, 22));
    assert.match(comment, /^\*\*ACCESS EXCLUSIVE\*\*/);
    assert.match(comment, /Blocks everything, including SELECT/);
    // The table name in LOCK TABLE gets the statement card, not a mode card.
    assert.match(markdown(await client.hover(uri, 6, 13)), /\| `accounts` \| SHARE ROW EXCLUSIVE \|/);
  });

  it('describes transaction control and settings statements', async function () {
    assert.match(markdown(await client.hover(uri, 1, 2)), /every lock taken after it is held until the COMMIT on line 5/);
    assert.match(markdown(await client.hover(uri, 5, 2)), /Takes no table locks/);
  });

  it('shows nothing between statements', async function () {
    assert.strictEqual(await client.hover(uri, 0, 5), null);
  });

  it('escapes hostile identifiers and messages: they render as text, never as links or HTML', async function () {
    const text = [
      'ALTER TABLE "[x](command:workbench.action.terminal.new)" ADD COLUMN a int;',
      'CREATE INDEX "<b>i</b>" ON "<img src=x onerror=alert(1)>" (c);',
      'CREATE INDEX j ON "a`b|c" (d);',
      '',
    ].join('\n');
    const hostile = await client.open(path.join(root, 'db/hostile.sql'), text);
    await client.diagnostics(hostile);
    for (const line of [0, 1, 2]) {
      const md = markdown(await client.hover(hostile, line, 3));
      const html = render(md);
      assert.doesNotMatch(html, /<a /, `no link in:\n${html}`);
      assert.doesNotMatch(html, /<img/i);
      assert.doesNotMatch(html, /href=/);
    }
    const html0 = render(markdown(await client.hover(hostile, 0, 3)));
    assert.match(html0, /<code>\[x\]\(command:workbench\.action\.terminal\.new\)<\/code>/);
    const html1 = render(markdown(await client.hover(hostile, 1, 3)));
    assert.match(html1, /&lt;img src=x onerror=alert\(1\)&gt;/);
    // The table cell stays one cell: the pipe in the name cannot split it.
    const md2 = markdown(await client.hover(hostile, 2, 3));
    const row = md2.split('\n').find((l) => l.startsWith('| `a'))!;
    assert.strictEqual(row.split('|').length, 5, row);
  });
});
