/** The stdio encoder writes exactly the bytes vscode-jsonrpc's own would (test/lsp runs the server through it). */
import * as assert from 'assert';
import type { Message } from 'vscode-languageserver/node';
import { encodeMessage, frame, Framer, sameJson } from '../../server/src/lsp/transport';
import { seededRandom } from '../support/random';

const library = (msg: Message) => Buffer.from(JSON.stringify(msg, undefined, 0), 'utf-8');

function diagnostic(i: number, message: string) {
  return {
    range: { start: { line: i, character: 0 }, end: { line: i, character: 10 } },
    severity: 2,
    code: 'some-rule',
    codeDescription: { href: 'https://example.com/some-rule.md' },
    source: 'lockwise',
    message,
    ...(i % 7 === 0
      ? {
          relatedInformation: [
            { location: { uri: 'file:///m/ü.sql', range: { start: { line: 0, character: 0 }, end: { line: 0, character: 1 } } }, message: 'here' },
          ],
        }
      : {}),
  };
}

function publish(diagnostics: unknown[], uri = 'file:///m/0002.sql'): Message {
  return { jsonrpc: '2.0', method: 'textDocument/publishDiagnostics', params: { uri, version: 3, diagnostics } } as Message;
}

describe('stdio transport: encodeMessage', () => {
  it('is byte-identical to JSON.stringify for long diagnostics lists, ASCII or not', () => {
    const ascii = Array.from({ length: 300 }, (_, i) => diagnostic(i, `ACCESS EXCLUSIVE on t_${i}`));
    const mixed = ascii.map((d, i) => (i % 50 === 3 ? { ...d, message: `quotes “x” … 表 😀 \u2028 "q" \\ ${i}` } : d));
    for (const msg of [publish(ascii), publish(mixed), publish(mixed, 'file:///m/é "x"/0002.sql')]) {
      assert.ok(encodeMessage(msg).equals(library(msg)));
    }
  });

  it('writes array items as JSON.stringify(array) does (undefined is null) and keeps key order', () => {
    const items: unknown[] = Array.from({ length: 40 }, (_, i) => (i === 5 ? undefined : i === 6 ? null : { b: i, a: [i] }));
    const msg = { jsonrpc: '2.0', id: 7, method: 'x', params: { diagnostics: items, after: 'ü', before: 1 } } as Message;
    assert.ok(encodeMessage(msg).equals(library(msg)));
  });

  it('leaves every other message to one JSON.stringify', () => {
    const msgs = [
      publish([diagnostic(1, 'one')]),
      publish([]),
      { jsonrpc: '2.0', id: 1, result: { capabilities: { hoverProvider: true } } },
      { jsonrpc: '2.0', method: 'window/logMessage', params: ['a', 'b'] },
      { jsonrpc: '2.0', method: 'x', params: { diagnostics: 'not an array' } },
      { jsonrpc: '2.0', id: 2, result: null },
    ] as Message[];
    for (const msg of msgs) assert.ok(encodeMessage(msg).equals(library(msg)));
  });

  it('falls back to one JSON.stringify when a value already holds the placeholder', () => {
    // The URI is the placeholder itself: its JSON then appears twice in the outer message.
    const msg = publish(
      Array.from({ length: 40 }, (_, i) => diagnostic(i, 'x')),
      '\u0000lockwise:items\u0000',
    );
    assert.ok(encodeMessage(msg).equals(library(msg)));
  });

  it('frames a message as vscode-jsonrpc does: its UTF-8 byte length in the header, then the JSON', () => {
    const msg = publish(Array.from({ length: 40 }, (_, i) => diagnostic(i, i === 3 ? 'ü … 😀' : 'x')));
    const body = library(msg);
    assert.ok(frame(msg).equals(Buffer.concat([Buffer.from(`Content-Length: ${body.length}\r\n\r\n`, 'ascii'), body])));
  });
});

