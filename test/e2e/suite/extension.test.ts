/**
 * Lockwise in a real VS Code: the extension activates on a migration, the language server publishes
 * diagnostics, hovers and quick fixes through the editor's own providers, and the commands work.
 * Runs against a fresh copy of test/e2e/workspace (the runner copies it; fixes are applied in memory).
 */
import * as assert from 'assert';
import * as vscode from 'vscode';
import {
  EXTENSION_ID,
  metrics,
  openMigration,
  waitForDiagnostics,
  withCode,
  codeOf,
  hoverText,
  codeActions,
  positionOf,
  waitFor,
  allTabs,
  describeTabs,
  lockwiseDiagnostics,
  commandId,
  contributedCommands,
} from './helpers';

const INDEX_FILE = 'migrations/002_index_users_email.sql';
const FK_FILE = 'migrations/003_users_org_fk.sql';
const COLUMN_FILE = 'migrations/004_add_status.sql';
const ORDERS_FILE = 'migrations/005_orders.sql';

const errors = (ds: vscode.Diagnostic[]) => ds.filter((d) => d.severity === vscode.DiagnosticSeverity.Error);

let activationError: unknown;

describe('Lockwise extension in VS Code', function () {
  this.timeout(120_000);

  // once activation has failed, every test says so at once instead of waiting out its timeout
  beforeEach(() => {
    if (activationError) throw new Error(`the extension failed to activate: ${String(activationError)}`);
  });

  it('activates on a SQL migration and publishes diagnostics (code = rule id, docs link)', async () => {
    const ext = vscode.extensions.getExtension(EXTENSION_ID);
    assert.ok(ext, `extension ${EXTENSION_ID} is loaded`);
    metrics['extension-active-before-open'] = String(ext.isActive);
    const t0 = Date.now();
    const editor = await openMigration(INDEX_FILE);
    assert.strictEqual(editor.document.languageId, 'sql');
    const activation = Promise.resolve(ext.activate()).then(
      () => Date.now(),
      (e) => {
        activationError = e;
        throw e;
      },
    );
    const ds = await Promise.race([
      waitForDiagnostics(editor.document.uri, 'require-concurrent-index-creation', (d) => !!withCode(d, 'require-concurrent-index-creation')),
      activation.then(() => new Promise<never>(() => undefined)), // only its rejection counts here
    ]);
    const tDiag = Date.now();
    const tActive = await activation;
    metrics['activate-resolved-ms'] = tActive - t0;
    // from the document open that triggers activation (onLanguage:sql) to the first published diagnostics
    metrics['activation-to-first-diagnostics-ms'] = tDiag - t0;
    const d = withCode(ds, 'require-concurrent-index-creation')!;
    assert.strictEqual(d.severity, vscode.DiagnosticSeverity.Error);
    assert.strictEqual(d.range.start.line, 2, 'on the CREATE INDEX line');
    // One short sentence naming the table and the danger; the lock details are in the hover and the docs.
    assert.strictEqual(d.message, 'CREATE INDEX blocks writes to users while it builds');
    const code = d.code as { value: string | number; target: vscode.Uri };
    assert.ok(typeof code === 'object' && code.target, 'code carries a docs link (codeDescription)');
    // A rendered page (the repository's web view), not the bundled markdown opened as an editable file.
    assert.strictEqual(code.target.toString(), 'https://github.com/lockwise/lockwise/blob/main/docs/rules/require-concurrent-index-creation.md');
    assert.deepStrictEqual(ds.map(codeOf), ['require-concurrent-index-creation'], 'no other finding in this file');
  });

  it('hover on a statement shows its locks and the lock_timeout in effect', async () => {
    const editor = await openMigration(COLUMN_FILE);
    const uri = editor.document.uri;
    await waitForDiagnostics(uri, 'require-lock-timeout', (d) => !!withCode(d, 'require-lock-timeout'));
    const text = await hoverText(uri, positionOf(editor.document, 'ADD COLUMN', 2));
    assert.match(text, /ACCESS EXCLUSIVE/);
    assert.match(text, /lock_timeout/);
    assert.match(text, /users/);
    assert.match(text, /require-lock-timeout/, 'the finding is listed on the card');

    // a statement with no finding gets a card too, with the timeout set earlier in the file
    const orders = await openMigration(ORDERS_FILE);
    await waitForDiagnostics(orders.document.uri, 'diagnostics of 005', (d) => d.length > 0);
    const safe = await hoverText(orders.document.uri, positionOf(orders.document, 'last_order_at'));
    assert.match(safe, /ACCESS EXCLUSIVE/);
    assert.match(safe, /lock_timeout/);
    assert.match(safe, /5s/);
  });

  it('offers the quick fix, and applying it clears the diagnostic', async () => {
    const editor = await openMigration(INDEX_FILE);
    const uri = editor.document.uri;
    const [d] = (await waitForDiagnostics(uri, 'require-concurrent-index-creation', (ds) => !!withCode(ds, 'require-concurrent-index-creation'))).filter(
      (x) => codeOf(x) === 'require-concurrent-index-creation',
    );
    const actions = await codeActions(uri, d.range);
    const titles = actions.map((a) => a.title);
    const fix = actions.find((a) => a.title === 'Use CREATE INDEX CONCURRENTLY');
    assert.ok(fix, `quick fix offered; got ${JSON.stringify(titles)}`);
    assert.ok(fix.isPreferred, 'the CONCURRENTLY fix is the preferred one');
    assert.ok(
      titles.includes('Ignore require-concurrent-index-creation for this statement') &&
        titles.includes('Ignore require-concurrent-index-creation for this file'),
      `ignore actions offered; got ${JSON.stringify(titles)}`,
    );
    assert.ok(fix.edit, 'the fix carries its edit');
    const version = editor.document.version;
    assert.ok(await vscode.workspace.applyEdit(fix.edit), 'workspace.applyEdit accepted the fix');
    assert.ok(editor.document.version > version);
    assert.match(editor.document.getText(), /CREATE INDEX CONCURRENTLY (IF NOT EXISTS )?users_email_idx ON users \(email\);/);
    assert.match(editor.document.getText(), /^-- Look users up by email\.$/m, 'comments kept');
    await waitForDiagnostics(uri, 'the diagnostic to clear after the fix', (ds) => !withCode(ds, 'require-concurrent-index-creation'));
    assert.deepStrictEqual(errors(lockwiseDiagnostics(uri)).map(codeOf), [], 'no new error after the fix');
  });

  it('multi-step fix: foreign key added NOT VALID, then VALIDATE', async () => {
    const editor = await openMigration(FK_FILE);
    const uri = editor.document.uri;
    const ds = await waitForDiagnostics(uri, 'adding-foreign-key-constraint', (x) => !!withCode(x, 'adding-foreign-key-constraint'));
    const d = withCode(ds, 'adding-foreign-key-constraint')!;
    const actions = await codeActions(uri, d.range);
    const fix = actions.find((a) => /NOT VALID.*VALIDATE/.test(a.title));
    assert.ok(fix?.edit, `NOT VALID + VALIDATE fix offered; got ${JSON.stringify(actions.map((a) => a.title))}`);
    assert.ok(await vscode.workspace.applyEdit(fix.edit));
    const text = editor.document.getText();
    assert.match(text, /FOREIGN KEY \(org_id\) REFERENCES orgs \(id\) NOT VALID;/);
    assert.match(text, /ALTER TABLE users VALIDATE CONSTRAINT users_org_id_fkey;/);
    assert.ok(text.indexOf('NOT VALID') < text.indexOf('VALIDATE CONSTRAINT'), 'VALIDATE comes after the NOT VALID add');
    await waitForDiagnostics(uri, 'adding-foreign-key-constraint to clear', (x) => !withCode(x, 'adding-foreign-key-constraint'));
    assert.deepStrictEqual(errors(lockwiseDiagnostics(uri)).map(codeOf), [], 'no new error after the multi-step fix');
  });

  it('"Lockwise: Audit Current File" opens the audit report as a markdown preview', async () => {
    const editor = await openMigration(ORDERS_FILE);
    await waitForDiagnostics(editor.document.uri, 'diagnostics of 005', (d) => d.length > 0);
    const before = new Set(allTabs());
    const isAudit = (t: vscode.Tab) =>
      (t.input instanceof vscode.TabInputWebview && /markdown/i.test(t.input.viewType)) ||
      (t.input instanceof vscode.TabInputText && /\.md$|audit/i.test(t.input.uri.path)) ||
      /audit|preview/i.test(t.label);
    const opened = waitFor(
      'an audit tab (markdown preview) to open',
      () => allTabs().find((t) => !before.has(t) && isAudit(t)),
      [vscode.window.tabGroups.onDidChangeTabs as vscode.Event<unknown>],
      60_000,
      describeTabs,
    );
    await vscode.commands.executeCommand(commandId('Audit Current File'));
    const tab = await opened;
    metrics['audit-tab'] = tab.label;
    const md = vscode.workspace.textDocuments.find((d) => d.languageId === 'markdown' && /ACCESS EXCLUSIVE|SHARE/.test(d.getText()));
    if (md) {
      assert.match(md.getText(), /users/);
      assert.match(md.getText(), /SHARE/);
    }
  });

  it('"Lockwise: Trace Locks in Embedded PostgreSQL" runs the migration and the hover shows the traced locks', async () => {
    const editor = await openMigration(ORDERS_FILE);
    const uri = editor.document.uri;
    await waitForDiagnostics(uri, 'diagnostics of 005', (d) => d.length > 0);
    const before = new Set(allTabs());
    const opened = waitFor(
      'the trace report to open',
      () => allTabs().find((t) => !before.has(t) && /trace/i.test(t.label)),
      [vscode.window.tabGroups.onDidChangeTabs as vscode.Event<unknown>],
      110_000,
      describeTabs,
    );
    await vscode.commands.executeCommand(commandId('Trace Locks in Embedded PostgreSQL'));
    metrics['trace-tab'] = (await opened).label;
    const text = await hoverText(uri, positionOf(editor.document, 'ADD COLUMN last_order_at'));
    assert.match(text, /Traced on PostgreSQL 18\./, `the hover shows the trace; got: ${text.slice(0, 400)}`);
    assert.match(text, /ACCESS EXCLUSIVE/);
  });

  it('"Lockwise: Fix All in File" applies every safe fix through the server', async () => {
    const editor = await openMigration(COLUMN_FILE);
    const uri = editor.document.uri;
    await waitForDiagnostics(uri, 'require-lock-timeout', (d) => !!withCode(d, 'require-lock-timeout'));
    const changed = waitFor('the document to change', () => /lock_timeout/.test(editor.document.getText()) || undefined, [
      vscode.workspace.onDidChangeTextDocument as vscode.Event<unknown>,
    ]);
    await vscode.commands.executeCommand(commandId('Fix All in File'));
    await changed;
    assert.match(editor.document.getText(), /SET lock_timeout = '[^']+';\s*\n(-- .*\n)*ALTER TABLE users ADD COLUMN status text;/);
    await waitForDiagnostics(uri, 'no error left after fix-all', (d) => errors(d).length === 0);
  });

  it('contributes its palette commands (category Lockwise), settings, and no * activation', async () => {
    const ext = vscode.extensions.getExtension(EXTENSION_ID)!;
    const contributed = contributedCommands();
    const registered = new Set(await vscode.commands.getCommands(true));
    for (const title of ['Audit Current File', 'Audit Workspace Migrations', 'Fix All in File', 'Show Output', 'Restart Server']) {
      const id = commandId(title);
      assert.ok(registered.has(id), `${id} ("${title}") is registered at run time`);
    }
    assert.ok(
      contributed.every((c) => c.category === 'Lockwise'),
      `every command is in the Lockwise category: ${JSON.stringify(contributed)}`,
    );
    const config = vscode.workspace.getConfiguration('lockwise');
    for (const key of ['pgVersion', 'assumeInTransaction', 'rules', 'lockTimeout', 'include', 'exclude', 'codeLens.enable', 'codeLens.show', 'trace.server']) {
      assert.ok(config.inspect(key)?.defaultValue !== undefined, `setting lockwise.${key} is contributed with a default`);
    }
    const activation: string[] = ext.packageJSON.activationEvents ?? [];
    assert.ok(!activation.includes('*'), 'no * activation');
    assert.strictEqual(metrics['extension-active-before-open'], 'false', 'the extension was not active before a SQL file was opened');
  });
});
