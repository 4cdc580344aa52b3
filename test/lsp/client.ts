/**
 * A minimal LSP client for the tests: spawns `node dist/server.js --stdio`, speaks JSON-RPC over
 * its pipes, answers the server's requests (configuration, registration, applyEdit) like an editor,
 * and records what the server pushes (diagnostics, messages) so tests can wait on them.
 */
import * as cp from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { pathToFileURL } from 'url';
import {
  ApplyWorkspaceEditParams,
  ApplyWorkspaceEditRequest,
  CodeAction,
  CodeActionRequest,
  CodeActionResolveRequest,
  CodeLens,
  CodeLensRefreshRequest,
  CodeLensRequest,
  ConfigurationRequest,
  createProtocolConnection,
  DidChangeConfigurationNotification,
  DidChangeTextDocumentNotification,
  DidChangeWatchedFilesNotification,
  DidCloseTextDocumentNotification,
  DidOpenTextDocumentNotification,
  ExecuteCommandRequest,
  FileChangeType,
  Hover,
  HoverRequest,
  InitializeRequest,
  InitializedNotification,
  LogMessageNotification,
  ProtocolConnection,
  PublishDiagnosticsNotification,
  PublishDiagnosticsParams,
  Range,
  RegistrationRequest,
  ShowMessageNotification,
  ShowMessageParams,
  ShutdownRequest,
  ExitNotification,
  StreamMessageReader,
  StreamMessageWriter,
  TextEdit,
  WorkspaceEdit,
} from 'vscode-languageserver-protocol/node';
import { TextDocument } from 'vscode-languageserver-textdocument';

/** Messages may be plain strings or MarkupContent in LSP 3.18. */
export function messageText(message: string | { value: string }): string {
  return typeof message === 'string' ? message : message.value;
}

export const SERVER = path.resolve(__dirname, '..', '..', '..', 'dist', 'server.js');

export function tempWorkspace(files: Record<string, string> = {}): string {
  const dir = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), 'lockwise-lsp-')));
  for (const [name, text] of Object.entries(files)) write(dir, name, text);
  return dir;
}

export function write(dir: string, name: string, text: string): string {
  const file = path.join(dir, name);
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, text);
  return file;
}

export function uriOf(file: string): string {
  return pathToFileURL(file).toString();
}

export interface StartOptions {
  settings?: Record<string, unknown>;
  initializationOptions?: Record<string, unknown>;
  /** The client resolves code actions' edits later (`codeAction/resolve`), as VS Code does. */
  resolveCodeActions?: boolean;
  /** Another server bundle than dist/server.js (e.g. a copy of dist/ without PGlite). */
  serverPath?: string;
  /** The whole command line instead of `node <serverPath> --stdio` (e.g. an installed bin). */
  command?: string[];
  /** The client shows disabled code actions (`codeAction.disabledSupport`), as VS Code does. */
  disabledActions?: boolean;
  /** The client applies snippet text edits (`workspaceEdit.snippetEditSupport`, LSP 3.18), as VS Code does. */
  snippetEdits?: boolean;
}

/** A snippet's text as an editor inserts it: placeholders become their default text, `\\$` `\\}` `\\\\` unescaped. */
export function snippetToText(snippet: string): string {
  return snippet.replace(
    /\\([$}\\])|\$\{\d+:([^}]*)\}|\$\d+/g,
    (_m, escaped: string | undefined, placeholder: string | undefined) => escaped ?? placeholder ?? '',
  );
}

export class TestClient {
  readonly published: PublishDiagnosticsParams[] = [];
  readonly messages: ShowMessageParams[] = [];
  readonly logs: string[] = [];
  readonly docs = new Map<string, TextDocument>();
  settings: Record<string, unknown>;
  private readonly waiters: (() => void)[] = [];
  private stderr = '';

