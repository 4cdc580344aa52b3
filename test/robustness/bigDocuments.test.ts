/**
 * Big documents are analysed in the server's analysis worker (server/src/lsp/background.ts): other
 * documents get diagnostics and hovers while one is analysed, the worker publishes exactly the
 * diagnostics (and CodeLens) an in-process analysis does, answers hovers, code actions and fix-all
 * from its one analysis (the main thread holds none), and an edit supersedes the running job.
 */
import * as assert from 'assert';
import * as fs from 'fs';
import type { Range } from 'vscode-languageserver-protocol';
import { COMMANDS, StatusRequest } from '../../server/src/lsp/protocol';
import { TestClient, tempWorkspace, uriOf, write } from '../lsp/client';
import { HELPER_NICE } from '../../server/src/lsp/helperPriority';
import { MB } from './hostile';

const SMALL = "SET lock_timeout = '1s';\nCREATE INDEX small_idx ON t (c);\n";

/** Tables the history file creates: the big migration alters them in turn (existing tables: findings). */
const HISTORY_TABLES = 50;
const HISTORY =
  Array.from(
    { length: HISTORY_TABLES },
    (_, k) => `CREATE TABLE accounts_${k} (id bigint PRIMARY KEY, owner_id bigint, email text NOT NULL, created_at timestamptz NOT NULL DEFAULT now());`,
  ).join('\n') + '\n';

/**
 * Migration-like DDL of about `size` characters: tables, indexes, columns with defaults, foreign
 * keys, renames, explicit transactions (related information on their findings) and backfills, on
 * the history's tables (in turn, so no table grows without bound) and on tables created here.
 */
export function migrationDdl(size: number): string {
  const parts: string[] = ["SET lock_timeout = '2s';", "SET statement_timeout = '10min';"];
  let length = 0;
  for (let i = 0; length < size; i++) {
    const a = `accounts_${Math.floor(i / 8) % HISTORY_TABLES}`;
    const t = `t${i - (i % 8)}`;
    let p: string;
    switch (i % 8) {
      case 0:
        p = `CREATE TABLE ${t} (\n  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,\n  account_id bigint NOT NULL REFERENCES ${a} (id),\n  name text NOT NULL,\n  state varchar(20) DEFAULT 'new',\n  created_at timestamptz NOT NULL DEFAULT now()\n);`;
        break;
      case 1:
        p = `CREATE INDEX ${t}_account ON ${t} (account_id);\nCREATE INDEX ${a}_email_${i} ON ${a} (email);`;
        break;
      case 2:
        p = `ALTER TABLE ${a} ADD COLUMN flag_${i} boolean NOT NULL DEFAULT false;\nALTER TABLE ${a} ADD COLUMN note_${i} text;`;
        break;
      case 3:
        p = `BEGIN;\nALTER TABLE ${a} ADD CONSTRAINT ${a}_fk_${i} FOREIGN KEY (owner_id) REFERENCES ${a} (id);\nUPDATE ${a} SET note_${i - 1} = 'x' WHERE id < ${i};\nCOMMIT;`;
        break;
      case 4:
        p = `ALTER TABLE ${a} ALTER COLUMN note_${i - 2} TYPE varchar(200);\nALTER TABLE ${a} ALTER COLUMN flag_${i - 2} SET NOT NULL;`;
        break;
      case 5:
        p = `CREATE INDEX CONCURRENTLY IF NOT EXISTS ${a}_created_${i} ON ${a} (created_at);\n-- a comment about step ${i}\nALTER TABLE ${a} RENAME COLUMN note_${i - 3} TO remark_${i};`;
        break;
      case 6:
        p = `ALTER TABLE ${t} ADD CONSTRAINT ${t}_name_unique UNIQUE (name);\nDROP INDEX IF EXISTS old_index_${i};`;
        break;
      default:
        p = `INSERT INTO ${t} (account_id, name) SELECT id, email FROM ${a} WHERE id % 100 = ${i % 100};`;
    }
    parts.push(p);
    length += p.length + 1;
  }
  parts.push('CREATE INDEX last_idx ON accounts_0 (email);', '');
  return parts.join('\n');
}

function arrival(client: TestClient, uri: string, version: number): number {
  return client.published.findIndex((p) => p.uri === uri && p.version === version);
}

/** Diagnostics for the document's current version, waiting longer than the client's default (a loaded CI machine). */
function bigDiagnostics(client: TestClient, uri: string) {
  const version = client.docs.get(uri)?.version;
  return client.waitFor(`diagnostics for ${uri} v${version}`, () => client.published.find((p) => p.uri === uri && p.version === version), 45000);
}

