#!/usr/bin/env node
/**
 * The Lockwise language server: `node dist/server.js --stdio` (or `--node-ipc`, as the VS Code
 * client starts it). The wiring is in server.ts, the state it holds in state.ts.
 */
import { createConnection, ProposedFeatures } from 'vscode-languageserver/node';
import { startServer } from './server';

startServer(createConnection(ProposedFeatures.all));