  private constructor(
    readonly conn: ProtocolConnection,
    readonly proc: cp.ChildProcess,
    readonly root: string,
    settings: Record<string, unknown>,
  ) {
    this.settings = settings;
    proc.stderr?.on('data', (d: Buffer) => (this.stderr += d.toString()));
    conn.onNotification(PublishDiagnosticsNotification.type, (p) => {
      this.published.push(p);
      this.notify();
    });
    conn.onNotification(ShowMessageNotification.type, (p) => {
      this.messages.push(p);
      this.notify();
    });
    conn.onNotification(LogMessageNotification.type, (p) => {
      this.logs.push(messageText(p.message));
    });
    conn.onRequest(ConfigurationRequest.type, (p) => p.items.map((item) => (item.section === 'lockwise' ? this.settings : null)));
    conn.onRequest(RegistrationRequest.type, () => undefined);
    conn.onRequest(CodeLensRefreshRequest.type, () => undefined);
    conn.onRequest(ApplyWorkspaceEditRequest.type, (p: ApplyWorkspaceEditParams) => {
      this.applyWorkspaceEdit(p.edit);
      return { applied: true };
    });
  }

  static async start(root: string, options: StartOptions = {}): Promise<TestClient> {
    const [program, ...args] = options.command ?? [process.execPath, options.serverPath ?? SERVER, '--stdio'];
    const proc = cp.spawn(program, args, { stdio: ['pipe', 'pipe', 'pipe'] });
    const conn = createProtocolConnection(new StreamMessageReader(proc.stdout!), new StreamMessageWriter(proc.stdin!));
    const client = new TestClient(conn, proc, root, options.settings ?? {});
    conn.listen();
    await conn.sendRequest(InitializeRequest.type, {
      processId: process.pid,
      rootUri: uriOf(root),
      workspaceFolders: [{ uri: uriOf(root), name: 'ws' }],
      initializationOptions: { debounceMs: 30, trusted: true, ...options.initializationOptions },
      capabilities: {
        workspace: {
          configuration: true,
          workspaceFolders: true,
          workspaceEdit: { documentChanges: true, ...(options.snippetEdits ? { snippetEditSupport: true } : {}) },
          didChangeWatchedFiles: { dynamicRegistration: true },
          didChangeConfiguration: { dynamicRegistration: true },
          codeLens: { refreshSupport: true },
        },
        textDocument: {
          publishDiagnostics: { relatedInformation: true, versionSupport: true, codeDescriptionSupport: true },
          codeAction: {
            ...(options.resolveCodeActions ? { dataSupport: true, resolveSupport: { properties: ['edit'] } } : {}),
            ...(options.disabledActions ? { disabledSupport: true } : {}),
          },
        },
      },
    });
    await conn.sendNotification(InitializedNotification.type, {});
    return client;
  }

  private notify(): void {
    for (const w of this.waiters.splice(0)) w();
  }

