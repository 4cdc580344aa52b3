/**
 * Issue 12 and 13 in the editor, over stdio against the real server: suggestions (fixes that change
 * what the migration does) are offered one by one with their consequence and left out of fix-all;
 * a withheld fix shows as a disabled action with its reason; "Ignore …" leaves a reason placeholder,
 * a selected snippet where the client takes snippet edits.
 */
import * as assert from 'assert';
import * as path from 'path';
import { CodeAction, Diagnostic, SnippetTextEdit, TextDocumentEdit } from 'vscode-languageserver-protocol/node';
import { TestClient, tempWorkspace, write } from './client';

const UUID = "SET lock_timeout = '5s';\nALTER TABLE users ADD COLUMN public_id uuid DEFAULT gen_random_uuid();\n";
const UUID_NO_TIMEOUT = 'ALTER TABLE users ADD COLUMN public_id uuid DEFAULT gen_random_uuid();\n';
// SET NOT NULL in the middle of BEGIN/COMMIT: its multi-step fix cannot move after the COMMIT.
const NOT_NULL_MID_BLOCK =
  "BEGIN;\nSET LOCAL lock_timeout = '5s';\nALTER TABLE users ALTER COLUMN email SET NOT NULL;\nALTER TABLE users ADD COLUMN note text;\nCOMMIT;\n";

