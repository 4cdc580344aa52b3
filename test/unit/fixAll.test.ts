/**
 * `fixAll` applies every fix in one run (issue 12: it stopped silently after 500), is idempotent,
 * and its batched steps (independent one-statement fixes applied together) give exactly what one
 * fix at a time gives, on every rule fixture, every documented example and the corpus.
 */
import * as assert from 'assert';
import * as fs from 'fs';
import * as path from 'path';
import { analyze, AnalyzeOptions, fixAll, initParser, LockwiseConfig, mergeConfig, RULES, RULES_BY_ID } from '../../server/src/core';
import { itWithCorpus } from '../support/corpus';

const FIXTURES = path.resolve(__dirname, '../../../test/fixtures/rules');

/** Every .sql file of the rule fixtures with the config its case declares (its own history is not needed: fixAll sees one text). */
function fixtureCases(): { name: string; text: string; options: AnalyzeOptions }[] {
  const out: { name: string; text: string; options: AnalyzeOptions }[] = [];
  for (const rule of fs.readdirSync(FIXTURES)) {
    const walk = (dir: string, config: Partial<LockwiseConfig>) => {
      for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
        const full = path.join(dir, entry.name);
        if (entry.isDirectory()) walk(full, { ...config, ...caseConfig(path.join(full, 'expected.json')) });
        else if (entry.name.endsWith('.sql'))
          out.push({
            name: path.relative(FIXTURES, full),
            text: fs.readFileSync(full, 'utf8'),
            options: { config: mergeConfig(config, caseConfig(full.replace(/\.sql$/, '.json'))) },
          });
      }
    };
    walk(path.join(FIXTURES, rule), enabled(rule));
  }
  return out;
}

function caseConfig(file: string): Partial<LockwiseConfig> {
  return fs.existsSync(file) ? ((JSON.parse(fs.readFileSync(file, 'utf8')) as { config?: Partial<LockwiseConfig> }).config ?? {}) : {};
}

function enabled(ruleId: string): Partial<LockwiseConfig> {
  const severity = RULES_BY_ID.get(ruleId)?.defaultSeverity;
  return severity ? { rules: { [ruleId]: severity === 'off' ? 'warning' : severity } } : {};
}

/** Batched equals one at a time, a second run changes nothing, and the analysis returned is the result's. */
function assertStable(name: string, text: string, options: AnalyzeOptions): void {
  const batched = fixAll(text, options);
  const single = fixAll(text, options, { batch: false });
  assert.strictEqual(batched.text, single.text, `${name}: batched fixes differ from one at a time`);
  assert.deepStrictEqual([...batched.fixed].sort(), [...single.fixed].sort(), `${name}: fixed rules differ`);
  assert.strictEqual(batched.stopped, undefined, `${name}: ${batched.stopped}`);
  // The analysis it returns is the one a caller would make of the result (the CLI reports it).
  for (const r of [batched, single]) assert.deepStrictEqual(r.analysis.findings, analyze(r.text, r.options).findings, `${name}: the returned analysis differs`);
  const again = fixAll(batched.text, options);
  assert.deepStrictEqual(again.fixed, [], `${name}: a second run fixed ${again.fixed.join(', ')}`);
  assert.strictEqual(again.text, batched.text, `${name}: a second run changed the text`);
}

describe('fixAll: every fix in one run, idempotent', function () {
  this.timeout(120000);
  before(() => initParser());

  it('fixes 2,000 fixable statements in one run (it stopped after 500), in seconds, and a second run changes nothing', () => {
    const text = Array.from({ length: 2000 }, (_, i) => `CREATE INDEX i${i} ON t (c);`).join('\n') + '\n';
    const t0 = Date.now();
    const result = fixAll(text);
    const ms = Date.now() - t0;
    assert.strictEqual(result.fixed.length, 2000);
    assert.strictEqual(result.text.match(/CREATE INDEX CONCURRENTLY/g)?.length, 2000);
    assert.ok(ms < 20000, `took ${ms} ms`);
    assert.deepStrictEqual(fixAll(result.text).fixed, []);
  });

  it('fixes of several rules mixed with one that adds a statement: every fix, in seconds', () => {
    // 600 lock-timeout-too-long fixes (batchable) and one require-lock-timeout fix that inserts a SET (not batchable).
    const text = Array.from({ length: 600 }, (_, i) => `SET lock_timeout = 0;\nALTER TABLE t${i} ADD COLUMN c int;`).join('\n') + '\n';
    const t0 = Date.now();
    const result = fixAll(text);
    const ms = Date.now() - t0;
    assert.strictEqual(result.text.match(/SET lock_timeout = '5s'/g)?.length, 600);
    assert.deepStrictEqual(fixAll(result.text).fixed, []);
    assert.ok(ms < 20000, `took ${ms} ms`);
  });

  it('batched equals one at a time and a second run changes nothing: every rule fixture', () => {
    const cases = fixtureCases();
    assert.ok(cases.length > 100, `${cases.length} fixture files`);
    for (const c of cases) assertStable(c.name, c.text, c.options);
  });

  it('batched equals one at a time and a second run changes nothing: every documented example, and all bad examples in one file', () => {
    for (const rule of RULES) {
      const config = mergeConfig(enabled(rule.id), rule.docs.exampleConfig ?? {});
      assertStable(`${rule.id} bad`, rule.docs.bad, { config });
      assertStable(`${rule.id} good`, rule.docs.good, { config });
    }
    const plain = RULES.filter((r) => !r.docs.exampleConfig);
    assertStable('all bad examples', plain.map((r) => r.docs.bad).join('\n'), {});
  });

  itWithCorpus('batched equals one at a time and a second run changes nothing: corpus files with fixable findings', function (corpus) {
    this.timeout(600000);
    const files = corpusFiles(corpus);
    let checked = 0;
    for (const file of files) {
      const text = fs.readFileSync(file, 'utf8');
      if (text.length > 30000) continue;
      const first = fixAll(text);
      if (first.fixed.length === 0) continue;
      assertStable(path.relative(corpus, file), text, {});
      checked++;
    }
    assert.ok(checked > 50, `${checked} corpus files had fixes`);
  });
});

function corpusFiles(dir: string): string[] {
  const out: string[] = [];
  for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, e.name);
    if (e.isDirectory()) out.push(...corpusFiles(full));
    else if (e.name.endsWith('.sql')) out.push(full);
  }
  return out.sort();
}
