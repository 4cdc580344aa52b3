/**
 * Incremental analysis (core/incremental) against full analysis: after every edit of random edit
 * sequences (the fuzzer's edits, and typing: characters, `;`, newlines, deletions), the incremental
 * result must equal `analyze()` of the same text in everything the views read: findings with their
 * fixes, internal errors, each statement's hover data (span, effect, timeline, what it blocks, new
 * relations), comments and transactions. Snapshots are taken every few statements so that small
 * fixtures exercise restarts and convergence too.
 */
import * as assert from 'assert';
import * as fs from 'fs';
import {
  analyze,
  Analysis,
  AnalyzeOptions,
  Catalog,
  DEFAULT_CONFIG,
  IncrementalAnalyzer,
  initParser,
  LockwiseConfig,
  mergeConfig,
  RULES,
} from '../../server/src/core';
import { replay } from '../../server/src/project/history';
import { describeWithCorpus, realWorldFiles } from '../support/corpus';
import { loadRuleCases } from '../support/ruleCases';
import { HistoryProvider } from '../../server/src/project/history';
import { RunnerDetector } from '../../server/src/project/runners';
import { RUNNER_FIXTURES, sqlFiles } from '../support/runnerProjects';
import * as path from 'path';
import { textChange } from '../../server/src/core/incremental/shift';
import { applyEdit, Edit, randomEdit, Rng } from '../robustness/fuzzer';

const ALL_ON: Partial<LockwiseConfig> = { rules: Object.fromEntries(RULES.map((r) => [r.id, r.defaultSeverity === 'off' ? 'warning' : r.defaultSeverity])) };

/** What the views read of an analysis, as plain data. */
function viewData(a: Analysis): unknown {
  return {
    findings: a.findings,
    internalErrors: a.internalErrors,
    comments: a.comments,
    transactions: a.timeline.transactions,
    statements: a.statements.map((s) => ({
      statement: { ...s.statement, node: undefined },
      effect: s.effect,
      timeline: s.timeline,
      heldUntil: s.heldUntil,
      blocks: [...s.blocks],
      newRelations: [...s.newRelations],
      pendingRelations: s.pendingRelations,
      part: s.part,
    })),
  };
}

function assertSame(incremental: Analysis, text: string, options: AnalyzeOptions, where: string): void {
  assert.strictEqual(incremental.text, text);
  assert.deepStrictEqual(viewData(incremental), viewData(analyze(text, options)), where);
}

/** An edit like typing: a character of an identifier, a `;`, a newline, a space, a deletion, or a comment after a `;`. */
function typingEdit(rng: Rng, text: string): Edit {
  const offset = rng.int(text.length + 1);
  const r = rng.next();
  // Fixes read the line a statement ends on (they remove whole lines): text after its `;`.
  const semicolon = text.indexOf(';', offset);
  if (r < 0.08 && semicolon >= 0) return { kind: 'type', offset: semicolon + 1, deleteCount: 0, insert: rng.pick([' -- done', ' ', 'x', '\t']) };
  if (r < 0.15) return { kind: 'delete-char', offset, deleteCount: 1, insert: '' };
  const insert = r < 0.25 ? ';' : r < 0.35 ? '\n' : r < 0.45 ? ' ' : rng.pick(['a', 'x', '_', '1', 'b']);
  return { kind: 'type', offset, deleteCount: 0, insert };
}

/** Runs `steps` edits from `text`, comparing after each; returns how many statements were walked and how many there were. */
function editSequence(text: string, options: AnalyzeOptions, rng: Rng, steps: number, corpus: () => string, every = 4): { walked: number; statements: number } {
  const original = text;
  const inc = new IncrementalAnalyzer(every);
  assertSame(inc.analyze(text, options), text, options, 'first analysis');
  let walked = 0;
  let statements = 0;
  const edits: Edit[] = [];
  for (let i = 0; i < steps; i++) {
    const edit = rng.chance(0.7) ? typingEdit(rng, text) : randomEdit(rng, text, corpus);
    edits.push(edit);
    text = applyEdit(text, edit);
    const result = inc.analyze(text, options);
    walked += inc.walked;
    statements += result.statements.length;
    assertSame(result, text, options, `after edits ${JSON.stringify(edits)} of ${JSON.stringify(original.slice(0, 400))}`);
  }
  return { walked, statements };
}

