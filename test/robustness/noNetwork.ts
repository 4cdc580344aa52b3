/**
 * Preloaded with `node --require` into the CLI and the server by network.test.ts: every way Node
 * offers to reach the network (sockets, HTTP(S), HTTP/2, TLS, UDP, DNS, fetch, listening servers)
 * records the attempt in $LOCKWISE_NET_LOG and throws. Lockwise must never make one.
 */
import * as fs from 'fs';

const log = process.env.LOCKWISE_NET_LOG;

function record(what: string): never {
  const line = `${process.pid} ${what} ${new Error().stack?.split('\n').slice(2, 6).join(' | ')}\n`;
  if (log) fs.appendFileSync(log, line);
  throw new Error(`network access is forbidden in Lockwise (${what})`);
}

function forbid(target: Record<string, unknown>, names: string[], prefix: string): void {
  for (const name of names) {
    if (typeof target[name] !== 'function') continue;
    Object.defineProperty(target, name, { configurable: true, writable: true, value: () => record(`${prefix}.${name}`) });
  }
}

/* eslint-disable @typescript-eslint/no-require-imports */
const net = require('net');
forbid(net, ['connect', 'createConnection', 'createServer'], 'net');
forbid(net.Socket.prototype, ['connect'], 'net.Socket');
forbid(net.Server.prototype, ['listen'], 'net.Server');
for (const mod of ['http', 'https']) forbid(require(mod), ['request', 'get', 'createServer'], mod);
forbid(require('http2'), ['connect', 'createServer', 'createSecureServer'], 'http2');
forbid(require('tls'), ['connect', 'createServer'], 'tls');
forbid(require('dgram'), ['createSocket'], 'dgram');
const dns = require('dns');
forbid(dns, ['lookup', 'lookupService', 'resolve', 'resolve4', 'resolve6', 'resolveAny', 'resolveTxt', 'resolveMx', 'resolveSrv', 'reverse'], 'dns');
forbid(dns.promises, ['lookup', 'lookupService', 'resolve', 'resolve4', 'resolve6', 'resolveAny', 'reverse'], 'dns.promises');
if (typeof globalThis.fetch === 'function') {
  const realFetch = globalThis.fetch;
  // Reading a local file through fetch (some WASM loaders do) is not network access.
  globalThis.fetch = ((input: Parameters<typeof fetch>[0], init?: Parameters<typeof fetch>[1]) => {
    const url = typeof input === 'string' ? input : input instanceof URL ? input.href : input.url;
    if (/^(file|data|blob):/i.test(url)) return realFetch(input, init);
    return record(`fetch ${url}`);
  }) as typeof fetch;
}
if (typeof globalThis.WebSocket === 'function') {
  (globalThis as { WebSocket: unknown }).WebSocket = function WebSocket() {
    record('WebSocket');
  };
}
if (log) fs.appendFileSync(`${log}.loaded`, `${process.pid}\n`);
