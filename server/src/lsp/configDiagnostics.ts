/**
 * Diagnostics on the `.lockwise.json` files themselves: published while invalid, cleared once valid
 * or deleted. Sync runs after every publish: the file is read for its diagnostic only when the
 * workspace loaded a new error (once per change of the file; re-reading a big invalid config on every
 * keystroke cost 250-630 ms per edit), and a diagnostic is sent again only when it changed.
 */
import * as fs from 'fs';
import * as path from 'path';
import { Connection, Diagnostic } from 'vscode-languageserver/node';
import { CONFIG_FILE_NAME, ConfigError } from '../core';
import { baselineDiagnostic, configDiagnostic } from './diagnostics';
import { pathToUri } from './convert';
import { Log } from './log';
import { Workspace } from './workspace';

export class ConfigDiagnostics {
  /** Config file uri → the diagnostic published on it, as JSON. */
  private readonly published = new Map<string, string>();
  /** Each error's diagnostic (the workspace keeps the same error object until the file changes). */
  private readonly diagnostics = new WeakMap<ConfigError, Diagnostic>();
  /** Each baseline problem's diagnostic, by config file and message. */
  private readonly baselineDiagnostics = new Map<string, Diagnostic>();

  constructor(
    private readonly connection: Connection,
    private readonly workspace: Workspace,
    private readonly log: Log,
  ) {}

  /** Publishes on every config file loaded so far; clears the ones that are valid again. */
  sync(): void {
    for (const { file, error, baselineProblem } of this.workspace.configFileStates()) {
      const uri = pathToUri(file);
      if (error) {
        let diagnostic = this.diagnostics.get(error);
        if (!diagnostic) this.diagnostics.set(error, (diagnostic = configDiagnostic(error, readText(file))));
        if (!this.publish(uri, diagnostic)) continue;
        this.log.showOnce('error', `Lockwise: ${error.message}. Using the editor settings until it is fixed.`);
      } else if (baselineProblem) {
        // Read once per problem, as for errors: sync runs after every publish.
        const key = `${file}\0${baselineProblem}`;
        let diagnostic = this.baselineDiagnostics.get(key);
        if (!diagnostic) this.baselineDiagnostics.set(key, (diagnostic = baselineDiagnostic(baselineProblem, readText(file))));
        this.publish(uri, diagnostic);
      } else if (this.published.delete(uri)) {
        void this.connection.sendDiagnostics({ uri, diagnostics: [] });
      }
    }
  }

  /** Sends the file's one diagnostic unless it is already shown; false when it was. */
  private publish(uri: string, diagnostic: Diagnostic): boolean {
    const key = JSON.stringify(diagnostic);
    if (this.published.get(uri) === key) return false;
    void this.connection.sendDiagnostics({ uri, diagnostics: [diagnostic] });
    this.published.set(uri, key);
    return true;
  }

  /** Watched files changed: validate the config files among them now (diagnostics appear even with no SQL file open). */
  filesChanged(paths: string[]): void {
    for (const p of paths) {
      if (path.basename(p) !== CONFIG_FILE_NAME) continue;
      if (fs.existsSync(p)) {
        this.workspace.loadConfig(p);
      } else if (this.published.delete(pathToUri(p))) {
        void this.connection.sendDiagnostics({ uri: pathToUri(p), diagnostics: [] });
      }
    }
    this.sync();
  }
}

function readText(file: string): string | undefined {
  try {
    return fs.readFileSync(file, 'utf8');
  } catch {
    return undefined;
  }
}
