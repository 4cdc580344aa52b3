/**
 * The VS Code side of Lockwise: starts the language server (dist/server.js) the first time a SQL
 * document is open or a command needs it, and adds what LSP has no notion of: the audit preview,
 * the workspace audit with progress, the status bar item, and the palette commands. Activation
 * itself only registers things; nothing heavy runs until a SQL file is there.
 */
import * as vscode from 'vscode';
import { NATURAL_ORDER, SERVER_ENV, SERVER_EXEC_ARGV, SQL_FILE, SQL_LANGUAGES } from '../../server/src/project/constants';
import {
  AuditFilesResult as ServerAuditFilesResult,
  CLIENT_COMMANDS,
  COMMANDS,
  LENS_COMMANDS,
  TRACE_CONTEXT_KEY,
  TraceAvailability,
  TraceAvailabilityRequest,
  TraceProgressNotification,
  TrustNotification,
  FileSummary,
  TraceCommandResult,
} from '../../server/src/lsp/protocol';
import { labelText } from '../../server/src/lsp/labels';
import { relativeFileLinks } from './reportLinks';
import { ExecuteCommandRequest, LanguageClient, LanguageClientOptions, ResponseError, ServerOptions, TransportKind } from 'vscode-languageclient/node';

const AUDIT_SCHEME = 'lockwise-audit';
/** Files sent to the server per request during a workspace audit (progress and cancellation granularity). */
const AUDIT_BATCH = 20;

/** Server commands (workspace/executeCommand); the palette commands have their own ids. */
const SERVER = COMMANDS;

/** What the server answers to lockwise.traceFile (server/src/lsp/main.ts, TraceCommandResult). */
type TraceResult = TraceCommandResult;

type AuditFilesResult = ServerAuditFilesResult;

function isSqlDocument(doc: vscode.TextDocument): boolean {
  return SQL_LANGUAGES.has(doc.languageId) || (doc.uri.scheme === 'file' && SQL_FILE.test(doc.uri.path));
}

/** The audit reports, served as read-only virtual markdown documents for the markdown preview. */
class AuditDocuments implements vscode.TextDocumentContentProvider {
  private readonly contents = new Map<string, string>();
  private readonly changed = new vscode.EventEmitter<vscode.Uri>();
  readonly onDidChange = this.changed.event;

  provideTextDocumentContent(uri: vscode.Uri): string {
    return this.contents.get(uri.toString()) ?? '';
  }

  set(name: string, markdown: string): vscode.Uri {
    const uri = vscode.Uri.from({ scheme: AUDIT_SCHEME, path: `/${name.replace(/[\\/]/g, '_')}.md` });
    this.contents.set(uri.toString(), markdown);
    this.changed.fire(uri);
    return uri;
  }

  dispose(): void {
    this.changed.dispose();
  }
}

class Lockwise {
  private client: LanguageClient | undefined;
  private starting: Promise<LanguageClient> | undefined;
  private readonly output: vscode.LogOutputChannel;
  private readonly status: vscode.StatusBarItem;
  private readonly audits = new AuditDocuments();
  private statusTimer: NodeJS.Timeout | undefined;
  private statusTicket = 0;

  constructor(private readonly context: vscode.ExtensionContext) {
    this.output = vscode.window.createOutputChannel('Lockwise', { log: true });
    this.status = vscode.window.createStatusBarItem('lockwise.status', vscode.StatusBarAlignment.Right, 100);
    this.status.name = 'Lockwise';
    this.status.command = CLIENT_COMMANDS.showAudit;
    context.subscriptions.push(this.output, this.status, this.audits, vscode.workspace.registerTextDocumentContentProvider(AUDIT_SCHEME, this.audits));
  }

