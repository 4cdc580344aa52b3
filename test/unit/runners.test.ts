/** Runner profiles, detection, timeline units, rollback parts and runner settings, case by case. */
import * as assert from 'assert';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { spawnSync } from 'child_process';
import { analyze, Catalog, fixAll, initParser, mergeConfig, parseConfigText, RULES_BY_ID } from '../../server/src/core';
import { HistoryProvider, replay } from '../../server/src/project/history';
import { detectRunner, FolderFacts } from '../../server/src/core/runners/detect';
import { runnerProfile } from '../../server/src/core/runners/registry';
import { nextVersion } from '../../server/src/core/runners/support';
import { deployedText } from '../../server/src/core/runners/apply';
import { RUNNER_IDS, type RunnerId } from '../../server/src/core/runners/types';

function facts(partial: Partial<FolderFacts>): FolderFacts {
  return { folderName: 'migrations', entries: [], parentEntries: [], projectFiles: [], samples: [], ...partial };
}

const files = (...names: string[]) => names.map((name) => ({ name, isDirectory: false }));

/** A schema history holding table t (existing tables are the ones locks matter on). */
function historyWithT(): Catalog {
  const catalog = new Catalog();
  replay('CREATE TABLE t (x int);', catalog);
  return catalog;
}

function run(text: string, id: RunnerId, fileName: string, config = {}) {
  return analyze(text, { config: mergeConfig(config), runner: { id, fileName }, history: historyWithT() });
}

before(async () => {
  await initParser();
});

describe('runner detection', () => {
  it("the file's own marker wins over the folder", () => {
    const choice = detectRunner(facts({ projectFiles: [{ name: 'diesel.toml', depth: 1 }] }), '/p/migrations/1_x.sql', '-- +goose Up\nSELECT 1;\n');
    assert.strictEqual(choice.id, 'goose');
    assert.strictEqual(choice.source, 'marker');
  });

  it('sibling markers decide for a file without one, and a mix is reported as ambiguous', () => {
    const choice = detectRunner(
      facts({ samples: ['-- migrate:up\nSELECT 1;', '-- migrate:up\nSELECT 2;', '-- +migrate Up\nSELECT 3;'] }),
      '/p/migrations/3_x.sql',
      'SELECT 1;',
    );
    assert.strictEqual(choice.id, 'dbmate');
    assert.deepStrictEqual(choice.alternatives, ['sql-migrate']);
  });

  it('the nearest project file wins; Cargo.toml counts only when it names sqlx', () => {
    const f = facts({
      projectFiles: [
        { name: 'atlas.sum', depth: 0 },
        { name: 'flyway.conf', depth: 2 },
      ],
    });
    assert.strictEqual(detectRunner(f, '/p/migrations/1_x.sql').id, 'atlas');
    assert.strictEqual(
      detectRunner(facts({ projectFiles: [{ name: 'Cargo.toml', depth: 1, text: '[dependencies]\nserde = "1"\n' }] }), '/p/migrations/1_x.sql').id,
      'none',
    );
    assert.strictEqual(
      detectRunner(facts({ projectFiles: [{ name: 'Cargo.toml', depth: 1, text: '[dependencies]\nsqlx = "0.8"\n' }] }), '/p/migrations/1_x.up.sql').id,
      'sqlx',
    );
  });

  it('the layout alone: diesel, Prisma, Flyway, sqitch, graphile-migrate; `.up.sql` pairs are ambiguous', () => {
    assert.strictEqual(detectRunner(facts({ folderName: '2024-01-01-000000_x' }), '/p/migrations/2024-01-01-000000_x/up.sql').id, 'diesel');
    assert.strictEqual(detectRunner(facts({ folderName: '20240101000000_x' }), '/p/migrations/20240101000000_x/migration.sql').id, 'prisma');
    assert.strictEqual(detectRunner(facts({ entries: files('V1__a.sql', 'V1.10__b.sql') }), '/p/sql/V1__a.sql').id, 'flyway');
    const sqitch = facts({ folderName: 'deploy', parentEntries: ['deploy', 'revert', 'verify'].map((name) => ({ name, isDirectory: true })) });
    assert.strictEqual(detectRunner(sqitch, '/p/deploy/users.sql').id, 'sqitch');
    assert.strictEqual(detectRunner(facts({ folderName: 'committed' }), '/p/migrations/committed/000001.sql').id, 'graphile-migrate');
    const pair = detectRunner(facts({}), '/p/migrations/1_x.up.sql');
    assert.strictEqual(pair.id, 'golang-migrate');
    assert.deepStrictEqual(pair.alternatives, ['sqlx']);
  });

  it('nothing found: plain psql, saying why', () => {
    const choice = detectRunner(facts({ entries: files('001.sql') }), '/p/migrations/001.sql', 'SELECT 1;');
    assert.strictEqual(choice.id, 'none');
    assert.match(choice.reason, /psql -f/);
  });
});

