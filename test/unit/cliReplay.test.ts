/**
 * `lint`/`audit --cache` replays a whole run (cli/replay.ts) only while every file-system read it
 * recorded would see the same thing: the output is then the output of a run that reads again.
 */
import * as assert from 'assert';
import * as childProcess from 'child_process';
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { ENV_READ, RunRecord } from '../../server/src/cli/replay';

const ROOT = path.resolve(__dirname, '../../..');
const CLI = path.join(ROOT, 'dist/cli.js');
const ENV = { ...process.env, NO_COLOR: '1', LOCKWISE_DEBUG: 'cache' };

function run(args: string[], cwd: string) {
  const r = spawnSync(process.execPath, [CLI, ...args], { cwd, encoding: 'utf8', env: ENV, maxBuffer: 1 << 28 });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

const replayed = (stderr: string) => /lockwise: cache: replayed run-/.test(stderr);

const FILES = {
  'm/001_users.sql': 'CREATE TABLE users (id bigint PRIMARY KEY, email text);\n',
  'm/002_index.sql': 'CREATE INDEX users_email_idx ON users (email);\n',
  'm/003_column.sql': "ALTER TABLE users ADD COLUMN name text NOT NULL DEFAULT 'x';\n",
  'n/001_other.sql': 'CREATE TABLE other (id int);\nALTER TABLE other ALTER COLUMN id TYPE bigint;\n',
};

/** A project in a repository: runner detection lists folders up to the one holding `.git`, not all of /tmp (which changes all the time). */
function project(files: Record<string, string> = FILES): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'lockwise-replay-'));
  fs.mkdirSync(path.join(dir, '.git'));
  for (const [name, text] of Object.entries(files)) {
    fs.mkdirSync(path.dirname(path.join(dir, name)), { recursive: true });
    fs.writeFileSync(path.join(dir, name), text);
  }
  return dir;
}

/** Fills the cache, records the all-hits run, and checks that the next run is its replay. */
function warm(args: string[], dir: string) {
  const cold = run(args, dir);
  const hits = run(args, dir);
  assert.ok(!replayed(cold.stderr) && !replayed(hits.stderr));
  const replay = run(args, dir);
  assert.ok(replayed(replay.stderr), replay.stderr);
  return { cold, hits, replay };
}

/** What `record` recorded while `reads` ran (a run started at `now`); the recording is stopped after, whatever happened. */
function recordedWhile(record: RunRecord, reads: () => void, now?: number) {
  const recording = record.record(now);
  try {
    reads();
  } finally {
    recording.stop();
  }
  return recording;
}

/** A run's reads in folder n: its stat, whether `probe` exists, and a migration in it. */
function readsAround(dir: string, probe: string): void {
  fs.statSync(path.join(dir, 'n'));
  fs.existsSync(probe);
  fs.readFileSync(path.join(dir, 'n/001_other.sql'), 'utf8');
}