  activate(): void {
    const { subscriptions } = this.context;
    const command = (id: string, run: () => Promise<unknown>) =>
      subscriptions.push(vscode.commands.registerCommand(id, () => run().catch((error: unknown) => this.fail(id, error))));
    command(CLIENT_COMMANDS.showAudit, () => this.auditCurrentFile());
    command(CLIENT_COMMANDS.auditWorkspace, () => this.auditWorkspace());
    command(CLIENT_COMMANDS.fixAllInFile, () => this.fixAllInFile());
    command(CLIENT_COMMANDS.showOutput, async () => this.output.show(true));
    command(CLIENT_COMMANDS.restartServer, () => this.restart());
    command(CLIENT_COMMANDS.trace, () => this.traceCurrentFile());
    // The CodeLens button (not in the palette): the statement's fix menu or its hover card.
    subscriptions.push(
      vscode.commands.registerCommand(LENS_COMMANDS.showStatement, (uri: string, line: number, character: number, open: 'fixes' | 'hover') =>
        this.showStatement(uri, line, character, open).catch((error: unknown) => this.fail('show statement', error)),
      ),
    );

    // Start the server only once a SQL document is open.
    if (vscode.workspace.textDocuments.some(isSqlDocument)) void this.ensureClient().catch((e: unknown) => this.fail('start', e));
    else {
      const waiting = vscode.workspace.onDidOpenTextDocument((doc) => {
        if (!isSqlDocument(doc)) return;
        waiting.dispose();
        void this.ensureClient().catch((e: unknown) => this.fail('start', e));
      });
      subscriptions.push(waiting);
    }

    subscriptions.push(
      vscode.window.onDidChangeActiveTextEditor(() => {
        this.scheduleStatus(0);
        void this.updateTraceContext();
      }),
      vscode.languages.onDidChangeDiagnostics((e) => {
        const active = vscode.window.activeTextEditor?.document.uri.toString();
        if (active && e.uris.some((u) => u.toString() === active)) this.scheduleStatus(150);
      }),
      vscode.workspace.onDidGrantWorkspaceTrust(() => {
        void this.client?.sendNotification(TrustNotification, { trusted: true }).then(() => this.updateTraceContext());
      }),
    );
    this.scheduleStatus(0);
  }

  private fail(what: string, error: unknown): void {
    const message = error instanceof Error ? error.message : String(error);
    this.output.error(`${what}: ${message}`);
    void vscode.window.showErrorMessage(`Lockwise: ${what} failed: ${message}`, 'Show Output').then((choice) => {
      if (choice) this.output.show(true);
    });
  }

  ensureClient(): Promise<LanguageClient> {
    this.starting ??= this.start();
    return this.starting;
  }

  private async start(): Promise<LanguageClient> {
    const module = this.context.asAbsolutePath('dist/server.js');
    const serverOptions: ServerOptions = {
      // The client adds `env` to the extension host's environment. Over stdio, as other editors run it:
      // the server writes each message's bytes itself (lsp/transport.ts), where IPC's process.send
      // turns a publishDiagnostics with one non-ASCII character into a two-byte string of all of it.
      run: { module, transport: TransportKind.stdio, options: { execArgv: [...SERVER_EXEC_ARGV], env: { ...SERVER_ENV } } },
      debug: { module, transport: TransportKind.stdio, options: { execArgv: [...SERVER_EXEC_ARGV, '--nolazy', '--inspect=6010'], env: { ...SERVER_ENV } } },
    };
    const clientOptions: LanguageClientOptions = {
      documentSelector: [...[...SQL_LANGUAGES].map((language) => ({ language })), { scheme: 'file', pattern: '**/*.{sql,psql,pgsql}' }],
      outputChannel: this.output,
      // Static analysis is safe in untrusted workspaces; anything that would execute SQL checks this flag.
      initializationOptions: { trusted: vscode.workspace.isTrusted },
      // Hover cards are built from document text: never trusted, no HTML.
      markdown: { isTrusted: false, supportHtml: false },
    };
    const client = new LanguageClient('lockwise', 'Lockwise', serverOptions, clientOptions);
    await client.start();
    this.client = client;
    this.scheduleStatus(0);
    void this.updateTraceContext();
    return client;
  }

  async stop(): Promise<void> {
    const client = this.client;
    this.client = undefined;
    this.starting = undefined;
    if (client) await client.stop();
  }

  private async restart(): Promise<void> {
    if (!this.client) {
      await this.ensureClient();
      return;
    }
    await this.client.restart();
    this.output.info('server restarted');
    this.scheduleStatus(0);
    void this.updateTraceContext();
  }

