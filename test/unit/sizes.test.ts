/**
 * Sizes without a database: the snapshot's validation and lookup, the smallTable config, and the
 * size-scaled verdicts and estimates analyze() gives with a snapshot (and that it gives none without).
 * Durations on a real server: test/engine/sizes.engine.test.ts.
 */
import * as assert from 'assert';
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import {
  analyze,
  auditHtml,
  auditJson,
  overview,
  overviewFile,
  auditMarkdown,
  ConfigError,
  DEFAULT_CONFIG,
  DEFAULT_RATES,
  findTable,
  formatBytes,
  initParser,
  mergeConfig,
  validateConfig,
  validateRates,
  validateSnapshot,
} from '../../server/src/core';
import type { Analysis, LockwiseConfig, Rates, SizeInput, StatsSnapshot, TableStats } from '../../server/src/core';
import { SizesError, SizesLoader } from '../../server/src/project/sizes';
import { replay } from '../../server/src/project/history';
import { Catalog } from '../../server/src/core';
import { RULES_BY_ID } from '../../server/src/core';
import { SIZE_SCALED_RULES } from '../../server/src/core/size/analysis';

const NOW = Date.parse('2026-12-01T12:00:00Z');
const MB = 1048576;

function table(name: string, rows: number, heapBytes: number, indexes: number[] = [], schema = 'public'): TableStats {
  const idx = indexes.map((bytes, i) => ({ name: `${name}_${i}_idx`, bytes }));
  return { schema, name, kind: 'r', reltuples: rows, heapBytes, indexBytes: indexes.reduce((a, b) => a + b, 0), toastBytes: 0, indexes: idx };
}

function snapshot(tables: TableStats[], capturedAt = '2026-12-01T10:00:00Z'): StatsSnapshot {
  return { version: 1, capturedAt, server: { version: '15.18', versionNum: 150018 }, database: 'app', tables };
}

/** Rates of exactly 100 MB/s for every kind and no overhead: estimates are bytes / 100 MB/s. */
const EXACT: Rates = {
  ...DEFAULT_RATES,
  rates: {
    rewrite: { low: 100, high: 100 },
    scan: { low: 100, high: 100 },
    check: { low: 100, high: 100 },
    fk: { low: 100, high: 100 },
    index: { low: 100, high: 100 },
  },
  overheadMs: { low: 0, high: 0 },
};

const TABLES = [table('users', 1200, 200 * 1024), table('events', 50_000_000, 1000 * MB, [300 * MB, 200 * MB]), table('orgs', 10, 8192)];

function sizes(tables = TABLES, rates = EXACT, capturedAt?: string): SizeInput {
  return { snapshot: snapshot(tables, capturedAt), source: '/p/.lockwise/stats.json', rates, now: NOW };
}

function run(sql: string, opts: { sizes?: SizeInput; config?: Partial<LockwiseConfig> } = {}): Analysis {
  const history = new Catalog();
  replay('CREATE TABLE users (id int, name text, org_id int); CREATE TABLE events (id int, kind text); CREATE TABLE orgs (id int PRIMARY KEY);', history);
  return analyze(sql, { config: mergeConfig(opts.config ?? {}), history, sizes: opts.sizes });
}

const findingOf = (a: Analysis, rule: string) => a.findings.find((f) => f.rule === rule);

