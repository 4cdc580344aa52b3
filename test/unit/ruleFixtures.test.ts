/**
 * Data-driven rule tests over test/fixtures/rules/<rule-id>/ (the case layout is in
 * test/support/ruleCases.ts). Each case's expected findings are a readable snapshot, `<case>.snap`:
 * every finding of the folder's rule in the `lockwise lint` text layout with its span
 * (`line:col-endLine:endCol: severity[rule]: message`, the source line with carets, `= help:` and
 * `= note:` lines); the text after applying every fix of the rule is `<case>.fixed.sql`. A mismatch
 * fails with a diff. For every finding with a fix, the fix must leave SQL that parses, clear that
 * finding and add no error-level finding.
 * `UPDATE_FIXTURES=1 npm run test:unit` rewrites the snapshots from the current output (review the diff).
 */
import * as assert from 'assert';
import * as fs from 'fs';
import * as path from 'path';
import { createTwoFilesPatch } from 'diff';
import {
  analyze,
  Analysis,
  applyEdits,
  Catalog,
  DEFAULT_CONFIG,
  Finding,
  findingJson,
  initParser,
  mergeConfig,
  RULES,
  RULES_BY_ID,
  LockwiseConfig,
} from '../../server/src/core';
import { findingBlock } from '../../server/src/core/report/formats/text';
import { replay } from '../../server/src/project/history';
import { loadRuleCases, RULE_FIXTURES, RuleCase, sizesOf } from '../support/ruleCases';

const UPDATE = process.env.UPDATE_FIXTURES === '1';

function historyCatalog(files: string[]): Catalog | undefined {
  if (!files.length) return undefined;
  const catalog = new Catalog();
  for (const text of files) replay(text, catalog);
  return catalog;
}

describe('rule fixtures', () => {
  before(async () => {
    // The grammars of every pgVersion a case configures (unsupported-syntax checks with them).
    await initParser([...RULES_BY_ID.keys()].flatMap(loadRuleCases).map((c) => c.config.pgVersion ?? DEFAULT_CONFIG.pgVersion));
  });

  it('every rule has a fixture folder with at least one flagged and one clean case', () => {
    const missing = [...RULES_BY_ID.keys()].filter((id) => !fs.existsSync(path.join(RULE_FIXTURES, id)));
    assert.deepStrictEqual(missing, [], `rules without fixtures: ${missing.join(', ')}`);
  });

  describe('documented examples', () => {
    for (const rule of RULES) {
      it(`${rule.id}: the bad example is flagged, the good one is clean`, () => {
        const config = mergeConfig(enabled(rule.id), rule.docs.exampleConfig ?? {});
        const sizes = sizesOf(rule.docs.exampleStats);
        const flagged = (sql: string) => analyze(sql, { config, sizes }).findings.filter((f) => f.rule === rule.id).length;
        assert.ok(flagged(rule.docs.bad) > 0, `bad example not flagged:\n${rule.docs.bad}`);
        assert.strictEqual(flagged(rule.docs.good), 0, `good example flagged:\n${rule.docs.good}`);
      });
    }
  });

  it('a rule is `fixable` exactly when one of its fixtures has a fix', () => {
    const wrong = RULES.filter((rule) => loadRuleCases(rule.id).some((c) => fs.existsSync(c.fixedFile)) !== rule.fixable);
    assert.deepStrictEqual(
      wrong.map((r) => `${r.id} (fixable: ${r.fixable})`),
      [],
    );
  });

  it('holds no file that belongs to no case', () => {
    const stray: string[] = [];
    for (const ruleId of fs.readdirSync(RULE_FIXTURES)) {
      const known = new Set<string>();
      for (const c of loadRuleCases(ruleId)) {
        known.add(path.basename(c.snapFile));
        known.add(path.basename(c.fixedFile));
        known.add(`${path.basename(c.snapFile, '.snap')}.config.json`);
        known.add(`${path.basename(c.snapFile, '.snap')}.stats.json`);
      }
      for (const f of fs.readdirSync(path.join(RULE_FIXTURES, ruleId))) {
        const isCase = (f.endsWith('.sql') && !f.endsWith('.fixed.sql')) || fs.statSync(path.join(RULE_FIXTURES, ruleId, f)).isDirectory();
        if (!isCase && !known.has(f)) stray.push(`${ruleId}/${f}`);
      }
    }
    // A `<case>.json` is the old expectation format: its findings are now `<case>.snap`, its `fixed` `<case>.fixed.sql`, its `config` `<case>.config.json`.
    assert.deepStrictEqual(stray, [], 'files of no case (UPDATE_FIXTURES=1 writes the .snap and .fixed.sql of every case)');
  });

  for (const ruleId of fs.existsSync(RULE_FIXTURES) ? fs.readdirSync(RULE_FIXTURES).sort() : []) {
    describe(ruleId, () => {
      it('is a registered rule', () => assert.ok(RULES_BY_ID.has(ruleId), `no rule ${ruleId}`));
      const counts: number[] = [];
      for (const c of loadRuleCases(ruleId)) {
        it(c.name, () => counts.push(checkCase(ruleId, c)));
      }
      it('has a flagged case and a clean case', () => {
        assert.ok(
          counts.some((n) => n > 0),
          'no case with findings',
        );
        assert.ok(
          counts.some((n) => n === 0),
          'no clean case',
        );
      });
    });
  }
});

