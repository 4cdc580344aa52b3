/**
 * `lockwise lsp [--stdio | --node-ipc | --socket=N]`: the language server, for editors other than
 * VS Code (the same as `lockwise-language-server`). It runs the server bundle that sits beside this
 * one in dist/, so the CLI bundle does not carry a second copy of it; stdio when no transport is named.
 */
import * as path from 'path';

const TRANSPORTS = /^--(stdio|node-ipc|socket=|pipe=)/;

export function lsp(args: string[]): Promise<number> {
  // vscode-languageserver reads the transport from process.argv.
  if (!args.some((a) => TRANSPORTS.test(a))) process.argv.push('--stdio');
  require(path.join(__dirname, 'server.js'));
  // The server ends the process itself (on the client's `exit` notification).
  return new Promise<number>(() => undefined);
}
