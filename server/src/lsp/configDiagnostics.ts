/** Diagnostics on the `.lockwise.json` files themselves: published while invalid, cleared once valid or deleted. */
import * as fs from 'fs';
import * as path from 'path';
import { Connection } from 'vscode-languageserver/node';
import { CONFIG_FILE_NAME } from '../core';
import { configDiagnostic } from './diagnostics';
import { pathToUri } from './convert';
import { Log } from './log';
import { Workspace } from './workspace';

export class ConfigDiagnostics {
  private readonly published = new Set<string>();

  constructor(
    private readonly connection: Connection,
    private readonly workspace: Workspace,
    private readonly log: Log,
  ) {}

  /** Publishes on every config file loaded so far; clears the ones that are valid again. */
  sync(): void {
    for (const { file, error } of this.workspace.configFileStates()) {
      const uri = pathToUri(file);
      if (error) {
        void this.connection.sendDiagnostics({ uri, diagnostics: [configDiagnostic(error, readText(file))] });
        this.published.add(uri);
        this.log.showOnce('error', `Lockwise: ${error.message}. Using the editor settings until it is fixed.`);
      } else if (this.published.delete(uri)) {
        void this.connection.sendDiagnostics({ uri, diagnostics: [] });
      }
    }
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