describe('sizes: the snapshot', () => {
  it('validates a snapshot and names the first bad field', () => {
    const good = snapshot(TABLES);
    assert.deepStrictEqual(validateSnapshot(JSON.parse(JSON.stringify(good))), good);
    assert.throws(() => validateSnapshot({ ...good, version: 2 }), /"version" must be 1/);
    assert.throws(() => validateSnapshot({ ...good, capturedAt: 'yesterday' }), /"capturedAt" must be an ISO 8601 time/);
    assert.throws(() => validateSnapshot({ ...good, tables: [{ ...good.tables[0], heapBytes: 'big' }] }), /"tables\[0\]\.heapBytes" must be a number/);
    assert.throws(() => validateSnapshot([]), /the file must be a JSON object/);
  });

  it('finds the table a migration names: qualified, else public, else the largest of that name', () => {
    const s = snapshot([table('users', 5, 100, [], 'audit'), table('users', 9, 50), table('logs', 1, 10, [], 'a'), table('logs', 1, 99, [], 'b')]);
    assert.strictEqual(findTable(s, 'users')?.schema, 'public');
    assert.strictEqual(findTable(s, 'audit.users')?.reltuples, 5);
    assert.strictEqual(findTable(s, 'logs')?.schema, 'b');
    assert.strictEqual(findTable(s, 'nope'), undefined);
  });

  it('the default rates are a valid rates file that says how they were measured', () => {
    assert.deepStrictEqual(validateRates(JSON.parse(JSON.stringify(DEFAULT_RATES))), DEFAULT_RATES);
    assert.strictEqual(DEFAULT_RATES.measured.samples.length, 15);
    assert.match(DEFAULT_RATES.measured.server, /^PostgreSQL 15\./);
  });

  it('prints sizes in pg_size_pretty units', () => {
    assert.deepStrictEqual(
      [formatBytes(512), formatBytes(200 * 1024), formatBytes(12 * 1024 ** 3), formatBytes(1.5 * MB)],
      ['512 bytes', '200 kB', '12 GB', '1.5 MB'],
    );
  });
});

describe('sizes: config', () => {
  it('takes smallTable rows and bytes (a number or a size), lockBudget and statsMaxAge', () => {
    const c = validateConfig({ smallTable: { rows: 500, bytes: '2 MB' }, lockBudget: '2s', statsMaxAge: '7d' }, 'f', new Set());
    assert.deepStrictEqual(c, { smallTable: { rows: 500, bytes: 2 * MB }, lockBudget: '2s', statsMaxAge: '7d' });
    assert.deepStrictEqual(validateConfig({ smallTable: { bytes: 4096 } }, 'f', new Set()).smallTable, { rows: DEFAULT_CONFIG.smallTable.rows, bytes: 4096 });
    assert.throws(
      () => validateConfig({ smallTable: { rows: -1 } }, 'f', new Set()),
      (e: ConfigError) => /smallTable\.rows/.test(e.message),
    );
    assert.throws(() => validateConfig({ smallTable: { bytes: '2 parsecs' } }, 'f', new Set()), /smallTable\.bytes.*powers of 1024/);
    assert.throws(() => validateConfig({ smallTable: { pages: 1 } }, 'f', new Set()), /smallTable\.pages.*unknown key/);
    assert.throws(() => validateConfig({ lockBudget: 'soon' }, 'f', new Set()), /lockBudget.*duration/);
  });
});

