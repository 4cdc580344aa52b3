/**
 * A fix's check in the editor (lsp/codeActions.ts) re-analyses the fixed text line-blind first
 * (IncrementalAnalyzer.peekLineBlind): when the fix moves lines, what differs only in the line
 * numbers it names is carried over, so the walk stops near the fix instead of at the end of the
 * file. This compares, for every fix of the rule fixtures (and of real-world files with the
 * corpus), the line-blind analysis with `analyze()` of the fixed text: the same findings (rule,
 * severity, statement, span, fix edits), messages equal but for the "line N" of the findings it
 * marks stale; and the check's verdict with and without it.
 */
import * as assert from 'assert';
import * as fs from 'fs';
import {
  analyze,
  Analysis,
  AnalyzeOptions,
  applyEdits,
  Catalog,
  Finding,
  IncrementalAnalyzer,
  initParser,
  LockwiseConfig,
  maskLines,
  mergeConfig,
  RULES,
} from '../../server/src/core';
import { replay } from '../../server/src/project/history';
import { ActionTarget, fixIsSafe } from '../../server/src/lsp/codeActions';
import { describeWithCorpus, realWorldFiles } from '../support/corpus';
import { loadRuleCases } from '../support/ruleCases';

const ALL_ON: Partial<LockwiseConfig> = { rules: Object.fromEntries(RULES.map((r) => [r.id, r.defaultSeverity === 'off' ? 'warning' : r.defaultSeverity])) };

function historyOf(texts: string[]): Catalog | undefined {
  let history: Catalog | undefined;
  for (const t of texts) replay(t, (history ??= new Catalog()));
  return history;
}

/** A finding as data, the line numbers its strings name masked when `stale`. */
function shape(f: Finding, stale: boolean): string {
  const json = JSON.stringify(f);
  return stale ? maskLines(json) : json;
}

function target(analysis: Analysis, options: AnalyzeOptions, inc: IncrementalAnalyzer | undefined): ActionTarget {
  return {
    uri: 'file:///m.sql',
    version: 1,
    analysis,
    options,
    reanalyze: (text) => analyze(text, options),
    ...(inc ? { reanalyzeLineBlind: (text: string) => inc.peekLineBlind(text, options) } : {}),
    versioned: true,
    resolvable: true,
    docs: (rule) => `https://example.invalid/${rule}`,
  };
}

interface Tally {
  fixes: number;
  moved: number;
  stale: number;
  staleDiffers: number;
}

/** Every fix of `text`: the line-blind analysis of the fixed text against a full one, and the check's verdict both ways. */
function checkEveryFix(text: string, options: AnalyzeOptions, tally: Tally, every = 4): void {
  const inc = new IncrementalAnalyzer(every);
  const base = inc.analyze(text, options);
  const plain = analyze(text, options);
  for (const [k, finding] of base.findings.entries()) {
    if (!finding.fix) continue;
    const fixed = applyEdits(text, finding.fix.edits);
    const full = analyze(fixed, options);
    const blind = inc.peekLineBlind(fixed, options);
    const where = `fix ${finding.fix.title} of ${finding.rule} in ${JSON.stringify(text.slice(0, 300))}`;
    assert.strictEqual(blind.analysis.findings.length, full.findings.length, where);
    for (const [j, f] of blind.analysis.findings.entries()) {
      const stale = blind.staleLines(f);
      assert.strictEqual(shape(f, stale), shape(full.findings[j], stale), `${where}: finding ${j}`);
      if (stale) tally.stale++;
      if (shape(f, false) !== shape(full.findings[j], false)) tally.staleDiffers++;
    }
    assert.deepStrictEqual(blind.analysis.internalErrors, full.internalErrors, where);
    tally.fixes++;
    if (full.lines.lineCount !== base.lines.lineCount) tally.moved++;
    // The verdict with the line-blind analysis (base) and without it (plain: a full analysis).
    assert.strictEqual(fixIsSafe(target(base, options, inc), finding), fixIsSafe(target(plain, options, undefined), plain.findings[k]), `${where}: verdict`);
  }
}

/**
 * A foreign key first (its fix adds a VALIDATE line), then parts with a DO block whose IF names its
 * line, a transaction whose ACCESS EXCLUSIVE lock the later statements' findings name by line, and
 * an index built without CONCURRENTLY.
 */
function longFile(parts: number): string {
  const out: string[] = ["SET lock_timeout = '2s';", 'ALTER TABLE base ADD CONSTRAINT base_other_fk FOREIGN KEY (id) REFERENCES other (id);'];
  for (let i = 0; i < parts; i++) {
    out.push(`CREATE TABLE t${i} (id bigint PRIMARY KEY, name text);`);
    out.push(`DO $$\nBEGIN\n  IF NOT EXISTS (SELECT 1 FROM t${i}) THEN\n    ALTER TABLE base ADD COLUMN d${i} text;\n  END IF;\nEND\n$$;`);
    if (i % 3 === 0) out.push('BEGIN;', `ALTER TABLE base ADD COLUMN c${i} text;`, `UPDATE base SET c${i} = 'x';`, `SELECT count(*) FROM base;`, 'COMMIT;');
    out.push(`CREATE INDEX t${i}_name_idx ON base (id);`);
  }
  return out.join('\n') + '\n';
}