describe('LSP: fix safety, withheld fixes, ignore reasons', function () {
  let n = 0;
  let root: string;
  const clients: TestClient[] = [];

  async function start(options: { disabledActions?: boolean; snippetEdits?: boolean; resolveCodeActions?: boolean } = {}): Promise<TestClient> {
    const client = await TestClient.start(root, options);
    clients.push(client);
    return client;
  }

  async function open(client: TestClient, text: string): Promise<{ uri: string; diagnostics: Diagnostic[] }> {
    const uri = await client.open(path.join(root, `m${++n}`, '001.sql'), text);
    return { uri, diagnostics: (await client.diagnostics(uri)).diagnostics };
  }

  const on = (diagnostics: Diagnostic[], rule: string) => diagnostics.find((d) => d.code === rule)!;

  before(() => {
    root = tempWorkspace();
  });
  after(async () => {
    for (const c of clients) await c.stop();
  });

  it('a suggestion is a quick fix with its consequence in the title, never preferred', async function () {
    const client = await start();
    const { uri, diagnostics } = await open(client, UUID);
    const actions = await client.codeActions(uri, on(diagnostics, 'adding-field-with-default').range);
    const fix = actions.find((a) => a.title.startsWith('Add the column without the default'));
    assert.ok(fix?.edit, actions.map((a) => a.title).join('\n'));
    assert.match(fix.title, /\(changes behaviour: existing rows stay NULL instead of getting the default\)$/);
    assert.ok(!fix.isPreferred);
  });

  it('with the primary key in the migration history, the fix is the safe batched backfill: preferred, and fix-all applies it', async function () {
    const client = await start();
    write(root, 'hist/001_members.sql', 'CREATE TABLE members (id bigint PRIMARY KEY, name text);\n');
    const text = "SET lock_timeout = '5s';\nALTER TABLE members ADD COLUMN public_id uuid NOT NULL DEFAULT gen_random_uuid();\n";
    const uri = await client.open(write(root, 'hist/002_public_id.sql', text), text);
    const { diagnostics } = await client.diagnostics(uri);
    const fix = (await client.codeActions(uri, on(diagnostics, 'adding-field-with-default').range)).find((a) =>
      a.title.startsWith('Add the column, SET DEFAULT'),
    );
    assert.ok(fix?.edit && fix.isPreferred && !/changes behaviour/.test(fix.title), JSON.stringify(fix?.title));
    const [all] = await client.codeActions(uri, { start: { line: 1, character: 0 }, end: { line: 1, character: 0 } }, ['source.fixAll']);
    assert.ok(all?.edit);
    await client.applyWorkspaceEdit(all.edit);
    assert.match(client.text(uri), /UPDATE members SET public_id = DEFAULT WHERE id BETWEEN lockwise_lo AND lockwise_hi AND public_id IS NULL;/);
    const after = (await client.diagnostics(uri)).diagnostics;
    assert.deepStrictEqual(
      after.filter((d) => d.severity === 1).map((d) => d.code),
      [],
    );
  });

  it('fix-all applies the safe fixes and leaves the suggestion', async function () {
    const client = await start();
    const { uri } = await open(client, UUID_NO_TIMEOUT);
    const all = (await client.codeActions(uri, { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } }, ['source.fixAll'])).find(
      (a) => a.kind === 'source.fixAll.lockwise',
    );
    assert.ok(all?.edit && !all.disabled);
    await client.applyWorkspaceEdit(all.edit);
    assert.strictEqual(client.text(uri), "SET lock_timeout = '5s';\nALTER TABLE users ADD COLUMN public_id uuid DEFAULT gen_random_uuid();\n");
  });

  it('fix-all with only suggestions left is disabled and says why (clients that show disabled actions)', async function () {
    const plain = await start();
    const a = await open(plain, UUID);
    const range = { start: { line: 1, character: 0 }, end: { line: 1, character: 0 } };
    assert.deepStrictEqual(
      (await plain.codeActions(a.uri, range, ['source.fixAll'])).map((x) => x.title),
      [],
    );
    const client = await start({ disabledActions: true });
    const b = await open(client, UUID);
    const [all] = await client.codeActions(b.uri, range, ['source.fixAll']);
    assert.ok(all && !all.edit, JSON.stringify(all));
    assert.match(all.disabled?.reason ?? '', /1 suggestion\(s\) left, which change what the migration does/);
  });

  it('a fix withheld inside BEGIN/COMMIT shows disabled with the reason', async function () {
    const client = await start({ disabledActions: true });
    const { uri, diagnostics } = await open(client, NOT_NULL_MID_BLOCK);
    const d = on(diagnostics, 'adding-not-nullable-field');
    const actions = await client.codeActions(uri, d.range);
    const withheld = actions.find((a) => a.title.startsWith('SET NOT NULL through a validated CHECK'));
    assert.ok(withheld, actions.map((a) => a.title).join('\n'));
    assert.strictEqual(withheld.edit, undefined);
    assert.match(withheld.disabled?.reason ?? '', /^No fix here: VALIDATE must run after the COMMIT, and moving SET NOT NULL there/);
    assert.deepStrictEqual(
      withheld.diagnostics?.map((x) => x.code),
      ['adding-not-nullable-field'],
    );
    // At the end of the block the fix exists, enabled.
    const last = await open(client, "BEGIN;\nSET LOCAL lock_timeout = '5s';\nALTER TABLE users ALTER COLUMN email SET NOT NULL;\nCOMMIT;\n");
    const fix = (await client.codeActions(last.uri, on(last.diagnostics, 'adding-not-nullable-field').range)).find((a) =>
      a.title.startsWith('SET NOT NULL through a validated CHECK'),
    );
    assert.ok(fix?.edit && !fix.disabled);
  });

  it('a withheld fix is not listed for a client that cannot show disabled actions', async function () {
    const client = await start();
    const { uri, diagnostics } = await open(client, NOT_NULL_MID_BLOCK);
    const titles = (await client.codeActions(uri, on(diagnostics, 'adding-not-nullable-field').range)).map((a) => a.title);
    assert.ok(!titles.some((t) => t.startsWith('SET NOT NULL through')), titles.join('\n'));
    assert.ok(titles.includes('Ignore adding-not-nullable-field for this statement'));
  });

  it('"Ignore …" selects the reason placeholder as a snippet where the client takes snippet edits', async function () {
    const client = await start({ snippetEdits: true });
    const { uri, diagnostics } = await open(client, UUID);
    const d = on(diagnostics, 'adding-field-with-default');
    const actions = await client.codeActions(uri, d.range);
    const ignore = actions.find((a) => a.title === 'Ignore adding-field-with-default for this statement') as CodeAction;
    const change = ignore.edit?.documentChanges?.[0] as TextDocumentEdit;
    const edit = change.edits[0] as SnippetTextEdit;
    assert.strictEqual(edit.snippet?.kind, 'snippet');
    assert.strictEqual(edit.snippet.value, '-- lockwise-ignore adding-field-with-default -- ${1:<why>}\n');
    await client.applyWorkspaceEdit(ignore.edit!);
    assert.strictEqual(client.text(uri), "SET lock_timeout = '5s';\n-- lockwise-ignore adding-field-with-default -- <why>\n" + UUID.split('\n')[1] + '\n');
    const after = (await client.diagnostics(uri)).diagnostics;
    assert.ok(!after.some((x) => x.code === 'adding-field-with-default'), 'the ignore comment with its placeholder works');
    // The file-wide ignore has the placeholder too.
    const other = await open(client, UUID);
    const file = (await client.codeActions(other.uri, on(other.diagnostics, 'adding-field-with-default').range)).find(
      (a) => a.title === 'Ignore adding-field-with-default for this file',
    );
    const fileEdit = (file?.edit?.documentChanges?.[0] as TextDocumentEdit).edits[0] as SnippetTextEdit;
    assert.strictEqual(fileEdit.snippet.value, '-- lockwise-ignore-file adding-field-with-default -- ${1:<why>}\n');
  });

  it('"Ignore …" writes the placeholder as plain text where the client takes no snippet edits', async function () {
    const client = await start();
    const { uri, diagnostics } = await open(client, UUID);
    const ignore = (await client.codeActions(uri, on(diagnostics, 'adding-field-with-default').range)).find(
      (a) => a.title === 'Ignore adding-field-with-default for this statement',
    );
    const edit = (ignore?.edit?.documentChanges?.[0] as TextDocumentEdit).edits[0];
    assert.ok(!('snippet' in edit));
    assert.strictEqual((edit as { newText: string }).newText, '-- lockwise-ignore adding-field-with-default -- <why>\n');
  });
});