function errorsIn(client: TestClient): string[] {
  return client.logs.filter((l) => / failed: |uncaught|unhandled/i.test(l));
}

describe('server robustness: big documents in the analysis worker', function () {
  this.timeout(90000);
  const clients: TestClient[] = [];
  const start = async (dir: string, initializationOptions: Record<string, unknown> = {}) => {
    const client = await TestClient.start(dir, { initializationOptions });
    clients.push(client);
    return client;
  };
  afterEach(async () => {
    for (const client of clients.splice(0)) {
      assert.deepStrictEqual(errorsIn(client), [], 'the server logged an error');
      assert.ok(client.alive(), 'the server is alive');
      await client.stop();
    }
  });

  it('a small document in another folder gets diagnostics and a hover before a 3 MB migration is analysed', async () => {
    const dir = tempWorkspace();
    const client = await start(dir);
    write(dir, 'db/001_accounts.sql', HISTORY);
    const big = migrationDdl(3 * MB);
    const bigUri = uriOf(write(dir, 'db/002_big.sql', big));
    const smallUri = uriOf(write(dir, 'other/small.sql', SMALL));
    const t0 = Date.now();
    await client.openUri(bigUri, big);
    // Let the server start on the big file (debounce 30 ms) before the small one arrives.
    await new Promise((r) => setTimeout(r, 100));
    const t1 = Date.now();
    await client.openUri(smallUri, SMALL);
    const small = client.diagnostics(smallUri).then(() => Date.now() - t1);
    const hover = client.hover(smallUri, 1, 3).then((h) => ({ ms: Date.now() - t1, h }));
    const bigDone = bigDiagnostics(client, bigUri).then((p) => ({ ms: Date.now() - t0, p }));
    const [smallMs, hovered, done] = await Promise.all([small, hover, bigDone]);
    console.log(
      `      (3 MB migration analysed in ${done.ms} ms; meanwhile a small file got diagnostics after ${smallMs} ms and a hover after ${hovered.ms} ms)`,
    );
    assert.ok(hovered.h, 'the small file has a hover');
    assert.ok(done.p.diagnostics.length > 1000, `${done.p.diagnostics.length} diagnostics on the big file`);
    assert.ok(
      client.logs.some((l) => l.startsWith(`analysed ${bigUri} v1 in the analysis worker`)),
      'the big file went to the worker',
    );
    // Ordering, not milliseconds: the small file's diagnostics were published before the big file's.
    assert.ok(arrival(client, smallUri, 1) < arrival(client, bigUri, 1), `small after ${smallMs} ms, big after ${done.ms} ms`);
    assert.ok(smallMs < done.ms, `small after ${smallMs} ms, big after ${done.ms} ms`);
  });

  it('the worker publishes the same diagnostics and CodeLens as an in-process analysis (with schema history)', async () => {
    const dir = tempWorkspace();
    write(dir, 'db/001_accounts.sql', HISTORY);
    const big = migrationDdl(1 * MB);
    const bigUri = uriOf(write(dir, 'db/002_big.sql', big));
    // The same file both ways: threshold 0 sends every document to the worker, a huge one none.
    const viaWorker = await start(dir, { workerThreshold: 0 });
    const inProcess = await start(dir, { workerThreshold: 1e12 });
    const results = [];
    for (const client of [viaWorker, inProcess]) {
      await client.openUri(bigUri, big);
      const published = await bigDiagnostics(client, bigUri);
      results.push({ diagnostics: published.diagnostics, lenses: await client.codeLens(bigUri) });
    }
    assert.ok(
      viaWorker.logs.some((l) => l.startsWith(`analysed ${bigUri} v1 in the analysis worker`)),
      'analysed in the worker',
    );
    assert.ok(!inProcess.logs.some((l) => l.includes('in the analysis worker')), 'analysed in-process');
    const [worker, main] = results;
    assert.ok(main.diagnostics.length > 300, `${main.diagnostics.length} diagnostics`);
    assert.ok(
      main.diagnostics.some((d) => d.relatedInformation?.length),
      'some diagnostics carry related information',
    );
    assert.ok(
      main.diagnostics.some((d) => d.code === 'adding-foreign-key-constraint'),
      'the history (accounts_*) is known: findings on it',
    );
    assert.ok(main.lenses.length > 100, `${main.lenses.length} lenses`);
    assert.deepStrictEqual(worker.diagnostics, main.diagnostics);
    assert.deepStrictEqual(worker.lenses, main.lenses);
  });

  it('an edit supersedes the running analysis: only the newest version is published', async () => {
    const dir = tempWorkspace();
    const client = await start(dir);
    const big = migrationDdl(2 * MB);
    const bigUri = uriOf(write(dir, 'db/001_big.sql', big));
    await client.openUri(bigUri, big);
    await new Promise((r) => setTimeout(r, 150));
    const edited = big.replace('CREATE INDEX last_idx ON accounts_0 (email);', 'CREATE INDEX CONCURRENTLY last_idx ON accounts_0 (email);');
    await client.change(bigUri, edited);
    const published = await bigDiagnostics(client, bigUri);
    assert.strictEqual(published.version, 2);
    assert.deepStrictEqual(
      client.published.filter((p) => p.uri === bigUri).map((p) => p.version),
      [2],
      'version 1 was never published',
    );
    const lastLine = edited.split('\n').length - 2;
    assert.ok(!published.diagnostics.some((d) => d.range.start.line === lastLine && d.code === 'require-concurrent-index-creation'), 'the edit is analysed');
  });

  it('after every edit the worker publishes what an in-process analysis does (its diagnostics posted as a change from the last)', async () => {
    const dir = tempWorkspace();
    write(dir, 'db/001_accounts.sql', HISTORY);
    const big = migrationDdl(0.05 * MB);
    const bigUri = uriOf(write(dir, 'db/002_big.sql', big));
    const middle = big.indexOf('CREATE TABLE', big.length >> 1);
    const at = (text: string, offset: number, insert: string, remove = 0) => text.slice(0, offset) + insert + text.slice(offset + remove);
    // Typing in a table name, a line added, one removed, a syntax error and its repair, CRLF line ends, nothing, back to the start.
    const edits: ((text: string) => string)[] = [
      (t) => at(t, middle + 'CREATE TABLE t'.length, 'x'),
      (t) => at(t, middle + 'CREATE TABLE tx'.length, 'y'),
      (t) => at(t, middle, 'ALTER TABLE accounts_1 ADD COLUMN typed integer NOT NULL DEFAULT 0;\n'),
      (t) => at(t, t.indexOf('\n', middle) + 1, '', t.indexOf('\n', t.indexOf('\n', middle) + 1) - t.indexOf('\n', middle)),
      (t) => at(t, middle, 'ALTER TABL broken;\n'),
      (t) => t.replace('ALTER TABL broken;\n', ''),
      (t) => t.replace(/\n/g, '\r\n'),
      (t) => t,
      () => big,
    ];
    const viaWorker = await start(dir, { workerThreshold: 0 });
    const inProcess = await start(dir, { workerThreshold: 1e12 });
    const published: { version: number; diagnostics: unknown[] }[][] = [[], []];
    for (const [k, client] of [viaWorker, inProcess].entries()) {
      await client.openUri(bigUri, big);
      let text = big;
      for (const edit of [(t: string) => t, ...edits]) {
        text = edit(text);
        if (text !== big || client.docs.get(bigUri)!.version > 1) await client.change(bigUri, text);
        const p = await bigDiagnostics(client, bigUri);
        published[k].push({ version: p.version!, diagnostics: p.diagnostics });
      }
    }
    const [worker, main] = published;
    assert.strictEqual(worker.length, edits.length + 1);
    assert.ok(
      main.every((p) => p.diagnostics.length > 50),
      `diagnostics: ${main.map((p) => p.diagnostics.length).join(', ')}`,
    );
    assert.ok(new Set(main.map((p) => JSON.stringify(p.diagnostics))).size >= 5, 'the edits change the diagnostics');
    assert.deepStrictEqual(worker, main);
    for (const p of worker)
      assert.ok(
        viaWorker.logs.some((l) => l.startsWith(`analysed ${bigUri} v${p.version} in the analysis worker`)),
        `v${p.version} in the worker`,
      );
  });

  it('hover, code actions and fix-all come from the one analysis in the worker: the in-process answers, and the main thread holds none', async () => {
    const dir = tempWorkspace();
    write(dir, 'db/001_accounts.sql', HISTORY);
    const big = migrationDdl(0.02 * MB);
    const bigUri = uriOf(write(dir, 'db/002_big.sql', big));
    const edited = big.replace('CREATE INDEX last_idx ON accounts_0 (email);', 'CREATE INDEX CONCURRENTLY last_idx ON accounts_0 (email);');
    // Fix-all re-analyses the file once per fix: a short one.
    const short = migrationDdl(2000);
    const shortUri = uriOf(write(dir, 'db/003_short.sql', short));
    // Threshold 0 sends every document to the worker, a huge one none.
    const viaWorker = await start(dir, { workerThreshold: 0 });
    const inProcess = await start(dir, { workerThreshold: 1e12 });
    const answers = [];
    for (const client of [viaWorker, inProcess]) {
      await client.openUri(bigUri, big);
      const ranges = (await bigDiagnostics(client, bigUri)).diagnostics.filter((_, i) => i % 8 === 0).map((d) => d.range);
      const before = await askAbout(client, bigUri, ranges);
      await client.change(bigUri, edited);
      await bigDiagnostics(client, bigUri);
      const after = await askAbout(client, bigUri, ranges);
      const status = await client.conn.sendRequest(StatusRequest, undefined);
      await client.openUri(shortUri, short);
      await bigDiagnostics(client, shortUri);
      await client.executeCommand(COMMANDS.fixAll, shortUri);
      answers.push({ before, after, held: status.analysesHeld, fixed: client.text(shortUri) });
    }
    const [worker, main] = answers;
    assert.ok(
      main.before.actions.flat().some((a) => a.edit),
      'some checked fixes',
    );
    assert.notStrictEqual(main.fixed, short, 'fix-all changed the file');
    assert.deepStrictEqual(worker.before, main.before);
    assert.deepStrictEqual(worker.after, main.after);
    assert.strictEqual(worker.fixed, main.fixed);
    assert.deepStrictEqual([worker.held, main.held], [0, 1], 'analyses held on the main thread (worker, in-process)');
  });

  it("V8's background threads run below the server's priority, the analysis worker and the main thread at it (Linux)", async function () {
    if (process.platform !== 'linux') this.skip();
    const dir = tempWorkspace();
    const client = await start(dir);
    const pid = client.proc.pid!;
    const atStart = threadsOf(pid);
    assert.strictEqual(atStart.get(pid)?.nice, 0, 'the main thread keeps its priority');
    const lowered = [...atStart].filter(([tid, t]) => tid !== pid && t.nice === HELPER_NICE);
    // Node's platform runs 4 of them by default (--v8-pool-size).
    assert.ok(lowered.length >= 4, `threads at nice ${HELPER_NICE}: ${lowered.length} of ${atStart.size}`);
    write(dir, 'db/001_accounts.sql', HISTORY);
    const big = migrationDdl(MB);
    const bigUri = uriOf(write(dir, 'db/002_big.sql', big));
    await client.openUri(bigUri, big);
    await bigDiagnostics(client, bigUri);
    const after = threadsOf(pid);
    // The thread that did the most work since the start is the worker, which the diagnostics waited for.
    const [busiest] = [...after]
      .filter(([tid]) => tid !== pid)
      .map(([tid, t]) => ({ tid, nice: t.nice, cpu: t.cpu - (atStart.get(tid)?.cpu ?? 0) }))
      .sort((a, b) => b.cpu - a.cpu);
    assert.ok(!atStart.has(busiest.tid), 'the busiest thread started after the server (the analysis worker)');
    assert.strictEqual(busiest.nice, 0, `the analysis worker's nice value (${busiest.cpu} ticks of CPU)`);
  });
});

/** Each thread of process `pid`: its nice value and CPU time so far (clock ticks), from /proc. */
function threadsOf(pid: number): Map<number, { nice: number; cpu: number }> {
  const out = new Map<number, { nice: number; cpu: number }>();
  for (const task of fs.readdirSync(`/proc/${pid}/task`)) {
    try {
      const stat = fs.readFileSync(`/proc/${pid}/task/${task}/stat`, 'latin1');
      // After "(comm) ": state is field 3, utime 14, stime 15, nice 19 (proc(5)).
      const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      out.set(Number(task), { nice: Number(f[16]), cpu: Number(f[11]) + Number(f[12]) });
    } catch {
      // The thread ended between the listing and the read.
    }
  }
  return out;
}

/** Hovers at the start of each range and the quick fixes on it. */
async function askAbout(client: TestClient, uri: string, ranges: Range[]) {
  const hovers = [];
  const actions = [];
  for (const range of ranges) {
    hovers.push(await client.hover(uri, range.start.line, range.start.character));
    actions.push(await client.codeActions(uri, range, ['quickfix']));
  }
  return { hovers, actions };
}
