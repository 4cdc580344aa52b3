/**
 * The CLI's history (a SnapshotSource: texts fixed for the run) starts each file's replay at the last
 * memoised step and finds a file among its folder's steps by an index. Whatever order the files are
 * asked for in, every catalog must equal the one a fresh provider replays step by step from disk.
 */
import * as assert from 'assert';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { Catalog, initParser } from '../../server/src/core';
import { HistoryProvider, SnapshotSource } from '../../server/src/project/history';
import { describeWithCorpus } from '../support/corpus';

/** What a catalog knows, comparable across providers (`order` counts insertions over the whole process). */
function shape(catalog: Catalog | undefined): unknown {
  if (!catalog) return undefined;
  const relations = [...catalog.relations].map(([key, r]) => {
    const { order, ...rest } = r;
    void order;
    return [key, { ...rest, columns: [...r.columns], constraints: [...r.constraints], indexes: [...r.indexes], partitions: [...r.partitions] }];
  });
  return {
    relations,
    indexes: [...catalog.indexes],
    enums: [...catalog.enums],
    functions: [...catalog.functions],
    statistics: [...catalog.statistics],
    searchPath: catalog.searchPath,
    // A SET LOCAL the file left open must not reach the next file (a clone drops it; so must a catalog carried on in place).
    activeSearchPath: catalog.activeSearchPath,
  };
}

/** Deterministic shuffle (a linear congruential generator): the same order on every run. */
function shuffled<T>(items: T[], seed: number): T[] {
  const out = [...items];
  let s = seed;
  for (let i = out.length - 1; i > 0; i--) {
    s = (s * 1103515245 + 12345) % 2 ** 31;
    const j = s % (i + 1);
    [out[i], out[j]] = [out[j], out[i]];
  }
  return out;
}

function sameAsFresh(files: string[], order: string[]): void {
  const snapshot = new HistoryProvider(new SnapshotSource());
  for (const file of order) {
    const fresh = new HistoryProvider().catalogBefore(file);
    assert.deepStrictEqual(shape(snapshot.catalogBefore(file)), shape(fresh), `${path.relative(path.dirname(files[0]), file)}`);
  }
}

describe('schema history with a snapshot of the files', () => {
  let dir: string;
  const files: string[] = [];

  before(async () => {
    await initParser();
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'lockwise-history-'));
    const write = (name: string, text: string) => {
      fs.writeFileSync(path.join(dir, name), text);
      files.push(path.join(dir, name));
    };
    write('001_users.up.sql', 'CREATE TABLE users (id serial PRIMARY KEY, email text);');
    write('001_users.down.sql', 'DROP TABLE users;');
    write('002_orders.up.sql', 'CREATE TABLE orders (id bigint PRIMARY KEY, user_id int REFERENCES users, total numeric);');
    write('003_index.up.sql', 'CREATE INDEX ON orders (user_id); ALTER TABLE users ADD CONSTRAINT users_email_key UNIQUE (email);');
    write('003_index.down.sql', 'DROP INDEX orders_user_id_idx;');
    write('004_rename.up.sql', 'ALTER TABLE orders RENAME TO purchases; CREATE VIEW big AS SELECT * FROM purchases WHERE total > 100;');
    write('010_schema.up.sql', 'CREATE SCHEMA audit; SET search_path = audit, public; CREATE TABLE log (id int);');
    write('011_after.up.sql', 'ALTER TABLE log ADD COLUMN at timestamptz;');
    write('012_local.up.sql', 'SET search_path = public; BEGIN; SET LOCAL search_path = audit, public; CREATE TABLE inside (id int);');
    write('013_next.up.sql', 'CREATE TABLE outside (id int);');
    // More files than a checkpoint holds, so that files asked for out of order restart from one.
    for (let i = 20; i < 90; i++)
      write(`0${i}_t.up.sql`, `CREATE TABLE t${i} (id int REFERENCES outside (id)); ALTER TABLE t${i - 1 < 20 ? 20 : i - 1} RENAME TO t${i}_old;`);
  });

  after(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('gives every file the catalog a fresh replay gives, in order', () => {
    sameAsFresh(files, [...files].sort());
  });

  it('gives every file the catalog a fresh replay gives, in any order and asked twice', () => {
    for (const seed of [1, 2, 3]) sameAsFresh(files, shuffled([...files, ...files], seed));
  });
});

describeWithCorpus('schema history with a snapshot of the files, on a long real history', function (corpus) {
  this.timeout(300_000);
  before(async () => {
    await initParser();
  });

  it('gives every lemmy migration the catalog a fresh replay gives, in shuffled order', () => {
    const root = path.join(corpus, 'lemmy', 'migrations');
    if (!fs.existsSync(root)) return;
    const folders = fs.readdirSync(root).sort();
    const files = folders.flatMap((f) => ['up.sql', 'down.sql'].map((n) => path.join(root, f, n))).filter((f) => fs.existsSync(f));
    // Every 17th file: a fresh provider replays the whole prefix each time.
    const sample = shuffled(files, 7).filter((_, i) => i % 17 === 0);
    const snapshot = new HistoryProvider(new SnapshotSource());
    for (const file of shuffled(files, 11)) snapshot.catalogBefore(file);
    for (const file of sample) assert.deepStrictEqual(shape(snapshot.catalogBefore(file)), shape(new HistoryProvider().catalogBefore(file)), file);
  });
});