describe('sizes: verdicts and estimates in analyze()', () => {
  before(initParser);

  it('without a snapshot nothing changes: same findings, no sizes', () => {
    const sql = 'CREATE INDEX users_name_idx ON users (name);\nALTER TABLE events ALTER COLUMN kind TYPE varchar(20);';
    const plain = run(sql);
    assert.strictEqual(plain.sizes, undefined);
    assert.ok(plain.findings.length > 0);
    const withOther = run(sql, { sizes: sizes([table('unrelated', 1, 1)]) });
    assert.deepStrictEqual(
      withOther.findings.map((f) => [f.rule, f.severity, f.message]),
      plain.findings.map((f) => [f.rule, f.severity, f.message]),
    );
  });

  it('a small table: the work finding drops to info and says the size', () => {
    const a = run('CREATE INDEX users_name_idx ON users (name);', { sizes: sizes() });
    const f = findingOf(a, 'require-concurrent-index-creation')!;
    assert.strictEqual(f.severity, 'info');
    assert.match(f.message, / \(small table: users: 1,200 rows, 200 kB\)$/);
    assert.deepStrictEqual(f.notes?.slice(-1), ['info, not error: at or below smallTable in the size snapshot']);
    // Not about work under the lock: unchanged.
    assert.strictEqual(
      findingOf(a, 'require-lock-timeout')?.severity,
      findingOf(run('CREATE INDEX users_name_idx ON users (name);'), 'require-lock-timeout')?.severity,
    );
  });

  it('a large table: the finding keeps its severity and says the size and the time under the lock', () => {
    const a = run('CREATE INDEX events_kind_idx ON events (kind);', { sizes: sizes() });
    const f = findingOf(a, 'require-concurrent-index-creation')!;
    assert.strictEqual(f.severity, 'error');
    assert.doesNotMatch(f.message, /events:/);
    assert.deepStrictEqual(f.notes?.slice(-1), ['size: events: 50,000,000 rows, 1.5 GB; ≈ 10 s under the lock']);
    assert.deepStrictEqual(a.sizes?.statements[0].own, { low: 10, high: 10 });
  });

  it('above either limit is not small; limits come from smallTable', () => {
    const sql = 'CREATE INDEX users_name_idx ON users (name);';
    assert.strictEqual(
      findingOf(run(sql, { sizes: sizes(), config: { smallTable: { rows: 1000, bytes: MB } } }), 'require-concurrent-index-creation')!.severity,
      'error',
    );
    assert.strictEqual(
      findingOf(run(sql, { sizes: sizes(), config: { smallTable: { rows: 5000, bytes: 100 * 1024 } } }), 'require-concurrent-index-creation')!.severity,
      'error',
    );
  });

  it('a partitioned table (its rows are in the partitions) and a table never analysed are not small', () => {
    const parted = { ...table('users', -1, 0), kind: 'p' };
    const a = run('CREATE INDEX users_name_idx ON users (name);', { sizes: sizes([parted]) });
    assert.strictEqual(findingOf(a, 'require-concurrent-index-creation')!.severity, 'error');
    assert.deepStrictEqual(a.sizes!.statements[0].work, []);
    const unknown = run('CREATE INDEX users_name_idx ON users (name);', { sizes: sizes([table('users', -1, 8192)]) });
    assert.strictEqual(findingOf(unknown, 'require-concurrent-index-creation')!.severity, 'error');
  });

  it('a stale snapshot lowers no severity', () => {
    const a = run('CREATE INDEX users_name_idx ON users (name);', { sizes: sizes(TABLES, EXACT, '2026-10-01T00:00:00Z') });
    assert.strictEqual(a.sizes?.stale, true);
    assert.strictEqual(findingOf(a, 'require-concurrent-index-creation')!.severity, 'error');
    assert.strictEqual(run('SELECT 1;', { sizes: sizes(TABLES, EXACT, '2026-10-01T00:00:00Z'), config: { statsMaxAge: '90d' } }).sizes?.stale, false);
  });

  it('a rewrite copies the heap and rebuilds each index; a FK validation reads both tables', () => {
    const a = run(
      'ALTER TABLE events ALTER COLUMN kind TYPE varchar(20);\nALTER TABLE users ADD CONSTRAINT users_org_fkey FOREIGN KEY (org_id) REFERENCES orgs (id);',
      {
        sizes: sizes(),
      },
    );
    assert.deepStrictEqual(
      a.sizes!.statements[0].work.map((w) => [w.kind, w.bytes]),
      [
        ['rewrite', 1000 * MB],
        ['index', 1000 * MB],
        ['index', 1000 * MB],
      ],
    );
    assert.deepStrictEqual(
      a.sizes!.statements[1].work.map((w) => [w.kind, w.bytes]),
      [['fk', 200 * 1024 + 8192]],
    );
  });

  it('a lock held until COMMIT adds up the work of every statement before the COMMIT', () => {
    const a = run(
      'BEGIN;\nALTER TABLE users ADD COLUMN x int;\nCREATE INDEX events_kind_idx ON events (kind);\nALTER TABLE events ALTER COLUMN kind SET NOT NULL;\nCOMMIT;',
      {
        sizes: sizes(),
      },
    );
    const s = a.sizes!.statements;
    assert.strictEqual(s[1].own, undefined);
    assert.deepStrictEqual(s[1].held, { low: 20, high: 20 });
    assert.deepStrictEqual(s[2].held, { low: 20, high: 20 });
    assert.deepStrictEqual(s[3].held, { low: 10, high: 10 });
    const users = a.sizes!.blocking.find((b) => b.table === 'users')!;
    assert.deepStrictEqual([users.level, users.estimate, users.contributors.map((c) => c.statement)], ['reads', { low: 20, high: 20 }, [2, 3]]);
  });

  it('the audit: an estimate per statement that holds a lock with work under it, the blocking per table; none without a snapshot', () => {
    const sql = 'BEGIN;\nALTER TABLE users ADD COLUMN x int;\nCREATE INDEX events_kind_idx ON events (kind);\nCOMMIT;';
    const plain = auditJson('m.sql', run(sql));
    assert.ok(!('sizes' in plain) && plain.statements.every((st) => !('estimate' in st)));
    const a = run(sql, { sizes: sizes() });
    const json = auditJson('m.sql', a);
    assert.deepStrictEqual(
      json.statements.map((st) => st.estimate?.text ?? null),
      [null, '≈ 10 s of ACCESS EXCLUSIVE on users (200 kB)', '≈ 10 s of SHARE on events (1.5 GB)', null],
    );
    assert.deepStrictEqual(json.statements[2].estimate?.work, [{ kind: 'index', table: 'events', bytes: 1000 * MB }]);
    assert.deepStrictEqual(
      json.sizes?.blocking.map((b) => [b.table, b.blocks, b.lines]),
      [
        ['users', 'reads', [3]],
        ['events', 'writes', [3]],
      ],
    );
    const md = auditMarkdown('m.sql', a);
    assert.match(md, /^Sizes: \/p\/\.lockwise\/stats\.json of 2026-12-01T10:00:00Z, default rates; blocking: users reads ≈ 10 s, events writes ≈ 10 s$/m);
    assert.match(md, /index build · ≈ 10 s of SHARE on events \\\(1\.5 GB\\\)/);
    assert.doesNotMatch(auditMarkdown('m.sql', run(sql)), /Sizes:|≈/);
    const html = auditHtml([json], overview([overviewFile(json)]), { all: true });
    assert.match(html, /<p class="meta">Sizes: \/p\/\.lockwise\/stats\.json of 2026-12-01T10:00:00Z/);
    assert.match(html, /index build · ≈ 10 s of SHARE on events \(1\.5 GB\)/);
    // The lock timeline's bar for users: held until COMMIT while the index build runs.
    assert.match(html, /<title>ACCESS EXCLUSIVE on users from line 2 until COMMIT on line 4 \(≈ 10 s with work under it\): blocks reads and writes<\/title>/);
  });

  it('every size-scaled rule exists', () => {
    assert.deepStrictEqual(
      [...SIZE_SCALED_RULES].filter((id) => !RULES_BY_ID.has(id)),
      [],
    );
  });
});