describe('lockwise --cache: whole-run replay', function () {
  this.timeout(120000);

  for (const args of [
    ['lint', '--format', 'json', '--cache', 'm', 'n'],
    ['lint', '--format', 'text', '--no-color', '--cache', 'm', 'n'],
    ['audit', '--format', 'markdown', '--cache', 'm', 'n'],
  ]) {
    it(`${args.slice(0, 3).join(' ')}: a replay prints the all-hits run's stdout, stderr and exit code`, () => {
      const dir = project();
      const { cold, hits, replay } = warm(args, dir);
      assert.strictEqual(replay.stdout, cold.stdout);
      assert.strictEqual(replay.code, cold.code);
      assert.ok(cold.code === 1 && cold.stdout.length > 100);
      assert.strictEqual(replay.stderr.replace(/lockwise: cache: replayed .*\n/, ''), hits.stderr);
    });
  }

  it('a changed file with its size and mtime kept, a new config, a new migration, a deleted file: run again', () => {
    const dir = project();
    const args = ['lint', '--format', 'json', '--cache', 'm', 'n'];
    const plain = () => run(['lint', '--format', 'json', 'm', 'n'], dir);
    const before = warm(args, dir).replay;
    // Same size, mtime put back: the ctime moved, so the content is hashed again.
    const index = path.join(dir, 'm/002_index.sql');
    const { mtime } = fs.statSync(index);
    const concurrent = 'CREATE INDEX CONCURRENTLY u ON users (email);'.padEnd(FILES['m/002_index.sql'].length - 1) + '\n';
    assert.strictEqual(concurrent.length, FILES['m/002_index.sql'].length);
    fs.writeFileSync(index, concurrent);
    fs.utimesSync(index, mtime, mtime);
    const edited = run(args, dir);
    assert.ok(!replayed(edited.stderr));
    assert.notStrictEqual(edited.stdout, before.stdout);
    assert.strictEqual(edited.stdout, plain().stdout);
    const again = () => {
      run(args, dir);
      assert.ok(replayed(run(args, dir).stderr));
    };
    for (const change of [
      () => fs.writeFileSync(path.join(dir, 'n/.lockwise.json'), '{ "pgVersion": 10 }\n'),
      () => fs.writeFileSync(path.join(dir, 'n/000_first.sql'), 'CREATE TABLE first (id int);\n'),
      () => fs.rmSync(path.join(dir, 'm/003_column.sql')),
    ]) {
      again();
      change();
      const after = run(args, dir);
      assert.ok(!replayed(after.stderr), after.stderr);
      assert.strictEqual(after.stdout, plain().stdout);
    }
  });

  it('a stat is trusted only when the file is older than the racy window; otherwise its content is hashed again', () => {
    const dir = project();
    const file = path.join(dir, 'm/001_users.sql');
    const readIn = (now: number) => {
      const recording = recordedWhile(new RunRecord(path.join(dir, 'c'), ['lint']), () => fs.readFileSync(file, 'utf8'), now);
      return recording.reads.get(file);
    };
    // The file was just written: trusted by a run starting 10 s from now, not by one starting now.
    assert.strictEqual(readIn(Date.now() + 10_000)?.trusted, true);
    assert.strictEqual(readIn(Date.now())?.trusted, undefined);
  });

  it('a path recorded absent is known absent while its folder keeps its trusted stat, and checked again once the folder changed', () => {
    const dir = project();
    const config = path.join(dir, 'n/.lockwise.json');
    const record = new RunRecord(path.join(dir, 'c'), ['lint', 'n']);
    // Started 10 s from now: every stat is older than the racy window, so trusted.
    const recording = recordedWhile(record, () => readsAround(dir, config), Date.now() + 10_000);
    recording.confirm();
    record.save(recording, 1);
    assert.strictEqual(record.replay(), 1);
    fs.writeFileSync(config, '{}\n');
    assert.strictEqual(record.replay(), undefined);
    fs.rmSync(config);
    assert.strictEqual(record.replay(), 1, 'the folder is unchanged again but not trusted: each path is asked');
  });

  it('a path found absent in an absent folder records that folder absent: creating it and the path is a miss', () => {
    const dir = project();
    const stats = path.join(dir, 'n/.lockwise/stats.json');
    const record = new RunRecord(path.join(dir, 'c'), ['lint', 'n']);
    const recording = recordedWhile(record, () => readsAround(dir, stats), Date.now() + 10_000);
    assert.strictEqual(recording.reads.get(path.join(dir, 'n/.lockwise'))?.kind, 'absent');
    assert.strictEqual(recording.reads.get(path.join(dir, 'n'))?.trusted, true);
    recording.confirm();
    record.save(recording, 1);
    assert.strictEqual(record.replay(), 1);
    fs.mkdirSync(path.dirname(stats));
    assert.strictEqual(record.replay(), undefined, 'the folder exists now');
    fs.writeFileSync(stats, '{}\n');
    assert.strictEqual(record.replay(), undefined);
    // An existing folder is not recorded: the path in it is asked.
    const again = recordedWhile(record, () => fs.existsSync(path.join(dir, 'n/.lockwise/other.json')), Date.now() + 10_000);
    assert.strictEqual(again.reads.get(path.dirname(stats)), undefined);
  });

  it('a replay that wrote straight to the descriptors exits at once with the whole output and its exit code, through a pipe', () => {
    // A copy of the build whose command line cannot load once the run is recorded: only a replay can print.
    const dist = fs.mkdtempSync(path.join(os.tmpdir(), 'lockwise-replay-dist-'));
    for (const f of ['cli.js', 'cli-main.js', 'libpg-query.wasm']) fs.copyFileSync(path.join(ROOT, 'dist', f), path.join(dist, f));
    fs.cpSync(path.join(ROOT, 'dist/grammars'), path.join(dist, 'grammars'), { recursive: true });
    const tables = Array.from({ length: 40 }, (_, i) => `t${i}`);
    const files: Record<string, string> = { 'm/000_tables.sql': tables.map((t) => `CREATE TABLE ${t} (id int);\n`).join('') };
    for (let i = 1; i <= 30; i++) files[`m/${String(i).padStart(3, '0')}_indexes.sql`] = tables.map((t) => `CREATE INDEX ${t}_${i} ON ${t} (id);\n`).join('');
    const dir = project(files);
    const lint = () =>
      spawnSync(process.execPath, [path.join(dist, 'cli.js'), 'lint', '--format', 'json', '--cache', 'm'], {
        cwd: dir,
        encoding: 'utf8',
        env: { ...ENV, LOCKWISE_DEBUG: '' },
        maxBuffer: 1 << 28,
      });
    const cold = lint();
    assert.strictEqual(cold.status, 1, cold.stderr);
    assert.ok(cold.stdout.length > 256 * 1024, `${cold.stdout.length} bytes: more than a pipe holds`);
    lint();
    // Same size, so still the stamped build (the key): it only throws if loaded.
    const main = path.join(dist, 'cli-main.js');
    fs.writeFileSync(main, "throw new Error('not replayed');".padEnd(fs.statSync(main).size));
    const replay = lint();
    assert.strictEqual(replay.stderr, '');
    assert.strictEqual(replay.status, 1);
    assert.strictEqual(replay.stdout, cold.stdout);
  });

  it('a damaged record is a miss; another command line or environment has its own record', () => {
    const dir = project();
    const args = ['lint', '--format', 'json', '--cache', 'm', 'n'];
    const { replay } = warm(args, dir);
    const cache = path.join(dir, '.lockwise-cache');
    const records = fs.readdirSync(cache).filter((f) => f.endsWith('.run'));
    assert.strictEqual(records.length, 1);
    const record = path.join(cache, records[0]);
    fs.writeFileSync(record, fs.readFileSync(record).subarray(0, -10));
    const damaged = run(args, dir);
    assert.ok(!replayed(damaged.stderr));
    assert.strictEqual(damaged.stdout, replay.stdout);
    assert.ok(!replayed(run(['lint', '--format', 'json', '--cache', 'n', 'm'], dir).stderr));
    const other = spawnSync(process.execPath, [CLI, ...args], { cwd: dir, encoding: 'utf8', env: { ...ENV, NO_COLOR: '' } });
    assert.ok(!replayed(other.stderr));
  });

  it('a run that starts a process, reads by descriptor or lists recursively is not recorded', () => {
    const dir = project();
    const original = fs.readFileSync;
    for (const read of [
      () => childProcess.spawnSync(process.execPath, ['-e', '0']),
      () => fs.closeSync(fs.openSync(path.join(dir, 'm/001_users.sql'), 'r')),
      () => fs.readdirSync(dir, { recursive: true }),
    ]) {
      const recording = new RunRecord(path.join(dir, 'c'), ['lint']).record();
      try {
        fs.readFileSync(path.join(dir, 'm/001_users.sql'), 'utf8');
        assert.ok(recording.reads.has(path.join(dir, 'm/001_users.sql')));
        assert.strictEqual(recording.tainted, undefined, 'readFileSync is a recorded read');
        read();
      } finally {
        recording.stop();
      }
      assert.ok(recording.tainted, 'tainted');
      assert.strictEqual(fs.readFileSync, original, 'restored');
    }
  });

  it('the key holds every environment variable the CLI reads', () => {
    const read = new Set<string>();
    const walk = (dir: string) => {
      for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
        const full = path.join(dir, e.name);
        // The language server and the trace (PGlite's cache folder) never run in a lint or audit.
        if (e.isDirectory() && !['lsp', 'trace'].includes(e.name)) walk(full);
        // replay.ts and statProbe.ts read Node's variables only to choose how a replay runs, not what it prints.
        else if (e.name.endsWith('.ts') && e.name !== 'replay.ts' && e.name !== 'statProbe.ts')
          for (const m of fs.readFileSync(full, 'utf8').matchAll(/process\.env\.(\w+)|process\.env\[/g)) read.add(m[1] ?? 'process.env[...]');
      }
    };
    walk(path.join(ROOT, 'server/src'));
    assert.deepStrictEqual([...read].sort(), [...ENV_READ].sort());
  });
});
