/**
 * `--socket=N`: the server connects to the client's port and writes each message in one piece
 * (lsp/transport.ts). The library's writer sent a message's header and its JSON in two writes, and
 * Nagle's algorithm held the second until the client acknowledged the first: 40 ms or more per request.
 */
import * as assert from 'assert';
import * as cp from 'child_process';
import * as net from 'net';
import { SERVER } from './client';
import { socketPort } from '../../server/src/lsp/transport';

/** Starts the server on a port of ours; resolves with the accepted socket and every chunk it received. */
function startOverSocket(): Promise<{ socket: net.Socket; chunks: Buffer[]; child: cp.ChildProcess; server: net.Server }> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    const server = net.createServer((socket) => {
      socket.on('data', (chunk: Buffer) => chunks.push(chunk));
      resolve({ socket, chunks, child, server });
    });
    let child: cp.ChildProcess;
    server.listen(0, '127.0.0.1', () => {
      const port = (server.address() as net.AddressInfo).port;
      child = cp.spawn(process.execPath, [SERVER, `--socket=${port}`], { stdio: 'ignore' });
      child.on('error', reject);
    });
  });
}

function send(socket: net.Socket, message: object): void {
  const body = Buffer.from(JSON.stringify({ jsonrpc: '2.0', ...message }), 'utf8');
  socket.write(Buffer.concat([Buffer.from(`Content-Length: ${body.length}\r\n\r\n`, 'ascii'), body]));
}

/** The messages in the chunks; `whole`: every header arrived in the same chunk as its body. */
function messages(chunks: Buffer[]): { bodies: { id?: number; method?: string }[]; whole: boolean } {
  const bodies: { id?: number; method?: string }[] = [];
  let whole = true;
  let pending = Buffer.alloc(0);
  for (const chunk of chunks) {
    // A message that starts in this chunk must end in it (each is far smaller than a TCP segment here).
    if (pending.length) whole = false;
    pending = Buffer.concat([pending, chunk]);
    for (;;) {
      const end = pending.indexOf('\r\n\r\n');
      if (end < 0) break;
      const length = Number(/Content-Length: (\d+)/.exec(pending.subarray(0, end).toString('ascii'))?.[1]);
      if (pending.length < end + 4 + length) break;
      bodies.push(JSON.parse(pending.subarray(end + 4, end + 4 + length).toString('utf8')) as { id?: number; method?: string });
      pending = pending.subarray(end + 4 + length);
    }
  }
  return { bodies, whole: whole && pending.length === 0 };
}

async function until(chunks: Buffer[], done: (bodies: { id?: number }[]) => boolean): Promise<void> {
  for (let i = 0; i < 400 && !done(messages(chunks).bodies); i++) await new Promise((r) => setTimeout(r, 25));
}

describe('LSP over --socket', function () {
  this.timeout(30000);

  it('reads the port as the library does', () => {
    assert.strictEqual(socketPort(['--socket=5007']), 5007);
    assert.strictEqual(socketPort(['--socket', '5008']), 5008);
    assert.strictEqual(socketPort(['--stdio']), undefined);
    assert.strictEqual(socketPort(['--socket=x']), undefined);
  });

  it('answers requests, each message written with its header in one piece', async () => {
    const { socket, chunks, child, server } = await startOverSocket();
    try {
      send(socket, { id: 1, method: 'initialize', params: { processId: null, rootUri: null, capabilities: {} } });
      await until(chunks, (b) => b.some((m) => m.id === 1));
      send(socket, { method: 'initialized', params: {} });
      for (let id = 2; id <= 6; id++) {
        send(socket, { id, method: 'textDocument/hover', params: { textDocument: { uri: 'file:///absent.sql' }, position: { line: 0, character: 0 } } });
        await until(chunks, (b) => b.some((m) => m.id === id));
      }
      send(socket, { id: 7, method: 'shutdown' });
      await until(chunks, (b) => b.some((m) => m.id === 7));
      const { bodies, whole } = messages(chunks);
      for (let id = 1; id <= 7; id++)
        assert.ok(
          bodies.some((m) => m.id === id),
          `response ${id}`,
        );
      assert.ok(whole, `a header arrived without its body: ${chunks.map((c) => JSON.stringify(c.toString('utf8').slice(0, 40))).join(' | ')}`);
      send(socket, { method: 'exit' });
      await new Promise((resolve) => child.once('exit', resolve));
    } finally {
      child.kill();
      socket.destroy();
      server.close();
    }
  });
});
