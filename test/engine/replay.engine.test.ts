/**
 * Real migration histories (lemmy, documenso, harbor, kratos; ../shared/corpus or $LOCKWISE_CORPUS)
 * replayed on a real PostgreSQL server, file by file in their runners' order, each statement in
 * its own transaction: the locks its backend holds after it (pg_locks, no join) and the relations
 * that got new storage are compared with what `analyze` says for that statement, given the schema
 * history before the file. Prints agreement per project and category and the disagreements (each
 * with its statement as a repro); fails below the thresholds. `npm run test:replay`.
 * Without server binaries (a machine without apt) it replays on PGlite (PostgreSQL 17/18, one
 * connection: the same pg_locks read of its own backend); LOCKWISE_REPLAY_ENGINE=pglite chooses it.
 */
import * as assert from 'assert';
import * as fs from 'fs';
import * as path from 'path';
import type { Client } from 'pg';
import { analyze, initParser, Catalog, DEFAULT_CONFIG } from '../../server/src/core';
import type { StatementAnalysis } from '../../server/src/core';
import { replay } from '../../server/src/project/history';
import { TraceEngine, SqlSession, StatementTrace } from '../../server/src/trace/engine';
import { findPgBin, requirePgServer } from '../support/pgServer';
import { describeWithCorpus } from '../support/corpus';
import { histories, History } from './replay/histories';
import { agrees, judge, Tally, unionEffects, Verdict } from './replay/measure';

/**
 * Views, materialized views and indexes: first thresholds with DROP ... CASCADE reaching dependent
 * views and a materialized view's indexes (server: views 96.6% -> 97.5%, matviews 80.4% -> 88.2%,
 * indexes 95.2% -> 97.1%, 100% (832) with the catalog's index renames; PGlite before those: indexes
 * 95.7%, views and matviews as on the server).
 */
const DROP_CASCADE_SERVER = { views: 1, matviews: 1, indexes: 1 };
const DROP_CASCADE_PGLITE = { views: 1, matviews: 1, indexes: 0.985 };

/**
 * Agreement the suite must keep (raise them as the model improves, never lower them silently).
 * phantoms: 97 -> 121 with the sequence locks (sequences 4.4% -> 90.3%, 288 of 319), -2 with
 * temporary tables (not traced: the engine names no pg_temp relation), +2 with the foreign key
 * checks of INSERT ... VALUES (tables 97.5% -> 97.6%). Every phantom added is a statement inside a
 * DO-block loop that does not iterate over the replay's empty tables, like its table's own lock.
 * Catalog: index <-> constraint renames, DROP COLUMN dropping expression/partial indexes, next-free
 * default names: tables 97.6% -> 97.8%, indexes 95.2% -> 98.1%, phantoms 121 -> 108.
 * Triggers in the catalog: DROP FUNCTION ... CASCADE locks their tables, tables 97.8% -> 97.9%.
 * DO blocks compared branch-aware (a statement in an IF branch or a loop body only may take its
 * locks; the block's loop queries and conditions read their tables): sequences 90.3% -> 98.4%,
 * phantoms 121 -> 62, DO pairs 25.0% exact -> 98.1% branch-aware (the 2 left read system catalogs,
 * which the trace does not name). Both together: phantoms 49 (PGlite 61).
 * Foreign keys of the rows DML writes (may take: checks ROW SHARE on the referenced table, ON DELETE/
 * UPDATE actions on the referencing ones, through cascades; INSERT ... SELECT's sequences): tables
 * 97.9% -> 98.8% (DML 89.9% -> 95.4%), sequences 98.4% -> 100%, DO pairs 98.2% (more pairs).
 * rewrites: 95.7% -> 100% (47) once ADD COLUMN ... IDENTITY / volatile default rewrites a table
 * created earlier in the file too (lemmy's person_content_combined, filled by CREATE TABLE AS).
 * Triggers DML fires (statement triggers certain, row triggers may take), REFRESH reading through
 * views: tables 98.8% -> 99.0% (DML 95.4% -> 96.2%), views 97.5% -> 100%, matviews 88.2% -> 100%.
 * Schemas: system catalogs (lemmy's UPDATE pg_index ... FROM pg_class) are not user tables, and
 * names resolve through search_path: phantoms 49 -> 3 (88 pairs), tables 99.0% -> 99.8%, DO
 * branch-aware 98.2% -> 99.1% (the system catalogs DO blocks read).
 * DROP TRIGGER IF EXISTS of a trigger the history never created: may take (DDL 100%, phantoms 3 -> 2).
 * Functions a statement calls (their bodies' locks, may take): tables 99.8% -> 99.98% (5351/5352;
 * lemmy's UPDATE ... FROM community_aggregates_activity(...)), DML 99.4% -> 100%.
 * information_schema's views are system relations too (harbor's DO block reads information_schema.tables):
 * phantoms 2 -> 1, DO branch-aware 99.1% -> 100%. The one left: kratos' DROP INDEX IF EXISTS
 * session_devices.unique_session_device names a schema that does not exist (a no-op on the server).
 * DROP INDEX IF EXISTS of an index a known history never created: may take (phantoms 1 -> 0).
 */
