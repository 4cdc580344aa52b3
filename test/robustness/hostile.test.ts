/**
 * Hostile files through the analysis core: it must not throw, hang, overflow the stack or report a
 * range outside the text, and the finding after the hostile part must keep its exact UTF-16 range.
 * Each file runs in its own process (hostileWorker) so time and peak memory are measured per file;
 * the table is printed at the end and written to out/test/robustness/hostile-results.json.
 */
import * as assert from 'assert';
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { analyze, initParser } from '../../server/src/core';
import { HOSTILE } from './hostile';
import type { HostileResult } from './hostileWorker';
import { LARGE, PATTERNS, SMALL } from './splitterTimingWorker';

const WORKER = path.join(__dirname, 'hostileWorker.js');
const RESULTS = path.join(__dirname, 'hostile-results.json');

/** Generous ceilings on a 2-core CI machine; the measured numbers are printed and reported. */
const LIMITS: Record<string, { ms: number; rssMB: number }> = {
  '20 MB of SQL (dump-like)': { ms: 45000, rssMB: 1500 },
  'single 5 MB line': { ms: 30000, rssMB: 1200 },
  '1 MB of tiny statements on one line': { ms: 30000, rssMB: 1000 },
};
const DEFAULT_LIMIT = { ms: 15000, rssMB: 600 };

describe('hostile files through the core', function () {
  this.timeout(120000);
  const results: HostileResult[] = [];

  after(() => {
    if (!results.length) return;
    fs.writeFileSync(RESULTS, JSON.stringify(results, null, 2));
    const rows = results.map(
      (r) =>
        `    ${r.name.padEnd(50)} ${String(r.chars).padStart(9)} chars ${String(r.ms).padStart(6)} ms ${String(r.peakRssMB).padStart(5)} MB peak RSS` +
        ` (${r.baselineRssMB} before) ${r.statements} statements, ${r.findings} findings`,
    );
    console.log(`\n    hostile files (core, one process each):\n${rows.join('\n')}\n`);
  });

  for (const file of HOSTILE) {
    it(`${file.name}: no exception, findings in range, exact range after it`, () => {
      const limit = LIMITS[file.name] ?? DEFAULT_LIMIT;
      const r = spawnSync(process.execPath, [WORKER, file.name], { encoding: 'utf8', timeout: limit.ms * 2 + 10000, maxBuffer: 16 * 1024 * 1024 });
      assert.strictEqual(r.error, undefined, `worker did not finish: ${r.error}`);
      assert.strictEqual(r.status, 0, `worker exited ${r.status} (${r.signal}): ${r.stderr.slice(-3000)}`);
      const result = JSON.parse(r.stdout) as HostileResult;
      results.push(result);
      assert.deepStrictEqual(result.internalErrors, [], 'a rule or the lock model threw');
      assert.strictEqual(result.outOfBounds, 0, 'finding ranges outside the text');
      assert.strictEqual(result.longMessages, 0, 'a message quotes a huge piece of the file');
      if (file.expect) assert.ok(result.expected?.found, `expected ${JSON.stringify(file.expect)}, got ${JSON.stringify(result.expected?.actual)}`);
      assert.ok(result.ms < limit.ms, `${result.ms} ms is over ${limit.ms} ms`);
      assert.ok(result.peakRssMB < limit.rssMB, `${result.peakRssMB} MB is over ${limit.rssMB} MB`);
    });
  }
});