  /** Resolves with the first published diagnostics (already received or future) that satisfy `match`. */
  async waitFor<T>(what: string, find: () => T | undefined, timeoutMs = 10000): Promise<T> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const found = find();
      if (found !== undefined) return found;
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}; stderr: ${this.stderr.slice(-2000)}`);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, left);
        this.waiters.push(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
  }

  /** Diagnostics for the document's current version (or for `uri` when it is not open), published after `since`. */
  diagnostics(uri: string, since = 0, match: (p: PublishDiagnosticsParams) => boolean = () => true): Promise<PublishDiagnosticsParams> {
    const doc = this.docs.get(uri);
    return this.waitFor(`diagnostics for ${path.basename(uri)}${doc ? ` v${doc.version}` : ''}`, () =>
      this.published.slice(since).find((p) => p.uri === uri && (!doc || p.version === doc.version) && match(p)),
    );
  }

  mark(): number {
    return this.published.length;
  }

  async open(file: string, text?: string, languageId = 'sql'): Promise<string> {
    return this.openUri(uriOf(file), text ?? fs.readFileSync(file, 'utf8'), languageId);
  }

  async openUri(uri: string, content: string, languageId = 'sql'): Promise<string> {
    const doc = TextDocument.create(uri, languageId, 1, content);
    this.docs.set(uri, doc);
    await this.conn.sendNotification(DidOpenTextDocumentNotification.type, { textDocument: { uri, languageId, version: 1, text: content } });
    return uri;
  }

  async change(uri: string, text: string): Promise<void> {
    const doc = this.docs.get(uri)!;
    const next = TextDocument.create(uri, doc.languageId, doc.version + 1, text);
    this.docs.set(uri, next);
    await this.conn.sendNotification(DidChangeTextDocumentNotification.type, {
      textDocument: { uri, version: next.version },
      contentChanges: [{ text }],
    });
  }

  async close(uri: string): Promise<void> {
    this.docs.delete(uri);
    await this.conn.sendNotification(DidCloseTextDocumentNotification.type, { textDocument: { uri } });
  }

  text(uri: string): string {
    return this.docs.get(uri)!.getText();
  }

  /** Applies edits to the open document and sends them as a change (like an editor applying a code action). */
  async applyWorkspaceEdit(edit: WorkspaceEdit): Promise<void> {
    const byUri = new Map<string, TextEdit[]>();
    for (const change of edit.documentChanges ?? []) {
      if (!('textDocument' in change)) throw new Error('unexpected resource operation');
      const doc = this.docs.get(change.textDocument.uri);
      if (doc && change.textDocument.version !== null && change.textDocument.version !== doc.version) {
        throw new Error(`edit for version ${change.textDocument.version}, document is at ${doc.version}`);
      }
      byUri.set(
        change.textDocument.uri,
        change.edits.map((e) => ('snippet' in e ? { range: e.range, newText: snippetToText(e.snippet.value) } : e)),
      );
    }
    for (const [uri, edits] of Object.entries(edit.changes ?? {})) byUri.set(uri, edits);
    for (const [uri, edits] of byUri) {
      const doc = this.docs.get(uri);
      if (!doc) throw new Error(`edit for a document that is not open: ${uri}`);
      await this.change(uri, TextDocument.applyEdits(doc, edits));
    }
  }

  hover(uri: string, line: number, character: number): Promise<Hover | null> {
    return this.conn.sendRequest(HoverRequest.type, { textDocument: { uri }, position: { line, character } });
  }

  async codeActions(uri: string, range: Range, only?: string[]): Promise<CodeAction[]> {
    const result = await this.conn.sendRequest(CodeActionRequest.type, { textDocument: { uri }, range, context: { diagnostics: [], only } });
    return (result ?? []).filter((a): a is CodeAction => 'title' in a && !('command' in a && typeof a.command === 'string'));
  }

  resolveCodeAction(action: CodeAction): Promise<CodeAction> {
    return this.conn.sendRequest(CodeActionResolveRequest.type, action);
  }

  async codeLens(uri: string): Promise<CodeLens[]> {
    return (await this.conn.sendRequest(CodeLensRequest.type, { textDocument: { uri } })) ?? [];
  }

  executeCommand<T>(command: string, ...args: unknown[]): Promise<T> {
    return this.conn.sendRequest(ExecuteCommandRequest.type, { command, arguments: args }) as Promise<T>;
  }

  async fileChanged(file: string, type: FileChangeType = FileChangeType.Changed): Promise<void> {
    await this.conn.sendNotification(DidChangeWatchedFilesNotification.type, { changes: [{ uri: uriOf(file), type }] });
  }

  async setSettings(settings: Record<string, unknown>): Promise<void> {
    this.settings = settings;
    await this.conn.sendNotification(DidChangeConfigurationNotification.type, { settings: { lockwise: settings } });
  }

  alive(): boolean {
    return this.proc.exitCode === null && !this.proc.killed;
  }

  async stop(): Promise<void> {
    try {
      await Promise.race([this.conn.sendRequest(ShutdownRequest.type), new Promise((r) => setTimeout(r, 2000))]);
      await this.conn.sendNotification(ExitNotification.type);
    } catch {
      // The server may already be gone; it is killed below either way.
    }
    this.conn.dispose();
    if (this.proc.exitCode === null) {
      await Promise.race([new Promise((r) => this.proc.once('exit', r)), new Promise((r) => setTimeout(r, 2000))]);
      if (this.proc.exitCode === null) this.proc.kill();
    }
  }
}
