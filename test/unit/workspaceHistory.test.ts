/**
 * Every analysis in the editor reads the schema history of the document's folder. Once the client
 * reports changes to SQL files (didChangeWatchedFiles registered: `Workspace.watchingFiles`), the
 * earlier migrations under a workspace folder are read once and trusted until it reports a change;
 * otherwise (and outside the workspace folders) each is checked on disk every time. Either way each
 * earlier migration's runner is detected once per text (HistoryProvider).
 */
import * as assert from 'assert';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { Catalog, DEFAULT_CONFIG, initParser } from '../../server/src/core';
import { Workspace } from '../../server/src/lsp/workspace';
import { DEFAULT_SETTINGS } from '../../server/src/lsp/settings';
import { pathToUri } from '../../server/src/lsp/convert';
import { HistoryProvider, TextSource } from '../../server/src/project/history';

/** The tables of the schema before `file`, as its analysis sees them. */
function tablesBefore(ws: Workspace, file: string): string[] {
  const history = ws.analyzeOptions(pathToUri(file), DEFAULT_CONFIG).history as Catalog | undefined;
  return history ? [...history.relations.keys()].sort() : [];
}

/** The module object itself (an `import * as` namespace is read-only): what workspace.ts calls. */
// eslint-disable-next-line @typescript-eslint/no-require-imports
const nodeFs = require('fs') as { statSync: (...args: unknown[]) => unknown };

/** Runs `f`, counting fs.statSync calls on `files`. */
function statsOf<T>(files: string[], f: () => T): { result: T; stats: number } {
  const original = nodeFs.statSync;
  let stats = 0;
  nodeFs.statSync = (p: unknown, ...rest: unknown[]) => {
    if (files.includes(String(p))) stats++;
    return original(p, ...rest);
  };
  try {
    return { result: f(), stats };
  } finally {
    nodeFs.statSync = original;
  }
}

describe('the schema history in the editor', () => {
  let dir: string;
  let first: string;
  let second: string;
  let target: string;

  before(() => initParser());
  beforeEach(() => {
    dir = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), 'lw-ws-history-')));
    first = path.join(dir, '0001_a.sql');
    second = path.join(dir, '0002_b.sql');
    target = path.join(dir, '0003_c.sql');
    fs.writeFileSync(first, 'CREATE TABLE a (id int);\n');
    fs.writeFileSync(second, 'CREATE TABLE b (id int);\n');
    fs.writeFileSync(target, 'SELECT 1;\n');
  });
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  const workspace = (folders: string[], watching: boolean) => {
    const ws = new Workspace(
      async () => DEFAULT_SETTINGS,
      () => undefined,
    );
    ws.setFolders(folders);
    if (watching) ws.watchingFiles();
    return ws;
  };

  it('without watched files, checks each earlier migration on disk at every analysis', () => {
    const ws = workspace([dir], false);
    assert.deepStrictEqual(tablesBefore(ws, target), ['a', 'b']);
    const again = statsOf([first, second], () => tablesBefore(ws, target));
    assert.strictEqual(again.stats, 2);
    fs.writeFileSync(second, 'CREATE TABLE bb (id int, x int);\n');
    assert.deepStrictEqual(tablesBefore(ws, target), ['a', 'bb']);
  });

  it('with watched files, reads them once and again after the client reports a change', () => {
    const ws = workspace([dir], true);
    assert.deepStrictEqual(tablesBefore(ws, target), ['a', 'b']);
    const again = statsOf([first, second], () => tablesBefore(ws, target));
    assert.strictEqual(again.stats, 0);
    assert.deepStrictEqual(again.result, ['a', 'b']);
    fs.writeFileSync(second, 'CREATE TABLE bb (id int, x int);\n');
    ws.filesChanged([second]);
    assert.deepStrictEqual(tablesBefore(ws, target), ['a', 'bb']);
    // A migration the client reports as created joins the history.
    fs.writeFileSync(path.join(dir, '0002_b2.sql'), 'CREATE TABLE b2 (id int);\n');
    ws.filesChanged([path.join(dir, '0002_b2.sql')]);
    assert.deepStrictEqual(tablesBefore(ws, target), ['a', 'b2', 'bb']);
  });

  it('with watched files, still checks migrations outside the workspace folders on disk', () => {
    const ws = workspace([path.join(dir, 'elsewhere')], true);
    tablesBefore(ws, target);
    const again = statsOf([first, second], () => tablesBefore(ws, target));
    assert.strictEqual(again.stats, 2);
  });

  it("detects each earlier migration's runner once per text", () => {
    const texts = new Map([
      [first, 'CREATE TABLE a (id int);\n'],
      [second, 'CREATE TABLE b (id int);\n'],
    ]);
    const source: TextSource = {
      read: (file) => texts.get(file),
      list: () => [...texts.keys(), target].map((f) => ({ name: path.basename(f), isDirectory: false })),
    };
    const detected: string[] = [];
    const history = new HistoryProvider(source, (file) => {
      detected.push(path.basename(file));
      return undefined;
    });
    history.catalogBefore(target);
    history.catalogBefore(target);
    assert.deepStrictEqual(detected, ['0001_a.sql', '0002_b.sql']);
    texts.set(second, 'CREATE TABLE bb (id int);\n');
    history.catalogBefore(target);
    assert.deepStrictEqual(detected, ['0001_a.sql', '0002_b.sql', '0002_b.sql']);
    history.invalidate();
    history.catalogBefore(target);
    assert.strictEqual(detected.length, 5);
  });
});
