#!/usr/bin/env node
/**
 * The Lockwise language server: `node dist/server.js --stdio`, as the VS Code client and other
 * editors start it (`--node-ipc` and `--socket=N` work too). The wiring is in server.ts, the state it holds in state.ts, the connection in transport.ts.
 */
import { lowerHelperPriority } from './helperPriority';
import { startServer } from './server';
import { serverConnection } from './transport';

// First, while V8's threads are the only others (helperPriority.ts).
lowerHelperPriority();
startServer(serverConnection());
