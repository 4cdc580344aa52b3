/**
 * The settings timeline and the rewrite facts it feeds, checked against a real PostgreSQL server:
 * every lock_timeout spelling parses to the milliseconds the server stores; SET, SET LOCAL,
 * set_config, savepoints, ROLLBACK and psql's \connect change the settings the way the server's
 * SHOW says; ALTER TYPE ... ADD VALUE in the transaction that created the type; which ADD COLUMN
 * forms and which TimeZones rewrite the table (relfilenode before and after).
 */
import * as assert from 'assert';
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import type { Client } from 'pg';
import { analyze, initParser, mergeConfig } from '../../server/src/core';
import { buildStatements } from '../../server/src/core/model/statements';
import { buildTimeline, parseDuration, zoneSetting } from '../../server/src/core/model/timeline';
import { findPgBin, requirePgServer, PgServer } from '../support/pgServer';

/** `SET lock_timeout = <value>` as written in a migration: quoted strings and bare numbers. */
const DURATIONS = [
  "'5s'",
  "'500us'",
  "'600us'",
  "'1499us'",
  "'2500us'",
  "'0.4ms'",
  "'0.5ms'",
  "'0.5'",
  "'1.5'",
  "'2.5'",
  "'3.5'",
  "'0.49999'",
  "'0.50001'",
  '1000',
  '1.5',
  '0.4',
  "'1.5s'",
  "'0.001s'",
  "'0.0004s'",
  "'.5s'",
  "'1e3'",
  "'1e-3s'",
  "'2.5e-3s'",
  "'1min'",
  "'1.5min'",
  "'0.01min'",
  "'0.00001min'",
  "'2h'",
  "'1.5h'",
  "'1d'",
  "'2.5d'",
  "'5 s'",
  "' 5s '",
  "'+5s'",
  "'-0.4'",
  "'0x10'",
  "'010'",
  "'010.5'",
  "'2147483647'",
  // Rejected: a unit is case-sensitive and spelt exactly; negative; over INT_MAX; garbage.
  "'5S'",
  "'5sec'",
  "'5ms5'",
  "''",
  "'-1'",
  '-1',
  "'2147483648'",
  "'25d'",
  "'09'",
  "'1e'",
];