describe('runner profiles', () => {
  it('versions: the next one keeps the width, and a taken one leaves no slot', () => {
    assert.strictEqual(
      nextVersion('00005', () => false),
      '00006',
    );
    assert.strictEqual(
      nextVersion('20240101120000', () => false),
      '20240101120001',
    );
    assert.strictEqual(
      nextVersion('2024-01-01-000000', () => false),
      '2024-01-01-000001',
    );
    assert.strictEqual(
      nextVersion('00005', (v) => v === '00006'),
      undefined,
    );
  });

  it('Flyway: a script of only non-transactional statements runs without a transaction; mixing keeps it', () => {
    assert.deepStrictEqual(
      run('CREATE INDEX CONCURRENTLY a ON t (x);\n', 'flyway', '/p/V2__a.sql').findings.map((f) => f.rule),
      [],
    );
    const mixed = run("SET lock_timeout = '1s';\nCREATE INDEX CONCURRENTLY a ON t (x);\n", 'flyway', '/p/V2__a.sql');
    assert.ok(mixed.findings.some((f) => f.rule === 'ban-concurrent-index-creation-in-transaction'));
    // Flyway does not know REINDEX ... CONCURRENTLY on one index: it stays in the transaction.
    assert.ok(run('REINDEX INDEX CONCURRENTLY a;\n', 'flyway', '/p/V2__a.sql').findings.some((f) => f.rule === 'ban-concurrent-index-creation-in-transaction'));
  });

  it('Liquibase: each changeset is its own transaction, runInTransaction:false opts one out', () => {
    const text =
      '--liquibase formatted sql\n--changeset a:1\nCREATE TABLE t (x int);\n--changeset a:2 runInTransaction:false\nCREATE INDEX CONCURRENTLY i ON t (x);\n';
    const analysis = run(text, 'liquibase', '/p/changelog.sql');
    assert.deepStrictEqual(
      analysis.timeline.units?.map((u) => `${u.unit}:${u.mode}`),
      ['changeset a:1:transaction', 'changeset a:2:statements'],
    );
    assert.deepStrictEqual(
      analysis.findings.filter((f) => f.severity === 'error').map((f) => f.rule),
      [],
    );
  });

  it('the deployed text of a goose file leaves out its Down section (history never drops what Up made)', () => {
    const text = '-- +goose Up\nCREATE TABLE t (x int);\n-- +goose Down\nDROP TABLE t;\n';
    assert.strictEqual(deployedText(text, { id: 'goose', fileName: '/p/1_x.sql' }), '-- +goose Up\nCREATE TABLE t (x int);\n');
    assert.strictEqual(deployedText('DROP TABLE t;\n', { id: 'diesel', fileName: '/p/2024_x/down.sql' }), '');
  });

  it('every profile names an opt-out text and cites at least one source', () => {
    for (const id of RUNNER_IDS) {
      const p = runnerProfile(id);
      assert.strictEqual(p.id, id);
      assert.ok(p.optOutText.length > 0 && p.docs.sources.length > 0, id);
    }
  });
});

describe('files a runner checks byte for byte (frozen)', () => {
  const body = 'CREATE INDEX t_x_idx ON t (x);\n';
  const committed = `--! Previous: -\n--! Hash: sha1:0af2206b8f147b4eb1d02398909af3948c74d9fa\n\n${body}`;

  it("graphile-migrate's committed (hashed) migration: no fix, and the findings say why", () => {
    const findings = run(committed, 'graphile-migrate', '/p/migrations/committed/000002.sql').findings;
    const fixable = findings.filter((f) => RULES_BY_ID.get(f.rule)?.fixable);
    assert.ok(fixable.length > 0, 'the index gets findings of rules with fixes');
    for (const f of fixable) {
      assert.strictEqual(f.fix, undefined, f.rule);
      assert.match(f.fixWithheld ?? '', /--! Hash of committed migrations/, f.rule);
    }
  });

  it('current.sql (no hash yet) keeps its fixes', () => {
    const findings = run(body, 'graphile-migrate', '/p/migrations/current.sql').findings;
    assert.ok(findings.some((f) => f.fix));
    assert.ok(findings.every((f) => f.fixWithheld === undefined));
  });
});

