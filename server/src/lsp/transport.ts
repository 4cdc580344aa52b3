/**
 * The connection to the client. Over `--stdio` and `--socket` the messages are written here
 * (`FramedWriter`), byte for byte what vscode-jsonrpc's own writer writes but cheaper for the one big
 * message of every edit, `publishDiagnostics`, and in one write; `--node-ipc` and `--pipe` are the library's.
 */
import { Console } from 'console';
import * as net from 'net';
import { Writable } from 'stream';
import { AbstractMessageWriter, Connection, createConnection, Message, MessageWriter, ProposedFeatures } from 'vscode-languageserver/node';
import { itemJson, jsonAround } from '../core';
import { commonEnds } from './commonEnds';

/** Arrays shorter than this are encoded in one piece (splitting them buys nothing). */
const SPLIT_FROM = 32;

/**
 * `Buffer.from(JSON.stringify(msg))`, with a long `params.diagnostics` array encoded item by item.
 * One non-ASCII character in any message (a finding quoting `…`) makes V8 build the whole JSON as a
 * two-byte string, which Node must flatten (a fresh large-object allocation) and re-encode to UTF-8:
 * ~3 ms at 1,000 statements (126 KB), against ~0.8 ms for the same text when it is ASCII. Items
 * encoded one by one keep every string small and one-byte where it can be.
 */
export function encodeMessage(msg: Message): Buffer {
  return Buffer.concat(new Framer(0).parts(msg));
}

/** The message as vscode-jsonrpc frames it: its header, then its JSON (`encodeMessage`). */
export function frame(msg: Message): Buffer {
  return new Framer(0).frame(msg);
}

/** Documents whose last diagnostics list is remembered (`Framer`): the most recently published. */
const REMEMBERED_LISTS = 8;
/**
 * And for this long after the last list: what a burst of typing reuses, not kept at rest (~2 MB
 * for the 1,396 diagnostics of a 10,000-statement file). Shorter than the wait of the collection
 * after a big document's last edit (background.ts, 400 ms from its job, which comes before its
 * diagnostics), so that collection frees them.
 */
export const REMEMBERED_MS = 300;

/**
 * Frames messages, remembering the encoded items of the last long diagnostics list of each
 * document. Every edit publishes a document's whole list again, and an edit changes few of its
 * diagnostics: the ones before it, and after it when no line moved, are the last list's, field for
 * field. Their encoding is reused: the list's common head and tail with the last one (as a text
 * diff finds them), compared as data, where encoding every item was most of the main thread's
 * work per edit at 10,000 statements (JSON.stringify and UTF-8 of 1,396 diagnostics).
 */
export class Framer {
  private readonly lists = new Map<string, { items: readonly unknown[]; parts: Buffer[] }>();
  private forget?: NodeJS.Timeout;

  /** `keepMs`: how long lists are remembered after the last one (0: not at all). */
  constructor(private readonly keepMs = REMEMBERED_MS) {}

  /** Tests: the documents whose last list is remembered, least recent first. */
  remembered(): string[] {
    return [...this.lists.keys()];
  }

  frame(msg: Message): Buffer {
    const parts = this.parts(msg);
    const length = parts.reduce((sum, p) => sum + p.length, 0);
    return Buffer.concat([Buffer.from(`Content-Length: ${length}\r\n\r\n`, 'ascii'), ...parts]);
  }

  /** The message's JSON in pieces, concatenated once with the header. */
  parts(msg: Message): Buffer[] {
    const list = diagnosticsList(msg);
    const around = list.items && jsonAround(msg, list.items, 0);
    if (!list.items || !around) {
      // A short list (an empty one when the document closes) replaces the remembered one.
      if (list.uri !== undefined) this.lists.delete(list.uri);
      return [Buffer.from(JSON.stringify(msg), 'utf-8')];
    }
    const items = this.encoded(list.uri, list.items);
    const parts: Buffer[] = [Buffer.from(around.head + '[', 'utf-8')];
    items.forEach((item, i) => {
      if (i > 0) parts.push(COMMA);
      parts.push(item);
    });
    parts.push(Buffer.from(']' + around.tail, 'utf-8'));
    return parts;
  }

  /** Each item's JSON: the last list's where the item is equal to its counterpart there. */
  private encoded(uri: string | undefined, items: readonly unknown[]): Buffer[] {
    const last = uri === undefined ? undefined : this.lists.get(uri);
    const parts = new Array<Buffer>(items.length);
    if (last) {
      const { head, tail } = commonEnds(last.items, items, sameJson);
      for (let i = 0; i < head; i++) parts[i] = last.parts[i];
      for (let t = 1; t <= tail; t++) parts[items.length - t] = last.parts[last.items.length - t];
    }
    for (let i = 0; i < items.length; i++) parts[i] ??= Buffer.from(itemJson(items[i], 0), 'utf-8');
    if (uri !== undefined && this.keepMs > 0) this.remember(uri, items, parts);
    return parts;
  }

  private remember(uri: string, items: readonly unknown[], parts: Buffer[]): void {
    this.lists.delete(uri);
    this.lists.set(uri, { items, parts });
    if (this.lists.size > REMEMBERED_LISTS) this.lists.delete(this.lists.keys().next().value as string);
    if (this.forget) this.forget.refresh();
    else {
      this.forget = setTimeout(() => this.lists.clear(), this.keepMs);
      // The server must stay free to exit.
      this.forget.unref();
    }
  }
}

const COMMA = Buffer.from(',', 'ascii');