  private async executeServer<T>(command: string, args: unknown[], token?: vscode.CancellationToken): Promise<T> {
    const client = await this.ensureClient();
    return (await client.sendRequest(ExecuteCommandRequest.type, { command, arguments: args }, token)) as T;
  }

  private activeSqlDocument(): vscode.TextDocument | undefined {
    const doc = vscode.window.activeTextEditor?.document;
    return doc && isSqlDocument(doc) ? doc : undefined;
  }

  /**
   * Opens a report as a markdown preview. The preview renders absolute `file:` links as plain text,
   * so the report is written as a real file in the extension's storage with its line links made
   * relative to it (`../../project/migrations/005.sql#L10`), which the preview opens at that line.
   * Where the storage is not a local folder (web, remote schemes), the virtual document is used.
   */
  private async showMarkdown(name: string, markdown: string): Promise<void> {
    const storage = this.context.globalStorageUri;
    let uri: vscode.Uri;
    if (storage.scheme === 'file') {
      const dir = vscode.Uri.joinPath(storage, 'reports');
      await vscode.workspace.fs.createDirectory(dir);
      uri = vscode.Uri.joinPath(dir, `${name.replace(/[^\w.-]+/g, '_')}.md`);
      await vscode.workspace.fs.writeFile(uri, Buffer.from(relativeFileLinks(markdown, dir), 'utf8'));
    } else {
      uri = this.audits.set(name, markdown);
    }
    await vscode.commands.executeCommand('markdown.showPreviewToSide', uri);
  }

  private async auditCurrentFile(): Promise<void> {
    const doc = this.activeSqlDocument();
    if (!doc) {
      void vscode.window.showInformationMessage('Lockwise: open a SQL migration to audit it.');
      return;
    }
    const markdown = await this.executeServer<string | null>(SERVER.auditFile, [doc.uri.toString()]);
    if (markdown) await this.showMarkdown(`Audit ${basename(doc.uri)}`, markdown);
  }

  private async auditWorkspace(): Promise<void> {
    const found = await vscode.workspace.findFiles('**/*.{sql,psql,pgsql}', '**/node_modules/**');
    if (found.length === 0) {
      void vscode.window.showInformationMessage('Lockwise: no SQL files in this workspace.');
      return;
    }
    const uris = found.map((u) => u.toString()).sort(NATURAL_ORDER.compare);
    const result = await vscode.window.withProgress(
      { location: vscode.ProgressLocation.Notification, title: 'Lockwise: auditing migrations', cancellable: true },
      async (progress, token) => {
        const sections: string[] = [];
        const files: AuditFilesResult['files'] = [];
        let audited = 0;
        let skipped = 0;
        for (let i = 0; i < uris.length && !token.isCancellationRequested; i += AUDIT_BATCH) {
          const batch = uris.slice(i, i + AUDIT_BATCH);
          progress.report({ message: `${Math.min(i + batch.length, uris.length)} of ${uris.length} files`, increment: (batch.length / uris.length) * 100 });
          const part = await this.executeServer<AuditFilesResult>(SERVER.auditFiles, [batch, { header: false }], token);
          if (part.markdown) sections.push(part.markdown);
          files.push(...part.files);
          audited += part.audited;
          skipped += part.skipped;
        }
        return { sections, files, audited, skipped, cancelled: token.isCancellationRequested };
      },
    );
    if (result.cancelled) {
      void vscode.window.showInformationMessage(`Lockwise: audit cancelled after ${result.audited} file(s).`);
      return;
    }
    // The overview (worst statements, tables touched most) needs every file: the server builds it from the batches' records.
    const header = await this.executeServer<string>(SERVER.auditOverview, [result.files]);
    const skipped = result.skipped ? `${result.skipped} file(s) skipped by include/exclude or size.\n\n` : '';
    await this.showMarkdown('Lockwise workspace audit', header + skipped + result.sections.join('\n'));
  }