describe("statements moved out of the runner's transaction", () => {
  const indexes = 'CREATE INDEX CONCURRENTLY t_x_idx ON t (x);\nCREATE INDEX CONCURRENTLY t_y_idx ON t (y);\n';
  const options = (id: RunnerId, fileName: string) => ({ config: mergeConfig({}), runner: { id, fileName }, history: historyWithT() });

  it('goose: several CONCURRENTLY statements at the end move together, one statement each in the new file', () => {
    const text = `-- +goose Up\nALTER TABLE t ADD COLUMN y int;\n${indexes}-- +goose Down\nDROP INDEX t_y_idx;\n`;
    const result = fixAll(text, options('goose', '/p/db/20240101000000_t.sql'));
    assert.ok(!result.text.includes('CONCURRENTLY'), result.text);
    assert.deepStrictEqual(
      result.files.map((f) => [f.path.replace(/\\/g, '/'), f.text]),
      [['/p/db/20240101000001_t_no_transaction.sql', `-- +goose NO TRANSACTION\n-- +goose Up\n${indexes}`]],
    );
  });

  it('a later statement blocks the move only when it names the table as a whole identifier (SELECT is not t)', () => {
    const moved = (after: string) =>
      fixAll(`-- +goose Up\nINSERT INTO t VALUES (1);\nCREATE INDEX CONCURRENTLY t_x_idx ON t (x);\n${after}\n`, options('goose', '/p/db/20240101000000_t.sql'))
        .files.length;
    assert.strictEqual(moved('SELECT 1;'), 1);
    assert.strictEqual(moved('UPDATE t SET x = 2;'), 0);
  });

  it('prisma sends a migration as one query: only one statement per new migration, no carried SET', () => {
    const text = `SET LOCAL lock_timeout = '2s';\nALTER TABLE t ADD COLUMN y int;\n${indexes}`;
    const result = fixAll(text, options('prisma', '/p/prisma/migrations/20240101000000_t/migration.sql'));
    assert.ok(result.files.length > 0, 'a statement moved to a new migration');
    for (const f of result.files)
      assert.strictEqual(
        f.text
          .trim()
          .split(';')
          .filter((s) => s.trim()).length,
        1,
        f.text,
      );
  });
});

describe("Liquibase's --rollback lines", () => {
  const changelog = (rollback: string, eol = '\n') =>
    [
      '--liquibase formatted sql',
      '--changeset alice:1',
      'INSERT INTO t VALUES (1);',
      'CREATE INDEX CONCURRENTLY t_x_idx ON t (x);',
      rollback,
      '--changeset alice:2',
      'SELECT 1;',
      '',
    ].join(eol);
  const liquibase = (text: string, config = {}) => run(text, 'liquibase', '/p/changelog.sql', config);

  it('are the rollback part, analysed where they are (columns after the prefix), without fixes', () => {
    const analysis = liquibase(changelog('--rollback CREATE INDEX t_y_idx ON t (x);'), { downMigrations: 'full' });
    const down = analysis.findings.filter((f) => f.rule === 'require-concurrent-index-creation');
    assert.strictEqual(down.length, 1);
    assert.deepStrictEqual(analysis.lines.positionAt(down[0].span.start), { line: 4, character: 11 });
    assert.strictEqual(down[0].fix, undefined);
    assert.match(down[0].fixWithheld ?? '', /--rollback comments/);
    assert.deepStrictEqual(
      analysis.statements.map((s) => s.part),
      ['up', 'up', 'down', 'up'],
    );
  });

  it('by default only what breaks the rollback is reported: a syntax error, CONCURRENTLY in its transaction', () => {
    const downRules = (rollback: string) => {
      const analysis = liquibase(changelog(rollback));
      return analysis.findings.filter((f) => analysis.statements[f.statement].part === 'down').map((f) => f.rule);
    };
    assert.deepStrictEqual(downRules('--rollback CREATE INDEX t_y_idx ON t (x);'), []);
    assert.deepStrictEqual(downRules('--rollback DROP INDX t_x_idx;'), ['syntax-error']);
    assert.deepStrictEqual(downRules('--rollback DROP INDEX CONCURRENTLY t_x_idx;'), ['ban-concurrent-index-creation-in-transaction']);
  });

  it('keep CRLF files the same length, and never feed the schema history', () => {
    const text = changelog('--rollback DROP TABLE t;', '\r\n');
    assert.strictEqual(runnerProfile('liquibase').visibleText!(text).length, text.length);
    const catalog = historyWithT();
    replay(deployedText(text, { id: 'liquibase', fileName: '/p/changelog.sql' }), catalog);
    assert.ok(catalog.relation('t'), 'the rollback DROP TABLE is not deployed');
  });

  it('stay with their changeset when a statement moves to a new changeset after it', () => {
    const text = changelog('--rollback DROP INDEX t_x_idx;');
    const fixed = fixAll(text, { config: mergeConfig({}), runner: { id: 'liquibase', fileName: '/p/changelog.sql' }, history: historyWithT() }).text;
    const rollbackAt = fixed.indexOf('--rollback');
    const newChangeset = fixed.indexOf('--changeset alice:1-no-transaction');
    assert.ok(newChangeset > rollbackAt && rollbackAt > 0, fixed);
  });
});