describe('stdio transport: Framer (the items of the last list of each document reused)', () => {
  const framed = (msg: Message) => {
    const body = library(msg);
    return Buffer.concat([Buffer.from(`Content-Length: ${body.length}\r\n\r\n`, 'ascii'), body]);
  };
  // A fresh copy, as every publish builds its diagnostics anew.
  const copy = <T>(value: T): T => JSON.parse(JSON.stringify(value)) as T;

  it('frames every publish of an edited list as the library does, whatever the edit', () => {
    const random = seededRandom(15);
    const framer = new Framer();
    let items = Array.from({ length: 120 }, (_, i) => diagnostic(i, `ACCESS EXCLUSIVE on t_${i}`));
    const edits: ((list: typeof items) => typeof items)[] = [
      (list) => list, // nothing changed
      (list) => list.map((d, i) => (i === Math.floor(random() * list.length) ? { ...d, message: `${d.message} ü` } : d)),
      (list) => [...list.slice(0, 40), diagnostic(999, 'new … 😀'), ...list.slice(40)],
      (list) => list.filter((_, i) => i !== Math.floor(random() * list.length)),
      (list) => list.map((d) => ({ ...d, range: { ...d.range, start: { ...d.range.start, line: d.range.start.line + 1 } } })), // lines moved
      (list) => list.map((d, i) => (i > 60 ? { ...d, severity: 1 } : d)),
      (list) => list.map(({ source, ...rest }, i) => (i === 7 ? { ...rest, source } : { source, ...rest })), // same data, other key order
      (list) => list.slice(0, 50), // a shorter list, still split
      (list) => [...list, ...list.slice(0, 30)],
    ];
    for (let round = 0; round < 60; round++) {
      items = edits[Math.floor(random() * edits.length)](items);
      for (const uri of ['file:///m/a.sql', 'file:///m/b.sql']) {
        const msg = publish(copy(items), uri);
        assert.ok(framer.frame(msg).equals(framed(msg)), `round ${round}, ${uri}`);
      }
    }
  });

  it('remembers the last long list of the 8 documents published last, and forgets a document once its list is short', () => {
    const framer = new Framer();
    const long = () => Array.from({ length: 40 }, (_, i) => diagnostic(i, 'x'));
    for (let k = 0; k < 10; k++) framer.frame(publish(long(), `file:///m/${k}.sql`));
    assert.deepStrictEqual(
      framer.remembered(),
      [2, 3, 4, 5, 6, 7, 8, 9].map((k) => `file:///m/${k}.sql`),
    );
    framer.frame(publish([], 'file:///m/5.sql'));
    framer.frame(publish(long(), 'file:///m/3.sql'));
    assert.deepStrictEqual(
      framer.remembered(),
      [2, 4, 6, 7, 8, 9, 3].map((k) => `file:///m/${k}.sql`),
    );
  });

  it('forgets every list once no list was framed for a while (at rest the server keeps none)', async () => {
    const framer = new Framer(20);
    const long = () => Array.from({ length: 40 }, (_, i) => diagnostic(i, 'x'));
    framer.frame(publish(long(), 'file:///m/a.sql'));
    framer.frame(publish(long(), 'file:///m/b.sql'));
    assert.deepStrictEqual(framer.remembered(), ['file:///m/a.sql', 'file:///m/b.sql']);
    await new Promise((resolve) => setTimeout(resolve, 100));
    assert.deepStrictEqual(framer.remembered(), []);
    framer.frame(publish(long(), 'file:///m/c.sql'));
    assert.deepStrictEqual(framer.remembered(), ['file:///m/c.sql']);
  });

  it('encodes an item again when the object sent last time was changed in place', () => {
    const framer = new Framer();
    const items = Array.from({ length: 40 }, (_, i) => diagnostic(i, 'x'));
    framer.frame(publish(items));
    items[3].message = 'changed after it was sent';
    const msg = publish(items);
    assert.ok(framer.frame(msg).equals(framed(msg)));
  });

  it('compares as JSON.stringify writes: key order counts, undefined and functions are left out alike, other objects never match', () => {
    assert.ok(sameJson({ a: 1, b: [1, 'x'] }, { a: 1, b: [1, 'x'] }));
    assert.ok(!sameJson({ a: 1, b: 2 }, { b: 2, a: 1 }));
    assert.ok(!sameJson({ a: 1 }, { a: 1, b: 2 }));
    assert.ok(!sameJson([1, 2], [1, 2, 3]));
    assert.ok(!sameJson(new Date(0), new Date(0)));
    assert.ok(!sameJson(NaN, NaN));
    const same = {};
    assert.ok(!sameJson(same, same));
  });
});
