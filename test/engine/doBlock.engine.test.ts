/**
 * DO blocks on a real PostgreSQL 15 server: PL/pgSQL plans a statement, and so locks its tables,
 * only when it first runs it. Each case runs the same DO block twice in BEGIN ... ROLLBACK, on
 * empty tables and after filling them, and reads pg_locks inside the transaction: the statements in
 * an IF branch not taken, a loop over no rows, after a RETURN, take no lock; with data they do. The
 * model must call exactly those locks "may take" (branch-aware: the server takes at least their
 * certain part, at most their mode) and the rest certain (the server takes exactly them).
 */
import * as assert from 'assert';
import { analyze, Catalog, DEFAULT_CONFIG, initParser, lockRank, LockMode } from '../../server/src/core';
import type { StatementEffect } from '../../server/src/core';
import { mergeLock } from '../../server/src/core/locks/branches';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { replay } from '../../server/src/project/history';
import { traceFile } from '../../server/src/trace/command';
import { TraceEngine } from '../../server/src/trace/engine';
import { modelSignature, tracedSignature } from '../../server/src/trace/compare';
import { requirePgServer, PgServer } from '../support/pgServer';

type Mode = LockMode | 'none';

interface DoCase {
  name: string;
  setup: string;
  /** Rows that make the branches and loops run. */
  fill: string;
  sql: string;
  /** relation → the server's lock on empty tables, and after `fill`. */
  empty: Record<string, Mode>;
  filled: Record<string, Mode>;
  /** Relations the model must call "may take" (the others it locks are certain). */
  mayTake: string[];
}

const TABLES = `CREATE TABLE users (id int PRIMARY KEY, name text);
  CREATE TABLE flags (name text);
  CREATE TABLE queue (id int);
  CREATE TABLE audit (user_id int);`;

const CASES: DoCase[] = [
  {
    name: 'an IF branch not taken locks nothing; its condition reads flags either way',
    setup: TABLES,
    fill: "INSERT INTO flags VALUES ('migrate')",
    sql: "DO $$ BEGIN IF EXISTS (SELECT 1 FROM flags WHERE name = 'migrate') THEN ALTER TABLE users ADD COLUMN x int; UPDATE audit SET user_id = 0; END IF; END $$",
    empty: { flags: 'ACCESS SHARE', users: 'none', audit: 'none' },
    filled: { flags: 'ACCESS SHARE', users: 'ACCESS EXCLUSIVE', audit: 'ROW EXCLUSIVE' },
    mayTake: ['users', 'audit'],
  },
  {
    name: "a FOR loop over no rows never runs its body; the loop's query reads users either way",
    setup: TABLES,
    fill: "INSERT INTO users VALUES (1, 'a')",
    sql: 'DO $$ DECLARE r record; BEGIN FOR r IN SELECT id FROM users LOOP INSERT INTO audit VALUES (r.id); END LOOP; END $$',
    empty: { users: 'ACCESS SHARE', audit: 'none' },
    filled: { users: 'ACCESS SHARE', audit: 'ROW EXCLUSIVE' },
    mayTake: ['audit'],
  },
  {
    name: 'a WHILE EXISTS loop reads its table for certain and writes it only if it iterates',
    setup: TABLES,
    fill: 'INSERT INTO queue VALUES (1), (2)',
    sql: 'DO $$ BEGIN WHILE EXISTS (SELECT 1 FROM queue) LOOP DELETE FROM queue WHERE id = (SELECT min(id) FROM queue); END LOOP; END $$',
    empty: { queue: 'ACCESS SHARE' },
    filled: { queue: 'ROW EXCLUSIVE' },
    mayTake: ['queue'],
  },
  {
    name: 'after a branch that may RETURN, the rest of the body is conditional; before it, certain',
    setup: TABLES,
    fill: "INSERT INTO flags VALUES ('go')",
    sql: 'DO $$ BEGIN UPDATE audit SET user_id = 1; IF NOT EXISTS (SELECT 1 FROM flags) THEN RETURN; END IF; LOCK TABLE users IN SHARE MODE; END $$',
    empty: { audit: 'ROW EXCLUSIVE', flags: 'ACCESS SHARE', users: 'none' },
    filled: { audit: 'ROW EXCLUSIVE', flags: 'ACCESS SHARE', users: 'SHARE' },
    mayTake: ['users'],
  },
];