const SERVER_THRESHOLDS = { tables: 0.999, sequences: 1, rewrites: 1, phantoms: 0, doBranchAware: 1, ...DROP_CASCADE_SERVER };
/**
 * PGlite 0.5 is PostgreSQL 18, the server 15: the histories differ where the versions do, so it has
 * its own numbers. 18 runs lemmy's 4 CREATE TABLE ... AS with a subquery without alias (16 syntax,
 * unsupported-syntax on 15) and about 70 later statements that need their tables; PGlite has no
 * pgcrypto, pg_trgm or btree_gin, so 11 statements of documenso and kratos fail there. First run on PGlite:
 * tables 5022/5130, sequences 289/324, rewrites 45/48, phantoms 133. DO blocks compared
 * branch-aware: sequences 315/324, phantoms 74, DO pairs 106/108 (25.0% exact). Rewrites 48/48 with
 * identity / volatile-default ADD COLUMN on tables created in the file. DO pairs 114/115 with the
 * schema work and SELECT ... INTO in DO bodies modelled (PL/pgSQL blanks the INTO clause).
 * With this session's lock model and catalog (schemas and system catalogs, foreign keys and
 * triggers of DML, functions called, DROP ... CASCADE): tables 100.0% (5453), sequences 98.5%,
 * indexes 98.6%, phantoms 13 (12 are indexes of extensions PGlite lacks, gist and trigram, that
 * lemmy's REINDEX / rewrites reach; 1 kratos' DROP INDEX IF EXISTS in a schema that does not exist),
 * DO branch-aware 114/114 with both.
 */
// DROP INDEX IF EXISTS of an index a known history never created: may take (phantoms 13 -> 12).
const PGLITE_THRESHOLDS = { tables: 0.999, sequences: 0.984, rewrites: 1, phantoms: 12, doBranchAware: 1, ...DROP_CASCADE_PGLITE };

type Thresholds = typeof SERVER_THRESHOLDS;

/** Opens a fresh database for one project; the engine is closed by the caller. */
type OpenEngine = (project: string) => Promise<TraceEngine>;

/** The real server when its binaries are installed (required by LOCKWISE_REQUIRE_PG=1), else PGlite. */
async function chooseEngine(ctx: Mocha.Context): Promise<{ name: string; open: OpenEngine; thresholds: Thresholds }> {
  const forced = process.env.LOCKWISE_REPLAY_ENGINE;
  if (forced !== 'pglite' && (forced === 'server' || findPgBin() || process.env.LOCKWISE_REQUIRE_PG === '1')) {
    const server = await requirePgServer(ctx);
    const open: OpenEngine = async (project) => {
      const client = await server.connect(await server.createDatabase(project));
      // The server may stop while a statement runs (a timeout): that must not be an uncaught error.
      client.on('error', () => undefined);
      return TraceEngine.over(session(client));
    };
    return { name: 'server', open, thresholds: SERVER_THRESHOLDS };
  }
  // One PGlite per project: an empty database from the cached initdb (about a second).
  return { name: 'PGlite', open: () => TraceEngine.create(), thresholds: PGLITE_THRESHOLDS };
}

function session(client: Client): SqlSession {
  return {
    exec: (sql) => client.query(sql),
    query: async <R>(sql: string) => ({ rows: (await client.query(sql)).rows as R[] }),
    close: () => client.end(),
  };
}

const clip = (text: string, n = 240): string => {
  const flat = text.replace(/\s+/g, ' ').trim();
  return flat.length > n ? `${flat.slice(0, n)} …` : flat;
};

const pct = (r: number): string => `${(100 * r).toFixed(1)}%`;