  private async showStatement(uri: string, line: number, character: number, open: 'fixes' | 'hover'): Promise<void> {
    const position = new vscode.Position(line, character);
    await vscode.window.showTextDocument(vscode.Uri.parse(uri), { selection: new vscode.Range(position, position), preserveFocus: false });
    await vscode.commands.executeCommand(open === 'fixes' ? 'editor.action.quickFix' : 'editor.action.showHover');
  }

  private async fixAllInFile(): Promise<void> {
    const doc = this.activeSqlDocument();
    if (!doc) {
      void vscode.window.showInformationMessage('Lockwise: open a SQL migration to fix it.');
      return;
    }
    const result = await this.executeServer<{ applied: boolean; fixed: string[] } | null>(SERVER.fixAll, [doc.uri.toString()]);
    if (!result || !result.applied) void vscode.window.showWarningMessage('Lockwise: the fixes could not be applied (the file changed meanwhile?).');
    else if (result.fixed.length === 0) void vscode.window.showInformationMessage('Lockwise: nothing to fix in this file.');
    else void vscode.window.showInformationMessage(`Lockwise: fixed ${result.fixed.length} finding(s): ${[...new Set(result.fixed)].join(', ')}.`);
  }

  /**
   * Runs the active migration on the embedded PostgreSQL (in the server's worker process, never in
   * the extension host), shows the report and lets the hovers show what each statement took.
   */
  private async traceCurrentFile(): Promise<void> {
    if (!vscode.workspace.isTrusted) {
      const choice = await vscode.window.showWarningMessage(
        'Lockwise: tracing runs your migration on an embedded PostgreSQL and is available in trusted workspaces only.',
        'Manage Workspace Trust',
      );
      if (choice) await vscode.commands.executeCommand('workbench.trust.manage');
      return;
    }
    const doc = this.activeSqlDocument();
    if (!doc) {
      void vscode.window.showInformationMessage('Lockwise: open a SQL migration to trace it.');
      return;
    }
    const client = await this.ensureClient();
    const uri = doc.uri.toString();
    // Asked first (a file check, no worker started): without PGlite, one short message with the install step.
    const availability = await this.updateTraceContext(uri);
    if (availability?.reason === 'pglite-missing') {
      await this.offerInstall(availability);
      return;
    }
    const name = basename(doc.uri);
    let result: TraceResult | undefined;
    try {
      result = await vscode.window.withProgress(
        { location: vscode.ProgressLocation.Notification, title: `Lockwise: tracing ${name} on an embedded PostgreSQL`, cancellable: true },
        async (progress, token) => {
          const updates = client.onNotification(TraceProgressNotification, (p) => {
            if (p.uri === uri) progress.report({ message: p.message });
          });
          try {
            return await this.executeServer<TraceResult>(SERVER.traceFile, [uri], token);
          } catch (error) {
            if (token.isCancellationRequested) return undefined;
            throw error;
          } finally {
            updates.dispose();
          }
        },
      );
    } catch (error) {
      await this.traceFailed(error);
      return;
    }
    if (!result) {
      void vscode.window.showInformationMessage('Lockwise: trace cancelled.');
      return;
    }
    await this.showMarkdown(`Trace ${name}`, result.markdown);
    const s = result.summary;
    void vscode.window.showInformationMessage(
      `Lockwise: traced ${s.statements} statement(s) on ${result.engine}: ${s.failed} failed, ${s.disagreements} difference(s) from the prediction. ` +
        'Hover a statement to see the locks it took.',
    );
  }

  /**
   * Sets the context key that puts the trace command in the palette: the server says whether PGlite
   * can be loaded for the active SQL document (the extension's copy, or the workspace's when trusted).
   */
  private async updateTraceContext(uri = this.activeSqlDocument()?.uri.toString()): Promise<TraceAvailability | undefined> {
    const client = this.client;
    if (!client) return undefined;
    let availability: TraceAvailability | undefined;
    try {
      availability = await client.sendRequest(TraceAvailabilityRequest, { uri });
    } catch (error) {
      this.output.warn(`trace availability: ${error instanceof Error ? error.message : String(error)}`);
    }
    await vscode.commands.executeCommand('setContext', TRACE_CONTEXT_KEY, !!availability?.available);
    return availability;
  }