describe('checking a fix line-blind (IncrementalAnalyzer.peekLineBlind)', () => {
  before(async () => {
    await initParser();
  });

  it('equals a full analysis but for the line numbers of the findings it marks, and the check gives the same verdict, for every fix of the rule fixtures', function () {
    this.timeout(600000);
    const tally: Tally = { fixes: 0, moved: 0, stale: 0, staleDiffers: 0 };
    for (const rule of RULES) {
      for (const c of loadRuleCases(rule.id)) checkEveryFix(c.text, { config: mergeConfig(ALL_ON, c.config), history: historyOf(c.history) }, tally);
    }
    assert.ok(tally.fixes > 200 && tally.moved > 50, JSON.stringify(tally));
  });

  it('stops near a fix that inserts a line at the top of a long file, where later findings and DO-block conditions name lines', function () {
    this.timeout(120000);
    const options = {
      config: mergeConfig(ALL_ON),
      history: historyOf(['CREATE TABLE base (id bigint PRIMARY KEY);', 'CREATE TABLE other (id bigint PRIMARY KEY);']),
    };
    const text = longFile(60);
    const inc = new IncrementalAnalyzer(8);
    const base = inc.analyze(text, options);
    const first = base.findings.find((f) => f.rule === 'adding-foreign-key-constraint' && f.fix);
    assert.ok(first && first.statement === 1 && first.fix!.edits.some((e) => e.newText.includes('\n')), 'a fix that adds a line after the second statement');
    const fixed = applyEdits(text, first.fix!.edits);
    const blind = inc.peekLineBlind(fixed, options);
    const full = analyze(fixed, options);
    assert.ok(inc.walked < base.statements.length / 4, `walked ${inc.walked} of ${base.statements.length}`);
    const stale = blind.analysis.findings.filter((f, j) => shape(f, false) !== shape(full.findings[j], false));
    assert.ok(stale.length > 10 && stale.every((f) => blind.staleLines(f)), `${stale.length} findings name old lines, all marked`);
    inc.peek(fixed, options);
    assert.ok(inc.walked > base.statements.length / 2, `the exact peek walks on (${inc.walked})`);
    const tally: Tally = { fixes: 0, moved: 0, stale: 0, staleDiffers: 0 };
    checkEveryFix(longFile(12), options, tally, 8);
    assert.ok(tally.staleDiffers > 0, JSON.stringify(tally));
  });

  it('a finding left naming old lines whose message could be the fixed one makes the check analyse in full', () => {
    // The same message but for the line of its BEGIN, in every block; the fix of the first removes lines.
    const options = { config: mergeConfig(ALL_ON), history: historyOf(['CREATE TABLE base (id bigint PRIMARY KEY, a text);']) };
    const parts: string[] = [];
    for (let i = 0; i < 30; i++) parts.push('BEGIN;', 'CREATE INDEX CONCURRENTLY IF NOT EXISTS base_a_idx ON base (a);', 'COMMIT;');
    const text = parts.join('\n') + '\n';
    const inc = new IncrementalAnalyzer(4);
    const base = inc.analyze(text, options);
    const finding = base.findings.find((f) => f.rule === 'ban-concurrent-index-creation-in-transaction' && f.fix);
    assert.ok(finding && /line 1\b/.test(finding.message), finding?.message);
    let exact = 0;
    const spied = { ...target(base, options, inc), reanalyze: (t: string) => (exact++, analyze(t, options)) };
    const plain = analyze(text, options);
    assert.strictEqual(fixIsSafe(spied, finding), fixIsSafe(target(plain, options, undefined), plain.findings[base.findings.indexOf(finding)]));
    assert.strictEqual(exact, 1, 'analysed in full');
    const tally: Tally = { fixes: 0, moved: 0, stale: 0, staleDiffers: 0 };
    checkEveryFix(text, options, tally, 4);
    assert.ok(tally.moved > 0 && tally.staleDiffers > 0, JSON.stringify(tally));
  });
});

describeWithCorpus('checking a fix line-blind over the corpus', function (corpus) {
  this.timeout(900000);
  it('equals a full analysis but for marked line numbers, with the same verdict, for every fix of real-world files', async () => {
    await initParser();
    const files = realWorldFiles(corpus, 30_000);
    const tally: Tally = { fixes: 0, moved: 0, stale: 0, staleDiffers: 0 };
    // Every fifth file: minutes, not hours.
    for (let i = 0; i < files.length; i += 5) checkEveryFix(fs.readFileSync(files[i], 'utf8'), { config: mergeConfig(ALL_ON) }, tally);
    assert.ok(tally.fixes > 500, JSON.stringify(tally));
  });
});