describeWithCorpus('replay of real migration histories on PostgreSQL', function (corpus) {
  this.timeout(600_000);
  let engine: { name: string; open: OpenEngine; thresholds: Thresholds };
  const tallies = new Map<string, Tally>();

  before(async function () {
    engine = await chooseEngine(this);
    await initParser();
  });

  const only = process.env.LOCKWISE_REPLAY_PROJECTS?.split(',');
  for (const history of histories(corpus).filter((h) => !only || only.includes(h.project))) {
    it(`${history.project}: ${history.files.length} files`, async () => {
      const tally = await replayHistory(await engine.open(history.project), history, corpus);
      tallies.set(history.project, tally);
      assert.ok(tally.statements > 0, 'no statement ran');
    });
  }

  it('meets the agreement thresholds', () => {
    const all = report(tallies, `${engine.name}: ${engineVersion}`);
    const THRESHOLDS = engine.thresholds;
    assert.ok(all.ratio('tables') >= THRESHOLDS.tables, `tables: ${pct(all.ratio('tables'))} < ${pct(THRESHOLDS.tables)}`);
    for (const category of ['sequences', 'views', 'matviews', 'indexes'] as const)
      assert.ok(all.ratio(category) >= THRESHOLDS[category], `${category}: ${pct(all.ratio(category))} < ${pct(THRESHOLDS[category])}`);
    const rewrites = all.rewriteTotal ? all.rewriteAgree / all.rewriteTotal : 1;
    assert.ok(rewrites >= THRESHOLDS.rewrites, `rewrites: ${pct(rewrites)} < ${pct(THRESHOLDS.rewrites)}`);
    const doBlocks = all.ratio('DO branch-aware');
    assert.ok(doBlocks >= THRESHOLDS.doBranchAware, `DO blocks (branch-aware): ${pct(doBlocks)} < ${pct(THRESHOLDS.doBranchAware)}`);
    assert.ok(all.phantoms <= THRESHOLDS.phantoms, `${all.phantoms} locks reported on relations the server did not lock`);
  });
});

/** `version()` of the engine the histories ran on, for the report. */
let engineVersion = '';

async function replayHistory(engine: TraceEngine, history: History, corpus: string): Promise<Tally> {
  engineVersion = engine.version.replace(/ on .*/, '');
  engine.measureScans = false;
  // The server's TimeZone is the session default the model reads timestamp ↔ timestamptz with.
  const timeZone = String((await engine.query<{ TimeZone: string }>('SHOW TimeZone'))[0].TimeZone);
  const config = { ...DEFAULT_CONFIG, pgVersion: engine.major, rules: {}, timeZone };
  const tally = new Tally();
  let schema = new Catalog();
  try {
    for (const file of history.files) {
      const text = fs.readFileSync(file, 'utf8');
      const analysis = analyze(text, { config, history: schema });
      for (const stmt of analysis.statements) {
        await replayStatement(engine, stmt, analysis.statements, analysis.finalCatalog, tally, path.relative(corpus, file));
      }
      const next = schema.clone();
      replay(text, next);
      schema = next;
    }
  } finally {
    await engine.close();
  }
  return tally;
}

const SKIPPED = new Set(['TransactionStmt', 'Invalid']);
/** Server errors printed per project (LOCKWISE_REPLAY_ERRORS, default 5). */
const ERRORS_SHOWN = Number(process.env.LOCKWISE_REPLAY_ERRORS ?? 5);

async function replayStatement(
  engine: TraceEngine,
  sa: StatementAnalysis,
  all: StatementAnalysis[],
  catalog: Catalog,
  tally: Tally,
  file: string,
): Promise<void> {
  const stmt = sa.statement;
  if (stmt.container !== undefined || SKIPPED.has(stmt.kind)) return;
  let trace: StatementTrace = await engine.traceCommitted(stmt.text);
  if (trace.error?.code === '25001') trace = await engine.traceOutsideTransaction(stmt.text);
  if (trace.error) {
    tally.errors++;
    if (tally.errors <= ERRORS_SHOWN) console.log(`      server error in ${file}: ${trace.error.message}: ${clip(stmt.text, 120)}`);
    return;
  }
  tally.statements++;
  const inDo = stmt.kind === 'DoStmt';
  const nested = inDo ? all.filter((s) => s.statement.container === stmt.index).map((s) => s.effect) : [];
  const effect = inDo ? unionEffects([sa.effect, ...nested]) : sa.effect;
  const verdict = judge(effect, catalog, trace, stmt.kind, inDo);
  // Outside a transaction block only storage can be seen: the locks are gone when it returns.
  const seen: Verdict = trace.observed === 'storage-only' ? { pairs: [], phantoms: [], mayNotTaken: [], rewrite: verdict.rewrite } : verdict;
  record(tally, seen, stmt.kind, stmt.text, file);
}

const DML = new Set(['InsertStmt', 'UpdateStmt', 'DeleteStmt', 'MergeStmt', 'SelectStmt', 'CopyStmt']);

/** LOCKWISE_REPLAY_DUMP=<file>: every judged pair, one per line, to diff two versions of the model. */
const DUMP = process.env.LOCKWISE_REPLAY_DUMP;
if (DUMP) fs.writeFileSync(DUMP, '');