function historyOf(texts: string[]): Catalog | undefined {
  let history: Catalog | undefined;
  for (const t of texts) replay(t, (history ??= new Catalog()));
  return history;
}

/** A long migration of independent parts, with transactions, for restarts and convergence. */
function longFile(parts: number): string {
  const out: string[] = [];
  for (let i = 0; i < parts; i++) {
    out.push(`CREATE TABLE t${i} (id bigint PRIMARY KEY, name text);`);
    out.push(`ALTER TABLE base ADD COLUMN c${i} text;`);
    if (i % 3 === 0) out.push('BEGIN;', `ALTER TABLE t${i} ADD CONSTRAINT t${i}_name CHECK (name <> '');`, `UPDATE base SET c${i} = 'x';`, 'COMMIT;');
    out.push(`CREATE INDEX t${i}_name_idx ON base (c${i});`);
  }
  return out.join('\n') + '\n';
}

/**
 * Parts that each touch a table of their own, and every tenth one the history's table `shared`
 * too: an edit of the column the first statement adds to `shared` is read by few later statements
 * (a type change of a column added in the file rewrites nothing; of another column, it does).
 */
function sparseFile(parts: number): string {
  const out: string[] = ['ALTER TABLE shared ADD COLUMN s0 text;'];
  for (let i = 0; i < parts; i++) {
    out.push(`CREATE TABLE t${i} (id bigint PRIMARY KEY, name text);`, `ALTER TABLE t${i} ADD COLUMN c${i} text;`);
    if (i % 10 === 0) out.push(`ALTER TABLE shared ALTER COLUMN s0 TYPE varchar(${i + 10});`);
    if (i % 4 === 0) out.push('BEGIN;', `UPDATE t${i} SET c${i} = 'x';`, 'COMMIT;');
    out.push(`CREATE INDEX t${i}_c_idx ON t${i} (c${i});`);
  }
  return out.join('\n') + '\n';
}

/**
 * Unnamed CHECK constraints on the history's table `shared` spread through independent parts (each
 * takes the first free default name, validated by name later), and DML on `shared` (which reads
 * the foreign keys that reference it).
 */
function namedConstraintsFile(parts: number): string {
  const out: string[] = ['-- start', 'ALTER TABLE shared ADD CONSTRAINT first_check CHECK (a > 0) NOT VALID;'];
  for (let i = 0; i < parts; i++) {
    out.push(`CREATE TABLE p${i} (id bigint, name text);`, `CREATE INDEX p${i}_idx ON p${i} (name);`);
    if (i % 6 === 5) out.push(`ALTER TABLE shared ADD CHECK (a > ${i}) NOT VALID;`, `ALTER TABLE shared VALIDATE CONSTRAINT shared_a_check${i > 5 ? 1 : ''};`);
    if (i % 6 === 2) out.push(`DELETE FROM shared WHERE id = ${i};`);
  }
  return out.join('\n') + '\n';
}

const SPARSE_HISTORY = ['CREATE TABLE base (id bigint PRIMARY KEY);', 'CREATE TABLE shared (id bigint PRIMARY KEY, a text);'];

