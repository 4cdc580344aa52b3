#!/usr/bin/env node
/**
 * The Lockwise language server: `node dist/server.js --stdio` (or `--node-ipc`, as the VS Code
 * client starts it). The wiring is in server.ts, the state it holds in state.ts, the connection in transport.ts.
 */
import { startServer } from './server';
import { serverConnection } from './transport';

startServer(serverConnection());