/** The DO statement's effect with its body's: what the replay compares. */
function modelOf(sql: string, setup: string): { effect: StatementEffect; catalog: Catalog } {
  const catalog = new Catalog();
  replay(setup, catalog);
  const analysis = analyze(sql, { config: DEFAULT_CONFIG, history: catalog });
  const effect: StatementEffect = { ...analysis.statements[0].effect, locks: [] };
  for (const s of analysis.statements) for (const l of s.effect.locks) mergeLock(effect.locks, l);
  return { effect, catalog };
}

const rank = (m: Mode): number => (m === 'none' ? -1 : lockRank(m));

describe('DO blocks: locks of branches and loops on PostgreSQL 15', function () {
  this.timeout(120_000);
  let server: PgServer;

  before(async function () {
    server = await requirePgServer(this);
    await initParser();
  });

  for (const c of CASES) {
    it(c.name, async () => {
      const { effect, catalog } = modelOf(c.sql, c.setup);
      const may = effect.locks.filter((l) => l.condition).map((l) => l.relation);
      assert.deepStrictEqual(may.sort(), [...c.mayTake].sort(), 'may-take relations');
      const strongest = modelSignature(effect, catalog);
      const certain = modelSignature(effect, catalog, false, true);
      for (const [run, expected] of [
        ['empty', c.empty],
        ['filled', c.filled],
      ] as const) {
        const server = await traced(c.setup, run === 'filled' ? c.fill : '', c.sql);
        assert.deepStrictEqual(pick(server, Object.keys(expected)), expected, `${run}: the server's locks`);
        for (const relation of new Set([...server.keys(), ...strongest.keys()])) {
          const got = rank(server.get(relation) ?? 'none');
          const within = got >= rank(certain.get(relation) ?? 'none') && got <= rank(strongest.get(relation) ?? 'none');
          assert.ok(
            within,
            `${run}: ${relation}: server ${server.get(relation) ?? 'none'}, model ${strongest.get(relation)} (certain ${certain.get(relation)})`,
          );
        }
      }
    });
  }

  it('lockwise trace judges a DO block with its body (branches that ran included): no difference from the prediction', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'lockwise-doblock-'));
    // With rows, the branch and the loop run: their statements' locks are the DO's too.
    fs.writeFileSync(path.join(dir, '001.sql'), `${TABLES}\n${CASES[0].fill};\n${CASES[1].fill};\n`);
    const file = path.join(dir, '002.sql');
    fs.writeFileSync(file, `${CASES[0].sql};\n${CASES[1].sql};\n`);
    const { engine } = await open();
    try {
      const report = await traceFile(engine, file, DEFAULT_CONFIG, {});
      const statements = report.statements.filter((st) => st.kind === 'DoStmt');
      assert.strictEqual(statements.length, 2);
      assert.deepStrictEqual(
        statements.map((st) => st.disagreements),
        [[], []],
      );
      assert.deepStrictEqual(statements[0].locks.map((l) => `${l.relation} ${l.mode}`).sort(), [
        'audit ROW EXCLUSIVE',
        'flags ACCESS SHARE',
        'users ACCESS EXCLUSIVE',
      ]);
    } finally {
      await engine.close();
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  /** A fresh database on the server, as a trace engine. */
  async function open(): Promise<{ engine: TraceEngine }> {
    const client = await server.connect(await server.createDatabase('doblock'));
    const engine = await TraceEngine.over({
      exec: (q) => client.query(q),
      query: async <R>(q: string) => ({ rows: (await client.query(q)).rows as R[] }),
      close: () => client.end(),
    });
    return { engine };
  }

  /** The DO block's locks, held inside its transaction (a fresh database per run). */
  async function traced(setup: string, fill: string, sql: string): Promise<Map<string, LockMode>> {
    const { engine } = await open();
    try {
      await engine.exec(setup + ';' + fill);
      const trace = await engine.traceRolledBack(sql);
      assert.strictEqual(trace.error, undefined, trace.error?.message);
      return tracedSignature(trace.locks);
    } finally {
      await engine.close();
    }
  }
});

function pick(locks: Map<string, LockMode>, relations: string[]): Record<string, Mode> {
  return Object.fromEntries(relations.map((r) => [r, locks.get(r) ?? 'none']));
}