/** The rule at its default severity; rules that are off by default are switched on in their own tests. */
function enabled(ruleId: string): Partial<LockwiseConfig> {
  const severity = RULES_BY_ID.get(ruleId)!.defaultSeverity;
  return { rules: { [ruleId]: severity === 'off' ? 'warning' : severity } };
}

/** The case's findings of its rule in the text layout, a span where the CLI prints a path. */
export function snapshot(analysis: Analysis, findings: Finding[]): string {
  if (!findings.length) return 'no findings\n';
  const blocks = findings.map((f) => {
    const j = findingJson(analysis, f);
    return findingBlock(analysis, f, `${j.line}:${j.column}-${j.endLine}:${j.endColumn}`).join('\n');
  });
  return blocks.join('\n\n') + '\n';
}

/** Applies this rule's fixes one at a time, re-analysing between (fix-all semantics for one rule). */
function fixedText(ruleId: string, text: string, config: LockwiseConfig, history: Catalog | undefined): string {
  for (let guard = 0; guard < 50; guard++) {
    const next = analyze(text, { config, history }).findings.find((f) => f.rule === ruleId && f.fix);
    if (!next) break;
    text = applyEdits(text, next.fix!.edits);
  }
  return text;
}

/** Compares (or with UPDATE_FIXTURES=1 writes) one expected file; `undefined` means the file must not exist. */
function expectFile(file: string, actual: string | undefined, what: string): void {
  const exists = fs.existsSync(file);
  if (UPDATE) {
    if (actual !== undefined) fs.writeFileSync(file, actual);
    else if (exists) fs.unlinkSync(file);
    return;
  }
  const expected = exists ? fs.readFileSync(file, 'utf8') : undefined;
  if (actual === expected) return;
  const rel = path.relative(RULE_FIXTURES, file);
  if (expected === undefined) assert.fail(`${what}: ${rel} is missing (UPDATE_FIXTURES=1 writes it; review it)`);
  if (actual === undefined) assert.fail(`${what}: the case has none, but ${rel} exists (UPDATE_FIXTURES=1 removes it)`);
  assert.fail(
    `${what} differs from ${rel} (UPDATE_FIXTURES=1 rewrites it; review the diff):\n${createTwoFilesPatch(rel, 'actual', expected, actual, '', '', { context: 2 })}`,
  );
}

/** Checks one case and returns how many findings of its rule it has. */
function checkCase(ruleId: string, c: RuleCase): number {
  const config = mergeConfig(enabled(ruleId), c.config);
  const history = historyCatalog(c.history);
  const analysis = analyze(c.text, { config, history, sizes: c.sizes });
  const findings = analysis.findings.filter((f) => f.rule === ruleId);
  const withFix = findings.filter((f) => f.fix);
  expectFile(c.snapFile, snapshot(analysis, findings), 'findings');
  expectFile(c.fixedFile, withFix.length ? fixedText(ruleId, c.text, config, history) : undefined, 'text after fixes');
  for (const f of withFix) checkFixIsSafe(ruleId, c, config, history, f.fix!.edits, analysis.findings.filter((x) => x.severity === 'error').length, f.severity);
  return findings.length;
}

function checkFixIsSafe(
  ruleId: string,
  c: RuleCase,
  config: LockwiseConfig,
  history: Catalog | undefined,
  edits: Parameters<typeof applyEdits>[1],
  errorsBefore: number,
  severity: string,
) {
  const fixed = applyEdits(c.text, edits);
  const after = analyze(fixed, { config, history });
  const before = analyze(c.text, { config, history });
  const syntaxBefore = before.findings.filter((f) => f.rule === 'syntax-error').length;
  assert.strictEqual(
    after.findings.filter((f) => f.rule === 'syntax-error').length,
    syntaxBefore,
    `fix for ${ruleId} leaves SQL that does not parse:\n${fixed}`,
  );
  assert.strictEqual(
    after.findings.filter((f) => f.rule === ruleId).length,
    before.findings.filter((f) => f.rule === ruleId).length - 1,
    `fix for ${ruleId} does not clear its finding:\n${fixed}`,
  );
  const errorsAfter = after.findings.filter((f) => f.severity === 'error').length;
  assert.ok(
    errorsAfter <= errorsBefore - (severity === 'error' ? 1 : 0),
    `fix for ${ruleId} introduced an error-level finding:\n${fixed}\n${after.findings.map((f) => f.rule).join(', ')}`,
  );
}