/**
 * Whether JSON.stringify writes `a` and `b` alike: equal primitives, or arrays and plain objects
 * with the same keys in the same order and values written alike. The same object twice is only when
 * frozen: else it may have changed since it was encoded (a frozen object here is frozen through and
 * through: the analysis worker's diagnostics, diagnosticsChange.ts). Anything else (a Date, a
 * toJSON) is not compared: false.
 */
export function sameJson(a: unknown, b: unknown): boolean {
  if (a === b) return typeof a !== 'object' || a === null || Object.isFrozen(a);
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
  if (Array.isArray(a)) {
    if (!Array.isArray(b) || a.length !== b.length) return false;
    for (let i = 0; i < a.length; i++) if (!sameJson(a[i], b[i])) return false;
    return true;
  }
  if (Object.getPrototypeOf(a) !== Object.prototype || Object.getPrototypeOf(b) !== Object.prototype) return false;
  const keys = Object.keys(a);
  const other = Object.keys(b);
  if (keys.length !== other.length) return false;
  for (let i = 0; i < keys.length; i++) {
    const k = keys[i];
    if (k !== other[i] || !sameJson((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k])) return false;
  }
  return true;
}

/** The message's `params.diagnostics` array when it is long enough to be worth splitting, and the document (`params.uri`) it is for. */
function diagnosticsList(msg: Message): { items?: unknown[]; uri?: string } {
  const params = (msg as { params?: unknown }).params;
  if (typeof params !== 'object' || params === null || Array.isArray(params)) return {};
  const { diagnostics: items, uri } = params as { diagnostics?: unknown; uri?: unknown };
  const long = Array.isArray(items) && items.length >= SPLIT_FROM;
  return { items: long ? (items as unknown[]) : undefined, uri: typeof uri === 'string' ? uri : undefined };
}

/**
 * vscode-jsonrpc's stream writer with `frame`: the header and the JSON in one write, so the client
 * is woken once per message instead of twice; errors reported as the library's writer reports them.
 */
class FramedWriter extends AbstractMessageWriter implements MessageWriter {
  private errors = 0;
  private readonly framer = new Framer();

  constructor(private readonly out: NodeJS.WritableStream) {
    super();
    out.on('error', (error: Error) => this.fireError(error));
    out.on('close', () => this.fireClose());
  }

  write(msg: Message): Promise<void> {
    let data: Buffer;
    try {
      data = this.framer.frame(msg);
    } catch (error) {
      this.fireError(error);
      return Promise.reject(error);
    }
    return new Promise((resolve, reject) => {
      this.out.write(data, (error?: Error | null) => {
        if (!error) return resolve();
        this.fireError(error, msg, ++this.errors);
        reject(error);
      });
    });
  }

  end(): void {
    this.out.end();
  }
}

/**
 * The server's connection from its command line, as the library's `createConnection()`; over
 * `--stdio` through `FramedWriter`, and console output sent to the client's log (it would corrupt
 * stdout); over `--socket` through `FramedWriter` on a socket without Nagle's delay.
 */
export function serverConnection(argv: readonly string[] = process.argv.slice(2)): Connection {
  const transport = firstTransport(argv);
  if (transport === '--socket') return socketConnection(argv);
  if (transport !== '--stdio') return createConnection(ProposedFeatures.all);
  const connection = framedConnection(process.stdin, process.stdout);
  globalThis.console = new Console({ stdout: logStream((m) => connection.console.log(m)), stderr: logStream((m) => connection.console.error(m)) });
  return connection;
}

/**
 * `--socket=N` (or `--socket N`): the client listens on port N of 127.0.0.1, as for the library.
 * The library's socket writer writes a message's header and its JSON in two writes; with Nagle's
 * algorithm the second waited for the client's delayed acknowledgement of the first, 40 ms or more
 * on every request (44-88 ms for a hover that takes 1 ms over a pipe). One write, and no delay.
 */
function socketConnection(argv: readonly string[]): Connection {
  const port = socketPort(argv);
  if (!port) return createConnection(ProposedFeatures.all);
  const socket = net.createConnection(port, '127.0.0.1');
  socket.setNoDelay(true);
  return framedConnection(socket, socket);
}

/**
 * The library's connection reading `input` and writing through a `FramedWriter` on `output`. The
 * input stays the stream itself, so the library still exits when the client closes it. Its
 * createMessageConnection takes a writer in place of the output stream (it wraps only a stream);
 * the typings list streams or a reader and a writer, not one of each.
 */
function framedConnection(input: NodeJS.ReadableStream, output: NodeJS.WritableStream): Connection {
  return createConnection(ProposedFeatures.all, input, new FramedWriter(output) as unknown as NodeJS.WritableStream);
}

/** The port as the library reads it: `--socket=N`, or `--socket` then N. */
export function socketPort(argv: readonly string[]): number | undefined {
  const at = argv.findIndex((a) => a === '--socket' || a.startsWith('--socket='));
  if (at < 0) return undefined;
  const port = parseInt(argv[at] === '--socket' ? (argv[at + 1] ?? '') : argv[at].slice('--socket='.length), 10);
  return port > 0 ? port : undefined;
}

/** The transport the library would pick: the first of its transport arguments. */
function firstTransport(argv: readonly string[]): string | undefined {
  return argv.map((a) => a.split('=')[0]).find((a) => a === '--node-ipc' || a === '--stdio' || a === '--socket' || a === '--pipe');
}

function logStream(send: (message: string) => void): Writable {
  return new Writable({
    write(chunk: Buffer | string, _encoding, done) {
      send(String(chunk).replace(/\n$/, ''));
      done();
    },
  });
}