describe('timeline settings and rewrites vs a real PostgreSQL server', function () {
  let server: PgServer;
  let database: string;
  let client: Client;

  before(async function () {
    server = await requirePgServer(this);
    await initParser();
    database = await server.createDatabase('timeline');
    client = await server.connect(database);
  });

  after(async () => {
    await client?.end();
  });

  /** The setting in the server's base unit (milliseconds), as pg_settings stores it. */
  async function stored(name: string): Promise<number> {
    return Number((await client.query('SELECT setting FROM pg_settings WHERE name = $1', [name])).rows[0].setting);
  }

  /** What the timeline makes of `SET lock_timeout = <value>` (undefined: it leaves the setting alone). */
  function modelled(value: string): number | undefined {
    const { statements } = buildStatements(`SET lock_timeout = ${value}`);
    return buildTimeline(statements, false).perStatement[0].lockTimeout?.ms;
  }

  describe('every lock_timeout spelling parses to what the server stores', () => {
    for (const value of DURATIONS) {
      it(value, async () => {
        await client.query('SET lock_timeout = 123');
        let server: number | undefined;
        try {
          await client.query(`SET lock_timeout = ${value}`);
          server = await stored('lock_timeout');
        } catch {
          server = undefined;
        }
        assert.strictEqual(modelled(value), server, `SET lock_timeout = ${value}`);
      });
    }

    it('statement_timeout reads the same units', async () => {
      for (const value of ["'0.4ms'", "'1.5min'", "'2d'", '1.5']) {
        await client.query(`SET statement_timeout = ${value}`);
        assert.strictEqual(parseDuration(value.replace(/'/g, '')), await stored('statement_timeout'), value);
      }
      await client.query('RESET statement_timeout');
    });
  });

  /**
   * Runs the script statement by statement on one connection and compares lock_timeout,
   * statement_timeout and TimeZone after each one with the timeline's; the server starts from its
   * defaults (0, 0, the cluster's TimeZone), which the timeline leaves undefined.
   */
  async function sameAsServer(script: string): Promise<void> {
    const own = await server.connect(database);
    try {
      const initialZone = (await own.query('SHOW TimeZone')).rows[0].TimeZone as string;
      const { statements } = buildStatements(script);
      const timeline = buildTimeline(statements, false);
      const own1 = async (name: string) => Number((await own.query('SELECT setting FROM pg_settings WHERE name = $1', [name])).rows[0].setting);
      for (const stmt of statements) {
        await own.query(stmt.text);
        const entry = timeline.perStatement[stmt.index];
        const zone = (await own.query('SHOW TimeZone')).rows[0].TimeZone as string;
        assert.deepStrictEqual(
          { lock: entry.lockTimeout?.ms ?? 0, statement: entry.statementTimeout?.ms ?? 0, zone: (entry.timeZone?.text ?? initialZone).toLowerCase() },
          { lock: await own1('lock_timeout'), statement: await own1('statement_timeout'), zone: zone.toLowerCase() },
          `after statement ${stmt.index}: ${stmt.text}`,
        );
      }
    } finally {
      await own.end();
    }
  }

  describe('SET, SET LOCAL, set_config, savepoints and ROLLBACK as the server applies them', () => {
    it('ROLLBACK TO SAVEPOINT undoes SET and SET LOCAL made after it; RELEASE keeps them', () =>
      sameAsServer(`SET lock_timeout = '1s';
        BEGIN;
        SAVEPOINT a;
        SET lock_timeout = '2s';
        SET LOCAL statement_timeout = '3s';
        ROLLBACK TO SAVEPOINT a;
        SET LOCAL lock_timeout = '4s';
        SAVEPOINT b;
        SET lock_timeout = '5s';
        SAVEPOINT c;
        SET statement_timeout = '6s';
        RELEASE SAVEPOINT b;
        ROLLBACK TO SAVEPOINT a;
        SET statement_timeout = '7s';
        COMMIT;`));

    it('a savepoint name used twice: ROLLBACK TO and RELEASE take the newest', () =>
      sameAsServer(`BEGIN;
        SAVEPOINT s;
        SET lock_timeout = '1s';
        SAVEPOINT s;
        SET lock_timeout = '2s';
        ROLLBACK TO SAVEPOINT s;
        RELEASE SAVEPOINT s;
        ROLLBACK TO SAVEPOINT s;
        COMMIT;`));

    it('ROLLBACK undoes every SET of the transaction, plain SET included; COMMIT ends SET LOCAL only', () =>
      sameAsServer(`SET lock_timeout = '1s';
        BEGIN;
        SET lock_timeout = '2s';
        SET statement_timeout = '3s';
        ROLLBACK;
        BEGIN;
        SET LOCAL lock_timeout = '4s';
        SET statement_timeout = '5s';
        COMMIT;
        BEGIN;
        SET LOCAL lock_timeout = '6s';
        SET lock_timeout = '7s';
        COMMIT;`));

    it('set_config(..., true) lasts until COMMIT, set_config(..., false) for the session', () =>
      sameAsServer(`BEGIN;
        SELECT set_config('lock_timeout', '2s', true);
        SELECT set_config('statement_timeout', '3s', false);
        COMMIT;
        SELECT set_config('lock_timeout', '4s', true);`));

    it('RESET, SET ... TO DEFAULT, SET LOCAL ... TO DEFAULT, RESET ALL and DISCARD ALL', () =>
      sameAsServer(`SET lock_timeout = '1s';
        SET statement_timeout = '2s';
        BEGIN;
        SET LOCAL lock_timeout TO DEFAULT;
        COMMIT;
        SET lock_timeout TO DEFAULT;
        SET lock_timeout = '3s';
        RESET lock_timeout;
        SET lock_timeout = '4s';
        RESET ALL;
        SET lock_timeout = '5s';
        SET TIME ZONE 'Europe/Berlin';
        DISCARD PLANS;
        DISCARD ALL;`));

    it('SET TIME ZONE, SET TimeZone and SET LOCAL TIME ZONE', () =>
      sameAsServer(`SET TIME ZONE 'Europe/Berlin';
        BEGIN;
        SET LOCAL TIME ZONE 'UTC';
        COMMIT;
        BEGIN;
        SET TimeZone = 'America/New_York';
        ROLLBACK;
        SELECT set_config('TimeZone', 'Asia/Tokyo', false);`));

    it('ALTER DATABASE / ALTER ROLE ... SET is not in effect for the session that runs it', async () => {
      const script = `ALTER DATABASE ${database} SET lock_timeout = '7s'; ALTER ROLE postgres IN DATABASE ${database} SET statement_timeout = '8s';`;
      await sameAsServer(script);
      await client.query(`ALTER DATABASE ${database} RESET lock_timeout; ALTER ROLE postgres IN DATABASE ${database} RESET statement_timeout`);
    });

    it("psql's \\connect starts a new session: the settings and the open transaction are gone", function () {
      const bin = findPgBin();
      if (!bin) this.skip();
      const script = [`BEGIN;`, `SET lock_timeout = '1s';`, `CREATE TABLE lost ();`, `\\connect ${server.url(database)}`, `SELECT 1;`].join('\n');
      const psql = (sql: string) =>
        execFileSync(join(bin!, 'psql'), ['-X', '-q', '-At', '-v', 'ON_ERROR_STOP=1', server.url(database)], { input: sql, encoding: 'utf8' });
      const out = psql(`${script}\nSHOW lock_timeout;\nSELECT to_regclass('lost') IS NULL;\n`);
      assert.deepStrictEqual(out.trim().split('\n').slice(-2), ['0', 't'], 'the server after \\connect');
      const { statements, metaCommands } = buildStatements(script);
      const after = buildTimeline(statements, false, { metaCommands }).perStatement[3];
      assert.strictEqual(after.lockTimeout, undefined);
      assert.strictEqual(after.transaction, undefined);
      assert.strictEqual(buildTimeline(statements, false).perStatement[3].lockTimeout?.ms, 1000, 'without the meta-command the SET would carry over');
    });
  });

  it('ALTER TYPE ... ADD VALUE: the value is unusable before COMMIT even for a type created in the same transaction', async () => {
    await client.query('BEGIN');
    try {
      await client.query("CREATE TYPE tl_status AS ENUM ('new'); ALTER TYPE tl_status ADD VALUE 'archived'");
      await assert.rejects(client.query("SELECT 'archived'::tl_status"), /unsafe use of new value "archived"/);
    } finally {
      await client.query('ROLLBACK');
    }
    const findings = analyze("BEGIN;\nCREATE TYPE tl_status AS ENUM ('new');\nALTER TYPE tl_status ADD VALUE 'archived';\nCOMMIT;").findings;
    assert.ok(findings.some((f) => f.rule === 'enum-value-in-transaction'));
  });

  /** Runs `setup`, then `change` in the same session, and says whether `table` got a new relfilenode. */
  async function rewrites(setup: string, change: string, table: string): Promise<boolean> {
    const own = await server.connect(database);
    try {
      await own.query(`DROP TABLE IF EXISTS ${table}; ${setup}`);
      const before = (await own.query(`SELECT pg_relation_filenode('${table}') AS f`)).rows[0].f;
      await own.query(change);
      const after = (await own.query(`SELECT pg_relation_filenode('${table}') AS f`)).rows[0].f;
      await own.query(`DROP TABLE ${table}`);
      return before !== after;
    } finally {
      await own.end();
    }
  }

  describe('ADD COLUMN rewrites an empty table too; the model says so, and whether it is empty here', () => {
    const cases = [
      { column: 'id int PRIMARY KEY GENERATED ALWAYS AS IDENTITY', fill: '' },
      { column: 'id int PRIMARY KEY GENERATED ALWAYS AS IDENTITY', fill: 'INSERT INTO rw VALUES (1);' },
      { column: 'r float8 DEFAULT random()', fill: '' },
      { column: 'r float8 DEFAULT random()', fill: 'INSERT INTO rw SELECT 1;' },
      { column: 's serial', fill: '' },
      { column: 'n int DEFAULT 0', fill: 'INSERT INTO rw VALUES (1);' },
    ];
    for (const c of cases) {
      it(`${c.column} ${c.fill ? 'after ' + c.fill : 'on an empty table'}`, async () => {
        const setup = `CREATE TABLE rw (a int); ${c.fill}`;
        const change = `ALTER TABLE rw ADD COLUMN ${c.column};`;
        const onServer = await rewrites(setup, change, 'rw');
        const effect = analyze(`${setup}\n${change}`).statements.at(-1)!.effect;
        assert.strictEqual(effect.rewrite, onServer, 'model and server');
        if (onServer)
          assert.strictEqual(
            effect.notes.some((n) => n.endsWith('(the table is empty here)')),
            !c.fill,
            effect.notes.join('; '),
          );
      });
    }
  });

  describe('timestamp ↔ timestamptz rewrites unless the session TimeZone is UTC', () => {
    const zones = [
      "'UTC'",
      "'Etc/UTC'",
      "'GMT'",
      "'Zulu'",
      "'UCT'",
      "'utc'",
      "'Etc/GMT+0'",
      "'Greenwich'",
      "'+00'",
      "'-00:00'",
      '0',
      "INTERVAL '+00:00' HOUR TO MINUTE",
      "'Europe/London'",
      "'Africa/Abidjan'",
      "'Europe/Berlin'",
      "'America/New_York'",
      "'+01'",
      '1',
    ];
    for (const zone of zones) {
      it(`SET TIME ZONE ${zone}`, async () => {
        const setup = `CREATE TABLE tz (a timestamp, b timestamptz); INSERT INTO tz VALUES (now(), now()); SET TIME ZONE ${zone};`;
        for (const change of ['ALTER TABLE tz ALTER COLUMN a TYPE timestamptz;', 'ALTER TABLE tz ALTER COLUMN b TYPE timestamp;']) {
          const onServer = await rewrites(setup, change, 'tz');
          const analysis = analyze(`${setup}\n${change}`);
          assert.strictEqual(analysis.statements.at(-1)!.effect.rewrite, onServer, change);
        }
      });
    }

    it('the configured timeZone is the default; unset, the model assumes a rewrite and says why', async () => {
      const sql = 'CREATE TABLE tz (a timestamp);\nINSERT INTO tz VALUES (now());\nALTER TABLE tz ALTER COLUMN a TYPE timestamptz;';
      const onServerUtc = await rewrites(
        'SET TIME ZONE UTC; CREATE TABLE tz (a timestamp); INSERT INTO tz VALUES (now());',
        'ALTER TABLE tz ALTER COLUMN a TYPE timestamptz',
        'tz',
      );
      assert.strictEqual(analyze(sql, { config: mergeConfig({ timeZone: 'UTC' }) }).statements[2].effect.rewrite, onServerUtc);
      const unknown = analyze(sql).statements[2].effect;
      assert.ok(unknown.rewrite);
      assert.ok(unknown.commands[0].assumed);
      assert.match(unknown.notes.join('; '), /unless the session TimeZone is UTC, which is not known/);
      assert.strictEqual(zoneSetting('Etc/UTC', -1, false).utc, true);
    });
  });
});