describe('sizes: loading .lockwise/stats.json (project/sizes.ts)', () => {
  let dir: string;
  beforeEach(() => (dir = fs.mkdtempSync(path.join(os.tmpdir(), 'lockwise-sizes-'))));
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('finds the nearest snapshot upwards, with the default rates or rates.json beside it', () => {
    fs.mkdirSync(path.join(dir, '.lockwise'));
    fs.mkdirSync(path.join(dir, 'db', 'migrations'), { recursive: true });
    fs.writeFileSync(path.join(dir, '.lockwise', 'stats.json'), JSON.stringify(snapshot(TABLES)));
    const loader = new SizesLoader({ now: () => NOW });
    const input = loader.forFile(path.join(dir, 'db', 'migrations', '001.sql'))!;
    assert.strictEqual(input.source, path.join(dir, '.lockwise', 'stats.json'));
    assert.strictEqual(input.rates, DEFAULT_RATES);
    assert.strictEqual(input.ratesSource, undefined);
    fs.writeFileSync(path.join(dir, '.lockwise', 'rates.json'), JSON.stringify(EXACT));
    assert.deepStrictEqual(loader.forFile(path.join(dir, 'x.sql'))!.rates.rates, EXACT.rates);
    assert.strictEqual(new SizesLoader().forFile(path.join(os.tmpdir(), 'elsewhere', 'x.sql')), undefined);
  });

  it('a broken file is an error naming it and the field', () => {
    fs.mkdirSync(path.join(dir, '.lockwise'));
    fs.writeFileSync(path.join(dir, '.lockwise', 'stats.json'), '{"version": 1}');
    assert.throws(
      () => new SizesLoader().forFile(path.join(dir, 'x.sql')),
      (e: SizesError) => e.message.endsWith('stats.json: "capturedAt" must be a string'),
    );
    fs.writeFileSync(path.join(dir, '.lockwise', 'stats.json'), '{');
    assert.throws(() => new SizesLoader().forFile(path.join(dir, 'x.sql')), SizesError);
  });
});

