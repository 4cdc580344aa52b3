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
  "SET lock_timeout = '500us';",
  'ALTER TABLE accounts ADD COLUMN memo text;',
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

  it('first line: strongest lock, what it blocks, how long, lock_timeout; then the findings, one line each', async function () {
    for (const character of [0, 20, 44]) {
      const md = markdown(await client.hover(uri, 2, character));
      const lines = md.split('\n');
      assert.strictEqual(lines[0], '**SHARE** on `users` · blocks writes · until COMMIT \\(line 5\\) · **no `lock_timeout`** · index build');
      // CONCURRENTLY cannot run inside the transaction, and this is not its last statement: no fix to offer, the safe way instead.
      assert.deepStrictEqual(lines.slice(2, 4), [
        'error `require-concurrent-index-creation` · Use CREATE INDEX CONCURRENTLY outside the transaction block \\(it cannot run inside one\\)  ',
        "error `require-lock-timeout` · fix: Insert lock\\_timeout = '5s'",
      ]);
      assert.match(md, /builds an index/);
      assert.match(md, /PostgreSQL 15/);
      assert.doesNotMatch(md, /\| relation \|/, 'one relation: no locks table');
    }
  });

  it('does not repeat the diagnostic messages; several relations get a locks table', async function () {
    const md = markdown(await client.hover(uri, 3, 5));
    assert.match(md, /^\*\*SHARE ROW EXCLUSIVE\*\* on `orders` · blocks writes · until COMMIT \\\(line 5\\\) · \*\*no `lock_timeout`\*\* · full scan\n/);
    assert.match(md, /\| `orders` \| SHARE ROW EXCLUSIVE \| target \|/);
    assert.match(md, /\| `users` \| SHARE ROW EXCLUSIVE \| referenced \|/);
    assert.match(md, /error `adding-foreign-key-constraint` · fix: Add the foreign key NOT VALID, then VALIDATE it separately/);
    assert.doesNotMatch(md, /validates every row/, 'the message is shown by the editor above the card');
    assert.match(md, /\*\*scans\*\* the whole table/);
  });

  it('shows the lock_timeout in effect and "for this statement" outside a transaction', async function () {
    const md = markdown(await client.hover(uri, 8, 3));
    assert.match(md, /^\*\*ACCESS EXCLUSIVE\*\* on `accounts` · blocks reads and writes · for this statement · `lock_timeout` 2s$/m);
  });

  it('a lock_timeout PostgreSQL rounds to 0 is shown as no timeout, with the value', async function () {
    const md = markdown(await client.hover(uri, 10, 3));
    assert.match(md, /^\*\*ACCESS EXCLUSIVE\*\* on `accounts` · .* · \*\*no `lock_timeout`\*\* \(`500us` rounds to 0 = no timeout\)$/m);
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
    assert.match(markdown(await client.hover(uri, 6, 13)), /^\*\*SHARE ROW EXCLUSIVE\*\* on `accounts`/);
  });

  it('describes transaction control and settings statements', async function () {
    assert.match(markdown(await client.hover(uri, 1, 2)), /every lock taken after it is held until the COMMIT on line 5/);
    assert.match(markdown(await client.hover(uri, 5, 2)), /Takes no table locks/);
  });

  it('shows nothing between statements', async function () {
    assert.strictEqual(await client.hover(uri, 0, 5), null);
  });

  it("shows what left the message: a finding's safe way when it has no fix, and its notes, escaped", async function () {
    const backfill = await client.open(path.join(root, 'db/backfill.sql'), "SET lock_timeout = '2s';\nUPDATE \"<b>users</b>\" SET plan = 'free';\n");
    await client.diagnostics(backfill);
    const md = markdown(await client.hover(backfill, 1, 3));
    const html = render(md);
    assert.match(html, /<code>unbatched-backfill<\/code> · Backfill in batches \(e\.g\. WHERE id IN \(SELECT id \.\.\. LIMIT 5000\)\), one transaction each/);
    assert.match(html, /Note: it locks each changed row until it commits and produces a burst of WAL and dead rows/);
    // Said once by the card, not again by the finding's note.
    assert.match(html, /no schema history: existing tables are assumed to hold data/);
    assert.doesNotMatch(html, /no schema history found/);
    assert.doesNotMatch(html, /<b>/);
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
    // A pipe in the name stays inside its code span: no table is made of it.
    const html2 = render(markdown(await client.hover(hostile, 2, 3)));
    assert.doesNotMatch(html2, /<table/);
    assert.match(html2, /<code>a'b¦c<\/code>/);
  });
});