describe('runner units in the timeline', () => {
  it('a multi-statement query is one implicit transaction; a single statement is not', () => {
    const two = run('ALTER TABLE t ADD COLUMN y int;\nVACUUM t;\n', 'prisma', '/p/20240101000000_x/migration.sql');
    assert.ok(two.findings.some((f) => f.rule === 'cannot-run-in-transaction' && /Prisma Migrate sends this file as one query/.test(f.message)));
    assert.deepStrictEqual(
      run('VACUUM t;\n', 'prisma', '/p/20240101000000_x/migration.sql').findings.map((f) => f.rule),
      [],
    );
  });

  it('COMMIT inside a multi-statement query: the rest runs in a new implicit block', () => {
    const analysis = run('BEGIN;\nCREATE TABLE t (x int);\nCOMMIT;\nVACUUM t;\nSELECT 1;\n', 'golang-migrate', '/p/1_x.up.sql');
    assert.ok(analysis.findings.some((f) => f.rule === 'cannot-run-in-transaction'));
    assert.ok(!analysis.findings.some((f) => f.rule === 'transaction-nesting'), 'BEGIN in a multi-statement query is not nested');
  });

  it('locks are held until the runner commits, and the hover says so', () => {
    const analysis = run('-- +goose Up\nALTER TABLE t ADD COLUMN y int;\nSELECT 1;\n', 'goose', '/p/00001_x.sql');
    const alter = analysis.statements[0];
    assert.strictEqual(alter.heldUntil.kind, 'end-of-file');
    assert.strictEqual(alter.timeline.transaction?.runner?.runner, 'goose');
  });

  it('runnerSettings count as SET at the start of every file: no require-lock-timeout', () => {
    const text = 'ALTER TABLE t ADD COLUMN y int;\n';
    const history = historyWithT();
    const without = analyze(text, { history, config: mergeConfig({}) });
    assert.ok(without.findings.some((f) => f.rule === 'require-lock-timeout'));
    const withSettings = analyze(text, { history, config: mergeConfig({ runnerSettings: { lock_timeout: '5s' } }) });
    assert.ok(!withSettings.findings.some((f) => f.rule === 'require-lock-timeout'));
    assert.strictEqual(withSettings.statements[0].timeline.lockTimeout?.setAt, -1);
  });

  it('require-lock-timeout inside a runner transaction inserts SET LOCAL', () => {
    const history = historyWithT();
    const analysis = analyze('-- +goose Up\nALTER TABLE t ADD COLUMN y int;\n', {
      history,
      config: mergeConfig({}),
      runner: { id: 'goose', fileName: '/p/00002_x.sql' },
    });
    const finding = analysis.findings.find((f) => f.rule === 'require-lock-timeout');
    assert.match(finding?.fix?.edits[0].newText ?? '', /SET LOCAL lock_timeout/);
  });
});