describe('sizes: the CLI', function () {
  this.timeout(60_000);
  const CLI = path.resolve(__dirname, '../../../dist/cli.js');
  const cli = (args: string[], cwd: string) => spawnSync(process.execPath, [CLI, ...args], { cwd, encoding: 'utf8', env: { ...process.env, NO_COLOR: '1' } });
  let dir: string;
  beforeEach(() => (dir = fs.mkdtempSync(path.join(os.tmpdir(), 'lockwise-sizes-cli-'))));
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  function project(capturedAt: string): void {
    fs.mkdirSync(path.join(dir, '.lockwise'));
    fs.mkdirSync(path.join(dir, 'm'), { recursive: true });
    fs.writeFileSync(path.join(dir, '.lockwise', 'stats.json'), JSON.stringify(snapshot(TABLES, capturedAt)));
    fs.writeFileSync(path.join(dir, 'm', '001.sql'), 'CREATE TABLE users (id int, name text);\n');
    fs.writeFileSync(path.join(dir, 'm', '002.sql'), 'CREATE INDEX users_name_idx ON users (name);\n');
  }

  it('lint: a fresh snapshot lowers the small table finding to info, a stale one is named on stderr and lowers nothing', () => {
    project(new Date().toISOString());
    const fresh = cli(['lint', '--format', 'json', 'm'], dir);
    assert.strictEqual(fresh.stderr, '');
    assert.match(fresh.stdout, /"rule": "require-concurrent-index-creation",\s*"severity": "info"/);
    fs.rmSync(path.join(dir, '.lockwise'), { recursive: true });
    project('2026-01-01T00:00:00Z');
    const stale = cli(['lint', '--format', 'json', 'm'], dir);
    assert.match(
      stale.stderr,
      /^lockwise: \.lockwise\/stats\.json is stale \(\d+ days old, statsMaxAge 30d\): sizes are shown but lower no severity; refresh it with lockwise stats pull\n$/,
    );
    assert.match(stale.stdout, /"rule": "require-concurrent-index-creation",\s*"severity": "error"/);
  });

  it('a broken snapshot is a usage error naming the file (exit 2)', () => {
    project(new Date().toISOString());
    fs.writeFileSync(path.join(dir, '.lockwise', 'stats.json'), '{"version": 1, "tables": []}');
    const r = cli(['lint', 'm'], dir);
    assert.strictEqual(r.status, 2);
    assert.match(r.stderr, /stats\.json: "capturedAt" must be a string\n$/);
  });

  it('stats: help, the query, and one-line usage errors', () => {
    const help = cli(['stats', '--help'], dir);
    assert.strictEqual(help.status, 0);
    assert.match(help.stdout, /lockwise stats pull \[--db-url URL\]/);
    const query = cli(['stats', 'query'], dir);
    assert.strictEqual(query.status, 0);
    assert.match(query.stdout, /^SELECT json_build_object\(/);
    for (const [args, message] of [
      [['stats', 'push'], /unknown stats command "push"/],
      [['stats', 'pull', '--dburl', 'x'], /unknown option --dburl for stats/],
      [['stats', 'calibrate', '--rows', '0'], /--rows must be a positive integer/],
    ] as const) {
      const r = cli([...args], dir);
      assert.strictEqual(r.status, 2, r.stderr);
      assert.match(r.stderr, message);
    }
  });
});