describe('incremental analysis', () => {
  before(async () => {
    await initParser();
  });

  const fixtureTexts = () => RULES.flatMap((rule) => loadRuleCases(rule.id).map((c) => ({ rule: rule.id, ...c })));

  it('equals a full analysis after every edit of random edit sequences over the rule fixtures', function () {
    this.timeout(300000);
    const cases = fixtureTexts();
    const rng = new Rng(15);
    const corpus = () => rng.pick(cases).text;
    for (const c of cases) {
      const options = { config: mergeConfig(ALL_ON, c.config), history: historyOf(c.history) };
      editSequence(c.text, options, rng, 6, corpus);
    }
  });

  it('equals a full analysis while typing through a long file, walking a part of it', function () {
    this.timeout(120000);
    const history = historyOf(['CREATE TABLE base (id bigint PRIMARY KEY);']);
    const rng = new Rng(7);
    const text = longFile(60);
    const { walked, statements } = editSequence(text, { history }, rng, 40, () => text, 8);
    assert.ok(walked < statements / 2, `walked ${walked} of ${statements} statements`);
  });

  it('equals a full analysis when an edit changes the search_path or renames a table (read by every statement)', () => {
    const options = { history: historyOf(['CREATE TABLE base (id bigint PRIMARY KEY);']) };
    const text = longFile(40);
    const inc = new IncrementalAnalyzer(8);
    inc.analyze(text, options);
    const at = text.indexOf('CREATE TABLE t20');
    for (const insert of [
      'SET search_path TO other, public;\n',
      'ALTER TABLE t10 RENAME TO t10_old;\n',
      'CREATE SCHEMA other;\nCREATE TABLE other.base (id int);\nSET search_path TO other;\n',
    ]) {
      const edited = text.slice(0, at) + insert + text.slice(at);
      assertSame(inc.analyze(edited, options), edited, options, `inserted ${insert}`);
      assertSame(inc.analyze(text, options), text, options, `removed ${insert}`);
    }
  });

  it('equals a full analysis after every edit of the runner fixture projects and of the rule fixtures with sizes (each edit analysed in full)', function () {
    this.timeout(300000);
    const rng = new Rng(18);
    const cases: { name: string; text: string; options: AnalyzeOptions }[] = [];
    for (const project of fs.readdirSync(RUNNER_FIXTURES).map((d) => path.join(RUNNER_FIXTURES, d))) {
      const detector = new RunnerDetector();
      const history = new HistoryProvider(undefined, (f, t) => detector.forFile(f, t, DEFAULT_CONFIG));
      for (const file of sqlFiles(project)) {
        const text = fs.readFileSync(file, 'utf8');
        const runner = detector.forFile(file, text, DEFAULT_CONFIG);
        cases.push({ name: file, text, options: { config: mergeConfig(ALL_ON), history: history.catalogBefore(file), runner } });
      }
    }
    for (const c of fixtureTexts())
      if (c.sizes)
        cases.push({ name: c.name, text: c.text, options: { config: mergeConfig(ALL_ON, c.config), history: historyOf(c.history), sizes: c.sizes } });
    assert.ok(cases.filter((c) => c.options.runner && c.options.runner.id !== 'none').length > 40 && cases.some((c) => c.options.sizes));
    const corpus = () => rng.pick(cases).text;
    for (const c of cases) editSequence(c.text, c.options, rng, 4, corpus);
  });

  it('re-walks few statements for an edit that changes nothing later statements read, and keeps lock model verdicts', () => {
    const options = { history: historyOf(['CREATE TABLE base (id bigint PRIMARY KEY);']) };
    const text = longFile(100);
    const inc = new IncrementalAnalyzer(8);
    inc.analyze(text, options);
    const total = inc.walked;
    // A new column in the middle: its table is read again by later statements, the others are not.
    const at = text.indexOf('ALTER TABLE base ADD COLUMN c50 text;') + 'ALTER TABLE base ADD COLUMN c50'.length;
    const edited = text.slice(0, at) + 'x' + text.slice(at);
    assertSame(inc.analyze(edited, options), edited, options, 'column renamed');
    assert.ok(inc.walked < total, `walked ${inc.walked} of ${total}`);
    assert.ok(inc.modelsReused > 0, 'no lock model verdict carried over');
    // A space: nothing changes, the walk stops at a snapshot after it.
    const space = text.indexOf('CREATE TABLE t50') + 'CREATE'.length;
    const spaced = text.slice(0, space) + ' ' + text.slice(space);
    inc.analyze(text, options);
    assertSame(inc.analyze(spaced, options), spaced, options, 'space added');
    assert.ok(inc.walked <= 24, `walked ${inc.walked}`);
  });

  it('keeps the previous analyses and timeline of the statements before the restart, as objects (not rebuilt after every edit)', () => {
    const options = { history: historyOf(['CREATE TABLE base (id bigint PRIMARY KEY);']) };
    const text = longFile(100);
    const inc = new IncrementalAnalyzer(8);
    const before = inc.analyze(text, options);
    const at = text.indexOf('ALTER TABLE base ADD COLUMN c50 text;') + 'ALTER TABLE base ADD COLUMN c50'.length;
    const edited = text.slice(0, at) + 'x' + text.slice(at);
    const after = inc.analyze(edited, options);
    assertSame(after, edited, options, 'column renamed');
    const kept = after.statements.findIndex((s, i) => s !== before.statements[i]);
    assert.ok(kept > after.statements.length / 3, `only the first ${kept} of ${after.statements.length} analyses kept`);
    for (let i = 0; i < kept; i++) assert.strictEqual(after.timeline.perStatement[i], before.timeline.perStatement[i]);
    const txBefore = after.timeline.transactions.filter((t) => t.end !== undefined && t.end < kept);
    assert.ok(txBefore.length > 3 && txBefore.every((t, k) => t === before.timeline.transactions[k]));
    // Their entries are the ones their analyses and rules read: the transaction is the listed one.
    for (let i = 0; i < kept; i++) {
      const tx = after.statements[i].timeline.transaction;
      assert.ok(!tx || after.timeline.transactions.includes(tx));
    }
  });

  it('stops early when an edit moves the lines and statements after it', () => {
    const options = { history: historyOf(['CREATE TABLE base (id bigint PRIMARY KEY);']) };
    const text = longFile(100);
    const inc = new IncrementalAnalyzer(8);
    inc.analyze(text, options);
    const at = text.indexOf('CREATE TABLE t50');
    // BEGIN and COMMIT write the catalog's search_path bookkeeping: compared in full at the next snapshot.
    for (const [insert, most] of [
      ['\n\n', 32],
      ['SELECT 1;\n', 32],
      ['ALTER TABLE t49 ADD COLUMN extra text;\n', 32],
      ['BEGIN;\nCOMMIT;\n', 100],
    ] as const) {
      const edited = text.slice(0, at) + insert + text.slice(at);
      assertSame(inc.analyze(edited, options), edited, options, `inserted ${insert}`);
      assert.ok(inc.walked <= most, `inserted ${JSON.stringify(insert)}: walked ${inc.walked}`);
      assertSame(inc.analyze(text, options), text, options, `removed ${insert}`);
    }
  });

  it('equals a full analysis when an edit changes the line a statement starts or ends on (fixes remove and indent whole lines)', () => {
    const options = { history: historyOf(['CREATE TABLE base (id bigint PRIMARY KEY, c text);']) };
    const text = 'SELECT 1;\nBEGIN;\nCREATE INDEX CONCURRENTLY i1 ON base (c);\nCOMMIT;\nSELECT 2;\nCREATE INDEX i2 ON base (c);\nSELECT 3;\n';
    for (const [after, insert] of [
      ['COMMIT;', ' -- done'],
      ['BEGIN;\n', '  '],
      ['SELECT 2;\n', '  '],
      ['SELECT 2;', ' '],
      ['SELECT 2;', 'SELECT 4;'],
    ] as const) {
      const inc = new IncrementalAnalyzer(2);
      inc.analyze(text, options);
      const at = text.indexOf(after) + after.length;
      const edited = text.slice(0, at) + insert + text.slice(at);
      assertSame(inc.analyze(edited, options), edited, options, `inserted ${JSON.stringify(insert)} after ${JSON.stringify(after)}`);
      assertSame(inc.analyze(text, options), text, options, `removed ${JSON.stringify(insert)} after ${JSON.stringify(after)}`);
    }
  });

  it('skips ahead to the statements that read what an edit changed, and equals a full analysis', () => {
    const options = { history: historyOf(SPARSE_HISTORY) };
    const text = sparseFile(120);
    const inc = new IncrementalAnalyzer(8);
    inc.analyze(text, options);
    const total = inc.walked;
    // The column renamed: the statements that change its type later find another column.
    const at = text.indexOf(' text;');
    assert.ok(analyze(text.slice(0, at) + 'x' + text.slice(at), options).findings.length > analyze(text, options).findings.length);
    let edited = text;
    for (const [k, insert] of ['x', 'y', 'z'].entries()) {
      edited = edited.slice(0, at + k) + insert + edited.slice(at + k);
      assertSame(inc.analyze(edited, options), edited, options, `typed ${insert}`);
      assert.ok(inc.skipped > total / 2, `skipped ${inc.skipped} of ${total}`);
      assert.ok(inc.walked < total / 4, `walked ${inc.walked} of ${total}`);
    }
    // Back to the name the later statements use.
    assertSame(inc.analyze(text, options), text, options, 'typed back');
    assert.ok(inc.skipped > total / 2, `skipped ${inc.skipped} of ${total}`);
    // Renamed with a line more: every statement after the edit moves, as do the snapshots it skips to.
    edited = text.slice(0, at) + 'x\n' + text.slice(at);
    assertSame(inc.analyze(edited, options), edited, options, 'line added');
    assert.ok(inc.walked < total / 2, `walked ${inc.walked} of ${total}`);
  });

  it('restarts the next edit at the same place from snapshots next to the statements that read what it changed, and equals a full analysis', () => {
    const options = { history: historyOf(SPARSE_HISTORY) };
    // Regular snapshots 32 statements apart; the statements that read `shared` ~50 apart.
    const text = sparseFile(120);
    const inc = new IncrementalAnalyzer(32);
    inc.analyze(text, options);
    const at = text.indexOf(' text;');
    const internals = inc as unknown as { last: { checkpoints: { near?: string }[] } };
    let edited = text;
    const walked: number[] = [];
    for (const [k, insert] of ['x', 'y', 'z', 'w'].entries()) {
      edited = edited.slice(0, at + k) + insert + edited.slice(at + k);
      assertSame(inc.analyze(edited, options), edited, options, `typed ${insert}`);
      walked.push(inc.walked);
    }
    assert.ok(internals.last.checkpoints.filter((c) => c.near === 'hit').length >= 4, 'snapshots next to the statements that read shared');
    assert.ok(walked[3] < walked[0] / 2, `walked ${walked.join(', ')}`);
  });

  it('catches a broken snapshot next to a statement that read what an edit changed: the comparison fails', () => {
    const options = { history: historyOf(SPARSE_HISTORY) };
    const text = sparseFile(120);
    const inc = new IncrementalAnalyzer(32);
    inc.analyze(text, options);
    const at = text.indexOf(' text;');
    const first = text.slice(0, at) + 'x' + text.slice(at);
    inc.analyze(first, options);
    // Break only those snapshots: a search_path that resolves `shared` elsewhere (a restart patches
    // in the catalog entries that differ, which here is `shared` itself: not its schema).
    const internals = inc as unknown as { last: { checkpoints: { near?: string; catalog: Catalog }[] } };
    const hit = internals.last.checkpoints.filter((c) => c.near === 'hit');
    assert.ok(hit.length > 0);
    for (const c of hit) c.catalog.searchPath = ['elsewhere'];
    const second = first.slice(0, at + 1) + 'y' + first.slice(at + 1);
    assert.throws(() => assertSame(inc.analyze(second, options), second, options, 'broken hit snapshots'), assert.AssertionError);
  });

  it('catches a broken skip: the comparison fails when what an edit changed is taken as read by no later statement', () => {
    const options = { history: historyOf(SPARSE_HISTORY) };
    const text = sparseFile(60);
    const inc = new IncrementalAnalyzer(8);
    inc.analyze(text, options);
    // Break the previous run's record of reads: no statement read `shared`.
    const internals = inc as unknown as { last: Record<'modelReads' | 'ruleReads' | 'applyReads', (string[] | undefined)[]> };
    for (const field of ['modelReads', 'ruleReads', 'applyReads'] as const) {
      internals.last[field] = internals.last[field].map((reads) => reads?.filter((k) => !k.includes('shared')));
    }
    const at = text.indexOf(' text;');
    const edited = text.slice(0, at) + 'x' + text.slice(at);
    assert.throws(() => assertSame(inc.analyze(edited, options), edited, options, 'broken reads'), assert.AssertionError);
  });

  it('splits again only around an edit, and equals a full analysis when the edit opens a quote, a comment or a dollar quote', () => {
    const options = { history: historyOf(['CREATE TABLE base (id bigint PRIMARY KEY, c text);']) };
    const text = [
      'CREATE TABLE t1 (id int);',
      "UPDATE base SET c = 'a;b';",
      '\\set ON_ERROR_STOP on',
      'COPY base (id, c) FROM stdin;',
      '1\tx;y',
      '\\.',
      'DO $$ BEGIN CREATE INDEX i1 ON base (c); END $$;',
      'CREATE FUNCTION f() RETURNS int LANGUAGE sql BEGIN ATOMIC SELECT 1; SELECT 2; END;',
      '/* a; comment */ ALTER TABLE base ADD COLUMN d text;',
      'CREATE INDEX i2 ON base (d);',
      'SELECT 1;',
    ].join('\n');
    const inc = new IncrementalAnalyzer(2);
    inc.analyze(text, options);
    let partial = 0;
    for (const insert of ["'", '$$', '/*', '--', '\\', ';', 'x', '"', 'E', '\n']) {
      for (let at = 0; at <= text.length; at += 7) {
        const edited = text.slice(0, at) + insert + text.slice(at);
        for (const next of [edited, text]) {
          assertSame(inc.analyze(next, options), next, options, `inserted ${JSON.stringify(insert)} at ${at}`);
          if (inc.resplit) partial++;
        }
      }
    }
    assert.ok(partial > 100, `split in part ${partial} times`);
  });

  it('checking a variant (a fix) leaves the base of the next edit', () => {
    const options = { history: historyOf(['CREATE TABLE base (id bigint PRIMARY KEY);']) };
    const text = longFile(20);
    const inc = new IncrementalAnalyzer(8);
    inc.analyze(text, options);
    const variant = text.replace('CREATE INDEX t10_name_idx', 'CREATE INDEX CONCURRENTLY t10_name_idx');
    assertSame(inc.peek(variant, options), variant, options, 'variant');
    const edited = text.replace('t15 (id', 't15x (id');
    assertSame(inc.analyze(edited, options), edited, options, 'edit after the variant');
  });

  it('equals a full analysis when an edit changes the constraint names or foreign keys that later statements look up by name (indexes shared by snapshots)', () => {
    // No lookup in the history: the name indexes are built during the walk, after the first snapshots.
    const options = {
      config: mergeConfig(ALL_ON),
      history: historyOf(['CREATE TABLE shared (id bigint, a int);', 'CREATE TABLE other (id bigint, r bigint);']),
    };
    const text = namedConstraintsFile(24);
    const inc = new IncrementalAnalyzer(4);
    inc.analyze(text, options);
    let edited = text;
    const edits: string[] = [];
    // A name typed into the first constraint (it takes the default name of later unnamed ones), a
    // foreign key added and removed at the start (DML on its target reads it), then edits further on.
    for (const [find, insert] of [
      ['first_check', 'shared_a_check'],
      ['CREATE TABLE p12', 'CREATE TABLE p12x'],
      ['shared_a_check CHECK (a > 0)', 'shared_a_check1 CHECK (a > 0)'],
      ['CREATE TABLE p20', 'CREATE TABLE p20x'],
      ['CREATE TABLE p9', 'CREATE TABLE p9x'],
      ['-- start', '-- start\nALTER TABLE other ADD CONSTRAINT other_fk FOREIGN KEY (r) REFERENCES shared (id) NOT VALID;'],
      ['CREATE TABLE p16', 'CREATE TABLE p16y'],
      ['\nALTER TABLE other ADD CONSTRAINT other_fk FOREIGN KEY (r) REFERENCES shared (id) NOT VALID;', ''],
      ['CREATE TABLE p22', 'CREATE TABLE p22y'],
    ]) {
      const at = edited.indexOf(find);
      assert.ok(at >= 0, find);
      edited = edited.slice(0, at) + insert + edited.slice(at + find.length);
      edits.push(`${find} -> ${insert}`);
      assertSame(inc.analyze(edited, options), edited, options, edits.join(', '));
    }
  });

  it('finds the changed characters of an edit as a character by character comparison does', () => {
    const rng = new Rng(3);
    const naive = (x: string, y: string): [number, number] => {
      const max = Math.min(x.length, y.length);
      let start = 0;
      while (start < max && x[start] === y[start]) start++;
      let tail = 0;
      while (tail < max - start && x[x.length - 1 - tail] === y[y.length - 1 - tail]) tail++;
      return [start, x.length - tail];
    };
    for (let i = 0; i < 2000; i++) {
      const before = 'ab;\n'.repeat(rng.int(3000)).slice(rng.int(4));
      const at = rng.int(before.length + 1);
      const after = before.slice(0, at) + 'ab;\n x'.slice(rng.int(6)) + before.slice(Math.min(before.length, at + rng.int(3)));
      const change = textChange(before, after);
      assert.deepStrictEqual([change.start, change.oldEnd], naive(before, after), JSON.stringify({ at, before: before.length, after: after.length }));
      assert.strictEqual(change.newEnd - change.oldEnd, after.length - before.length);
    }
  });

  it('catches a broken snapshot: the comparison fails when snapshots take a table for a new one', () => {
    const options = { history: historyOf(['CREATE TABLE base (id bigint PRIMARY KEY);']) };
    const text = longFile(20);
    const inc = new IncrementalAnalyzer(8);
    inc.analyze(text, options);
    // Break every snapshot after the first: the table of the history looks created in the file.
    const internals = inc as unknown as { last: { checkpoints: { index: number; catalog: Catalog }[] } };
    for (const c of internals.last.checkpoints.slice(1)) c.catalog.relations.set('base', { ...c.catalog.relations.get('base')!, createdInFile: true });
    const at = text.lastIndexOf('CREATE INDEX');
    const edited = text.slice(0, at) + ' ' + text.slice(at);
    assert.throws(() => assertSame(inc.analyze(edited, options), edited, options, 'broken snapshot'), assert.AssertionError);
  });
});

describeWithCorpus('incremental analysis over the corpus', function (corpus) {
  this.timeout(900000);
  it('equals a full analysis after every edit of random edit sequences over real-world files', async () => {
    await initParser();
    const files = realWorldFiles(corpus, 60_000);
    assert.ok(files.length > 1000);
    const rng = new Rng(2026);
    const texts = () => fs.readFileSync(rng.pick(files), 'utf8');
    // Every seventh file (about 300), five edits each: minutes, not hours.
    for (let i = 0; i < files.length; i += 7) editSequence(fs.readFileSync(files[i], 'utf8'), { config: mergeConfig(ALL_ON) }, rng, 5, texts);
  });
});