describe('hostile text: exact positions and syntax errors', () => {
  before(() => initParser());

  it('deep nesting that libpg_query rejects is a syntax-error finding on that statement, and the next statement is analysed', () => {
    for (const text of [
      `SELECT ${'('.repeat(100000)}1${')'.repeat(100000)};\nCREATE INDEX i ON t (c);`,
      `SELECT 1${'+1'.repeat(30000)};\nCREATE INDEX i ON t (c);`,
      `SELECT ${'ARRAY['.repeat(20000)}1${']'.repeat(20000)};\nCREATE INDEX i ON t (c);`,
    ]) {
      const a = analyze(text);
      assert.deepStrictEqual(a.internalErrors, []);
      const rules = a.findings.map((f) => f.rule);
      assert.ok(rules.includes('syntax-error'), rules.join());
      assert.ok(rules.includes('require-concurrent-index-creation'), rules.join());
      const syntax = a.findings.find((f) => f.rule === 'syntax-error')!;
      assert.strictEqual(a.lines.positionAt(syntax.span.start).line, 0);
      assert.ok(syntax.message.length < 300, syntax.message);
    }
  });

  it('deep trees the parser accepts are walked without recursion (UNION chains, nested CASE and subqueries)', () => {
    const text = [
      `SELECT 1${' UNION SELECT 1'.repeat(3000)};`,
      `SELECT ${'CASE WHEN a THEN '.repeat(1000)}1${' END'.repeat(1000)};`,
      `SELECT * FROM ${'(SELECT * FROM '.repeat(1000)}t${') s'.repeat(1000)};`,
      `ALTER TABLE t ADD COLUMN c int DEFAULT ${'f('.repeat(3000)}random()${')'.repeat(3000)};`,
      'CREATE INDEX i ON t (c);',
    ].join('\n');
    const a = analyze(text);
    assert.deepStrictEqual(a.internalErrors, []);
    const rules = a.findings.map((f) => f.rule);
    assert.ok(!rules.includes('syntax-error'), 'these statements parse');
    assert.ok(rules.includes('adding-field-with-default'), 'the volatile default is found through 3,000 calls');
    assert.ok(rules.includes('require-concurrent-index-creation'));
  });

  it('a NUL byte makes its statement a syntax error instead of silently cutting it short', () => {
    const text = 'SELECT 1;\nALTER TABLE t ADD COLUMN a int;\0 DROP TABLE t;\nCREATE INDEX i ON t (c);\n';
    const a = analyze(text);
    const syntax = a.findings.filter((f) => f.rule === 'syntax-error');
    assert.strictEqual(syntax.length, 1, JSON.stringify(a.findings));
    assert.match(syntax[0].message, /NUL byte/);
    assert.strictEqual(a.lines.positionAt(syntax[0].span.start).line, 1);
    assert.ok(a.findings.some((f) => f.rule === 'require-concurrent-index-creation'));
  });

  it('syntax errors point at the offending token, at the exact UTF-16 column after astral and combining characters', () => {
    const prefix = "SELECT 'e\u0301😀👍🏽' AS \"😀\", 'x' FROM ";
    const text = `${prefix}WHERE x;\n`;
    const a = analyze(text);
    const syntax = a.findings.find((f) => f.rule === 'syntax-error')!;
    assert.deepStrictEqual(a.lines.rangeOf(syntax.span), { start: { line: 0, character: prefix.length }, end: { line: 0, character: prefix.length + 5 } });
  });

  it('statements in DO bodies after emoji keep exact ranges', () => {
    const head = "SET lock_timeout = '1s';\nDO $$ BEGIN -- 😀👨‍👩‍👧 é\n  PERFORM '🎉'; ";
    const text = `${head}CREATE INDEX i ON t (c); END $$;\n`;
    const a = analyze(text);
    const f = a.findings.find((x) => x.rule === 'require-concurrent-index-creation')!;
    const col = head.length - head.lastIndexOf('\n') - 1;
    assert.deepStrictEqual(a.lines.rangeOf(f.span), { start: { line: 2, character: col }, end: { line: 2, character: col + 12 } });
  });

  it('long syntax-error messages are cut: no message quotes megabytes of the file', () => {
    const a = analyze(`SELECT '${'x'.repeat(1_000_000)}\n`);
    const syntax = a.findings.find((f) => f.rule === 'syntax-error')!;
    assert.ok(syntax.message.length < 300, `${syntax.message.length} characters`);
  });
});

describe('the splitter stays linear on adversarial text', function () {
  this.timeout(120000);
  let times: Record<string, [number, number]>;

  before(() => {
    // Its own process (splitterTimingWorker.ts says why), with a young generation the results fit in.
    const run = spawnSync(process.execPath, ['--max-semi-space-size=64', path.join(__dirname, 'splitterTimingWorker.js')], {
      encoding: 'utf8',
      timeout: 100000,
    });
    assert.strictEqual(run.status, 0, run.stderr);
    times = JSON.parse(run.stdout) as Record<string, [number, number]>;
  });

  for (const name of Object.keys(PATTERNS)) {
    it(name, () => {
      const [a, b] = times[name];
      // Linear: ~4x for 4x the input; quadratic would be ~16x. Small absolute times are noise.
      assert.ok(b < 150 || b / Math.max(a, 1) < 9, `${a.toFixed(1)} ms -> ${b.toFixed(1)} ms of CPU for ${LARGE / SMALL}x the text`);
    });
  }
});