function record(tally: Tally, v: Verdict, kind: string, text: string, file: string): void {
  if (DUMP)
    fs.appendFileSync(DUMP, v.pairs.map((p) => `${file}\t${clip(text)}\t${p.category}\t${p.relation}\tmodel ${modelText(p)}\tserver ${p.server}\n`).join(''));
  for (const p of v.pairs) {
    const ok = agrees(p);
    tally.count(p.category, ok);
    if (p.category === 'tables') tally.count(DML.has(kind) ? 'tables DML' : 'tables DDL', ok);
    // DO blocks both ways: exact on the strongest lock (every lock taken as certain), and branch-aware.
    if (kind === 'DoStmt') tally.count('DO exact', p.model === p.server);
    if (kind === 'DoStmt') tally.count('DO branch-aware', ok);
    if (!ok)
      tally.disagreements.push({ key: `${kind} ${p.category}: model ${modelText(p)}, server ${p.server}`, repro: `${file}: ${clip(text)}  [${p.relation}]` });
  }
  for (const r of v.phantoms) {
    tally.phantoms++;
    tally.disagreements.push({ key: `${kind} phantom lock`, repro: `${file}: ${clip(text)}  [${r}]` });
  }
  tally.mayNotTaken += v.mayNotTaken.length;
  const m = v.rewrite.model.join(',');
  const s = v.rewrite.server.join(',');
  if (m || s) {
    tally.rewriteTotal++;
    if (m === s) tally.rewriteAgree++;
    else tally.disagreements.push({ key: `${kind} rewrite: model [${m}], server [${s}]`, repro: `${file}: ${clip(text)}` });
  }
}

/** "may take ROW EXCLUSIVE (certain ACCESS SHARE)" for a DO block's may-take lock, else the mode. */
function modelText(p: { model: string; certain: string }): string {
  if (p.model === p.certain) return p.model;
  return `may take ${p.model}${p.certain === 'none' ? '' : ` (certain ${p.certain})`}`;
}

const CATEGORIES = ['tables', 'tables DDL', 'tables DML', 'DO tables', 'DO exact', 'DO branch-aware', 'views', 'matviews', 'indexes', 'sequences'];

/** Prints the agreement table and the disagreement classes; returns the totals. */
function report(tallies: Map<string, Tally>, engine: string): Tally {
  const all = new Tally();
  const lines: string[] = ['', `on ${engine}`, 'project     stmts  errors  ' + CATEGORIES.map((c) => c.padEnd(16)).join('') + 'rewrites        phantoms'];
  const row = (name: string, t: Tally): string => {
    const cells = CATEGORIES.map((c) => `${pct(t.ratio(c))} (${t.total.get(c) ?? 0})`.padEnd(16)).join('');
    const rw = `${pct(t.rewriteTotal ? t.rewriteAgree / t.rewriteTotal : 1)} (${t.rewriteTotal})`.padEnd(16);
    return `${name.padEnd(10)} ${String(t.statements).padStart(6)} ${String(t.errors).padStart(7)}  ${cells}${rw}${t.phantoms}`;
  };
  for (const [project, t] of tallies) {
    lines.push(row(project, t));
    for (const [k, n] of t.total) all.total.set(k, (all.total.get(k) ?? 0) + n);
    for (const [k, n] of t.exact) all.exact.set(k, (all.exact.get(k) ?? 0) + n);
    all.rewriteAgree += t.rewriteAgree;
    all.rewriteTotal += t.rewriteTotal;
    all.phantoms += t.phantoms;
    all.mayNotTaken += t.mayNotTaken;
    all.errors += t.errors;
    all.statements += t.statements;
    all.disagreements.push(...t.disagreements);
  }
  lines.push(row('all', all));
  lines.push(
    '',
    'DO exact: the strongest lock of every DO pair, every lock taken as certain; DO branch-aware: a may-take lock agrees when the server took',
    `at most it and at least its certain part. May-take locks on relations the server did not lock (not phantoms): ${all.mayNotTaken}.`,
  );
  const classes = new Map<string, string[]>();
  for (const d of all.disagreements) classes.set(d.key, [...(classes.get(d.key) ?? []), d.repro]);
  const sorted = [...classes].sort((a, b) => b[1].length - a[1].length);
  lines.push('', `disagreements: ${all.disagreements.length} in ${sorted.length} classes (one repro each)`);
  const limit = Number(process.env.LOCKWISE_REPLAY_CLASSES ?? 40);
  for (const [key, repros] of sorted.slice(0, limit)) lines.push(`  ${String(repros.length).padStart(4)}  ${key}`, `        ${repros[0]}`);
  console.log(lines.map((l) => `      ${l}`).join('\n'));
  return all;
}
