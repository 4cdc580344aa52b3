/**
 * The CLI's history (a SnapshotSource: texts fixed for the run) starts each file's replay at the last
 * memoised step and finds a file among its folder's steps by an index. Whatever order the files are
 * asked for in, every catalog must equal the one a fresh provider replays step by step from disk.
 */
import * as assert from 'assert';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { Catalog, DEFAULT_CONFIG, initParser } from '../../server/src/core';
import { HistoryProvider, SnapshotSource } from '../../server/src/project/history';
import { RunnerDetector } from '../../server/src/project/runners';
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

/** A provider over a snapshot with its runner detector, as `lint --fix` builds them; `wrote` tells both what changed. */
function refreshedProvider(): { history: HistoryProvider; wrote: (paths: string[]) => void } {
  const source = new SnapshotSource();
  const runners = new RunnerDetector(source);
  const history = new HistoryProvider(source, (f, t) => runners.forFile(f, t, DEFAULT_CONFIG));
  const wrote = (paths: string[]) => {
    const changes = source.refresh(paths);
    runners.refresh([...changes.folders, ...changes.files.map((f) => path.dirname(f))]);
    history.refresh(changes);
  };
  return { history, wrote };
}

/** What a fresh provider (every file read from disk, runners detected again) gives: `lint --fix` before it refreshed. */
function freshCatalog(file: string): Catalog | undefined {
  const runners = new RunnerDetector();
  return new HistoryProvider(undefined, (f, t) => runners.forFile(f, t, DEFAULT_CONFIG)).catalogBefore(file);
}

/**
 * `lint --fix` asks for each file's history in order and rewrites files as it goes: the file just
 * asked for, new migrations after it, and (here) earlier ones, some of which gain a runner's
 * marker (their deployed part changes). After each write the refreshed provider must give what a
 * fresh one reading the disk gives.
 */
describe('schema history refreshed after files are written', function () {
  // Each check replays the whole prefix from disk.
  this.timeout(120_000);
  let dir: string;

  before(async () => {
    await initParser();
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'lockwise-refresh-'));
  });

  after(() => fs.rmSync(dir, { recursive: true, force: true }));

  const table = (i: number) => `CREATE TABLE t${i} (id int PRIMARY KEY);\nALTER TABLE t${Math.max(0, i - 3)} ADD COLUMN c${i} int;\n`;

  /** Walks `files()` in order; `step(i, file)` writes what it likes and returns the paths written. */
  function walk(files: () => string[], step: (i: number, file: string) => string[]): void {
    const { history, wrote } = refreshedProvider();
    for (let i = 0; i < files().length; i++) {
      const file = files()[i];
      assert.deepStrictEqual(shape(history.catalogBefore(file)), shape(freshCatalog(file)), `before ${path.basename(file)}`);
      wrote(step(i, file));
      // Asked again after the write, as --fix does for the file's final analysis and for its rollback.
      assert.deepStrictEqual(shape(history.catalogBefore(file)), shape(freshCatalog(file)), `after writing ${path.basename(file)}`);
    }
  }

  it('in a flat folder: the file itself, earlier files, a runner marker, new files after it', () => {
    const flat = path.join(dir, 'flat');
    fs.mkdirSync(flat);
    const name = (i: number) => path.join(flat, `${String(i * 10).padStart(4, '0')}_m.sql`);
    for (let i = 1; i <= 75; i++) fs.writeFileSync(name(i), table(i));
    // No marker of its own: a runner is detected from the folder's samples, and then only its up part is history.
    fs.writeFileSync(name(3), `CREATE TABLE up3 (id int);\n-- migrate:down\nCREATE TABLE down3 (id int);\n`);
    const files = () =>
      fs
        .readdirSync(flat)
        .sort()
        .map((f) => path.join(flat, f));
    walk(files, (i, file) => {
      const written: string[] = [];
      const rewrite = (f: string, text: string) => (fs.writeFileSync(f, text), written.push(f));
      if (i % 3 === 0) rewrite(file, `SET lock_timeout = '1s';\n${fs.readFileSync(file, 'utf8')}`);
      if (i % 7 === 2) {
        const created = file.replace(/_m\.sql$/, '_n.sql');
        rewrite(created, `CREATE TABLE n${i} (id int); DROP TABLE IF EXISTS t${i - 1};`);
      }
      // An earlier file changes: a step the carried catalog replayed long ago (before a checkpoint).
      if (i % 11 === 10) rewrite(files()[i - 9], `CREATE TABLE early${i} (id int);\n`);
      // An early file (one of the folder's samples) becomes a dbmate migration: the folder is now dbmate's,
      // and the down part of the file without a marker is no longer history.
      if (i === 40) rewrite(files()[1], `-- migrate:up\nCREATE TABLE marked (id int);\n-- migrate:down\nCREATE TABLE only_down (id int);\n`);
      return written;
    });
  });

  it('in a folder per migration: the up file, new migration folders after it with their config', () => {
    const root = path.join(dir, 'diesel');
    fs.mkdirSync(root);
    const folder = (i: number, suffix = 'm') => path.join(root, `2024-01-01-${String(i * 10).padStart(6, '0')}_${suffix}`);
    for (let i = 1; i <= 24; i++) {
      fs.mkdirSync(folder(i));
      fs.writeFileSync(path.join(folder(i), 'up.sql'), table(i));
      fs.writeFileSync(path.join(folder(i), 'down.sql'), `DROP TABLE t${i};`);
    }
    const files = () =>
      fs
        .readdirSync(root)
        .sort()
        .flatMap((f) => ['down.sql', 'up.sql'].map((n) => path.join(root, f, n)));
    walk(files, (i, file) => {
      if (path.basename(file) !== 'up.sql' || i % 4 !== 1) return [];
      const next = path.dirname(file) + '_split';
      fs.mkdirSync(next);
      const created = [path.join(next, 'up.sql'), path.join(next, 'down.sql'), path.join(next, 'metadata.toml')];
      fs.writeFileSync(created[0], `CREATE INDEX CONCURRENTLY ON t${i} (id);`);
      fs.writeFileSync(created[1], `DROP INDEX t${i}_id_idx;`);
      fs.writeFileSync(created[2], 'run_in_transaction = false\n');
      // The up file changes what it creates: its rollback, asked first, had the carried catalog replay it.
      fs.writeFileSync(file, `SET lock_timeout = '1s';\n${fs.readFileSync(file, 'utf8')}CREATE TABLE fixed${i} (id int);\n`);
      return [file, ...created];
    });
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