describe('rollback parts (downMigrations)', () => {
  const text = '-- +goose Up\nCREATE TABLE u (x int);\n-- +goose Down\nDROP INDEX CONCURRENTLY i;\nALTER TABLE t ALTER COLUMN x TYPE bigint;\n';
  const rules = (mode: 'off' | 'syntax' | 'full') => run(text, 'goose', '/p/00001_x.sql', { downMigrations: mode }).findings.map((f) => f.rule);

  it('syntax (default): only what stops the rollback from running', () => {
    assert.deepStrictEqual(rules('syntax'), ['ban-concurrent-index-creation-in-transaction']);
  });

  it('off: nothing; full: every rule', () => {
    assert.deepStrictEqual(rules('off'), []);
    assert.ok(rules('full').includes('changing-column-type'));
  });

  it('the deployed part is what feeds the schema after the file', () => {
    const analysis = run(text, 'goose', '/p/00001_x.sql');
    assert.ok(analysis.finalCatalog.relation('u'), 'the Down section does not drop u from the history');
    assert.strictEqual(analysis.statements[1].part, 'down');
  });
});

describe('runner configuration', () => {
  const known = new Set(RULES_BY_ID.keys());

  it('accepts runner ids, downMigrations and runnerSettings, and names the key of a bad value', () => {
    const ok = parseConfigText('{"runner":"goose","downMigrations":"full","runnerSettings":{"lock_timeout":"5s"}}', 'f', known);
    assert.deepStrictEqual(ok, { runner: 'goose', downMigrations: 'full', runnerSettings: { lock_timeout: '5s' } });
    assert.throws(() => parseConfigText('{"runner":"rails"}', 'f', known), /"runner": must be "auto" or one of/);
    assert.throws(() => parseConfigText('{"runnerSettings":{"work_mem":"1MB"}}', 'f', known), /runnerSettings.work_mem/);
  });
});

describe("schema history in the runner's order", () => {
  it('sqitch: deploy/ scripts run in sqitch.plan order, not name order', () => {
    const deploy = path.resolve(__dirname, '../../../test/fixtures/runners/sqitch/deploy');
    // users_email sorts before users by name, but the plan deploys users first.
    const before = new HistoryProvider().catalogBefore(path.join(deploy, 'users_email.sql'));
    assert.ok(before?.relation('users'), 'users is in the history of users_email');
    assert.strictEqual(new HistoryProvider().catalogBefore(path.join(deploy, 'users.sql')), undefined);
  });
});

describe('runners in the CLI', () => {
  const ROOT = path.resolve(__dirname, '../../..');
  const cli = (...args: string[]) =>
    spawnSync(process.execPath, [path.join(ROOT, 'dist/cli.js'), ...args], { encoding: 'utf8', env: { ...process.env, NO_COLOR: '1' } });

  it("lint --explain-runner prints each file's runner, why and how it runs", () => {
    const r = cli('lint', '--explain-runner', path.join(ROOT, 'test/fixtures/runners/dbmate'));
    assert.strictEqual(r.status, 0, r.stderr);
    assert.match(r.stdout, /20240102000000_index_email\.sql: dbmate \(the file carries dbmate's marker\): dbmate runs the migrate:up block in one transaction/);
    assert.match(r.stdout, /20240103000000_index_name\.sql: dbmate .*sends the migrate:up block as one multi-statement query/);
  });

  it('--fix writes the new migration after the file and lists it; the result lints clean of what the runner cannot run', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'lockwise-runner-'));
    try {
      fs.mkdirSync(path.join(dir, 'migrations'));
      fs.writeFileSync(path.join(dir, 'migrations/1_users.up.sql'), 'CREATE TABLE users (id bigint PRIMARY KEY, email text);\n');
      fs.writeFileSync(
        path.join(dir, 'migrations/2_email.up.sql'),
        "SET lock_timeout = '5s';\nCREATE INDEX CONCURRENTLY IF NOT EXISTS users_email_idx ON users (email);\n",
      );
      const r = cli('lint', '--fix', path.join(dir, 'migrations'));
      assert.match(r.stderr, /3_email_no_transaction\.up\.sql: written by the fix of/);
      assert.strictEqual(
        fs.readFileSync(path.join(dir, 'migrations/3_email_no_transaction.up.sql'), 'utf8'),
        'CREATE INDEX CONCURRENTLY IF NOT EXISTS users_email_idx ON users (email);\n',
      );
      assert.strictEqual(fs.readFileSync(path.join(dir, 'migrations/2_email.up.sql'), 'utf8'), "SET lock_timeout = '5s';\n");
      const again = cli('lint', '--format', 'json', path.join(dir, 'migrations'));
      assert.doesNotMatch(again.stdout, /ban-concurrent-index-creation-in-transaction/);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