  private async offerInstall(availability: TraceAvailability): Promise<void> {
    const copy = 'Copy npm Command';
    const choice = await vscode.window.showWarningMessage(`Lockwise: ${availability.message ?? 'tracing needs PGlite.'}`, copy);
    if (choice === copy && availability.installCommand) await vscode.env.clipboard.writeText(availability.installCommand);
  }

  private async traceFailed(error: unknown): Promise<void> {
    const data = error instanceof ResponseError ? (error.data as { reason?: string; installCommand?: string } | undefined) : undefined;
    const message = error instanceof Error ? error.message : String(error);
    this.output.warn(`trace: ${message}`);
    if (data?.reason === 'pglite-missing' && data.installCommand) {
      const copy = 'Copy npm Command';
      const choice = await vscode.window.showErrorMessage(`Lockwise: ${message.replace(/\n/g, ' ')}`, { modal: false }, copy);
      if (choice === copy) await vscode.env.clipboard.writeText(data.installCommand);
    } else if (data?.reason) {
      void vscode.window.showWarningMessage(message);
    } else this.fail('trace', error);
  }

  // ---- status bar ------------------------------------------------------------------------------

  private scheduleStatus(delayMs: number): void {
    if (this.statusTimer) clearTimeout(this.statusTimer);
    this.statusTimer = setTimeout(() => void this.updateStatus().catch((e: unknown) => this.output.warn(`status: ${String(e)}`)), delayMs);
  }

  private async updateStatus(): Promise<void> {
    const ticket = ++this.statusTicket;
    const doc = this.activeSqlDocument();
    if (!doc || !this.client) {
      this.status.hide();
      return;
    }
    const summary = await this.executeServer<FileSummary | null>(SERVER.fileSummary, [doc.uri.toString()]);
    // A newer update started while this one waited for the server.
    if (ticket !== this.statusTicket) return;
    if (!summary || summary.skipped) {
      this.status.hide();
      return;
    }
    const lock = summary.worstLock;
    const f = summary.findings;
    // Like other linters' items: counts by severity first, coloured when there are errors or warnings.
    const counts = [f.error ? `$(error) ${f.error}` : '', f.warning ? `$(warning) ${f.warning}` : '', f.info ? `$(info) ${f.info}` : '']
      .filter(Boolean)
      .join(' ');
    this.status.text = `${counts || '$(check)'} · ${lock ? `${lock.mode} ${labelText(lock.relation.replace(/\s+/g, ' '))}` : 'no blocking locks'}`;
    this.status.backgroundColor = f.error
      ? new vscode.ThemeColor('statusBarItem.errorBackground')
      : f.warning
        ? new vscode.ThemeColor('statusBarItem.warningBackground')
        : undefined;
    this.status.tooltip = [
      lock ? `Strongest lock in this file: ${lock.mode} on ${lock.relation}` : 'No lock that blocks queries on an existing table',
      `Tables: ${summary.tables.length ? summary.tables.join(', ') : 'none'}`,
      ...(summary.rewrites.length ? [`Rewritten: ${summary.rewrites.join(', ')}`] : []),
      `Findings: ${f.error} error(s), ${f.warning} warning(s), ${f.info} info`,
      `Runner: ${summary.runner ?? 'none (plain psql)'}`,
      'Click to open the audit',
    ].join('\n');
    this.status.show();
  }
}

function basename(uri: vscode.Uri): string {
  return uri.path.split('/').pop() ?? uri.path;
}

let lockwise: Lockwise | undefined;

/** What other extensions and the extension tests can call. */
export interface LockwiseApi {
  /** Starts the language server if it is not running yet and resolves once it is ready. */
  ready(): Promise<void>;
}

export function activate(context: vscode.ExtensionContext): LockwiseApi {
  const instance = new Lockwise(context);
  lockwise = instance;
  instance.activate();
  return { ready: async () => void (await instance.ensureClient()) };
}

export function deactivate(): Promise<void> | undefined {
  const instance = lockwise;
  lockwise = undefined;
  return instance?.stop();
}
