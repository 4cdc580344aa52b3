/** Waiting on the editor's events (never on a clock) and small lookups shared by the e2e tests. */
import * as assert from 'assert';
import * as vscode from 'vscode';

export const EXTENSION_ID = 'lockwise.lockwise';
/** Numbers the runner prints (`name: value`), e.g. activation-to-first-diagnostics-ms. */
export const metrics: Record<string, number | string> = {};

export function workspaceUri(rel: string): vscode.Uri {
  const folder = vscode.workspace.workspaceFolders?.[0];
  assert.ok(folder, 'the e2e run opens a workspace folder (test/e2e/workspace copy)');
  return vscode.Uri.joinPath(folder.uri, ...rel.split('/'));
}

export async function openMigration(rel: string): Promise<vscode.TextEditor> {
  const doc = await vscode.workspace.openTextDocument(workspaceUri(rel));
  return vscode.window.showTextDocument(doc, { preview: false });
}

/** Resolves once `ready()` returns a value, re-checking on every `event`; rejects with `describe()` after `ms`. */
export function waitFor<T>(
  what: string,
  ready: () => T | undefined | false | Promise<T | undefined | false>,
  events: vscode.Event<unknown>[],
  ms = 60_000,
  describe: () => string = () => '',
): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const subs: vscode.Disposable[] = [];
    let done = false;
    const finish = (err: Error | undefined, value?: T) => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      subs.forEach((s) => s.dispose());
      if (err) reject(err);
      else resolve(value as T);
    };
    const check = async () => {
      try {
        const v = await ready();
        if (v) finish(undefined, v);
      } catch (e) {
        finish(e as Error);
      }
    };
    const timer = setTimeout(() => finish(new Error(`timed out after ${ms} ms waiting for ${what}${describe() ? `; ${describe()}` : ''}`)), ms);
    for (const e of events) subs.push(e(() => void check()));
    void check();
  });
}

export function lockwiseDiagnostics(uri: vscode.Uri): vscode.Diagnostic[] {
  return vscode.languages.getDiagnostics(uri).filter((d) => /lockwise/i.test(d.source ?? ''));
}

export function codeOf(d: vscode.Diagnostic): string {
  const c = d.code;
  if (c === undefined) return '';
  return typeof c === 'object' ? String(c.value) : String(c);
}

export function describeDiagnostics(uri: vscode.Uri): string {
  const all = vscode.languages.getDiagnostics(uri);
  return `diagnostics now: ${JSON.stringify(all.map((d) => `${d.source}:${codeOf(d)}@${d.range.start.line + 1}`))}`;
}

/** Waits until the file's Lockwise diagnostics satisfy `ok` (checked now and on each diagnostics change). */
export function waitForDiagnostics(uri: vscode.Uri, what: string, ok: (ds: vscode.Diagnostic[]) => boolean, ms = 60_000): Promise<vscode.Diagnostic[]> {
  return waitFor(
    what,
    () => {
      const ds = lockwiseDiagnostics(uri);
      return ok(ds) ? ds : undefined;
    },
    [vscode.languages.onDidChangeDiagnostics],
    ms,
    () => describeDiagnostics(uri),
  );
}

export function withCode(ds: vscode.Diagnostic[], rule: string): vscode.Diagnostic | undefined {
  return ds.find((d) => codeOf(d) === rule);
}

export async function hoverText(uri: vscode.Uri, pos: vscode.Position): Promise<string> {
  const hovers = (await vscode.commands.executeCommand<vscode.Hover[]>('vscode.executeHoverProvider', uri, pos)) ?? [];
  return hovers.flatMap((h) => h.contents.map((c) => (typeof c === 'string' ? c : 'value' in c ? c.value : ''))).join('\n---\n');
}

export async function codeActions(uri: vscode.Uri, range: vscode.Range, kind = vscode.CodeActionKind.QuickFix.value): Promise<vscode.CodeAction[]> {
  const all = (await vscode.commands.executeCommand<(vscode.CodeAction | vscode.Command)[]>('vscode.executeCodeActionProvider', uri, range, kind)) ?? [];
  return all.filter((a): a is vscode.CodeAction => 'title' in a && !('command' in a && typeof a.command === 'string'));
}

/** Position of the first occurrence of `needle` in the document (column offset `plus`). */
export function positionOf(doc: vscode.TextDocument, needle: string, plus = 0): vscode.Position {
  const i = doc.getText().indexOf(needle);
  assert.ok(i >= 0, `"${needle}" not found in ${doc.uri.path}`);
  return doc.positionAt(i + plus);
}

export function allTabs(): vscode.Tab[] {
  return vscode.window.tabGroups.all.flatMap((g) => g.tabs);
}

export function describeTabs(): string {
  return `tabs now: ${JSON.stringify(
    allTabs().map((t) => {
      const i = t.input;
      if (i instanceof vscode.TabInputWebview) return `webview:${i.viewType}:${t.label}`;
      if (i instanceof vscode.TabInputText) return `text:${i.uri.toString()}`;
      return `other:${t.label}`;
    }),
  )}`;
}

export interface ContributedCommand {
  command: string;
  title: string;
  category?: string;
}

export function contributedCommands(): ContributedCommand[] {
  const ext = vscode.extensions.getExtension(EXTENSION_ID);
  assert.ok(ext, `extension ${EXTENSION_ID} is loaded`);
  return ext.packageJSON.contributes?.commands ?? [];
}

/** The command id behind a palette title ("Audit Current File"), as the package manifest declares it. */
export function commandId(title: string): string {
  const c = contributedCommands().find((x) => x.title === title || x.title.endsWith(`: ${title}`));
  assert.ok(c, `a command titled "${title}" in contributes.commands; got ${JSON.stringify(contributedCommands().map((x) => x.title))}`);
  return c.command;
}
